import type { TrackerContext } from './types.ts';

export interface Engagement {
  /** Starts measuring a new page view. */
  reset(): void;
  read(): { total_ms: number; engaged_ms: number };
}

const ACTIVITY = ['pointerdown', 'pointermove', 'keydown', 'scroll', 'touchstart'];

/**
 * Engaged time: the page is visible, has focus, and the user did something
 * (pointer, key, scroll, touch) less than `idleMs` ago. Intervals are closed
 * lazily from timestamps, so no timer ticks while the user reads.
 */
export function watchEngagement(ctx: TrackerContext, idleMs: number): Engagement {
  const { now } = ctx;
  let start = now();
  let engagedMs = 0;
  let since: number | undefined;
  let lastActive = start;

  const engageable = () => document.visibilityState == 'visible' && document.hasFocus();
  const openPart = (t: number) => (since === undefined ? 0 : Math.max(0, Math.min(t, lastActive + idleMs) - since));
  const pause = () => {
    engagedMs += openPart(now());
    since = undefined;
  };
  const activity = () => {
    const t = now();
    if (since !== undefined && t > lastActive + idleMs) pause();
    lastActive = t;
    if (since === undefined && engageable()) since = t;
  };

  for (const type of ACTIVITY) ctx.on(window, type, activity);
  ctx.on(window, 'blur', pause);
  ctx.on(document, 'visibilitychange', () => (document.visibilityState == 'visible' ? activity() : pause()));

  return {
    reset() {
      start = now();
      engagedMs = 0;
      since = undefined;
      // Arriving on a page is itself an interaction.
      activity();
    },
    read() {
      const t = now();
      return { total_ms: t - start, engaged_ms: engagedMs + openPart(t) };
    },
  };
}
