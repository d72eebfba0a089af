import { ingest } from '../core/insights/ingest.ts';
import type { PageTypePatterns } from '../core/insights/page-types.ts';
import { d1Engine } from '../d1-engine.ts';
import { recordsOf, type Sink } from './sink.ts';

export interface D1SinkOptions {
  /** The site policy's `page_types`, for records archived before the collector classified pages (replays). */
  pageTypes?: (site: string) => PageTypePatterns | undefined;
}

/**
 * The `events` table and the insights facts it feeds (docs/insights.md), written by the insights
 * core's `ingest`: events `INSERT OR IGNORE` on their id, the facts of the keys the new events
 * carry recomputed and their days marked dirty, in one D1 batch per 500 records. A re-sent or
 * retried event inserts nothing, so it changes no figure.
 */
export function createD1Sink(db: D1Database, { pageTypes }: D1SinkOptions = {}): Sink {
  const engine = d1Engine(db);
  return {
    name: 'd1',
    write: (messages) => ingest(engine, recordsOf(messages), { newToken: () => crypto.randomUUID(), pageTypes }),
  };
}
