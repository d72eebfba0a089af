import { isbot } from 'isbot';
import type { BatchResponse, ConsentMode } from '#protocol';
import { anonymizeEvent, newBatchAnonymizer, type CollectorKeys, type PipelineMemos, type RequestContext } from './anonymize.ts';
import { enforce, type SitePolicy } from './policy.ts';
import { toMessages } from './queue-message.ts';
import type { ForwardedRecord, QueueMessageBody } from './record.ts';
import { reduceUserAgent } from './user-agent.ts';
import type { Validator } from './validate.ts';

/**
 * parse → validate → enforce → anonymize → serialize, with no bindings and no HTTP: the
 * whole per-batch work of POST /v1/events, callable from the benchmark and from tests. It
 * answers with what was accepted or with a fault; routes/events.ts turns faults into
 * HTTP answers.
 */

/** Why a batch is refused as a whole. */
export type BatchFaultCode = 'malformed_json' | 'invalid_batch' | 'invalid_events' | 'unknown_site';

export interface BatchFault {
  ok: false;
  fault: BatchFaultCode;
  /** Names the field, e.g. `events[3].props.items[0].price: …`. */
  detail: string;
}

export interface BatchAccepted {
  ok: true;
  batchId: string;
  /** What the client is told: the events accepted, and each one rejected with its reason. */
  response: BatchResponse;
  records: ForwardedRecord[];
  /** Index in the batch of each record's event, for rejections made after the pipeline (an erased visitor). */
  indexes: number[];
  /** The records as the sinks will read them: one message per batch (split only if it would exceed MAX_MESSAGE_BYTES). */
  messages: QueueMessageBody[];
  /** `messages` as they are queued: packed (queue-message.ts), ready for the queue. */
  serialized: string[];
  /** Consent claimed by the client and the one applied. */
  consent: { claimed: ConsentMode; effective: ConsentMode };
}

export type BatchOutcome = BatchAccepted | BatchFault;

export interface PipelineOptions {
  /** The daily visitor hash, when the caller already computed it (the route does, to rate-limit). */
  dailyVisitor?: string;
}

/** What the pipeline needs that is not a pure function of its input. */
export interface PipelineDeps {
  validator: Validator;
  /** What the pipeline remembers from batch to batch (`createPipelineMemos()`, one per isolate). */
  memos: PipelineMemos;
  /** A fresh id for each batch (the Worker passes `crypto.randomUUID`). */
  newBatchId: () => string;
}

export interface Pipeline {
  processBatch(
    rawBody: string,
    request: RequestContext,
    policy: SitePolicy,
    keys: CollectorKeys,
    options?: PipelineOptions,
  ): BatchOutcome;
  /** The pipeline after JSON parsing (the route parses first to find the site). */
  processParsed(
    value: unknown,
    request: RequestContext,
    policy: SitePolicy,
    keys: CollectorKeys,
    options?: PipelineOptions,
  ): BatchOutcome;
}

const fault = (code: BatchFaultCode, detail: string): BatchFault => ({ ok: false, fault: code, detail });

/** JSON.parse that reports instead of throwing. */
export function parseBody(rawBody: string): { ok: true; value: unknown } | BatchFault {
  try {
    return { ok: true, value: JSON.parse(rawBody) };
  } catch (error) {
    return fault('malformed_json', `body: ${(error as Error).message}`);
  }
}

/** The site a parsed batch names, before validation (to find its policy). */
export function batchSite(value: unknown): { ok: true; site: string } | BatchFault {
  const site = (value as { site?: unknown } | null)?.site;
  return typeof site === 'string' ? { ok: true, site } : fault('invalid_batch', 'site: expected a site key');
}

export const unknownSite = (site: string): BatchFault => fault('unknown_site', `site: "${site.slice(0, 64)}" is not configured`);

export function createPipeline({ validator, memos, newBatchId }: PipelineDeps): Pipeline {
  function processParsed(
    value: unknown,
    request: RequestContext,
    policy: SitePolicy,
    keys: CollectorKeys,
    options: PipelineOptions = {},
  ): BatchOutcome {
    const validation = validator.validateBatch(value, { receivedAt: request.receivedAt });
    if (!validation.ok) return fault(validation.error, validation.detail);
    const batch = validation.batch;
    if (batch.site !== policy.site) return unknownSite(batch.site);

    if (batch.events.length === 0) return fault('invalid_events', batch.rejected[0]?.reason ?? 'events: none valid');

    const enforced = enforce(policy, batch, request.signals);
    const consent = { claimed: batch.consent, effective: enforced.consent };
    const bot = isbot(request.userAgent);
    const forwarded = bot ? [] : enforced.events;
    const botRejections = bot
      ? enforced.events.map(({ index }) => ({ index, reason: 'user-agent: automated traffic is not collected' }))
      : [];
    const rejected = [...batch.rejected, ...enforced.dropped, ...botRejections].sort((a, b) => a.index - b.index);
    const batchId = newBatchId();
    // enforce() forwards nothing in `denied`/`pending`; the mode check narrows the type.
    if (forwarded.length === 0 || (enforced.consent !== 'anonymous' && enforced.consent !== 'granted')) {
      return {
        ok: true,
        batchId,
        response: { accepted: 0, rejected },
        records: [],
        indexes: [],
        messages: [],
        serialized: [],
        consent,
      };
    }

    // Granted batches whose events all carry an anonymous id never need the daily hash.
    const anonymizer = newBatchAnonymizer(
      {
        site: policy.site,
        batchId,
        sdk: batch.sdk,
        sentAt: batch.sent_at,
        consent: enforced.consent,
        policy,
        context: request,
        keys,
        dailyVisitor: options.dailyVisitor,
        ua: reduceUserAgent(request.userAgent),
      },
      memos,
    );
    const records: ForwardedRecord[] = [];
    for (const { event, removed } of forwarded) records.push(anonymizeEvent(anonymizer, event, removed));
    const { messages, serialized } = toMessages(records, batchId, policy.site, request.receivedAt);
    const indexes = forwarded.map(({ index }) => index);
    return {
      ok: true,
      batchId,
      response: { accepted: records.length, rejected },
      records,
      indexes,
      messages,
      serialized,
      consent,
    };
  }

  return {
    processParsed,
    processBatch(rawBody, request, policy, keys, options) {
      const parsed = parseBody(rawBody);
      return parsed.ok ? processParsed(parsed.value, request, policy, keys, options) : parsed;
    },
  };
}
