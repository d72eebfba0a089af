import {
  deadLetterOf,
  isDeadLetter,
  textOf,
  type DeadLetter,
  type DeadLetterSink,
  type DeadLetterSummary,
  type ReplayReport,
} from './dead-letters.ts';
import { decodeMessage, readQueueMessage, type QueueMessage } from './core/queue-message.ts';
import { errorText, retryDelaySeconds } from './retry.ts';
import { toNdjson } from './sinks/r2.ts';
import { isSinkName, type Sink, type SinkName } from './sinks/sink.ts';

/**
 * The dead-letter archive in R2: the dead-letter queue's consumer writes each letter as
 * one NDJSON line under `dead-letter/sink=<sink>/date=YYYY-MM-DD/`; the operator routes
 * list them and replay them into the sink that failed (routes/dead-letters.ts).
 */

export const DEAD_LETTER_PREFIX = 'dead-letter/';
/** Backoff cap of the dead-letter consumer: 100 retries then span about 4 days, a queue's default retention. */
export const DEAD_LETTER_MAX_DELAY_SECONDS = 60 * 60;

/**
 * A message of the dead-letter queue as a DeadLetter. Anything else there was moved by
 * Cloudflare Queues itself after `max_retries` (the consumer threw, crashed or ran out of
 * time every time), which keeps the body only: sink and attempts are unknown.
 */
export function readDeadLetter(message: Message<unknown>, deadLetterQueue: string): DeadLetter {
  const text = textOf(message.body);
  let parsed: unknown;
  try {
    parsed = JSON.parse(text);
  } catch {
    parsed = undefined;
  }
  if (isDeadLetter(parsed)) return parsed;
  let content: QueueMessage | string = text;
  try {
    content = readQueueMessage(parsed);
  } catch {
    // kept as text
  }
  return deadLetterOf(
    message,
    {
      queue: `(unknown; moved to ${deadLetterQueue})`,
      sink: 'unknown',
      attempts: null,
      error:
        'moved to the dead-letter queue by Cloudflare Queues after max_retries, with no verdict from the consumer (it threw, crashed or ran out of time)',
    },
    content,
  );
}

const objectKey = (sink: DeadLetterSink, now: Date) =>
  `${DEAD_LETTER_PREFIX}sink=${sink}/date=${now.toISOString().slice(0, 10)}/${now.getTime()}-${crypto.randomUUID()}.ndjson`;

const sinkOfKey = (key: string): DeadLetterSink | null => {
  const sink = /^dead-letter\/sink=([^/]+)\//.exec(key)?.[1];
  return isSinkName(sink) || sink === 'unknown' ? sink : null;
};

/**
 * Dead-letter queue consumer: one R2 object per sink per consumer batch. Nothing is acked
 * before its object is written; if R2 is down (it may be the sink that failed), the
 * letters wait in the queue with a backoff of up to an hour.
 */
export async function archiveDeadLetters(
  batch: MessageBatch<unknown>,
  bucket: R2Bucket,
  retryBaseSeconds: number,
): Promise<void> {
  const now = new Date();
  const bySink = new Map<DeadLetterSink, { message: Message<unknown>; letter: DeadLetter }[]>();
  for (const message of batch.messages) {
    const letter = readDeadLetter(message, batch.queue);
    const group = bySink.get(letter.sink);
    if (group) group.push({ message, letter });
    else bySink.set(letter.sink, [{ message, letter }]);
  }
  await Promise.all(
    [...bySink].map(async ([sink, group]) => {
      try {
        await bucket.put(objectKey(sink, now), toNdjson(group.map(({ letter }) => letter)), {
          httpMetadata: { contentType: 'application/x-ndjson' },
        });
        for (const { message } of group) message.ack();
      } catch (error) {
        console.error(`pathmark: dead-letter archive (${sink}) failed, ${group.length} letters retried: ${errorText(error)}`);
        for (const { message } of group) {
          message.retry({ delaySeconds: retryDelaySeconds(message.attempts, retryBaseSeconds, DEAD_LETTER_MAX_DELAY_SECONDS) });
        }
      }
    }),
  );
}

interface ArchivedObject {
  key: string;
  sink: DeadLetterSink;
  letters: DeadLetter[];
}

export interface ArchiveQuery {
  sink?: DeadLetterSink;
  /** Objects to read, at most. */
  limit: number;
  /** Continue after this key (the `next` of an earlier answer). */
  after?: string;
}

/** Archived dead-letter objects in key order (sink, then date), `limit` at most; `next` when more exist. */
async function readArchive(
  bucket: R2Bucket,
  { sink, limit, after }: ArchiveQuery,
): Promise<{ objects: ArchivedObject[]; next: string | null }> {
  const listing = await bucket.list({
    prefix: sink ? `${DEAD_LETTER_PREFIX}sink=${sink}/` : DEAD_LETTER_PREFIX,
    limit,
    startAfter: after,
  });
  const objects = await Promise.all(
    listing.objects.map(async ({ key }): Promise<ArchivedObject | null> => {
      const object = await bucket.get(key);
      const keySink = sinkOfKey(key);
      if (!object || !keySink) return null;
      const letters = (await object.text())
        .split('\n')
        .filter((line) => line.trim() !== '')
        .flatMap((line) => {
          try {
            const value: unknown = JSON.parse(line);
            return isDeadLetter(value) ? [value] : [];
          } catch {
            return [];
          }
        });
      return { key, sink: keySink, letters };
    }),
  );
  const next = listing.truncated ? (listing.objects.at(-1)?.key ?? null) : null;
  return { objects: objects.filter((object): object is ArchivedObject => object !== null), next };
}

export async function listDeadLetters(
  bucket: R2Bucket,
  query: ArchiveQuery,
): Promise<{ dead_letters: DeadLetterSummary[]; next: string | null }> {
  const { objects, next } = await readArchive(bucket, query);
  return {
    dead_letters: objects.flatMap(({ key, letters }) =>
      letters.map(({ message: _message, v: _v, ...summary }) => ({ key, ...summary })),
    ),
    next,
  };
}

/**
 * Writes archived dead letters into the sink that failed (every available sink for
 * `unknown` ones), then deletes them from the archive, up to `limit` objects per call.
 * Running it again is harmless: replayed objects are gone, and the sinks take a message
 * they already hold without a second copy (R2 by key, D1 by event id; the webhook's
 * receiver dedupes on event_id, as for any retry).
 */
export async function replayDeadLetters(
  bucket: R2Bucket,
  sinks: { available: ReadonlyMap<SinkName, Sink>; problems: ReadonlyMap<SinkName, string> },
  query: ArchiveQuery,
): Promise<ReplayReport> {
  const { objects, next } = await readArchive(bucket, query);
  const report: ReplayReport = { replayed: [], failed: [], unreadable: 0, next };
  for (const { key, sink, letters } of objects) {
    const readable = letters.filter(
      (letter): letter is DeadLetter & { message: QueueMessage } => typeof letter.message !== 'string',
    );
    const unreadable = letters.filter((letter) => typeof letter.message === 'string');
    report.unreadable += unreadable.length;
    if (readable.length === 0) {
      if (unreadable.length === 0) await bucket.delete(key);
      else report.failed.push({ key, sink, error: 'no readable message to replay' });
      continue;
    }
    const targets =
      sink === 'unknown' ? [...sinks.available.values()] : [sinks.available.get(sink)].filter((s) => s !== undefined);
    if (targets.length === 0) {
      const why =
        sink === 'unknown'
          ? 'no sink is available'
          : (sinks.problems.get(sink as SinkName) ?? 'the sink is off (FORWARD_URL is empty)');
      report.failed.push({ key, sink, error: `${sink}: ${why}` });
      continue;
    }
    try {
      const messages = readable.map((letter) => decodeMessage(letter.message));
      await Promise.all(targets.map((target) => target.write(messages)));
      // Unreadable letters stay behind, alone in their object, so they are not replayed again with the others.
      if (unreadable.length > 0)
        await bucket.put(key, toNdjson(unreadable), { httpMetadata: { contentType: 'application/x-ndjson' } });
      else await bucket.delete(key);
      report.replayed.push({
        key,
        sink,
        messages: readable.length,
        events: messages.reduce((n, message) => n + message.records.length, 0),
      });
    } catch (error) {
      report.failed.push({ key, sink, error: errorText(error) });
    }
  }
  return report;
}
