// Browse paths: the page-type flow with its drop-off, where visits enter, the next pages from
// each page (the transitions a visit made, with the share that left the site there), and how
// many pages a visit sees.
import type { BrowsePaths, TransitionRow } from '../../../collector/src/core/insights/reports/browse-paths.ts';
import { OTHER } from '../../../collector/src/core/insights/privacy.ts';
import { MAX_DEPTH } from '../../../collector/src/core/insights/rollups.ts';
import { html, type SafeHtml } from '../html.ts';
import { bar, columns, funnelBar } from './charts.ts';
import { count, label, percent, ratio } from './format.ts';
import { empty, listNote } from './modes.ts';

/** How many "from" pages the next-page list shows, and how many next pages under each. */
const FROM_PAGES = 8;
const NEXT_PAGES = 5;

function flow(figures: BrowsePaths): SafeHtml {
  const first = Math.max(1, ...figures.flow.map((step) => step.visits));
  return html`<table data-flow>
    <caption>
      Page-type flow: visits that saw each type, and how many of the previous step went on
    </caption>
    <thead>
      <tr>
        <th scope="col">Page type</th>
        <th scope="col" class="chart-col"><span class="visually-hidden">Visits</span></th>
        <th scope="col" class="num">Visits</th>
        <th scope="col" class="num">Went on</th>
        <th scope="col" class="num">Drop-off</th>
      </tr>
    </thead>
    <tbody>
      ${figures.flow.map(
        (step, i) =>
          html`<tr data-page-type="${step.page_type}">
            <th scope="row">${step.page_type}</th>
            <td class="chart-col">
              ${funnelBar(step.visits / first, (i === 0 ? step.visits : figures.flow[i - 1]!.visits) / first)}
            </td>
            <td class="num">${count(step.visits)}</td>
            <td class="num">${i === 0 ? '' : percent(step.rate_from_previous)}</td>
            <td class="num drop ${step.drop_off ? '' : 'zero'}">${i === 0 ? '' : count(step.drop_off)}</td>
          </tr>`,
      )}
    </tbody>
  </table>`;
}

/** Transitions grouped by the page they leave from: the top next pages with their share, and the exits. */
function nextPages(figures: BrowsePaths, k: number): SafeHtml {
  const byFrom = new Map<string, TransitionRow[]>();
  for (const row of figures.transitions.rows) byFrom.set(row.from, [...(byFrom.get(row.from) ?? []), row]);
  if (byFrom.size === 0) return empty('moves between pages (they need consent granted: a page load is linked to the one before)');
  const exits = new Map(figures.exits.rows.map((row) => [row.path, row]));
  const groups = [...byFrom.entries()]
    .map(([from, rows]) => ({ from, rows, total: rows.reduce((sum, row) => sum + row.transitions, 0) }))
    .sort((a, b) => b.total - a.total)
    .slice(0, FROM_PAGES);
  return html`<div class="next-pages" data-next-pages>
      ${groups.map(({ from, rows, total }) => {
        const exit = exits.get(from);
        const leaving = total + (exit?.exits ?? 0);
        return html`<section class="from-page" data-from="${from}">
          <h4>From ${label(from, OTHER)} <span class="hint">${count(leaving)} moves</span></h4>
          <table>
            <caption class="visually-hidden">
              Next pages from ${from}
            </caption>
            <tbody>
              ${rows
                .sort((a, b) => b.transitions - a.transitions)
                .slice(0, NEXT_PAGES)
                .map(
                  (row) =>
                    html`<tr data-to="${row.to}">
                      <th scope="row">→ ${label(row.to, OTHER)}</th>
                      <td class="chart-col">${bar(row.transitions / leaving)}</td>
                      <td class="num">${percent(row.transitions / leaving)}</td>
                      <td class="num hint">${count(row.transitions)}</td>
                    </tr>`,
                )}
              ${
                exit && exit.exits > 0
                  ? html`<tr class="exit">
                      <th scope="row">⇥ left the site</th>
                      <td class="chart-col">${bar(exit.exits / leaving, 'soft')}</td>
                      <td class="num">${percent(exit.exits / leaving)}</td>
                      <td class="num hint">${count(exit.exits)}</td>
                    </tr>`
                  : ''
              }
            </tbody>
          </table>
        </section>`;
      })}
    </div>
    ${listNote(figures.transitions, k, 'moves')}`;
}

function entries(figures: BrowsePaths, k: number): SafeHtml {
  const list = figures.entries;
  if (list.rows.length === 0) return empty('entry pages');
  const total = list.rows.reduce((sum, row) => sum + row.entries, 0);
  return html`<table data-entries>
      <caption>
        Entry pages
      </caption>
      <thead>
        <tr>
          <th scope="col">Path</th>
          <th scope="col" class="num">Entries</th>
          <th scope="col" class="num">Share</th>
        </tr>
      </thead>
      <tbody>
        ${list.rows.slice(0, 10).map(
          (row) =>
            html`<tr>
              <th scope="row">${label(row.path, OTHER)}</th>
              <td class="num">${count(row.entries)}</td>
              <td class="num">${percent(total ? row.entries / total : null)}</td>
            </tr>`,
        )}
      </tbody>
    </table>
    ${listNote(list, k)}`;
}

function depth(figures: BrowsePaths): SafeHtml {
  const { depth } = figures;
  if (depth.visits === 0) return empty('visits');
  return html`<figure class="depth" data-depth>
    <figcaption>
      Pages per visit: <strong>${ratio(depth.pages_per_visit, 1)}</strong> on average over ${count(depth.visits)} visits
    </figcaption>
    ${columns(depth.distribution.map((d) => (d.share ?? 0) / Math.max(...depth.distribution.map((e) => e.share ?? 0), 0.0001)))}
    <table class="compact">
      <caption class="visually-hidden">
        Visits by number of pages
      </caption>
      <tr>
        <th scope="row">Pages</th>
        ${depth.distribution.map((d) => html`<td>${d.pages}${d.pages >= MAX_DEPTH ? '+' : ''}</td>`)}
      </tr>
      <tr>
        <th scope="row">Visits</th>
        ${depth.distribution.map((d) => html`<td>${percent(d.share)}</td>`)}
      </tr>
    </table>
  </figure>`;
}

export function browsePathsPanel(figures: BrowsePaths, k: number): SafeHtml {
  return html`<div class="split">
      <div>${flow(figures)} ${depth(figures)}</div>
      <div>
        <h3>Next pages</h3>
        ${nextPages(figures, k)}
      </div>
    </div>
    ${entries(figures, k)}`;
}
