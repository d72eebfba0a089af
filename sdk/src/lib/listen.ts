/** Something `destroy()` must undo. */
export type Disposer = () => void;

/**
 * Adds an event listener whose errors stay inside the SDK (an exception in a
 * listener would otherwise reach the page's `window.onerror` reporting), and
 * returns the function that removes it.
 */
export function listen(
  target: EventTarget,
  type: string,
  handler: (event: Event) => void,
  options: AddEventListenerOptions = { capture: true, passive: true },
): Disposer {
  const safe = (event: Event) => {
    try {
      handler(event);
    } catch {
      /* never let an analytics listener break the page */
    }
  };
  target.addEventListener(type, safe, options);
  return () => target.removeEventListener(type, safe, options);
}
