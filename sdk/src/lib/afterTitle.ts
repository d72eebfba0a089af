import { safely } from './listen.ts';

/**
 * Runs `fn` once the app has rendered the new route's title: as soon as `rendered()` holds after a change in the
 * document's head, and at the latest after `maxWaitMs` (a route that keeps
 * the title). React 19 runs the effects of a transition, where routes set `document.title`, only after the next
 * frame, and later still when a lazy route loads; Vue Router's `afterEach` hooks run at once. The observer reacts in
 * the microtask after the title changes, before the visitor's next click or Back can lend the page view the
 * following route's title (a 50 ms poll missed a title that lived less than that on a busy machine). Returns a
 * function that runs `fn` now if it has not run yet (`cancel`: never).
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
  // `document.title = …` replaces the title element's text (or adds the element): a childList change in the head.
  observer.observe(document.head, { subtree: true, childList: true });
  const timer = setTimeout(run, maxWaitMs);
  return run;
}
