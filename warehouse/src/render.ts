/**
 * A report as plain-text tables for a terminal: generic over the report shapes, so a field added to
 * a report shows without a change here. Per consent mode: its coverage, then every list (`rows`)
 * and array of rows as a table, and the remaining scalar figures as `name: value` lines; nested
 * objects (a vital's `{ p75, samples }`) become dotted columns.
 */

type Json = null | boolean | number | string | Json[] | { [key: string]: Json };

const isObject = (value: Json | undefined): value is { [key: string]: Json } =>
  typeof value === 'object' && value !== null && !Array.isArray(value);

function flatten(row: { [key: string]: Json }, prefix = ''): Record<string, Json> {
  const out: Record<string, Json> = {};
  for (const [key, value] of Object.entries(row)) {
    if (isObject(value)) Object.assign(out, flatten(value, `${prefix}${key}.`));
    else out[`${prefix}${key}`] = Array.isArray(value) ? JSON.stringify(value) : value;
  }
  return out;
}

const cell = (value: Json | undefined): string => (value === null || value === undefined ? '–' : String(value));

/** A table with a header line; numbers right-aligned. */
export function table(rows: readonly { [key: string]: Json }[]): string {
  if (rows.length === 0) return '  (no rows)';
  const flat = rows.map((row) => flatten(row));
  const columns = [...new Set(flat.flatMap((row) => Object.keys(row)))];
  const widths = columns.map((column) => Math.max(column.length, ...flat.map((row) => cell(row[column]).length)));
  const line = (values: string[], numeric: boolean[]) =>
    `  ${values.map((value, i) => (numeric[i] ? value.padStart(widths[i]!) : value.padEnd(widths[i]!))).join('  ')}`.trimEnd();
  const numeric = columns.map((column) =>
    flat.every((row) => row[column] === null || row[column] === undefined || typeof row[column] === 'number'),
  );
  return [
    line(columns, numeric),
    line(
      widths.map((w) => '-'.repeat(w)),
      numeric,
    ),
    ...flat.map((row) =>
      line(
        columns.map((c) => cell(row[c])),
        numeric,
      ),
    ),
  ].join('\n');
}

function section(name: string, value: Json, out: string[]): void {
  if (isObject(value) && Array.isArray(value.rows)) {
    const notes = [
      value.omitted ? `${value.omitted} more not listed` : '',
      value.folded ? `${value.folded} below k folded into (other)` : '',
    ].filter(Boolean);
    out.push('', `${name}${notes.length ? ` (${notes.join('; ')})` : ''}`, table(value.rows as { [key: string]: Json }[]));
  } else if (Array.isArray(value) && value.every(isObject)) {
    out.push('', name, table(value as { [key: string]: Json }[]));
  } else if (isObject(value)) {
    const scalars = Object.entries(value).filter(([, v]) => !isObject(v) && !Array.isArray(v));
    if (scalars.length > 0) out.push('', name, table([Object.fromEntries(scalars)]));
    for (const [key, nested] of Object.entries(value))
      if (isObject(nested) || Array.isArray(nested)) section(`${name}.${key}`, nested, out);
  } else out.push(`${name}: ${cell(value)}`);
}

export function renderReport(report: {
  report: string;
  site: string;
  from: string;
  to: string;
  k: number;
  noise: unknown;
  modes: object;
}): string {
  const noise = report.noise as { epsilon: number; scale: number } | null;
  const out = [
    `${report.report} — ${report.site}, ${report.from} … ${report.to} (UTC days); rows below k = ${report.k} visits folded into (other)`,
    noise ? `Counts carry Laplace noise: epsilon ${noise.epsilon}, scale ${noise.scale}.` : 'No noise.',
  ];
  for (const [mode, figures] of Object.entries(report.modes) as [string, { [key: string]: Json }][]) {
    const { coverage, ...rest } = figures;
    const { page_views, visits, basis } = coverage as { page_views: number; visits: number; basis: string };
    out.push('', `== ${mode}: ${page_views} page views, ${visits} visits`, `   ${basis}`);
    for (const [name, value] of Object.entries(rest)) section(name, value, out);
  }
  return `${out.join('\n')}\n`;
}
