// The live inspector: polls GET /v1/inspect and shows each batch as the browser
// sent it beside the records the collector forwarded, plus a per-page summary.
import type { ForwardedRecord } from '../../../collector/src/core/record.ts';
import { escapeHtml } from '../html.ts';
import type { InspectBatch, InspectResponse } from '../../../collector/src/inspect.ts';
import { summarizePageViews } from './page-views.ts';
import { markRedactions, renderJson, type Marker } from './render-json.ts';

const POLL_MS = 1500;
/** Fields the collector derives from the request or adds for audit; never sent by the browser. */
const DERIVED = new Set(['visitor_id', 'session_id', 'geo', 'ua', 'received_at', 'batch_id', 'audit', 'path']);

interface RawEvent {
  id?: unknown;
  name?: unknown;
  [key: string]: unknown;
}

const $ = <T extends Element>(selector: string): T => {
  const element = document.querySelector<T>(selector);
  if (!element) throw new Error(`inspector markup lacks ${selector}`);
  return element;
};

function time(ms: number): string {
  return new Date(ms).toLocaleTimeString(undefined, { hour12: false });
}

function seconds(ms: number | undefined): string {
  return ms === undefined ? '…' : `${(ms / 1000).toFixed(1)} s`;
}

function consentBadge(mode: string | null | undefined): string {
  const label = mode ?? 'dropped';
  return `<span class="badge ${escapeHtml(label)}">${escapeHtml(label)}</span>`;
}

/** Raw side: a field is marked removed when the record's audit names it, or when it is a raw identifier. */
function rawMarker(record: ForwardedRecord | undefined): Marker {
  const removed = new Set(record?.audit.removed ?? []);
  const urlTrimmed = [...removed].some((r) => r.startsWith('url?') || r === 'url#');
  return (path) => {
    if (!record) return undefined;
    if (removed.has(path) || path === 'anonymous_id' || path === 'session_id') return 'removed';
    if (path === 'url' && urlTrimmed) return 'redacted';
    return undefined;
  };
}

const recordMarker: Marker = (path, value) => (DERIVED.has(path) ? 'derived' : markRedactions(path, value));

function rawEvents(raw: unknown): RawEvent[] {
  const events = (raw as { events?: unknown } | null)?.events;
  return Array.isArray(events) ? (events.filter((e) => e && typeof e === 'object') as RawEvent[]) : [];
}

function renderBatch(batch: InspectBatch, records: Map<string, ForwardedRecord>, hideVitals: boolean): string {
  const rejected = new Map(batch.rejected.map((r) => [r.index, r.reason]));
  const events = rawEvents(batch.raw).filter((e) => !(hideVitals && e.name === 'web_vitals'));
  if (events.length === 0 && hideVitals) return '';
  const names = events.map((e) => String(e.name)).join(', ');
  const rows = events
    .map((event, index) => {
      const record = typeof event.id === 'string' ? records.get(event.id) : undefined;
      const right = record
        ? `<h3>forwarded ${consentBadge(record.consent)} <span class="hint">${record.audit.redactions} redacted</span></h3>
           <pre>${renderJson(record, recordMarker)}</pre>`
        : `<h3 class="dropped">not forwarded</h3><p class="dropped">${escapeHtml(
            rejected.get(index) ?? (batch.effective_consent ? 'not in the sink yet' : 'dropped by the site policy'),
          )}</p>`;
      return `<div class="event">
        <div><h3>${escapeHtml(String(event.name))} <span class="hint">#${index}</span></h3><pre>${renderJson(event, rawMarker(record))}</pre></div>
        <div>${right}</div>
      </div>`;
    })
    .join('');
  return `<article class="batch">
    <header>
      <strong>${time(batch.received_at)}</strong>
      sent as ${consentBadge(batch.claimed_consent)} → kept as ${consentBadge(batch.effective_consent)}
      <span class="badge ${batch.rejected.length ? 'status-bad' : 'status-ok'}">${batch.accepted} accepted${
        batch.rejected.length ? `, ${batch.rejected.length} rejected` : ''
      }</span>
      <span class="names">${escapeHtml(names)}</span>
    </header>
    ${rows || '<div class="event"><div class="dropped">No events in this batch.</div><div></div></div>'}
  </article>`;
}

function renderPages(records: ForwardedRecord[]): string {
  const pages = summarizePageViews(records);
  if (pages.length === 0) return '<tr><td colspan="6" class="hint">No page views yet. Click through the store.</td></tr>';
  return pages
    .map((p) => {
      const scroll = p.max_scroll === undefined ? undefined : Math.round(p.max_scroll * 100);
      return `<tr>
        <td class="path">${escapeHtml(p.path)}</td>
        <td>${consentBadge(p.consent)}</td>
        <td>${seconds(p.engaged_ms)}</td>
        <td>${seconds(p.total_ms)}</td>
        <td>${scroll === undefined ? '…' : `<span class="bar-meter"><span style="width:${scroll}%"></span></span>${scroll}%`}</td>
        <td>${p.events}</td>
      </tr>`;
    })
    .join('');
}

async function poll(state: { last: string }): Promise<void> {
  const status = $<HTMLElement>('[data-status]');
  if ($<HTMLInputElement>('[data-pause]').checked) {
    status.textContent = 'Paused';
    return;
  }
  try {
    const response = await fetch('/v1/inspect?limit=200', { cache: 'no-store' });
    if (!response.ok) {
      status.textContent = response.status === 404 ? 'Inspector is off (set PATHMARK_INSPECTOR=1)' : `Error ${response.status}`;
      return;
    }
    const hideVitals = $<HTMLInputElement>('[data-hide-vitals]').checked;
    const text = await response.text();
    status.textContent = `Live · updated ${time(Date.now())}`;
    if (text + hideVitals === state.last) return;
    state.last = text + hideVitals;
    const data = JSON.parse(text) as InspectResponse;
    const records = new Map(data.records.map((entry) => [entry.record.event_id, entry.record]));
    const batches = [...data.batches].sort((a, b) => b.received_at - a.received_at);
    $<HTMLElement>('[data-batches]').innerHTML =
      batches.map((batch) => renderBatch(batch, records, hideVitals)).join('') ||
      '<p class="hint">Waiting for the first batch…</p>';
    $<HTMLElement>('[data-count]').textContent = `(${batches.length})`;
    $<HTMLElement>('[data-pages]').innerHTML = renderPages([...records.values()]);
  } catch (error) {
    status.textContent = `Cannot reach the collector: ${error instanceof Error ? error.message : String(error)}`;
  }
}

function main(): void {
  const state = { last: '' };
  const tick = (): void => {
    void poll(state).finally(() => setTimeout(tick, POLL_MS));
  };
  tick();
}

main();
