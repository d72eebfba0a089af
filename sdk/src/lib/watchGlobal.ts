import type { Disposer } from './listen.ts';

/**
 * Calls `onValue` with `target[key]` now and each time it is assigned later, so that a global the page creates
 * after the SDK started (`window.dataLayer = window.dataLayer || []`) is seen. Another watch of the same global
 * (a second tracker) keeps working: assignments pass through to it. A global the page declared with `var` cannot
 * be watched (it is not configurable): only its current value is seen. The disposer puts a plain property back,
 * unless something else took the property over since.
 */
export function watchGlobal(target: object, key: string, onValue: (value: unknown) => void): Disposer {
  const previous = Object.getOwnPropertyDescriptor(target, key);
  let value = (target as Record<string, unknown>)[key];
  let active = true;
  const get = () => value;
  try {
    Object.defineProperty(target, key, {
      configurable: true,
      get,
      set(next) {
        value = next;
        previous?.set?.call(target, next);
        if (active) onValue(next);
      },
    });
  } catch {
    /* declared with `var`: not configurable */
  }
  onValue(value);
  return () => {
    active = false;
    if (Object.getOwnPropertyDescriptor(target, key)?.get == get) {
      if (previous?.set) Object.defineProperty(target, key, previous);
      else {
        delete (target as Record<string, unknown>)[key];
        (target as Record<string, unknown>)[key] = value;
      }
    }
  };
}
