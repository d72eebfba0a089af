import { mkdirSync, mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import type { ForwardedRecord } from '../../../collector/src/core/record.ts';
import { partitionKey, toNdjson } from '../../../collector/src/sinks/r2.ts';

/**
 * Writes records as the collector's R2 sink does (its own `partitionKey` and `toNdjson`): one
 * object per partition per write, under `<dir>/events/site=/date=/hour=/`. Each call is one
 * consumer batch, so writing records twice gives two objects holding the same events, as a
 * retried queue message does.
 */
export function writeArchive(dir: string, records: readonly ForwardedRecord[], name: string): void {
  const partitions = new Map<string, ForwardedRecord[]>();
  for (const record of records) {
    const key = partitionKey(record);
    partitions.set(key, [...(partitions.get(key) ?? []), record]);
  }
  for (const [key, group] of partitions) {
    mkdirSync(join(dir, key), { recursive: true });
    writeFileSync(join(dir, key, `${name}.ndjson`), toNdjson(group));
  }
}

export const tempDir = (prefix: string): string => mkdtempSync(join(tmpdir(), `pathmark-warehouse-${prefix}-`));
