/** Something `destroy()` must undo. */
export type Disposer = () => void;

/**
 * `fn`, except that an exception stays inside the SDK: thrown from a
 * listener, a timer or a History API wrapper it would otherwise reach the
 * page (its `window.onerror` reporting, or the router that called pushState).
 */
export const safely =
  <A extends unknown[]>(fn: (...args: A) => unknown) =>
  (...args: A): void => {
    try {
      fn(...args);
    } catch {
      /* analytics must never break the page */
    }
  };

/** Adds an event listener that cannot throw, and returns the function that removes it. */
export function listen(
  target: EventTarget,
  type: string,
  handler: (event: Event) => void,
  options: AddEventListenerOptions = { capture: true, passive: true },
): Disposer {
  const safe = safely(handler);
  target.addEventListener(type, safe, options);
  return () => target.removeEventListener(type, safe, options);
}
