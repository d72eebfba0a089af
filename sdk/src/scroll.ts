import { SCROLL_DEPTHS, type ScrollProps } from './protocol.ts';
import type { TrackerContext } from './types.ts';
import { safely } from './lib/listen.ts';

export interface ScrollDepth {
  /** Starts a new page view: the part visible without scrolling counts as seen. `paused`: reports nothing until the next reset. */
  reset(paused?: boolean): void;
  /** Maximum fraction of the page seen, 0..1. */
  deepest(): number;
}

/** Fraction of the document seen so far, measured against its current height (lists grow). */
function seenFraction(): number {
  const height = document.documentElement.scrollHeight;
  return height > 0 ? Math.min(1, (scrollY + innerHeight) / height) : 1;
}

/**
 * Scroll depth with a passive listener measured at most once per animation
 * frame. Each threshold is reported the first time the user scrolls past it
 * (the part seen on arrival is reported with the first scroll).
 */
export function watchScroll(ctx: TrackerContext, onDepth: (depth: ScrollProps['depth']) => void): ScrollDepth {
  let max = 0;
  let reported = 0;
  let frame = 0;
  const measure = safely(() => {
    frame = 0;
    max = Math.max(max, seenFraction());
    while (reported < SCROLL_DEPTHS.length && Math.round(max * 1000) >= SCROLL_DEPTHS[reported]! * 10) {
      onDepth(SCROLL_DEPTHS[reported++]!);
    }
  });
  // A frame still to come after destroy() reports nothing: the tracker emits nothing once destroyed.
  ctx.on(window, 'scroll', () => (frame ||= requestAnimationFrame(measure)));
  return {
    reset(paused) {
      cancelAnimationFrame(frame);
      frame = 0;
      max = seenFraction();
      reported = paused ? SCROLL_DEPTHS.length : 0;
    },
    deepest: () => max,
  };
}
