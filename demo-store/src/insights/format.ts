// How the insights page writes figures: one place, so every table reads the same.
import { html, type SafeHtml } from '../html.ts';

const DASH = '—';
const integer = new Intl.NumberFormat('en', { maximumFractionDigits: 0 });
const decimal = new Intl.NumberFormat('en', { minimumFractionDigits: 2, maximumFractionDigits: 2 });
const oneDecimal = new Intl.NumberFormat('en', { maximumFractionDigits: 1 });

export const count = (value: number | null | undefined): string => (value == null ? DASH : integer.format(value));

/** A share in [0, 1] as a percentage with one decimal ("42.5 %"). */
export const percent = (share: number | null | undefined): string =>
  share == null ? DASH : `${oneDecimal.format(share * 100)} %`;

export const money = (value: number | null | undefined): string => (value == null ? DASH : decimal.format(value));

export const ratio = (value: number | null | undefined, digits = 2): string => (value == null ? DASH : value.toFixed(digits));

/** Seconds as "45 s" or "2 min 5 s". */
export function seconds(value: number | null | undefined): string {
  if (value == null) return DASH;
  if (value < 60) return `${integer.format(value)} s`;
  const minutes = Math.floor(value / 60);
  const rest = Math.round(value % 60);
  return rest ? `${minutes} min ${rest} s` : `${minutes} min`;
}

export const millis = (value: number | null | undefined): string => (value == null ? DASH : `${integer.format(value)} ms`);

/** A p-value as people read it: "< 0.001" below that. */
export const pValue = (value: number | null | undefined): string =>
  value == null ? DASH : value < 0.001 ? '< 0.001' : value.toFixed(3);

/** A relative change with its sign ("+12.0 %"). */
export const change = (value: number | null | undefined): string =>
  value == null ? DASH : `${value > 0 ? '+' : ''}${oneDecimal.format(value * 100)} %`;

/** A path, term or item name; the k-anonymity row is marked so it is not read as a real page. */
export function label(text: string | null | undefined, other: string): SafeHtml {
  if (text === other) return html`<span class="other" title="Rows seen in fewer than k visits, merged">${text}</span>`;
  return html`<span class="name">${text ?? DASH}</span>`;
}
