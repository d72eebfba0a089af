import type { QueueMessageBody } from './record.ts';
import { errorText, retryDelaySeconds } from './retry.ts';
import { toNdjson } from './sinks/r2.ts';
import { isSinkName, type Sink, type SinkName } from './sinks/sink.ts';

/**
 * Dead letters: messages a sink did not take within its attempts. A consumer that gives
 * up on a message sends a DeadLetter (which sink, how many attempts on its queue, the
 * last error, the message) to the dead-letter queue; that queue's consumer archives them
 * to R2 under `dead-letter/sink=<sink>/date=YYYY-MM-DD/`, one NDJSON line each, and
 * `replayDeadLetters` writes them into the sink that failed.
 */

export type DeadLetterSink = SinkName | 'unknown';

export interface DeadLetter {
  v: 1;
  /** The sink the message did not reach; `unknown` when the queue moved it without a verdict from the consumer. */
  sink: DeadLetterSink;
  /** The queue it was on when the consumer gave up. */
  queue: string;
  message_id: string;
  /** Delivery attempts made on `queue`: 0 when none could be (a misconfigured sink), null when unknown. */
  attempts: number | null;
  last_error: string;
  /** When the message was put on `queue`. */
  enqueued_at: string;
  dead_lettered_at: string;
  batch_id: string | null;
  events: number;
  /** The message as enqueued (already anonymized), or its text when it could not be read. */
  message: QueueMessageBody | string;
}

/** Everything of a dead letter but the message, for listings. */
export type DeadLetterSummary = Omit<DeadLetter, 'message' | 'v'> & { key: string };

export const DEAD_LETTER_PREFIX = 'dead-letter/';
/** A dead letter is a queue message too: Cloudflare takes 128 KB (1 KB = 1,000 bytes) with about 100 bytes of metadata. */
const MAX_DEAD_LETTER_BYTES = 127_000;
/** Backoff cap of the dead-letter consumer: 100 retries then span about 4 days, a queue's default retention. */
export const DEAD_LETTER_MAX_DELAY_SECONDS = 60 * 60;

export function decodeMessage(body: unknown): QueueMessageBody {
  const value = typeof body === 'string' ? JSON.parse(body) : body;
  if (!value || typeof value !== 'object' || !Array.isArray((value as QueueMessageBody).records)) {
    throw new Error('not a Pathmark queue message');
  }
  return value as QueueMessageBody;
}

export const textOf = (body: unknown): string => (typeof body === 'string' ? body : JSON.stringify(body));

export function deadLetterOf(
  message: Pick<Message<unknown>, 'id' | 'timestamp'>,
  from: { queue: string; sink: DeadLetterSink; attempts: number | null; error: unknown },
  content: QueueMessageBody | string,
  now = new Date(),
): DeadLetter {
  return {
    v: 1,
    sink: from.sink,
    queue: from.queue,
    message_id: message.id,
    attempts: from.attempts,
    last_error: errorText(from.error),
    enqueued_at: message.timestamp.toISOString(),
    dead_lettered_at: now.toISOString(),
    batch_id: typeof content === 'string' ? null : content.batch_id,
    events: typeof content === 'string' ? 0 : content.records.length,
    message: content,
  };
}

/** JSON for the dead-letter queue; text that could not be read is cut so the letter fits a message. */
export function encodeDeadLetter(letter: DeadLetter): string {
  const json = JSON.stringify(letter);
  if (typeof letter.message !== 'string' || json.length * 3 <= MAX_DEAD_LETTER_BYTES) return json;
  if (new TextEncoder().encode(json).byteLength <= MAX_DEAD_LETTER_BYTES) return json;
  return JSON.stringify({ ...letter, message: `${letter.message.slice(0, 30_000)}… (cut: the unreadable text was larger than a queue message)` });
}

function isDeadLetter(value: unknown): value is DeadLetter {
  const letter = value as DeadLetter | null;
  return !!letter && letter.v === 1 && (isSinkName(letter.sink) || letter.sink === 'unknown') && 'message' in letter;
}

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
  let content: QueueMessageBody | string = text;
  try {
    content = decodeMessage(parsed);
  } catch {
    // kept as text
  }
  return deadLetterOf(
    message,
    {
      queue: `(unknown; moved to ${deadLetterQueue})`,
      sink: 'unknown',
      attempts: null,
      error: 'moved to the dead-letter queue by Cloudflare Queues after max_retries, with no verdict from the consumer (it threw, crashed or ran out of time)',
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
export async function archiveDeadLetters(batch: MessageBatch<unknown>, bucket: R2Bucket, retryBaseSeconds: number): Promise<void> {
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

/** Archived dead-letter objects, oldest date first, `limit` at most; `truncated` when more exist. */
async function readArchive(
  bucket: R2Bucket,
  { sink, limit }: { sink?: DeadLetterSink; limit: number },
): Promise<{ objects: ArchivedObject[]; truncated: boolean }> {
  const listing = await bucket.list({ prefix: sink ? `${DEAD_LETTER_PREFIX}sink=${sink}/` : DEAD_LETTER_PREFIX, limit });
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
  return { objects: objects.filter((object): object is ArchivedObject => object !== null), truncated: listing.truncated };
}

export async function listDeadLetters(
  bucket: R2Bucket,
  options: { sink?: DeadLetterSink; limit: number },
): Promise<{ dead_letters: DeadLetterSummary[]; truncated: boolean }> {
  const { objects, truncated } = await readArchive(bucket, options);
  return {
    dead_letters: objects.flatMap(({ key, letters }) => letters.map(({ message: _message, v: _v, ...summary }) => ({ key, ...summary }))),
    truncated,
  };
}

export interface ReplayReport {
  /** Archive objects whose letters every target sink now holds; deleted from the archive. */
  replayed: { key: string; sink: DeadLetterSink; messages: number; events: number }[];
  /** Objects left in the archive, with the reason. */
  failed: { key: string; sink: DeadLetterSink; error: string }[];
  /** Letters whose message could not be read: never replayable, kept in the archive. */
  unreadable: number;
  /** More objects wait beyond `limit`. */
  more: boolean;
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
  options: { sink?: DeadLetterSink; limit: number },
): Promise<ReplayReport> {
  const { objects, truncated } = await readArchive(bucket, options);
  const report: ReplayReport = { replayed: [], failed: [], unreadable: 0, more: truncated };
  for (const { key, sink, letters } of objects) {
    const readable = letters.filter((letter): letter is DeadLetter & { message: QueueMessageBody } => typeof letter.message !== 'string');
    const unreadable = letters.filter((letter) => typeof letter.message === 'string');
    report.unreadable += unreadable.length;
    if (readable.length === 0) {
      if (unreadable.length === 0) await bucket.delete(key);
      else report.failed.push({ key, sink, error: 'no readable message to replay' });
      continue;
    }
    const targets = sink === 'unknown' ? [...sinks.available.values()] : [sinks.available.get(sink)].filter((s) => s !== undefined);
    if (targets.length === 0) {
      const why = sink === 'unknown' ? 'no sink is available' : (sinks.problems.get(sink as SinkName) ?? 'the sink is off (FORWARD_URL is empty)');
      report.failed.push({ key, sink, error: `${sink}: ${why}` });
      continue;
    }
    try {
      const messages = readable.map((letter) => letter.message);
      await Promise.all(targets.map((target) => target.write(messages)));
      // Unreadable letters stay behind, alone in their object, so they are not replayed again with the others.
      if (unreadable.length > 0) await bucket.put(key, toNdjson(unreadable), { httpMetadata: { contentType: 'application/x-ndjson' } });
      else await bucket.delete(key);
      report.replayed.push({ key, sink, messages: readable.length, events: messages.reduce((n, message) => n + message.records.length, 0) });
    } catch (error) {
      report.failed.push({ key, sink, error: errorText(error) });
    }
  }
  return report;
}
