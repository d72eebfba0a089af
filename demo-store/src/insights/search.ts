// Site search: each term with its result click-through, where the first click landed, and how
// far its searches went (product view → add to cart → purchase, with revenue); the terms that
// found nothing; what people searched next.
import type { Search, SearchFigures } from '../../../collector/src/core/insights/reports/search.ts';
import { OTHER } from '../../../collector/src/core/insights/privacy.ts';
import { html, type SafeHtml } from '../html.ts';
import { bar } from './charts.ts';
import { count, label, money, percent, ratio } from './format.ts';
import { empty, listNote } from './modes.ts';

const rate = (part: number, whole: number) => (whole > 0 ? part / whole : null);

function cells(row: SearchFigures): SafeHtml {
  return html`<td class="num" data-searches>${count(row.searches)}</td>
    <td class="num">${count(row.visits)}</td>
    <td class="num" data-ctr>${percent(row.click_through_rate)}</td>
    <td class="num">${ratio(row.average_click_position, 1)}</td>
    <td class="num">${percent(rate(row.with_view, row.searches))}</td>
    <td class="num">${percent(rate(row.with_add, row.searches))}</td>
    <td class="num" data-purchases>${count(row.with_purchase)}</td>
    <td class="num" data-conversion>${percent(row.conversion)}</td>
    <td class="chart-col">${bar(row.conversion)}</td>
    <td class="num" data-revenue>${money(row.revenue)}</td>
    <td class="num">${count(row.zero_results)}</td>`;
}

export function searchPanel(figures: Search, k: number): SafeHtml {
  if (figures.totals.searches === 0) return empty('searches');
  const { terms, zero_result_terms: zero, refinements } = figures;
  return html`<table class="search-terms" data-terms>
      <caption>
        Search terms (after the collector's redaction): result click-through, first-click position and conversion to purchase
      </caption>
      <thead>
        <tr>
          <th scope="col">Term</th>
          <th scope="col" class="num">Searches</th>
          <th scope="col" class="num">Visits</th>
          <th scope="col" class="num"><abbr title="Searches with a result click">Result CTR</abbr></th>
          <th scope="col" class="num"><abbr title="Average position (from 1) of the first result clicked">First click</abbr></th>
          <th scope="col" class="num">→ Product</th>
          <th scope="col" class="num">→ Cart</th>
          <th scope="col" class="num">Purchases</th>
          <th scope="col" class="num">Conversion</th>
          <th scope="col" class="chart-col"><span class="visually-hidden">Conversion</span></th>
          <th scope="col" class="num">Revenue</th>
          <th scope="col" class="num">No results</th>
        </tr>
      </thead>
      <tbody>
        ${terms.rows.map(
          (row) =>
            html`<tr data-term="${row.term}">
              <th scope="row">${label(row.term, OTHER)}</th>
              ${cells(row)}
            </tr>`,
        )}
      </tbody>
      <tfoot>
        <tr data-term-total>
          <th scope="row">All searches</th>
          ${cells(figures.totals)}
        </tr>
      </tfoot>
    </table>
    ${listNote(terms, k, 'terms')}
    <div class="split">
      <div>
        <h3>No-result terms</h3>
        ${
          zero.rows.length === 0
            ? empty('searches without results')
            : html`<table data-zero-results>
                <caption class="visually-hidden">
                  Terms whose searches found nothing
                </caption>
                <thead>
                  <tr>
                    <th scope="col">Term</th>
                    <th scope="col" class="num">Searches</th>
                    <th scope="col" class="num">Visits</th>
                  </tr>
                </thead>
                <tbody>
                  ${zero.rows.map(
                    (row) =>
                      html`<tr>
                        <th scope="row">${label(row.term, OTHER)}</th>
                        <td class="num">${count(row.searches)}</td>
                        <td class="num">${count(row.visits)}</td>
                      </tr>`,
                  )}
                </tbody>
              </table>`
        }
        ${listNote(zero, k, 'terms')}
      </div>
      <div>
        <h3>Refinements</h3>
        ${
          refinements.rows.length === 0
            ? empty('refined searches')
            : html`<table data-refinements>
                <caption class="visually-hidden">
                  The term searched next after a term
                </caption>
                <thead>
                  <tr>
                    <th scope="col">Term</th>
                    <th scope="col">Searched next</th>
                    <th scope="col" class="num">Times</th>
                  </tr>
                </thead>
                <tbody>
                  ${refinements.rows.map(
                    (row) =>
                      html`<tr>
                        <th scope="row">${label(row.term, OTHER)}</th>
                        <td>${label(row.next_term, OTHER)}</td>
                        <td class="num">${count(row.refinements)}</td>
                      </tr>`,
                  )}
                </tbody>
              </table>`
        }
        ${listNote(refinements, k, 'refinements')}
      </div>
    </div>`;
}
