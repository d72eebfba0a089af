// Hand-written SVG charts: a handful of bars is all the page needs, so no chart library (and no
// network) is involved. Every chart is decoration beside the exact figures in its table: the SVG
// is aria-hidden and the numbers are in the cells next to it.
import { html, type SafeHtml } from '../html.ts';

const clamp = (share: number) => Math.max(0, Math.min(1, Number.isFinite(share) ? share : 0));
const width = (share: number) => (clamp(share) * 100).toFixed(2);

/** A horizontal bar filled to `share` of its width. */
export function bar(share: number | null, tone: 'main' | 'soft' = 'main'): SafeHtml {
  return html`<svg class="bar ${tone}" viewBox="0 0 100 10" preserveAspectRatio="none" aria-hidden="true">
    <rect class="track" width="100" height="10"></rect>
    <rect class="fill" width="${width(share ?? 0)}" height="10"></rect>
  </svg>`;
}

/**
 * A funnel step: the part of the first step that reached it, and beside it (hatched) the part
 * that reached the previous step but dropped off here.
 */
export function funnelBar(share: number, previousShare: number): SafeHtml {
  const kept = clamp(share);
  const lost = Math.max(0, clamp(previousShare) - kept);
  return html`<svg class="bar funnel" viewBox="0 0 100 10" preserveAspectRatio="none" aria-hidden="true">
    <rect class="track" width="100" height="10"></rect>
    <rect class="drop" x="${(kept * 100).toFixed(2)}" width="${(lost * 100).toFixed(2)}" height="10"></rect>
    <rect class="fill" width="${(kept * 100).toFixed(2)}" height="10"></rect>
  </svg>`;
}

/** Columns for a distribution (e.g. the share of page views reaching each scroll depth), each 0–1. */
export function columns(shares: readonly (number | null)[]): SafeHtml {
  const step = 100 / Math.max(1, shares.length);
  return html`<svg class="columns" viewBox="0 0 100 30" preserveAspectRatio="none" aria-hidden="true">
    ${shares.map((share, i) => {
      const h = clamp(share ?? 0) * 30;
      return html`<rect
        x="${(i * step + 1).toFixed(2)}"
        y="${(30 - h).toFixed(2)}"
        width="${(step - 2).toFixed(2)}"
        height="${h.toFixed(2)}"
      ></rect>`;
    })}
  </svg>`;
}

/**
 * A range on a shared scale: a line from the low to the high value with a mark at the middle one
 * (engaged time p50–p90 with p75 marked), so rows compare at a glance.
 */
export function range(low: number | null, mid: number | null, high: number | null, max: number): SafeHtml {
  if (low == null || high == null || max <= 0) return html`<svg class="range" aria-hidden="true"></svg>`;
  const x = (value: number) => (clamp(value / max) * 96 + 2).toFixed(2);
  return html`<svg class="range" viewBox="0 0 100 12" preserveAspectRatio="none" aria-hidden="true">
    <line class="axis" x1="0" x2="100" y1="6" y2="6"></line>
    <rect class="span" x="${x(low)}" y="3" width="${(Number(x(high)) - Number(x(low)) + 0.8).toFixed(2)}" height="6"></rect>
    ${mid == null ? '' : html`<rect class="mid" x="${x(mid)}" y="1" width="1.2" height="10"></rect>`}
  </svg>`;
}
