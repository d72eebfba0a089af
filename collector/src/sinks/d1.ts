import type { Sink } from './sink.ts';

/** D1 allows 100 bound parameters per statement; one row per statement keeps it simple. */
const STATEMENTS_PER_BATCH = 200;

/** The `events` table, keyed by event id: a re-sent or retried event is ignored, not doubled. */
export function createD1Sink(db: D1Database): Sink {
  return {
    name: 'd1',
    async write(records) {
      const statements = records.map((record) =>
        db
          .prepare(
            `INSERT OR IGNORE INTO events
               (event_id, batch_id, site, name, consent, ts, received_at, visitor_id, session_id, page_id, path, record)
             VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?)`,
          )
          .bind(
            record.event_id,
            record.batch_id,
            record.site,
            record.name,
            record.consent,
            record.ts,
            record.received_at,
            record.visitor_id,
            record.session_id ?? null,
            record.page_id,
            record.path,
            JSON.stringify(record),
          ),
      );
      for (let i = 0; i < statements.length; i += STATEMENTS_PER_BATCH) {
        await db.batch(statements.slice(i, i + STATEMENTS_PER_BATCH));
      }
    },
  };
}
