import type { AccessResponse, ErasureReceipt, JsonValue } from '#protocol';
import type { SitePolicy } from '../policy.ts';
import { RECORD_FIELDS } from './fields.ts';

/**
 * The answer to `POST /v1/rights/:site/access`. Possession of the anonymous id is the credential: an id the collector
 * holds nothing for gets exactly the answer of a visitor whose records are gone (no existence oracle).
 */

/** Records in one answer, newest first; `truncated` says when more exist. */
export const MAX_ACCESS_RECORDS = 1000;

/**
 * Why nothing can be kept under any visitor's pseudonym, or null when records may exist. Without a key the collector
 * drops identifiers (fail closed), so no record is linked to any browser.
 */
export function nothingLinkable(policy: SitePolicy, hasKey: boolean): string | null {
  if (!hasKey) {
    return `site "${policy.site}": no pseudonymization key is configured, so the collector drops every identifier: events are counted anonymously and nothing is linked to your browser.`;
  }
  return null;
}

/** Why a site whose policy keeps no identifiers today has nothing for this visitor. */
export const anonymousOnly = (policy: SitePolicy): string =>
  `site "${policy.site}": its policy keeps no identifiers (highest consent mode "${policy.max_consent}"): events are counted anonymously and nothing is linked to your browser.`;

export function nothingKept(site: string, reason: string, erasure: ErasureReceipt | null = null): AccessResponse {
  return { site, kept: 'nothing', reason, records: [], truncated: false, fields: RECORD_FIELDS, erasure };
}

/**
 * The records stored under the pseudonym (the `record` column, newest first, at most MAX_ACCESS_RECORDS + 1 read to
 * tell whether more exist). A site that keeps no identifiers today answers "nothing" when it holds none from before.
 */
export function accessAnswer(policy: SitePolicy, stored: readonly string[], erasure: ErasureReceipt | null): AccessResponse {
  if (stored.length === 0 && policy.max_consent !== 'granted') return nothingKept(policy.site, anonymousOnly(policy), erasure);
  return {
    site: policy.site,
    kept: 'records',
    records: stored.slice(0, MAX_ACCESS_RECORDS).map((text) => JSON.parse(text) as Record<string, JsonValue>),
    truncated: stored.length > MAX_ACCESS_RECORDS,
    fields: RECORD_FIELDS,
    erasure,
  };
}
