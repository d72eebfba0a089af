import { safely } from './listen.js';

/**
 * Runs `fn` once the app has rendered the new route's title: as soon as `rendered()` holds, checked every 50 ms,
 * and at the latest after `maxWaitMs` (a route that keeps the title). React 19 runs the effects of a transition,
 * where routes set `document.title`, only after the next frame, and later still when a lazy route loads; Vue
 * Router's `afterEach` hooks run at once. A short poll sees the title however it is set, and costs nothing
 * measurable for at most a second. Returns a function that runs `fn` now if it has not run yet (`cancel`: never).
 */
export function afterTitle(fn: () => void, rendered: () => boolean, maxWaitMs = 1000): (cancel?: boolean) => void {
  const deadline = Date.now() + maxWaitMs;
  const run = safely((cancel?: boolean) => {
    if (timer) {
      clearInterval(timer);
      timer = 0;
      if (!cancel) fn();
    }
  });
  let timer: ReturnType<typeof setInterval> | 0 = setInterval(() => (rendered() || Date.now() >= deadline) && run(), 50);
  return run;
}
