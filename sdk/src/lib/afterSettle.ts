import { safely } from './listen.js';

/**
 * Runs `fn` once the app has had a chance to render the new route: after the
 * next animation frame plus a task, so that `document.title` set in a React
 * effect or a Vue `afterEach` hook is already the new page's. Hidden tabs get
 * no animation frames, so a timeout caps the wait. Returns a cancel function.
 */
export function afterSettle(fn: () => void, maxWaitMs = 300): () => void {
  let pending = true;
  const run = safely(() => {
    if (pending) {
      pending = false;
      fn();
    }
  });
  setTimeout(run, maxWaitMs);
  requestAnimationFrame(() => setTimeout(run));
  return () => (pending = false);
}
