import type { JsonValue, Props, SendableConsentMode } from '../../sdk/src/protocol.ts';
import { hmacHex, type HmacKey } from './hmac.ts';
import { isCampaignParam, type PrivacySignals, type SitePolicy } from './policy.ts';
import type { ForwardedRecord, ReducedUserAgent } from './record.ts';
import { auditName, redactText, type Redacted } from './redact.ts';
import { cleanReferrer, cleanUrl, parseUrl, type CleanedUrl } from './urls.ts';
import type { ValidEvent } from './validate.ts';

/**
 * Turns one enforced event into a ForwardedRecord. Pure: everything it needs (request
 * facts, keys, policy) is passed in. The raw IP and user agent are read
 * here and nowhere else, and never copied into the record.
 */

/** What the collector knows about the request. Comes from the request alone, never from the batch. */
export interface RequestContext {
  /** Collector clock, epoch ms. */
  receivedAt: number;
  /** Connecting IP: input to the daily visitor hash, never forwarded. */
  ip: string | null;
  /** Raw User-Agent: reduced, hashed, never forwarded. */
  userAgent: string;
  /** ISO country from `request.cf.country`. */
  country: string | null;
  /** ISO 3166-2 region code from `request.cf.regionCode`. */
  region: string | null;
  signals: PrivacySignals;
}

export interface KeyRef {
  id: string;
  key: HmacKey;
}

export interface CollectorKeys {
  /** Today's random salt (HMAC key) for the anonymous visitor hash. */
  salt: KeyRef;
  /** The site's pseudonymization key; null when none is configured (identifiers are then dropped). */
  pseudonym: KeyRef | null;
}

/**
 * Daily visitor hash: HMAC(salt, site + IP + user agent). The salt changes every day and
 * is deleted after 48 h, so the same visitor cannot be linked across days, by anyone.
 */
export function visitorHash(site: string, context: Pick<RequestContext, 'ip' | 'userAgent'>, salt: KeyRef): string {
  return hmacHex(salt.key, `${site}\n${context.ip ?? ''}\n${context.userAgent}`, 16);
}

/** Property keys that claim what only the collector may derive; removed at any depth. */
const CLIENT_DERIVED_KEYS = new Set([
  'ip', 'ip_address', 'ipaddress', 'client_ip', 'remote_addr', 'user_agent', 'useragent', 'ua', 'geo', 'country',
  'region', 'city', 'lat', 'lon', 'lng', 'latitude', 'longitude', 'visitor_id', 'visitor_hash', 'fingerprint',
]);

interface Cleaned<T> {
  value: T;
  redactions: number;
  removed: string[];
}

/** Property keys removed from props: the client-derived ones and the policy's `redact_keys`, lower case. */
export function bannedPropertyKeys(redactKeys: readonly string[]): ReadonlySet<string> {
  return new Set([...CLIENT_DERIVED_KEYS, ...redactKeys.map((key) => key.toLowerCase())]);
}

/** Redacts every string (values and keys) and removes the banned keys at any depth. */
export function cleanProps(props: Props, banned: ReadonlySet<string>): Cleaned<Props> {
  let redactions = 0;
  const removed: string[] = [];
  const visit = (value: JsonValue, path: string): JsonValue => {
    if (typeof value === 'string') {
      const result = redactText(value);
      redactions += result.count;
      return result.text;
    }
    if (Array.isArray(value)) return value.map((item, i) => visit(item, `${path}[${i}]`));
    if (value === null || typeof value !== 'object') return value;
    const out: { [key: string]: JsonValue } = {};
    for (const [key, child] of Object.entries(value)) {
      const safeKey = redactText(key);
      if (safeKey.count > 0 || banned.has(key.toLowerCase())) {
        redactions += safeKey.count;
        removed.push(`${path}.${auditName(key)}`);
        continue;
      }
      out[key] = visit(child, `${path}.${key}`);
    }
    return out;
  };
  return { value: visit(props, 'props') as Props, redactions, removed };
}

/**
 * Per-batch memo: the events of one batch nearly always share one URL, one title, one
 * anonymous id and one session id, so each is cleaned or signed once, not once per event.
 */
export interface BatchCache {
  bannedKeys: ReadonlySet<string>;
  urls: Map<string, CleanedUrl | null>;
  titles: Map<string, Redacted>;
  pseudonyms: Map<string, string>;
}

export const newBatchCache = (policy: SitePolicy): BatchCache => ({
  bannedKeys: bannedPropertyKeys(policy.redact_keys),
  urls: new Map(),
  titles: new Map(),
  pseudonyms: new Map(),
});

function memo<K, V>(map: Map<K, V>, key: K, compute: () => V): V {
  if (map.has(key)) return map.get(key) as V;
  const value = compute();
  map.set(key, value);
  return value;
}

export interface AnonymizeInput {
  site: string;
  batchId: string;
  sdk: string;
  sentAt: number;
  consent: SendableConsentMode;
  event: ValidEvent;
  /** Fields already removed by enforcement. */
  removed: readonly string[];
  policy: SitePolicy;
  context: RequestContext;
  keys: CollectorKeys;
  /** `visitorHash(site, context, keys.salt)`, computed at most once per batch, only if an event needs it. */
  dailyVisitor: () => string;
  cache: BatchCache;
  ua: ReducedUserAgent;
}

/** Device clock corrected by the offset between the device and the collector at send time. */
export function correctedTimestamp(clientTs: number, sentAt: number, receivedAt: number): number {
  return Math.round(Math.min(receivedAt, receivedAt - (sentAt - clientTs)));
}

export function anonymizeEvent(input: AnonymizeInput): ForwardedRecord {
  const { event, policy, context, keys } = input;
  const keepParam = (name: string) => isCampaignParam(name) || policy.query_params.includes(name);
  const removed = [
    ...input.removed,
    ...event.unknownFields.map((field) => (field.startsWith('props.') ? `props.${auditName(field.slice(6))}` : auditName(field))),
  ];
  let redactions = 0;

  const { cache } = input;
  // Validation guarantees an http(s) URL, so cleanUrl only returns null on a broken invariant.
  const url = memo(cache.urls, event.url, () => cleanUrl(event.url, keepParam)) ?? {
    url: '',
    path: '',
    pathAndQuery: '',
    redactions: 0,
    removed: ['url'],
  };
  redactions += url.redactions;
  removed.push(...url.removed);

  let referrer: string | undefined;
  if (event.referrer) {
    const cleaned = cleanReferrer(event.referrer, event.url, keepParam);
    if (cleaned) {
      referrer = cleaned.url;
      redactions += cleaned.redactions;
      removed.push(...cleaned.removed);
    } else removed.push('referrer');
  }

  let title: string | undefined;
  if (event.title !== undefined) {
    const rawTitle = event.title;
    const cleaned = memo(cache.titles, rawTitle, () => redactText(rawTitle));
    title = cleaned.text;
    redactions += cleaned.count;
  }

  let rawProps = event.props;
  if (typeof rawProps.previous_path === 'string') {
    // A path with its query string: the same query allowlist as the page URL applies.
    const previous = parseUrl(rawProps.previous_path, event.url);
    const cleaned = previous && cleanUrl(previous.href, keepParam, 'props.previous_path');
    rawProps = { ...rawProps };
    if (cleaned) {
      rawProps.previous_path = cleaned.pathAndQuery;
      redactions += cleaned.redactions;
      removed.push(...cleaned.removed);
    } else {
      delete rawProps.previous_path;
      removed.push('props.previous_path');
    }
  }
  const props = cleanProps(rawProps, cache.bannedKeys);
  redactions += props.redactions;
  removed.push(...props.removed);

  let consent = input.consent;
  let visitorId: string | undefined;
  let sessionId: string | undefined;
  let keyId: string | null = null;
  if (consent === 'granted') {
    const pseudonym = keys.pseudonym;
    if (pseudonym) {
      keyId = pseudonym.id;
      const pseudonymize = (id: string): string =>
        memo(cache.pseudonyms, id, () => hmacHex(pseudonym.key, `${input.site}\n${id}`, 16));
      if (event.anonymous_id) visitorId = pseudonymize(event.anonymous_id);
      if (event.session_id) sessionId = pseudonymize(event.session_id);
    } else {
      // No site key configured: fail closed, forward as anonymous.
      consent = 'anonymous';
      if (event.anonymous_id) removed.push('anonymous_id');
      if (event.session_id) removed.push('session_id');
    }
  }
  const usesDailyHash = visitorId === undefined;
  visitorId ??= input.dailyVisitor();

  const record: ForwardedRecord = {
    event_id: event.id,
    batch_id: input.batchId,
    site: input.site,
    name: event.name,
    consent,
    received_at: context.receivedAt,
    ts: correctedTimestamp(event.ts, input.sentAt, context.receivedAt),
    client_ts: event.ts,
    seq: event.seq,
    page_id: event.page_id,
    url: url.url,
    path: url.path,
    props: props.value,
    visitor_id: visitorId,
    geo: { country: context.country, region: context.region },
    ua: input.ua,
    sdk: redactText(input.sdk).text,
    audit: {
      policy_version: policy.policy_version,
      salt_id: usesDailyHash ? keys.salt.id : null,
      key_id: keyId,
      redactions,
      removed,
    },
  };
  if (title !== undefined) record.title = title;
  if (referrer !== undefined) record.referrer = referrer;
  if (sessionId !== undefined) record.session_id = sessionId;
  return record;
}
