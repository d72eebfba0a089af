// Web vitals per page type (p75, rated by web.dev's thresholds) beside that page type's
// add-to-cart and purchase rates, so a slow page type and a weak one are seen together.
import type { VitalFigure, WebVitals } from '../../../collector/src/core/insights/reports/web-vitals.ts';
import { html, type SafeHtml } from '../html.ts';
import { count, millis, percent, ratio } from './format.ts';
import { empty } from './modes.ts';

/** Good up to the first value, poor above the second (https://web.dev/articles/vitals). */
const THRESHOLDS = { lcp: [2500, 4000], inp: [200, 500], cls: [0.1, 0.25] } as const;
type Metric = keyof typeof THRESHOLDS;

function rating(metric: Metric, value: number | null): 'good' | 'needs-improvement' | 'poor' | 'none' {
  if (value == null) return 'none';
  const [good, poor] = THRESHOLDS[metric];
  return value <= good ? 'good' : value <= poor ? 'needs-improvement' : 'poor';
}

function vital(metric: Metric, figure: VitalFigure): SafeHtml {
  const grade = rating(metric, figure.p75);
  const text = metric === 'cls' ? ratio(figure.p75) : millis(figure.p75);
  return html`<td class="num vital ${grade}" title="${count(figure.samples)} page views reported it">
    ${text}${grade === 'none' ? '' : html`<span class="visually-hidden"> (${grade.replace('-', ' ')})</span>`}
  </td>`;
}

export function webVitalsPanel(figures: WebVitals): SafeHtml {
  if (figures.page_types.length === 0) return empty('page views');
  return html`<table data-vitals>
      <caption>
        p75 of each web vital per page type, beside that page type's add-to-cart and purchase rates
      </caption>
      <thead>
        <tr>
          <th scope="col">Page type</th>
          <th scope="col" class="num">Page views</th>
          <th scope="col" class="num"><abbr title="Largest Contentful Paint, p75">LCP</abbr></th>
          <th scope="col" class="num"><abbr title="Interaction to Next Paint, p75">INP</abbr></th>
          <th scope="col" class="num"><abbr title="Cumulative Layout Shift, p75">CLS</abbr></th>
          <th scope="col" class="num">Add-to-cart rate</th>
          <th scope="col" class="num">Purchase rate</th>
        </tr>
      </thead>
      <tbody>
        ${figures.page_types.map(
          (row) =>
            html`<tr data-page-type="${row.page_type}">
              <th scope="row">${row.page_type}</th>
              <td class="num">${count(row.page_views)}</td>
              ${vital('lcp', row.lcp)} ${vital('inp', row.inp)} ${vital('cls', row.cls)}
              <td class="num">${percent(row.add_to_cart_rate)}</td>
              <td class="num">${percent(row.purchase_rate)}</td>
            </tr>`,
        )}
      </tbody>
    </table>
    <p class="hint legend">
      <span class="vital good">good</span> <span class="vital needs-improvement">needs improvement</span>
      <span class="vital poor">poor</span> (web.dev thresholds; a value is the lower bound of its histogram bucket)
    </p>`;
}
