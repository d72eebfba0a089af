import type { ForwardedRecord, QueueMessageBody } from './record.ts';
import type { Sink } from './sinks/sink.ts';
import { toNdjson } from './sinks/r2.ts';

/**
 * The queue consumer: every message of a consumer batch goes to every sink. If any sink
 * fails, the messages are retried with exponential backoff; after `max_retries` the
 * queue moves them to the dead-letter queue, whose consumer archives them to R2.
 * Delivery is at least once: sinks may see a retried record twice, D1 collapses it by
 * event id and downstream readers of R2/webhook dedupe on `event_id` the same way.
 */

const MAX_DELAY_SECONDS = 15 * 60;

/** Delay before attempt `attempts + 1`: base, 2×base, 4×base … capped at 15 minutes. */
export function retryDelaySeconds(attempts: number, baseSeconds: number): number {
  return Math.min(MAX_DELAY_SECONDS, Math.round(baseSeconds * 2 ** Math.max(0, attempts - 1)));
}

export function decodeMessage(body: unknown): QueueMessageBody {
  const value = typeof body === 'string' ? JSON.parse(body) : body;
  if (!value || typeof value !== 'object' || !Array.isArray((value as QueueMessageBody).records)) {
    throw new Error('not a Pathmark queue message');
  }
  return value as QueueMessageBody;
}

export async function deliver(batch: MessageBatch<unknown>, sinks: readonly Sink[], retryBaseSeconds: number): Promise<void> {
  const records: ForwardedRecord[] = [];
  const readable: Message<unknown>[] = [];
  for (const message of batch.messages) {
    try {
      records.push(...decodeMessage(message.body).records);
      readable.push(message);
    } catch {
      // Unreadable bodies are not ours to interpret: retry them into the dead-letter archive.
      message.retry({ delaySeconds: retryDelaySeconds(message.attempts, retryBaseSeconds) });
    }
  }
  if (readable.length === 0) return;
  const outcomes = await Promise.allSettled(sinks.map((sink) => sink.write(records)));
  const failures = outcomes.flatMap((outcome, i) =>
    outcome.status === 'rejected' ? [{ sink: sinks[i]!.name, error: String(outcome.reason) }] : [],
  );
  for (const message of readable) {
    if (failures.length === 0) message.ack();
    else message.retry({ delaySeconds: retryDelaySeconds(message.attempts, retryBaseSeconds) });
  }
  if (failures.length > 0) console.warn('pathmark: sink failure, messages retried', failures);
}

/**
 * Dead-letter consumer: archives each message, as it was enqueued (already anonymized),
 * to R2 under `dead-letter/`, so nothing that ran out of retries is lost. Replaying is
 * reading those NDJSON lines and sending their `body` back to the main queue.
 */
export async function archiveDeadLetters(batch: MessageBatch<unknown>, bucket: R2Bucket, retryBaseSeconds: number): Promise<void> {
  const now = new Date();
  const lines = batch.messages.map((message) => ({
    queue: batch.queue,
    message_id: message.id,
    attempts: message.attempts,
    enqueued_at: message.timestamp.toISOString(),
    body: message.body,
  }));
  const key = `dead-letter/date=${now.toISOString().slice(0, 10)}/${now.getTime()}-${crypto.randomUUID()}.ndjson`;
  try {
    await bucket.put(key, toNdjson(lines), { httpMetadata: { contentType: 'application/x-ndjson' } });
    batch.ackAll();
  } catch (error) {
    console.error('pathmark: dead-letter archive failed, retrying', error);
    for (const message of batch.messages) message.retry({ delaySeconds: retryDelaySeconds(message.attempts, retryBaseSeconds) });
  }
}
