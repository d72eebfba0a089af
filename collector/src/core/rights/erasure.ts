import { RIGHTS_PATH, type ErasureReceipt } from '#protocol';
import { epochHour, hourPartition } from '../archive-partitions.ts';
import type { BatchAccepted } from '../pipeline.ts';
import { toMessages } from '../queue-message.ts';
import type { ForwardedRecord } from '../record.ts';

/**
 * Erasure of one pseudonymous visitor (docs/rights.md). The request deletes the visitor's database and insights rows
 * at once and leaves a tombstone (a row of `rights_tombstones`, which is also the receipt); the tombstone drops the
 * visitor's events still in flight, and the scheduled job rewrites the archive partitions listed in it.
 */

export type ErasureSteps = ErasureReceipt['steps'];

/** A row of `rights_tombstones` (migration 0003). */
export interface TombstoneRow {
  receipt_id: string;
  site: string;
  /** Null when the site keeps no identifiers: there is nothing to find. */
  visitor_id: string | null;
  requested_at: number;
  completed_at: number | null;
  /** ErasureSteps as JSON. */
  steps: string;
  /** JSON array of epoch hours (archive-partitions.ts) where the visitor's stored events arrived. */
  archive_hours: string;
}

/**
 * The archive job leaves a request alone for this long: an R2 write that checked the tombstones just before the
 * request could still be landing. The bound is therefore "the first run of the hourly cron at least a minute after
 * the request": at most 61 minutes.
 */
export const ARCHIVE_SETTLE_MS = 60_000;

/** Steps after the request's own D1 batch: the database and insights rows are gone. */
export function initialSteps({ linkable, webhook }: { linkable: boolean; webhook: boolean }): ErasureSteps {
  return {
    database: 'done',
    insights: 'done',
    archive: linkable ? 'pending' : 'done',
    webhook: linkable && webhook ? 'pending' : 'off',
  };
}

export const isComplete = (steps: ErasureSteps): boolean =>
  steps.database === 'done' && steps.insights === 'done' && steps.archive === 'done' && steps.webhook !== 'pending';

export const receiptPath = (site: string, receiptId: string): string =>
  `${RIGHTS_PATH}/${encodeURIComponent(site)}/receipts/${receiptId}`;

export function receiptOf(row: TombstoneRow): ErasureReceipt {
  const steps = JSON.parse(row.steps) as ErasureSteps;
  const receipt: ErasureReceipt = {
    receipt_id: row.receipt_id,
    site: row.site,
    requested_at: new Date(row.requested_at).toISOString(),
    status: row.completed_at === null ? 'pending' : 'done',
    steps,
    check: receiptPath(row.site, row.receipt_id),
  };
  if (row.completed_at !== null) receipt.completed_at = new Date(row.completed_at).toISOString();
  return receipt;
}

/**
 * The archive partitions to rewrite: those where the visitor's stored events arrived, plus the hour of the request and
 * the one before it, where events accepted just before the request but not yet in the database (still in a queue)
 * land. Later arrivals are dropped by the tombstone before any sink writes them.
 */
export function partitionsToRewrite(row: Pick<TombstoneRow, 'site' | 'requested_at' | 'archive_hours'>): string[] {
  const requested = epochHour(row.requested_at);
  const hours = new Set<number>([...(JSON.parse(row.archive_hours) as number[]), requested - 1, requested]);
  return [...hours].sort((a, b) => a - b).map((hour) => hourPartition(row.site, hour));
}

/**
 * An NDJSON archive object without the lines of the erased visitors; every other line is kept byte for byte (the
 * object is rewritten only when `removed` > 0).
 */
export function withoutVisitors(ndjson: string, site: string, erased: ReadonlySet<string>): { text: string; removed: number } {
  let removed = 0;
  const kept = ndjson.split('\n').filter((line) => {
    if (line.trim() === '') return false;
    let record: Partial<ForwardedRecord> | null;
    try {
      record = JSON.parse(line) as Partial<ForwardedRecord>;
    } catch {
      return true;
    }
    const drop = record?.site === site && typeof record.visitor_id === 'string' && erased.has(record.visitor_id);
    if (drop) removed++;
    return !drop;
  });
  return { text: kept.length > 0 ? kept.join('\n') + '\n' : '', removed };
}

/** The pseudonyms of `granted` records (the only ones a tombstone can name), once each. */
export const grantedVisitors = (records: readonly ForwardedRecord[]): string[] => [
  ...new Set(records.filter((record) => record.consent === 'granted').map((record) => record.visitor_id)),
];

export const isErased = (record: ForwardedRecord, erased: ReadonlySet<string>): boolean =>
  record.consent === 'granted' && erased.has(record.visitor_id);

/** Reason given for an event of an erased visitor refused at ingest. */
export const ERASED_REASON = 'visitor: erased at their request; nothing more is kept under this id';

/**
 * An accepted batch without the events of erased visitors: they are answered as rejected (the SDK does not resend a
 * rejected event) and the rest is regrouped into queue messages.
 */
export function dropErased(outcome: BatchAccepted, site: string, receivedAt: number, erased: ReadonlySet<string>): BatchAccepted {
  const keep = outcome.records.map((record) => !isErased(record, erased));
  if (keep.every(Boolean)) return outcome;
  const records = outcome.records.filter((_, i) => keep[i]);
  const indexes = outcome.indexes.filter((_, i) => keep[i]);
  const refused = outcome.indexes.filter((_, i) => !keep[i]).map((index) => ({ index, reason: ERASED_REASON }));
  const { messages, serialized } = toMessages(records, outcome.batchId, site, receivedAt);
  return {
    ...outcome,
    records,
    indexes,
    messages,
    serialized,
    response: {
      accepted: records.length,
      rejected: [...outcome.response.rejected, ...refused].sort((a, b) => a.index - b.index),
    },
  };
}

/** Body of the signed webhook notice that tells the receiver to erase the visitor downstream too. */
export interface ErasureNotice {
  erasure: { site: string; visitor_id: string; receipt_id: string; requested_at: string };
}

export const erasureNotice = (row: TombstoneRow & { visitor_id: string }): ErasureNotice => ({
  erasure: {
    site: row.site,
    visitor_id: row.visitor_id,
    receipt_id: row.receipt_id,
    requested_at: new Date(row.requested_at).toISOString(),
  },
});
