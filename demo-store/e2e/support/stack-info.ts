import { inject } from 'vitest';

export interface StackInfo {
  /** Where the store and the collector answer, e.g. http://127.0.0.1:41234. */
  origin: string;
  /** Miniflare's state directory (D1, R2, Queue) for this run. */
  persistTo: string;
}

declare module 'vitest' {
  export interface ProvidedContext {
    stack: StackInfo;
  }
}

/** The stack the global setup started for this run. */
export function stackInfo(): StackInfo {
  return inject('stack');
}
