import type { RequestContext } from './core/anonymize.ts';
import type { PrivacySignals } from './core/policy.ts';

/**
 * What the core needs to know about a request, read from the request itself (headers and
 * `request.cf`) and never from the batch. The only place that reads them: the core takes
 * the plain values.
 */

/** `Sec-GPC: 1` (Global Privacy Control) and `DNT: 1`. */
export function privacySignals(headers: Headers): PrivacySignals {
  return { gpc: headers.get('Sec-GPC')?.trim() === '1', dnt: headers.get('DNT')?.trim() === '1' };
}

/** Country (ISO 3166-1) and region code (the ISO 3166-2 part after the country) from Cloudflare's `request.cf`. */
export function visitorLocation(request: Request): { country: string | null; region: string | null } {
  const cf = (request as Request<unknown, IncomingRequestCfProperties>).cf;
  return {
    country: typeof cf?.country === 'string' ? cf.country : null,
    region: typeof cf?.regionCode === 'string' ? cf.regionCode : null,
  };
}

export function requestContext(request: Request, receivedAt: number): RequestContext {
  return {
    receivedAt,
    ip: request.headers.get('CF-Connecting-IP'),
    userAgent: request.headers.get('User-Agent') ?? '',
    ...visitorLocation(request),
    signals: privacySignals(request.headers),
  };
}
