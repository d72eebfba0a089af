import type { ForwardedRecord } from './record.ts';

/**
 * The R2 archive's partitions (Hive-style `site=/date=/hour=`, the way warehouses read it), by the
 * collector's arrival time. The R2 sink writes under them; an erasure (rights/) rewrites them.
 */

const HOUR_MS = 3_600_000;

export function partitionKey(record: Pick<ForwardedRecord, 'site' | 'received_at'>): string {
  const iso = new Date(record.received_at).toISOString();
  return `events/site=${record.site}/date=${iso.slice(0, 10)}/hour=${iso.slice(11, 13)}`;
}

/** The hour (whole hours since the epoch) a time falls in: what identifies a partition of one site. */
export const epochHour = (epochMs: number): number => Math.floor(epochMs / HOUR_MS);

/** The partition of one site and epoch hour. */
export const hourPartition = (site: string, hour: number): string => partitionKey({ site, received_at: hour * HOUR_MS });
