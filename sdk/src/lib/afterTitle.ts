import { safely } from './listen.js';

/**
 * Runs `fn` once the app has rendered the new route's title: as soon as `rendered()` holds after a change to the
 * document or after the next animation frame and a task, and at the latest after `maxWaitMs` (a route that keeps
 * the title; a hidden tab, which gets no animation frames). React 19 runs the effects of a transition, where
 * routes set `document.title`, only after the next frame, and later still when a lazy route loads; Vue Router's
 * `afterEach` hooks run at once. Returns a function that runs `fn` now if it has not run yet (`cancel`: never).
 */
export function afterTitle(fn: () => void, rendered: () => boolean, maxWaitMs = 1000): (cancel?: boolean) => void {
  let waiting = true;
  const run = safely((cancel?: boolean) => {
    if (waiting) {
      waiting = false;
      clearTimeout(timer);
      observer.disconnect();
      if (!cancel) fn();
    }
  });
  const check = () => rendered() && run();
  const observer = new MutationObserver(check);
  // `document.title = …` (and React's or Vue's head management) replaces the title element's text: a childList change.
  observer.observe(document, { subtree: true, childList: true });
  const timer = setTimeout(run, maxWaitMs);
  requestAnimationFrame(() => setTimeout(check));
  return run;
}
