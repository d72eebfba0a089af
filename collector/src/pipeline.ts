import { isbot } from 'isbot';
import type { BatchResponse, ErrorResponse } from '../../sdk/src/protocol.ts';
import { anonymizeEvent, newBatchCache, visitorHash, type CollectorKeys, type RequestContext } from './anonymize.ts';
import { enforce, type SitePolicy } from './policy.ts';
import type { ForwardedRecord, QueueMessageBody } from './record.ts';
import { reduceUserAgent } from './user-agent.ts';
import { validateBatch } from './validate.ts';

/**
 * parse → validate → enforce → anonymize → serialize, with no bindings: the whole
 * per-batch work of POST /v1/events, callable from the benchmark and from tests.
 */

/** Largest queue message we produce; Cloudflare Queues accept 128 KB. */
export const MAX_MESSAGE_BYTES = 120 * 1024;

export interface PipelineResult {
  status: number;
  body: BatchResponse | ErrorResponse;
  records: ForwardedRecord[];
  /** What to enqueue: one message per batch (split only if it would exceed MAX_MESSAGE_BYTES). */
  messages: QueueMessageBody[];
  /** Serialized `messages`, ready for the queue. */
  serialized: string[];
  /** Consent claimed by the client and the one applied (null when the batch did not parse). */
  consent: { claimed: string; effective: string } | null;
}

export interface PipelineOptions {
  batchId?: string;
  /** The daily visitor hash, when the caller already computed it (the route does, to rate-limit). */
  dailyVisitor?: string;
}

export type ParsedBody = { ok: true; value: unknown } | { ok: false; error: ErrorResponse };

/** JSON.parse that reports instead of throwing. */
export function parseBody(rawBody: string): ParsedBody {
  try {
    return { ok: true, value: JSON.parse(rawBody) };
  } catch (error) {
    return { ok: false, error: { error: 'malformed_json', detail: `body: ${(error as Error).message}` } };
  }
}

export function processBatch(
  rawBody: string,
  request: RequestContext,
  policy: SitePolicy,
  keys: CollectorKeys,
  options: PipelineOptions = {},
): PipelineResult {
  const parsed = parseBody(rawBody);
  if (!parsed.ok) return failure(400, parsed.error);
  return processParsed(parsed.value, request, policy, keys, options);
}

/** The pipeline after JSON parsing (the route parses first to find the site). */
export function processParsed(
  value: unknown,
  request: RequestContext,
  policy: SitePolicy,
  keys: CollectorKeys,
  options: PipelineOptions = {},
): PipelineResult {
  const validation = validateBatch(value, { receivedAt: request.receivedAt });
  if (!validation.ok) return failure(400, { error: validation.error, detail: validation.detail });
  const batch = validation.batch;
  if (batch.site !== policy.site) return failure(403, { error: 'unknown_site', detail: `site: "${batch.site}" is not configured` });

  if (batch.events.length === 0) {
    return failure(400, { error: 'invalid_events', detail: batch.rejected[0]?.reason ?? 'events: none valid' });
  }

  const enforced = enforce(policy, batch, request.signals);
  const consent = { claimed: batch.consent, effective: enforced.consent };
  const bot = isbot(request.userAgent);
  const forwarded = bot ? [] : enforced.events;
  const botRejections = bot ? enforced.events.map(({ index }) => ({ index, reason: 'user-agent: automated traffic is not collected' })) : [];
  const rejected = [...batch.rejected, ...enforced.dropped, ...botRejections].sort((a, b) => a.index - b.index);
  // enforce() forwards nothing in `denied`/`pending`; the mode check narrows the type.
  if (forwarded.length === 0 || (enforced.consent !== 'anonymous' && enforced.consent !== 'granted')) {
    return { status: 202, body: { accepted: 0, rejected }, records: [], messages: [], serialized: [], consent };
  }

  const batchId = options.batchId ?? crypto.randomUUID();
  // Granted batches whose events all carry an anonymous id never need the daily hash.
  let dailyVisitorHash = options.dailyVisitor;
  const dailyVisitor = () => (dailyVisitorHash ??= visitorHash(policy.site, request, keys.salt));
  const ua = reduceUserAgent(request.userAgent);
  const sendable = enforced.consent;
  const cache = newBatchCache(policy);
  const records = forwarded.map(({ event, removed }) =>
    anonymizeEvent({
      site: policy.site,
      batchId,
      sdk: batch.sdk,
      sentAt: batch.sent_at,
      consent: sendable,
      event,
      removed,
      policy,
      context: request,
      keys,
      dailyVisitor,
      cache,
      ua,
    }),
  );
  const { messages, serialized } = toMessages(records, batchId, policy.site, request.receivedAt);
  return { status: 202, body: { accepted: records.length, rejected }, records, messages, serialized, consent };
}

/** Groups records into as few queue messages as fit under MAX_MESSAGE_BYTES (one, for any SDK batch). */
export function toMessages(
  records: ForwardedRecord[],
  batchId: string,
  site: string,
  receivedAt: number,
): { messages: QueueMessageBody[]; serialized: string[] } {
  const messages: QueueMessageBody[] = [];
  const serialized: string[] = [];
  const emit = (chunk: ForwardedRecord[]) => {
    const message: QueueMessageBody = { v: 1, batch_id: batchId, site, received_at: receivedAt, records: chunk };
    const json = JSON.stringify(message);
    if (!fitsInMessage(json) && chunk.length > 1) {
      const half = Math.ceil(chunk.length / 2);
      emit(chunk.slice(0, half));
      emit(chunk.slice(half));
      return;
    }
    messages.push(message);
    serialized.push(json);
  };
  if (records.length > 0) emit(records);
  return { messages, serialized };
}

/** Whether `text` fits a message; n UTF-16 units take at most 3n bytes, so short ones skip the encoding. */
const fitsInMessage = (text: string): boolean =>
  text.length * 3 <= MAX_MESSAGE_BYTES || new TextEncoder().encode(text).byteLength <= MAX_MESSAGE_BYTES;

function failure(status: number, body: ErrorResponse): PipelineResult {
  return { status, body, records: [], messages: [], serialized: [], consent: null };
}
