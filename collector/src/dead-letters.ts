import { eventCount, type QueueMessage } from './core/queue-message.ts';
import { errorText } from './retry.ts';
import { isSinkName, type SinkName } from './sinks/sink.ts';

/**
 * Dead letters: messages a sink did not take within its attempts. A consumer that gives
 * up on a message sends a DeadLetter (which sink, how many attempts on its queue, the
 * last error, the message) to the dead-letter queue; dead-letter-archive.ts keeps them in
 * R2 and replays them. The types here are also what `GET /v1/admin/dead-letters` answers.
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
  /** The message as enqueued (already anonymized; packed or in full, core/queue-message.ts), or its text when it could not be read. */
  message: QueueMessage | string;
}

/** Everything of a dead letter but the message, for listings. */
export type DeadLetterSummary = Omit<DeadLetter, 'message' | 'v'> & { key: string };

/** A dead letter is a queue message too: Cloudflare takes 128 KB (1 KB = 1,000 bytes) with about 100 bytes of metadata. */
const MAX_DEAD_LETTER_BYTES = 127_000;

export const textOf = (body: unknown): string => (typeof body === 'string' ? body : JSON.stringify(body));

export function deadLetterOf(
  message: { id: string; timestamp: Date },
  from: { queue: string; sink: DeadLetterSink; attempts: number | null; error: unknown },
  content: QueueMessage | string,
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
    events: typeof content === 'string' ? 0 : eventCount(content),
    message: content,
  };
}

/** JSON for the dead-letter queue; text that could not be read is cut so the letter fits a message. */
export function encodeDeadLetter(letter: DeadLetter): string {
  const json = JSON.stringify(letter);
  if (typeof letter.message !== 'string' || json.length * 3 <= MAX_DEAD_LETTER_BYTES) return json;
  if (new TextEncoder().encode(json).byteLength <= MAX_DEAD_LETTER_BYTES) return json;
  return JSON.stringify({
    ...letter,
    message: `${letter.message.slice(0, 30_000)}… (cut: the unreadable text was larger than a queue message)`,
  });
}

export function isDeadLetter(value: unknown): value is DeadLetter {
  const letter = value as DeadLetter | null;
  return !!letter && letter.v === 1 && (isSinkName(letter.sink) || letter.sink === 'unknown') && 'message' in letter;
}

/** What `POST /v1/admin/dead-letters/replay` answers. */
export interface ReplayReport {
  /** Archive objects whose letters every target sink now holds; deleted from the archive. */
  replayed: { key: string; sink: DeadLetterSink; messages: number; events: number }[];
  /** Objects left in the archive, with the reason. */
  failed: { key: string; sink: DeadLetterSink; error: string }[];
  /** Letters whose message could not be read: never replayable, kept in the archive. */
  unreadable: number;
  /** Pass as `after` to go on: more objects wait beyond `limit` (null when none). */
  next: string | null;
}
