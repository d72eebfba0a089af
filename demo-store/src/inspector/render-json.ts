import { REDACTION_MARKERS } from '../../../collector/src/core/record.ts';
import { escapeHtml } from '../html.ts';

/** How a field is highlighted: dropped by the collector, redacted, or added by it. */
export type Mark = 'removed' | 'redacted' | 'derived';

/** Decides the mark of a field from its dotted path, e.g. `props.items.0.price`. */
export type Marker = (path: string, value: unknown) => Mark | undefined;

const REDACTION_MARKER = new RegExp(`\\[(?:${REDACTION_MARKERS.join('|')})\\]`);

/** Marks string values carrying one of the collector's redaction markers. */
export function markRedactions(path: string, value: unknown): Mark | undefined {
  void path;
  return typeof value === 'string' && REDACTION_MARKER.test(value) ? 'redacted' : undefined;
}

function scalar(value: unknown): string {
  if (typeof value === 'string') return `<span class="s">${escapeHtml(JSON.stringify(value))}</span>`;
  if (typeof value === 'number' || typeof value === 'boolean' || value === null) {
    return `<span class="n">${String(value)}</span>`;
  }
  return escapeHtml(JSON.stringify(value) ?? 'undefined');
}

/** Pretty-prints JSON as HTML, wrapping marked fields in a span of their mark's class. */
export function renderJson(value: unknown, marker: Marker, path = '', indent = ''): string {
  const inner = `${indent}  `;
  if (Array.isArray(value)) {
    if (value.length === 0) return '[]';
    const rows = value.map((v, i) => inner + field(String(i), v, marker, path, inner, false));
    return `[\n${rows.join(',\n')}\n${indent}]`;
  }
  if (value && typeof value === 'object') {
    const entries = Object.entries(value);
    if (entries.length === 0) return '{}';
    const rows = entries.map(([k, v]) => inner + field(k, v, marker, path, inner, true));
    return `{\n${rows.join(',\n')}\n${indent}}`;
  }
  return scalar(value);
}

function field(key: string, value: unknown, marker: Marker, parent: string, indent: string, named: boolean): string {
  const path = parent ? `${parent}.${key}` : key;
  const body =
    (named ? `<span class="k">${escapeHtml(JSON.stringify(key))}</span>: ` : '') + renderJson(value, marker, path, indent);
  const mark = marker(path, value);
  return mark ? `<span class="${mark}" title="${mark}">${body}</span>` : body;
}
