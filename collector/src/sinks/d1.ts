import type { ForwardedRecord } from '../core/record.ts';
import { recordsOf, type Sink } from './sink.ts';

const COLUMNS = [
  'event_id',
  'batch_id',
  'site',
  'name',
  'consent',
  'ts',
  'received_at',
  'visitor_id',
  'session_id',
  'page_id',
  'path',
  'record',
] as const;
/** D1 binds at most 100 parameters per statement: 8 rows of 12 columns per INSERT. */
const ROWS_PER_STATEMENT = Math.floor(100 / COLUMNS.length);
/** Statements per D1 batch (one round trip, one transaction). */
const STATEMENTS_PER_BATCH = 50;

const rowValues = (record: ForwardedRecord) => [
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
];

/** The `events` table, keyed by event id: a re-sent or retried event is ignored, not doubled. */
export function createD1Sink(db: D1Database): Sink {
  const placeholders = (rows: number) => Array.from({ length: rows }, () => `(${COLUMNS.map(() => '?').join(', ')})`).join(', ');
  return {
    name: 'd1',
    async write(messages) {
      const records = recordsOf(messages);
      const statements: D1PreparedStatement[] = [];
      for (let i = 0; i < records.length; i += ROWS_PER_STATEMENT) {
        const rows = records.slice(i, i + ROWS_PER_STATEMENT);
        statements.push(
          db
            .prepare(`INSERT OR IGNORE INTO events (${COLUMNS.join(', ')}) VALUES ${placeholders(rows.length)}`)
            .bind(...rows.flatMap(rowValues)),
        );
      }
      for (let i = 0; i < statements.length; i += STATEMENTS_PER_BATCH) {
        await db.batch(statements.slice(i, i + STATEMENTS_PER_BATCH));
      }
    },
  };
}
