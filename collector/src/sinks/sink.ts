import type { QueueMessageBody } from '../core/record.ts';

export const SINK_NAMES = ['r2', 'd1', 'webhook'] as const;
export type SinkName = (typeof SINK_NAMES)[number];

export const isSinkName = (value: unknown): value is SinkName => SINK_NAMES.includes(value as SinkName);

/**
 * A destination for forwarded records. `write` resolves once every message is durable
 * there, or throws. It must be safe to call again with messages it already holds: a
 * retried or replayed message is normal, and must not become a second copy where the
 * sink can prevent it (R2 keys, D1 primary key); the webhook's receiver dedupes on event_id.
 */
export interface Sink {
  name: SinkName;
  write(messages: readonly QueueMessageBody[]): Promise<void>;
}

export const recordsOf = (messages: readonly QueueMessageBody[]) => messages.flatMap((message) => message.records);
