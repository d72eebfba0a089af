import { Hono } from 'hono';
import type { ContentfulStatusCode } from 'hono/utils/http-status';
import { EVENTS_PATH, MAX_BODY_BYTES, type ErrorResponse } from '#protocol';
import { visitorHash } from '../core/anonymize.ts';
import { siteCors } from '../cors.ts';
import type { AppEnv, CollectorDeps } from '../deps.ts';
import { ClientError, isBatchContentType, readBodyText } from '../http.ts';
import { inspectorEnabled } from '../loopback.ts';
import { saveInspectBatch } from '../inspect-store.ts';
import { batchSite, parseBody, unknownSite, type BatchFault, type BatchFaultCode } from '../core/pipeline.ts';
import { RATE_LIMIT_PERIOD_SECONDS, firstPageId, rateLimitKey } from '../core/rate-limit.ts';
import { dropErased, grantedVisitors } from '../core/rights/erasure.ts';
import { requestContext } from '../request-context.ts';
import { erasedAmong } from '../rights-store.ts';

/** Seconds a client waits before resending after the queue refused a batch. */
const QUEUE_RETRY_AFTER = '5';

/** The one place a refused batch becomes an HTTP answer: the fault is the error code, a client fault always a 4xx. */
const FAULT_STATUS = {
  malformed_json: 400,
  invalid_batch: 400,
  invalid_events: 400,
  unknown_site: 403,
} as const satisfies Record<BatchFaultCode, ContentfulStatusCode>;

const refuse = ({ fault, detail }: BatchFault): ClientError => new ClientError(FAULT_STATUS[fault], fault, detail);

/**
 * POST /v1/events: read (≤ 64 KB) → parse → site and origin → rate limit → pipeline →
 * queue → 202. Answers only once the queue holds the batch, so a 202 means "kept".
 */
export function eventsRoute(deps: CollectorDeps): Hono<AppEnv> {
  const app = new Hono<AppEnv>();
  app.use(EVENTS_PATH, siteCors<AppEnv>({ allowedOrigins: (c) => deps.origins.anySite(c.env), methods: ['POST'] }));

  app.post(EVENTS_PATH, async (c) => {
    if (!isBatchContentType(c.req.header('Content-Type'))) {
      throw new ClientError(415, 'unsupported_media_type', 'Content-Type: expected text/plain or application/json');
    }
    const receivedAt = deps.now();
    const parsed = parseBody(await readBodyText(c.req.raw, MAX_BODY_BYTES));
    if (!parsed.ok) throw refuse(parsed);
    const named = batchSite(parsed.value);
    if (!named.ok) throw refuse(named);
    const { site } = named;
    const policy = deps.policies.get(site);
    if (!policy) throw refuse(unknownSite(site));
    const origin = c.req.header('Origin');
    if (!origin || !deps.origins.of(policy, c.env).has(origin)) {
      throw new ClientError(
        403,
        'origin_not_allowed',
        `Origin: ${origin?.slice(0, 200) ?? '(none)'} may not send to site "${site}"`,
      );
    }

    const context = requestContext(c.req.raw, receivedAt);
    const salt = await deps.salts.today(c.env.DB, receivedAt);
    const visitor = visitorHash(site, context, salt);
    const key = rateLimitKey(site, visitor, firstPageId(parsed.value), policy.rate_limit?.batches_per_10s);
    const { success } = await c.env.RATE_LIMITER.limit({ key });
    if (!success) {
      throw new ClientError(429, 'rate_limited', `site "${site}": too many batches from this address and browser`, {
        'Retry-After': String(RATE_LIMIT_PERIOD_SECONDS),
      });
    }

    const pseudonym = deps.pseudonymKeys.get(c.env, site, c.req.url);
    const processed = deps.pipeline.processParsed(parsed.value, context, policy, { salt, pseudonym }, { dailyVisitor: visitor });
    if (!processed.ok) throw refuse(processed);
    // A visitor who asked for erasure (docs/rights.md): events still queued in their browser are refused, not stored.
    // One D1 read per batch that carries a pseudonym; anonymous batches never can.
    const visitors = grantedVisitors(processed.records);
    const erased = visitors.length > 0 ? await erasedAmong(c.env.DB, site, visitors) : new Set<string>();
    const result = erased.size > 0 ? dropErased(processed, site, receivedAt, erased) : processed;

    if (result.serialized.length > 0) {
      try {
        // Nearly always one message. A batch that grew past one message's limit is sent as
        // several (not sendBatch, whose 256 KB total such a batch could exceed); if one
        // fails the SDK resends the whole batch and the event ids collapse the duplicates.
        await Promise.all(result.serialized.map((body) => c.env.EVENTS_QUEUE.send(body, { contentType: 'text' })));
      } catch (error) {
        console.error('pathmark: queue refused a batch', error);
        return c.json<ErrorResponse>({ error: 'queue_unavailable', detail: 'queue: batch not accepted; retry later' }, 503, {
          'Retry-After': QUEUE_RETRY_AFTER,
        });
      }
    }

    // An erased visitor's raw batch (their id itself) is not kept for the inspector either.
    if (inspectorEnabled(c.env, c.req.url) && erased.size === 0) {
      c.executionCtx.waitUntil(
        saveInspectBatch(c.env.DB, {
          batch_id: result.batchId,
          site,
          received_at: receivedAt,
          claimed_consent: result.consent.claimed,
          effective_consent: result.consent.effective,
          accepted: result.response.accepted,
          rejected: result.response.rejected,
          raw: parsed.value,
        }).catch((error: unknown) => console.warn('pathmark: inspector write failed', error)),
      );
    }
    return c.json(result.response, 202);
  });

  app.all(EVENTS_PATH, () => {
    throw new ClientError(405, 'method_not_allowed', 'method: use POST', { Allow: 'POST, OPTIONS' });
  });
  return app;
}
