// Dwell and depth per page type (and the busiest paths): engaged time p50–p90 on one scale, the
// share of page views reaching each scroll depth as a small distribution, actions per page view.
import type { Dwell, DwellRow } from '../../../collector/src/core/insights/reports/dwell.ts';
import { OTHER } from '../../../collector/src/core/insights/privacy.ts';
import { html, type SafeHtml } from '../html.ts';
import { columns, range } from './charts.ts';
import { count, label, percent, ratio, seconds } from './format.ts';
import { empty, listNote } from './modes.ts';

const marks = (row: DwellRow) => (Object.keys(row.scroll) as (keyof DwellRow['scroll'])[]).sort((a, b) => Number(a) - Number(b));

function table(caption: string, rows: (DwellRow & { name: string })[], keyHeader: string): SafeHtml {
  const max = Math.max(1, ...rows.map((row) => row.engaged_p90 ?? 0));
  const depths = rows[0] ? marks(rows[0]) : [];
  return html`<table class="dwell">
    <caption>
      ${caption}
    </caption>
    <thead>
      <tr>
        <th scope="col">${keyHeader}</th>
        <th scope="col" class="num">Page views</th>
        <th scope="col" class="num">Engaged p50</th>
        <th scope="col" class="num">p75</th>
        <th scope="col" class="num">p90</th>
        <th scope="col" class="chart-col">
          <span class="visually-hidden">Engaged time p50 to p90, on one scale</span><span aria-hidden="true">p50–p90</span>
        </th>
        <th scope="col" class="chart-col">Scroll reached</th>
        ${depths.map((mark) => html`<th scope="col" class="num">${mark} %</th>`)}
        <th scope="col" class="num">Actions / view</th>
      </tr>
    </thead>
    <tbody>
      ${rows.map(
        (row) =>
          html`<tr data-row="${row.name}">
            <th scope="row">${label(row.name, OTHER)}</th>
            <td class="num">${count(row.page_views)}</td>
            <td class="num">${seconds(row.engaged_p50)}</td>
            <td class="num">${seconds(row.engaged_p75)}</td>
            <td class="num">${seconds(row.engaged_p90)}</td>
            <td class="chart-col">${range(row.engaged_p50, row.engaged_p75, row.engaged_p90, max)}</td>
            <td class="chart-col">${columns(depths.map((mark) => row.scroll[mark]))}</td>
            ${depths.map((mark) => html`<td class="num">${percent(row.scroll[mark])}</td>`)}
            <td class="num">${ratio(row.actions_per_view)}</td>
          </tr>`,
      )}
    </tbody>
  </table>`;
}

export function dwellPanel(figures: Dwell, k: number): SafeHtml {
  if (figures.page_types.length === 0) return empty('page views');
  const paths = figures.paths.rows.slice(0, 12);
  return html`${table(
      'Engaged time and scroll depth per page type (engaged time: from the page leave, tab in view and visitor active)',
      figures.page_types.map((row) => ({ ...row, name: row.page_type })),
      'Page type',
    )}
    <details class="more">
      <summary>Per path (${count(figures.paths.rows.length)})</summary>
      ${table(
        'Engaged time and scroll depth per path',
        paths.map((row) => ({ ...row, name: row.path })),
        'Path',
      )}
      ${listNote(figures.paths, k, 'paths')}
    </details>`;
}
