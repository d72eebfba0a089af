import { inject } from 'vitest';

/**
 * Where every visitor of the e2e stack is: the global setup gives wrangler dev this `request.cf` (country US,
 * region TX, as Miniflare's own placeholder), so `GET /v1/config/:site` answers `regions: ['US', 'US-TX']`.
 */
export const VISITOR_CF = { country: 'US', regionCode: 'TX' } as const;
export const VISITOR_REGIONS = ['US', 'US-TX'];

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
