/**
 * The per-visitor rate limit, as a site sets it (`rate_limit.batches_per_10s` in
 * sites.json). A visitor here is what the collector can tell apart without identifiers:
 * site + IP address + user agent (the daily visitor hash), which a whole office behind
 * one NAT with the same browser shares. Workers' rate limiter has one fixed limit per
 * binding (100 per 10 s in wrangler.toml), so a site's limit is spread over
 * ceil(limit / 100) keys, and each batch counts against the key its page view falls on:
 * shoppers on different pages spread over the keys, while one address can never send
 * more than the site's limit, whatever page ids it makes up.
 */

/** Batches per 10 s that one limiter key allows: `simple.limit` of RATE_LIMITER in wrangler.toml. */
export const RATE_LIMIT_UNIT = 100;
/** Enough for about 100 active shoppers behind one address (docs/collector.md, "Rate limit"). */
export const DEFAULT_BATCHES_PER_10S = 1000;
/** Retry-After of a 429: the limiter's period. */
export const RATE_LIMIT_PERIOD_SECONDS = 10;

/** FNV-1a: cheap and stable; the spread needs no secrecy (choosing page ids only narrows a sender to fewer keys). */
function fnv1a(text: string): number {
  let hash = 0x811c9dc5;
  for (let i = 0; i < text.length; i++) {
    hash ^= text.charCodeAt(i);
    hash = Math.imul(hash, 0x01000193);
  }
  return hash >>> 0;
}

/** The page view a raw batch starts with (its first event's `page_id`), before validation. */
export function firstPageId(batch: unknown): string {
  const events = (batch as { events?: unknown } | null)?.events;
  const pageId = Array.isArray(events) ? (events[0] as { page_id?: unknown } | null)?.page_id : undefined;
  return typeof pageId === 'string' ? pageId.slice(0, 64) : '';
}

/** The limiter key a batch counts against: `<site>:<visitor>:<unit>`. */
export function rateLimitKey(site: string, visitor: string, pageId: string, batchesPer10s = DEFAULT_BATCHES_PER_10S): string {
  const units = Math.max(1, Math.ceil(batchesPer10s / RATE_LIMIT_UNIT));
  return `${site}:${visitor}:${fnv1a(pageId) % units}`;
}

/**
 * The limiter key of a visitor-rights request (routes/rights.ts): its own prefix, so asking what is kept about you
 * never eats into the budget of your events, and the other way round. One key per address and browser, so the
 * limiter's unit (RATE_LIMIT_UNIT per 10 s) is the most anyone behind one address can ask.
 */
export const rightsRateLimitKey = (site: string, visitor: string): string => `rights:${site}:${visitor}`;
