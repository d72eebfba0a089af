// Experiments: conversion per variant against the control, with the two-proportion test's
// p-value, and a warning when the split itself is off (sample-ratio mismatch), because then the
// comparison cannot be trusted whatever its p-value says.
import type { Experiments } from '../../../collector/src/core/insights/reports/experiments.ts';
import { html, type SafeHtml } from '../html.ts';
import { bar } from './charts.ts';
import { change, count, percent, pValue } from './format.ts';
import { empty } from './modes.ts';

const SIGNIFICANCE = 0.05;

export function experimentsPanel(figures: Experiments): SafeHtml {
  if (figures.experiments.length === 0)
    return empty('experiments (page views carry one when the SDK’s experiment(name, variant) was called)');
  return html`${figures.experiments.map((experiment) => {
    const srm = experiment.sample_ratio;
    const total = experiment.variants.reduce((sum, v) => sum + v.visits, 0);
    const maxRate = Math.max(0.0001, ...experiment.variants.map((v) => v.conversion_rate ?? 0));
    return html`<section class="experiment" data-experiment="${experiment.experiment}">
      <h3>${experiment.experiment}</h3>
      ${
        srm?.mismatch
          ? html`<p class="warning" role="note" data-srm>
              <strong>Sample-ratio mismatch.</strong> The visits per variant are not split as intended (χ² p
              ${pValue(srm.p_value)}): assignment or tracking is broken, so do not trust this comparison until it is fixed.
            </p>`
          : ''
      }
      <table>
        <caption>
          Conversion to purchase per variant, against the control “${experiment.control}”
        </caption>
        <thead>
          <tr>
            <th scope="col">Variant</th>
            <th scope="col" class="num">Visits</th>
            <th scope="col" class="num">Split</th>
            <th scope="col" class="num">Expected</th>
            <th scope="col" class="num">Purchases</th>
            <th scope="col" class="num">Conversion</th>
            <th scope="col" class="chart-col"><span class="visually-hidden">Conversion</span></th>
            <th scope="col" class="num">Uplift</th>
            <th scope="col" class="num">
              <abbr title="Two-sided p-value of a pooled two-proportion z-test against the control">p-value</abbr>
            </th>
          </tr>
        </thead>
        <tbody>
          ${experiment.variants.map((variant, i) => {
            const significant = variant.p_value != null && variant.p_value < SIGNIFICANCE;
            return html`<tr data-variant="${variant.variant}">
              <th scope="row">
                ${variant.variant}${variant.variant === experiment.control ? html` <span class="hint">(control)</span>` : ''}
              </th>
              <td class="num">${count(variant.visits)}</td>
              <td class="num">${percent(total ? variant.visits / total : null)}</td>
              <td class="num">${percent(srm?.expected[i] ?? null)}</td>
              <td class="num">${count(variant.conversions)}</td>
              <td class="num">${percent(variant.conversion_rate)}</td>
              <td class="chart-col">${bar((variant.conversion_rate ?? 0) / maxRate)}</td>
              <td class="num">${change(variant.uplift)}</td>
              <td class="num ${significant ? 'significant' : ''}">
                ${pValue(variant.p_value)}${significant ? html` <span class="badge">significant</span>` : ''}
              </td>
            </tr>`;
          })}
        </tbody>
      </table>
    </section>`;
  })}`;
}
