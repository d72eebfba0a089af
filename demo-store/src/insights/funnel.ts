// The shopping funnel as horizontal bars: each step's visits as a share of the first step, the
// visits lost since the previous step hatched beside it, and the exact figures in the row.
import type { Funnel } from '../../../collector/src/core/insights/reports/funnel.ts';
import type { FunnelStep } from '../../../collector/src/core/insights/rollups.ts';
import { html, type SafeHtml } from '../html.ts';
import { funnelBar } from './charts.ts';
import { count, percent } from './format.ts';
import { empty } from './modes.ts';

export const STEP_LABEL: Record<FunnelStep, string> = {
  view_item: 'Viewed a product',
  add_to_cart: 'Added to cart',
  begin_checkout: 'Began checkout',
  purchase: 'Purchased',
};

export function funnelPanel({ steps }: Funnel): SafeHtml {
  const first = steps[0]?.visits ?? 0;
  if (first === 0) return empty('product views');
  return html`<table class="funnel" data-funnel>
    <caption>
      Visits that took each step and every step before it
    </caption>
    <thead>
      <tr>
        <th scope="col">Step</th>
        <th scope="col" class="chart-col"><span class="visually-hidden">Share of the first step</span></th>
        <th scope="col" class="num">Visits</th>
        <th scope="col" class="num">From previous</th>
        <th scope="col" class="num">Drop-off</th>
      </tr>
    </thead>
    <tbody>
      ${steps.map((step, i) => {
        const previous = i === 0 ? step.visits : steps[i - 1]!.visits;
        return html`<tr data-step="${step.step}">
          <th scope="row">${STEP_LABEL[step.step]}</th>
          <td class="chart-col">${funnelBar(step.visits / first, previous / first)}</td>
          <td class="num" data-visits>${count(step.visits)}</td>
          <td class="num">${i === 0 ? '' : percent(step.rate_from_previous)}</td>
          <td class="num drop ${step.drop_off ? '' : 'zero'}" data-drop-off>${i === 0 ? '' : count(step.drop_off)}</td>
        </tr>`;
      })}
    </tbody>
  </table>`;
}
