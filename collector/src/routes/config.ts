import { Hono } from 'hono';
import { CONFIG_PATH, type SiteConfigResponse } from '#protocol';
import { siteCors } from '../cors.ts';
import type { AppEnv, CollectorDeps } from '../deps.ts';
import { ClientError } from '../http.ts';
import { siteConfigFor } from '../core/policy.ts';
import { privacySignals, visitorLocation } from '../request-context.ts';

/**
 * Where the visitor is, for the SDK to match Google Consent Mode `region` lists: the country and, when Cloudflare
 * knows it, the ISO 3166-2 subdivision (`US-CA`). Nothing for an unknown country (`XX`, Tor's `T1`, none): the SDK
 * then fails closed.
 */
function visitorRegions(country: string | null, regionCode: string | null): Pick<SiteConfigResponse, 'regions'> {
  const code = country?.toUpperCase() ?? '';
  if (!/^[A-Z]{2}$/.test(code) || code === 'XX' || code === 'T1') return {};
  return {
    regions: regionCode !== null && /^[A-Z0-9]{1,3}$/i.test(regionCode) ? [code, `${code}-${regionCode.toUpperCase()}`] : [code],
  };
}

const ROUTE = `${CONFIG_PATH}/:site` as const;

/** GET /v1/config/:site: the site's effective policy for this visitor (country and region from request.cf). */
export function configRoute(deps: CollectorDeps): Hono<AppEnv> {
  const app = new Hono<AppEnv>();
  app.use(
    ROUTE,
    siteCors<AppEnv>({
      allowedOrigins: (c) => deps.origins.of(deps.policies.get(c.req.param('site') ?? ''), c.env),
      methods: ['GET'],
    }),
  );
  app.get(ROUTE, (c) => {
    const site = c.req.param('site');
    const policy = deps.policies.get(site);
    if (!policy) throw new ClientError(403, 'unknown_site', `site: "${site.slice(0, 64)}" is not configured`);
    const { country, region } = visitorLocation(c.req.raw);
    const body: SiteConfigResponse = {
      ...siteConfigFor(policy, country, privacySignals(c.req.raw.headers)),
      ...visitorRegions(country, region),
    };
    // Varies by visitor (country, GPC): private, short-lived.
    return c.json(body, 200, { 'Cache-Control': 'private, max-age=300', Vary: 'Sec-GPC, DNT' });
  });
  app.all(ROUTE, () => {
    throw new ClientError(405, 'method_not_allowed', 'method: use GET', { Allow: 'GET, OPTIONS' });
  });
  return app;
}
