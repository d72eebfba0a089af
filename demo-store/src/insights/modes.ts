// Every report is computed per consent mode, and the page never mixes them: each section shows
// one mode at a time behind tabs named after it, with what the figures stand on (coverage).
// Choosing a mode in one section switches every section, so the whole page reads one mode.
import type { Coverage, ModeFigures, Report, ReportedMode, RowList } from '../../../collector/src/core/insights/report.ts';
import { html, SafeHtml } from '../html.ts';
import { count } from './format.ts';

export const MODES: readonly ReportedMode[] = ['granted', 'anonymous'];
export const MODE_LABEL: Record<ReportedMode, string> = { granted: 'Consent granted', anonymous: 'Anonymous' };

/** The mode shown first: granted, unless only anonymous visits exist in the range. */
export function preferredMode(report: Report<string, unknown>): ReportedMode {
  return report.modes.granted.coverage.visits === 0 && report.modes.anonymous.coverage.visits > 0 ? 'anonymous' : 'granted';
}

function coverageLine(mode: ReportedMode, coverage: Coverage): SafeHtml {
  return html`<details class="coverage" data-coverage>
    <summary>
      Computed on <strong>${count(coverage.page_views)}</strong> page views in <strong>${count(coverage.visits)}</strong> visits
      with ${mode === 'granted' ? 'consent granted' : 'anonymous measurement'}
      <span class="how">(how visits are counted)</span>
    </summary>
    <p>${coverage.basis}</p>
  </details>`;
}

/** Tabs "Consent granted" / "Anonymous", one panel each: the section's figures for that mode, with its coverage. */
export function modeTabs<T>(
  id: string,
  report: Report<string, T>,
  active: ReportedMode,
  body: (figures: ModeFigures<T>, mode: ReportedMode) => SafeHtml,
): SafeHtml {
  return html`<div class="modes">
    <div role="tablist" aria-label="Consent mode">
      ${MODES.map(
        (mode) =>
          html`<button
            type="button"
            role="tab"
            id="${id}-tab-${mode}"
            data-mode-tab="${mode}"
            aria-controls="${id}-${mode}"
            aria-selected="${mode === active ? 'true' : 'false'}"
            tabindex="${mode === active ? '0' : '-1'}"
          >
            ${MODE_LABEL[mode]} <span class="tab-count">${count(report.modes[mode].coverage.visits)} visits</span>
          </button>`,
      )}
    </div>
    ${MODES.map(
      (mode) =>
        html`<div
          role="tabpanel"
          id="${id}-${mode}"
          aria-labelledby="${id}-tab-${mode}"
          data-mode="${mode}"
          ${mode === active ? '' : new SafeHtml('hidden')}
        >
          ${coverageLine(mode, report.modes[mode].coverage)} ${body(report.modes[mode], mode)}
        </div>`,
    )}
  </div>`;
}

/** Shows `mode` in every section; wired once for the whole page. */
export function selectMode(root: ParentNode, mode: ReportedMode): void {
  for (const tab of root.querySelectorAll<HTMLElement>('[data-mode-tab]')) {
    const selected = tab.dataset.modeTab === mode;
    tab.setAttribute('aria-selected', String(selected));
    tab.tabIndex = selected ? 0 : -1;
  }
  for (const panel of root.querySelectorAll<HTMLElement>('[role="tabpanel"][data-mode]'))
    panel.hidden = panel.dataset.mode !== mode;
}

/** Clicks and arrow keys on the tabs (the WAI-ARIA tabs pattern), for every section at once. */
export function wireModeTabs(root: HTMLElement, onChange: (mode: ReportedMode) => void): void {
  root.addEventListener('click', (event) => {
    const tab = (event.target as Element).closest<HTMLElement>('[data-mode-tab]');
    if (tab) onChange(tab.dataset.modeTab as ReportedMode);
  });
  root.addEventListener('keydown', (event) => {
    const tab = (event.target as Element).closest<HTMLElement>('[data-mode-tab]');
    if (!tab || (event.key !== 'ArrowRight' && event.key !== 'ArrowLeft')) return;
    const next = MODES[(MODES.indexOf(tab.dataset.modeTab as ReportedMode) + 1) % MODES.length]!;
    onChange(next);
    tab.parentElement?.querySelector<HTMLElement>(`[data-mode-tab="${next}"]`)?.focus();
    event.preventDefault();
  });
}

/** Under a list: how many rows were folded into "(other)" (below k) and how many were cut. */
export function listNote(list: RowList<unknown>, k: number, noun = 'rows'): SafeHtml {
  const notes: string[] = [];
  if (list.folded > 0) notes.push(`${count(list.folded)} ${noun} seen in fewer than ${k} visits are folded into “(other)”.`);
  if (list.omitted > 0) notes.push(`${count(list.omitted)} more not listed.`);
  return notes.length ? html`<p class="hint fold-note">${notes.join(' ')}</p>` : html``;
}

export const empty = (what: string): SafeHtml => html`<p class="hint empty">No ${what} in this range.</p>`;
