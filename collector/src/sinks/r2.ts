import type { ForwardedRecord } from '../record.ts';
import type { Sink } from './sink.ts';

/**
 * NDJSON archive in R2, partitioned the way warehouses read it (Hive-style
 * `site=/date=/hour=`). One object per partition per consumer batch, under a random key:
 * R2 allows one write per second per key, and a retried batch must not overwrite
 * another's object.
 */
export function partitionKey(record: ForwardedRecord): string {
  const iso = new Date(record.received_at).toISOString();
  return `events/site=${record.site}/date=${iso.slice(0, 10)}/hour=${iso.slice(11, 13)}`;
}

export function toNdjson(records: readonly unknown[]): string {
  return records.map((record) => JSON.stringify(record)).join('\n') + '\n';
}

export function createR2Sink(bucket: R2Bucket, newId: () => string = () => crypto.randomUUID()): Sink {
  return {
    name: 'r2',
    async write(records) {
      const partitions = new Map<string, ForwardedRecord[]>();
      for (const record of records) {
        const key = partitionKey(record);
        const group = partitions.get(key);
        if (group) group.push(record);
        else partitions.set(key, [record]);
      }
      await Promise.all(
        [...partitions].map(([prefix, group]) =>
          bucket.put(`${prefix}/${newId()}.ndjson`, toNdjson(group), {
            httpMetadata: { contentType: 'application/x-ndjson' },
          }),
        ),
      );
    },
  };
}
