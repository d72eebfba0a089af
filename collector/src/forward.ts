import { deadLetterOf, encodeDeadLetter, textOf, type DeadLetter } from './dead-letters.ts';
import { bodyBytes, sendAll } from './queue-send.ts';
import { decodeMessage, readQueueMessage, type QueueMessage } from './core/queue-message.ts';
import type { QueueMessageBody } from './core/record.ts';
import { MAX_ATTEMPTS, errorText, retryDelaySeconds } from './retry.ts';
import type { SinkTarget } from './sinks/configured.ts';
import type { Sink, SinkName } from './sinks/sink.ts';

/**
 * Delivery, one queue per sink. The events queue's consumer only copies each message to
 * the queue of every sink (`fanOut`); each sink queue's consumer writes to its one sink
 * (`deliverToSink`), acks what it took and retries the rest on its own backoff. A sink
 * that is down therefore delays no other and costs the others no copy: its messages wait
 * in its own queue and, after MAX_ATTEMPTS, are dead-lettered with the sink's name, the
 * attempts made and the last error.
 */

export interface ForwardOptions {
  /** Undefined only in a broken deployment (reported by /healthz): letters then stay in their queue. */
  deadLetters: Queue<string> | undefined;
  retryBaseSeconds: number;
}

interface PendingLetter {
  message: Message<unknown>;
  letter: DeadLetter;
}

/** Sends the letters; resolves with the messages whose letters the dead-letter queue did not take. */
async function sendLetters(queue: Queue<string> | undefined, pending: readonly PendingLetter[]): Promise<Set<Message<unknown>>> {
  const refused = new Set<Message<unknown>>();
  if (pending.length === 0) return refused;
  const errors = queue
    ? await sendAll(
        queue,
        pending.map(({ letter }) => encodeDeadLetter(letter)),
      )
    : new Map(pending.map((_, index) => [index, new Error('DEAD_LETTER_QUEUE binding is missing')]));
  for (const index of errors.keys()) refused.add(pending[index]!.message);
  if (errors.size > 0) {
    console.error(
      `pathmark: dead-letter queue refused ${errors.size} letters, their messages are retried: ${errorText([...errors.values()][0])}`,
    );
  }
  return refused;
}

const retryLater = (message: Message<unknown>, retryBaseSeconds: number) =>
  message.retry({ delaySeconds: retryDelaySeconds(message.attempts, retryBaseSeconds) });

function contentOf(text: string): QueueMessage | string {
  try {
    return readQueueMessage(text);
  } catch {
    return text;
  }
}

/**
 * Events-queue consumer: each message to the queue of every sink. A message is acked once
 * every sink's queue holds it. A sink that cannot work (sinks/configured.ts) gets its
 * messages as dead letters at once, since no retry can fix a configuration; they are
 * replayed once it is fixed. If a queue refuses, the message is retried, and the queues
 * that took it the first time get it again: R2 and D1 keep one copy, the webhook's
 * receiver dedupes on event_id.
 */
export async function fanOut(
  batch: MessageBatch<unknown>,
  targets: readonly SinkTarget[],
  options: ForwardOptions,
): Promise<void> {
  const { messages } = batch;
  const bodies = messages.map((message) => textOf(message.body));
  const sizes = bodies.map(bodyBytes);
  const refusedBy = messages.map(() => new Map<SinkName, string>());

  await Promise.all(
    targets.map(async (target) => {
      if (target.problem || !target.queue) return;
      for (const [index, error] of await sendAll(target.queue, bodies, sizes)) {
        refusedBy[index]!.set(target.name, `${target.name} sink queue refused the message: ${errorText(error)}`);
      }
    }),
  );

  const pending: PendingLetter[] = [];
  const broken = targets.filter((target) => target.problem);
  if (broken.length > 0) {
    console.error(
      `pathmark: ${broken.map((target) => `${target.name} sink: ${target.problem}`).join('; ')}. ` +
        `${messages.length} messages dead-lettered for it; replay them once it is fixed (docs/collector.md).`,
    );
  }
  messages.forEach((message, index) => {
    const exhausted = message.attempts >= MAX_ATTEMPTS;
    const letterFor = (sink: SinkName, attempts: number, error: string) =>
      pending.push({
        message,
        letter: deadLetterOf(message, { queue: batch.queue, sink, attempts, error }, contentOf(bodies[index]!)),
      });
    for (const target of broken) letterFor(target.name, 0, `not delivered: ${target.problem}`);
    if (exhausted) for (const [sink, error] of refusedBy[index]!) letterFor(sink, message.attempts, error);
  });
  const unlettered = await sendLetters(options.deadLetters, pending);

  messages.forEach((message, index) => {
    const settled = refusedBy[index]!.size === 0 || message.attempts >= MAX_ATTEMPTS;
    if (settled && !unlettered.has(message)) message.ack();
    else retryLater(message, options.retryBaseSeconds);
  });
}

/**
 * Sink-queue consumer: the batch into its one sink. All acked when the sink took them;
 * otherwise each is retried on its own backoff, or dead-lettered once it has had
 * MAX_ATTEMPTS. A message that cannot be read is dead-lettered at once.
 */
export async function deliverToSink(batch: MessageBatch<unknown>, sink: Sink, options: ForwardOptions): Promise<void> {
  const from = (message: Message<unknown>, error: unknown) => ({
    queue: batch.queue,
    sink: sink.name,
    attempts: message.attempts,
    error,
  });
  // `queued` is what a dead letter keeps (the message as it was queued); `content` what the sink is given.
  const readable: { message: Message<unknown>; queued: QueueMessage; content: QueueMessageBody }[] = [];
  const pending: PendingLetter[] = [];
  for (const message of batch.messages) {
    try {
      const queued = readQueueMessage(message.body);
      readable.push({ message, queued, content: decodeMessage(queued) });
    } catch (error) {
      pending.push({
        message,
        letter: deadLetterOf(message, from(message, `unreadable: ${errorText(error)}`), textOf(message.body)),
      });
    }
  }

  let failure: { error: unknown } | null = null;
  if (readable.length > 0) {
    try {
      await sink.write(readable.map(({ content }) => content));
    } catch (error) {
      failure = { error };
    }
  }
  let retried = 0;
  let exhausted = 0;
  for (const { message, queued } of readable) {
    if (!failure) message.ack();
    else if (message.attempts >= MAX_ATTEMPTS) {
      pending.push({ message, letter: deadLetterOf(message, from(message, failure.error), queued) });
      exhausted++;
    } else {
      retryLater(message, options.retryBaseSeconds);
      retried++;
    }
  }
  if (failure) {
    console.warn(
      `pathmark: ${sink.name} sink failed (${errorText(failure.error)}): ${retried} messages retried, ` +
        `${exhausted} dead-lettered after ${MAX_ATTEMPTS} attempts`,
    );
  }

  const unlettered = await sendLetters(options.deadLetters, pending);
  for (const { message } of pending) {
    if (unlettered.has(message)) retryLater(message, options.retryBaseSeconds);
    else message.ack();
  }
}
