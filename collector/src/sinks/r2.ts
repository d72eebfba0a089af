import { partitionKey } from '../core/archive-partitions.ts';
import type { ForwardedRecord, QueueMessageBody } from '../core/record.ts';
import type { Sink } from './sink.ts';

/**
 * NDJSON archive in R2, partitioned the way warehouses read it (Hive-style
 * `site=/date=/hour=`, core/archive-partitions.ts). One object per queue message, under a key made from the message
 * itself: a message written twice (a retry, a second copy from the fan-out, a replay)
 * overwrites its own object instead of adding a copy. A message is one accepted batch
 * (or one part of a very large one), so all its records share `received_at` and one
 * partition.
 */
export { partitionKey };

/**
 * `<partition>/<batch_id>-<first event_id>.ndjson`: the batch id alone is not enough, as a
 * batch too large for one message is split into parts that share it.
 */
export function archiveKey(message: QueueMessageBody): string {
  return `${partitionKey(message)}/${message.batch_id}-${message.records[0]?.event_id ?? 'empty'}.ndjson`;
}

export function toNdjson(records: readonly unknown[]): string {
  return records.map((record) => JSON.stringify(record)).join('\n') + '\n';
}

export function createR2Sink(bucket: R2Bucket): Sink {
  return {
    name: 'r2',
    async write(messages) {
      // R2 takes one write per second per key: a message twice in one consumer batch is written once.
      const byKey = new Map(messages.map((message) => [archiveKey(message), message]));
      await Promise.all(
        [...byKey].map(([key, message]) =>
          bucket.put(key, toNdjson(message.records), { httpMetadata: { contentType: 'application/x-ndjson' } }),
        ),
      );
    },
  };
}

/** One archive object and the event ids of its lines (for the development inspector). */
export interface ArchivedEvents {
  key: string;
  event_ids: string[];
}

/** Objects of the events archive in key order, `limit` at most; `next` (the last key) when more exist. */
export async function listArchivedEvents(
  bucket: R2Bucket,
  { limit, after }: { limit: number; after?: string },
): Promise<{ objects: ArchivedEvents[]; next: string | null }> {
  const listing = await bucket.list({ prefix: 'events/', limit, startAfter: after });
  const objects = await Promise.all(
    listing.objects.map(async ({ key }) => {
      const text = (await (await bucket.get(key))?.text()) ?? '';
      const eventIds = text
        .split('\n')
        .filter((line) => line.trim() !== '')
        .map((line) => (JSON.parse(line) as ForwardedRecord).event_id);
      return { key, event_ids: eventIds };
    }),
  );
  return { objects, next: listing.truncated ? (listing.objects.at(-1)?.key ?? null) : null };
}
