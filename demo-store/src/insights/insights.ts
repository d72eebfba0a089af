// The insights page: reads every report for a site and a range of UTC days from the collector
// and shows them as tables and small charts, each section per consent mode. Built into
// demo-store/dist/insights/index.html (one self-contained file) and served by the Worker at
// /insights behind the insights access check (collector/src/routes/insights-page.ts).
import type { ModeFigures, Report, ReportedMode } from '../../../collector/src/core/insights/report.ts';
import type { ReportName } from '../../../collector/src/core/insights/reports/index.ts';
import { html, type SafeHtml } from '../html.ts';
import { fetchReport, ReportError, type Query, type Reports } from './api.ts';
import { browsePathsPanel } from './browse-paths.ts';
import { cartPanel } from './cart.ts';
import { lastDays } from './dates.ts';
import { dwellPanel } from './dwell.ts';
import { experimentsPanel } from './experiments.ts';
import { count, percent } from './format.ts';
import { funnelPanel } from './funnel.ts';
import { MODE_LABEL, MODES, modeTabs, preferredMode, selectMode, wireModeTabs } from './modes.ts';
import { searchPanel } from './search.ts';
import { webVitalsPanel } from './web-vitals.ts';

type Panel<Name extends ReportName> = (
  figures: ModeFigures<Reports[Name]['modes'][ReportedMode]>,
  report: Reports[Name],
) => SafeHtml;

/** Each section's renderer, by report. */
const PANELS: { [Name in ReportName]: Panel<Name> } = {
  funnel: (figures) => funnelPanel(figures),
  search: (figures, report) => searchPanel(figures, report.k),
  'browse-paths': (figures, report) => browsePathsPanel(figures, report.k),
  dwell: (figures, report) => dwellPanel(figures, report.k),
  cart: (figures, report) => cartPanel(figures, report.k),
  'web-vitals': (figures) => webVitalsPanel(figures),
  experiments: (figures) => experimentsPanel(figures),
};
const NAMES = Object.keys(PANELS) as ReportName[];

const $ = <T extends Element>(selector: string, root: ParentNode = document): T => {
  const element = root.querySelector<T>(selector);
  if (!element) throw new Error(`insights markup lacks ${selector}`);
  return element;
};

function readQuery(sites: readonly string[]): Query & { mode: ReportedMode | null } {
  const params = new URLSearchParams(location.search);
  const defaults = lastDays(7);
  const mode = params.get('mode');
  return {
    site: params.get('site') || sites[0] || 'demo',
    from: params.get('from') || defaults.from,
    to: params.get('to') || defaults.to,
    mode: mode === 'granted' || mode === 'anonymous' ? mode : null,
  };
}

function fillForm(form: HTMLFormElement, sites: readonly string[], query: Query): void {
  const select = $<HTMLSelectElement>('select[name="site"]', form);
  const names = sites.includes(query.site) ? sites : [...sites, query.site];
  select.innerHTML = names.map((site) => html`<option value="${site}">${site}</option>`).join('');
  select.value = query.site;
  $<HTMLInputElement>('input[name="from"]', form).value = query.from;
  $<HTMLInputElement>('input[name="to"]', form).value = query.to;
  for (const preset of form.querySelectorAll<HTMLButtonElement>('[data-days]')) {
    preset.addEventListener('click', () => {
      const range = lastDays(Number(preset.dataset.days));
      $<HTMLInputElement>('input[name="from"]', form).value = range.from;
      $<HTMLInputElement>('input[name="to"]', form).value = range.to;
      form.requestSubmit();
    });
  }
}

function failure(error: unknown): SafeHtml {
  if (error instanceof ReportError && error.status === 401) {
    return html`<p class="warning" role="alert">Not signed in any more. <a href="/insights">Sign in again</a>.</p>`;
  }
  const message = error instanceof Error ? error.message : String(error);
  return html`<p class="warning" role="alert">This report could not be read: ${message}</p>`;
}

/** The headline figures of both modes side by side, from the reports that arrived. */
function overview(reports: Partial<Reports>): SafeHtml {
  const funnel = reports.funnel;
  const search = reports.search;
  const cart = reports.cart;
  const coverage = (funnel ?? search ?? cart)?.modes;
  if (!coverage) return html`<p class="hint">No report could be read.</p>`;
  const rows: [string, (mode: ReportedMode) => string][] = [
    ['Visits', (mode) => count(coverage[mode].coverage.visits)],
    ['Page views', (mode) => count(coverage[mode].coverage.page_views)],
    ['Searches', (mode) => count(search?.modes[mode].totals.searches)],
    ['Search conversion', (mode) => percent(search?.modes[mode].totals.conversion)],
    ['Carts', (mode) => count(cart?.modes[mode].carts.carts)],
    ['Visits that purchased', (mode) => count(funnel?.modes[mode].steps.at(-1)?.visits)],
    [
      'Visit conversion',
      (mode) => {
        const bought = funnel?.modes[mode].steps.at(-1)?.visits;
        const visits = coverage[mode].coverage.visits;
        return bought == null ? '—' : percent(visits ? bought / visits : null);
      },
    ],
  ];
  return html`<table class="overview" data-overview>
    <caption>
      The range at a glance, per consent mode
    </caption>
    <thead>
      <tr>
        <td></td>
        ${MODES.map((mode) => html`<th scope="col" class="num">${MODE_LABEL[mode]}</th>`)}
      </tr>
    </thead>
    <tbody>
      ${rows.map(
        ([name, value]) =>
          html`<tr>
            <th scope="row">${name}</th>
            ${MODES.map((mode) => html`<td class="num" data-mode="${mode}">${value(mode)}</td>`)}
          </tr>`,
      )}
    </tbody>
  </table>`;
}

/** What the whole page's figures are subject to: k-anonymity always, noise when the site policy sets epsilon. */
function notices(reports: Partial<Reports>): SafeHtml {
  const any = Object.values(reports)[0] as Report<string, unknown> | undefined;
  if (!any) return html``;
  const noise = Object.values(reports).find((report) => report?.noise)?.noise;
  return html`${
      noise
        ? html`<p class="notice noise" data-noise role="note">
            <strong>Differential privacy is on.</strong> Every count carries Laplace noise of scale ${noise.scale} (ε =
            ${noise.epsilon}): small counts are approximate, and revenue and click positions are not shown.
          </p>`
        : ''
    }
    <p class="notice" data-k>
      Rows naming a path, term or item seen in fewer than <strong>${any.k}</strong> visits are folded into
      <span class="other">(other)</span>; no report holds event-level rows or identifiers.
    </p>`;
}

async function main(): Promise<void> {
  const sites = JSON.parse(document.getElementById('pathmark-sites')?.textContent ?? '[]') as string[];
  const query = readQuery(sites);
  const form = $<HTMLFormElement>('[data-range]');
  fillForm(form, sites, query);
  const localHost = ['localhost', '127.0.0.1', '[::1]'].includes(location.hostname) || location.hostname.endsWith('.localhost');
  for (const element of document.querySelectorAll<HTMLElement>(localHost ? '[data-remote-only]' : '[data-local-only]')) {
    element.hidden = true;
  }
  document.title = `${query.site} · Pathmark insights`;
  $('[data-range-label]').textContent = query.from === query.to ? query.from : `${query.from} – ${query.to} (UTC)`;

  const main = $<HTMLElement>('main');
  let mode: ReportedMode | null = query.mode;
  wireModeTabs(main, (chosen) => {
    mode = chosen;
    selectMode(main, chosen);
    const url = new URL(location.href);
    url.searchParams.set('mode', chosen);
    history.replaceState(null, '', url);
  });

  const reports: Partial<Reports> = {};
  await Promise.all(
    NAMES.map(async (name) => {
      const body = $<HTMLElement>(`[data-section="${name}"] [data-body]`);
      try {
        const report = await fetchReport(name, query);
        (reports as Record<string, unknown>)[name] = report;
        mode ??= preferredMode(report);
        // Each name's renderer takes that name's report: the map's type ties them, the loop cannot.
        const panel = PANELS[name] as (figures: unknown, report: unknown) => SafeHtml;
        body.innerHTML = modeTabs(name, report as Report<string, unknown>, mode, (figures) => panel(figures, report)).value;
      } catch (error) {
        body.innerHTML = failure(error).value;
      }
      body.removeAttribute('aria-busy');
    }),
  );
  if (mode) selectMode(main, mode);
  $('[data-notices]').innerHTML = notices(reports).value;
  $('[data-overview-body]').innerHTML = overview(reports).value;
  document.body.dataset.loaded = 'true';
}

main().catch((error: unknown) => {
  console.error('pathmark insights:', error);
  document.body.dataset.loaded = 'error';
});
