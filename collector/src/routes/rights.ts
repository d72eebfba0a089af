import { Hono, type Context } from 'hono';
import { RIGHTS_PATH, type AccessResponse, type ErasureReceipt } from '#protocol';
import { adminAuth } from '../admin-auth.ts';
import { pseudonymOf, visitorHash } from '../core/anonymize.ts';
import type { SitePolicy } from '../core/policy.ts';
import { RATE_LIMIT_PERIOD_SECONDS, rightsRateLimitKey } from '../core/rate-limit.ts';
import { accessAnswer, nothingKept, nothingLinkable } from '../core/rights/access.ts';
import { initialSteps, receiptOf } from '../core/rights/erasure.ts';
import { isUuid, MAX_RIGHTS_BODY_BYTES, parseRightsRequest } from '../core/rights/request.ts';
import { siteCors } from '../cors.ts';
import type { AppEnv, CollectorDeps } from '../deps.ts';
import { ClientError, isBatchContentType, readBodyText } from '../http.ts';
import { requestContext } from '../request-context.ts';
import { advanceErasure, eraseFromArchive, webhookConfigured } from '../rights-archive-eraser.ts';
import { eraseVisitor, storedRecords, tombstoneByReceipt, tombstoneOf } from '../rights-store.ts';

/**
 * Visitor rights (docs/rights.md). The visitor's own browser asks with its anonymous id in the body:
 * - POST /v1/rights/:site/access `{ anonymous_id }` → 200 AccessResponse;
 * - POST /v1/rights/:site/erase `{ anonymous_id }` → 202 ErasureReceipt;
 * - GET /v1/rights/:site/receipts/:receipt_id → 200 ErasureReceipt.
 * The same two POSTs for an operator handling an e-mailed request (`npm run rights`), behind ADMIN_TOKEN and without
 * the origin check and rate limit: POST /v1/admin/rights/:site/access and /erase; POST /v1/admin/rights/archive runs
 * the cron's archive step now.
 */

type RightsContext = Context<AppEnv>;
type Kind = 'access' | 'erase';

const NO_STORE = { 'Cache-Control': 'no-store' };

function sitePolicy(deps: CollectorDeps, site: string): SitePolicy {
  const policy = deps.policies.get(site);
  if (!policy) throw new ClientError(404, 'unknown_site', `site: "${site.slice(0, 64)}" is not configured`);
  return policy;
}

async function requestedId(c: RightsContext): Promise<string> {
  if (!isBatchContentType(c.req.header('Content-Type'))) {
    throw new ClientError(415, 'unsupported_media_type', 'Content-Type: expected text/plain or application/json');
  }
  const text = await readBodyText(c.req.raw, MAX_RIGHTS_BODY_BYTES);
  const parsed = parseRightsRequest(text);
  if (!parsed.ok) throw new ClientError(400, 'invalid_request', parsed.detail);
  return parsed.anonymousId;
}

async function access(c: RightsContext, deps: CollectorDeps, policy: SitePolicy, anonymousId: string): Promise<AccessResponse> {
  const key = deps.pseudonymKeys.get(c.env, policy.site, c.req.url);
  const reason = nothingLinkable(policy, key !== null);
  if (reason !== null || key === null) return nothingKept(policy.site, reason ?? '');
  const visitorId = pseudonymOf(policy.site, anonymousId, key);
  const [stored, tombstone] = await Promise.all([
    storedRecords(c.env.DB, policy.site, visitorId),
    tombstoneOf(c.env.DB, policy.site, visitorId),
  ]);
  return accessAnswer(policy, stored, tombstone && receiptOf(tombstone));
}

async function erase(c: RightsContext, deps: CollectorDeps, policy: SitePolicy, anonymousId: string): Promise<ErasureReceipt> {
  const key = deps.pseudonymKeys.get(c.env, policy.site, c.req.url);
  const visitorId = key ? pseudonymOf(policy.site, anonymousId, key) : null;
  const requestedAt = deps.now();
  const row = await eraseVisitor(c.env.DB, {
    site: policy.site,
    visitorId,
    anonymousId,
    receiptId: crypto.randomUUID(),
    requestedAt,
    steps: initialSteps({ linkable: visitorId !== null, webhook: webhookConfigured(c.env) }),
  });
  const receipt = receiptOf(row);
  if (receipt.steps.webhook === 'pending') {
    // Tried at once; the hourly cron retries it while the receiver refuses.
    c.executionCtx.waitUntil(
      advanceErasure(c.env, row, deps.now(), { archive: false }).catch((error: unknown) =>
        console.warn('pathmark: erasure notice failed, retried by the cron', error),
      ),
    );
  }
  return receipt;
}

const answer = async (c: RightsContext, deps: CollectorDeps, kind: Kind, policy: SitePolicy, anonymousId: string) =>
  kind === 'access'
    ? c.json(await access(c, deps, policy, anonymousId), 200, NO_STORE)
    : c.json(await erase(c, deps, policy, anonymousId), 202, NO_STORE);

export function rightsRoute(deps: CollectorDeps): Hono<AppEnv> {
  const app = new Hono<AppEnv>();
  app.use(
    `${RIGHTS_PATH}/:site/*`,
    siteCors<AppEnv>({
      allowedOrigins: (c) => deps.origins.of(deps.policies.get(c.req.param('site') ?? ''), c.env),
      methods: ['POST', 'GET'],
    }),
  );

  for (const kind of ['access', 'erase'] as const) {
    app.post(`${RIGHTS_PATH}/:site/${kind}`, async (c) => {
      const site = c.req.param('site');
      const policy = sitePolicy(deps, site);
      const origin = c.req.header('Origin');
      if (!origin || !deps.origins.of(policy, c.env).has(origin)) {
        throw new ClientError(
          403,
          'origin_not_allowed',
          `Origin: ${origin?.slice(0, 200) ?? '(none)'} may not ask site "${site}"`,
        );
      }
      // Limited before the body is read, so a flood of malformed requests costs its sender as much as valid ones.
      const context = requestContext(c.req.raw, deps.now());
      const salt = await deps.salts.today(c.env.DB, context.receivedAt);
      const { success } = await c.env.RATE_LIMITER.limit({ key: rightsRateLimitKey(site, visitorHash(site, context, salt)) });
      if (!success) {
        throw new ClientError(429, 'rate_limited', `site "${site}": too many rights requests from this address and browser`, {
          'Retry-After': String(RATE_LIMIT_PERIOD_SECONDS),
        });
      }
      return answer(c, deps, kind, policy, await requestedId(c));
    });
    app.all(`${RIGHTS_PATH}/:site/${kind}`, () => {
      throw new ClientError(405, 'method_not_allowed', 'method: use POST', { Allow: 'POST, OPTIONS' });
    });
  }

  app.get(`${RIGHTS_PATH}/:site/receipts/:receipt`, async (c) => {
    const policy = sitePolicy(deps, c.req.param('site'));
    const id = c.req.param('receipt');
    if (!isUuid(id)) throw new ClientError(400, 'invalid_request', 'receipt_id: expected a UUID');
    const row = await tombstoneByReceipt(c.env.DB, policy.site, id.toLowerCase());
    if (!row) throw new ClientError(404, 'not_found', `receipt_id: no erasure receipt ${id} for site "${policy.site}"`);
    return c.json(receiptOf(row), 200, NO_STORE);
  });

  // Operator routes (npm run rights): the id an e-mailed request gives, without the browser's origin.
  app.use('/v1/admin/rights/*', adminAuth<AppEnv>({ token: (c) => c.env.ADMIN_TOKEN }));
  for (const kind of ['access', 'erase'] as const) {
    app.post(`/v1/admin/rights/:site/${kind}`, async (c) => {
      const policy = sitePolicy(deps, c.req.param('site'));
      return answer(c, deps, kind, policy, await requestedId(c));
    });
  }
  // The cron's archive step now, for an operator who wants to tell the visitor it is done (and for wrangler dev,
  // where /cdn-cgi/handler/scheduled cannot reach a Worker that serves static assets).
  app.post('/v1/admin/rights/archive', async (c) =>
    c.json({ advanced: await eraseFromArchive(c.env, deps.now()) }, 200, NO_STORE),
  );
  return app;
}
