import type { JsonValue, Props, SendableConsentMode } from '#protocol';
import { hmacHex, type HmacKey } from './hmac.ts';
import { pageClassifier, type PageType } from './insights/page-types.ts';
import { queryParamRule, type PrivacySignals, type SitePolicy } from './policy.ts';
import type { ForwardedRecord, ReducedUserAgent } from './record.ts';
import { propertyKeyRules, type KeyClass } from './property-keys.ts';
import { auditName, mayHoldPersonalData, redactNumber, redactText, type CleanTexts, type Redacted } from './redact.ts';
import {
  cleanReferrer,
  cleanUrl,
  cleanUrlsInText,
  createCleanMemos,
  mayHoldUrl,
  parseUrl,
  type CleanMemos,
  type CleanedUrl,
} from './urls.ts';
import { isStandardEventName, type ValidEvent } from './validate.ts';

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

/**
 * The pseudonym of a `granted` identifier (the SDK's anonymous or session id): HMAC(site key,
 * site + id). Visitor rights (rights/) compute it again from the id the visitor presents.
 */
export function pseudonymOf(site: string, id: string, pseudonym: KeyRef): string {
  return hmacHex(pseudonym.key, `${site}\n${id}`, 16);
}

interface Cleaned<T> {
  value: T;
  redactions: number;
  removed: string[];
}

/** How the properties of one event are cleaned. */
export interface PropsRules {
  /** Which keys are removed at any depth, and which name phone numbers (property-keys.ts). */
  classifyKey: (key: string) => KeyClass;
  /** Query parameters kept in URLs found in property values. */
  keepParam: (name: string) => boolean;
  /**
   * Standard events: every property is defined by the protocol and validated by format,
   * so numbers are kept and ids checked by format stay as they are. Custom events: all
   * free-form, numbers included.
   */
  standard: boolean;
  /** What redaction and URL cleaning found clean in earlier batches (PipelineMemos). */
  memos?: CleanMemos;
}

const UUID = /^[0-9A-Fa-f]{8}-[0-9A-Fa-f]{4}-[0-9A-Fa-f]{4}-[0-9A-Fa-f]{4}-[0-9A-Fa-f]{12}$/;
const ITEM_ID = /^props\.items\[\d+\]\.item_id$/;

/**
 * Ids the protocol defines that are kept as sent, so the journey they link survives:
 * `search_id` (validated as a random id on standard events; on custom ones kept when it
 * is a UUID, as the SDK makes them), and the shop's own ids `transaction_id` and
 * `item_id` when they are UUIDs (a UUID carries nothing but itself). Everything else is
 * redacted as text.
 */
function isKeptId(path: string, value: string, standard: boolean): boolean {
  if (!path.endsWith('_id')) return false;
  if (path === 'props.search_id') return standard || UUID.test(value);
  return standard && (path === 'props.transaction_id' || ITEM_ID.test(path)) && UUID.test(value);
}

/**
 * Redacts every string (values and keys), every free-form number that reads as a phone
 * or card number, cleans URLs in values like the page URL, and removes sensitive keys at
 * any depth.
 */
export function cleanProps(props: Props, rules: PropsRules, omit?: string): Cleaned<Props> {
  const state: CleaningState = { rules, redactions: 0, removed: [] };
  const value = cleanObject(props, 'props', false, state, omit) as Props;
  return { value, redactions: state.redactions, removed: state.removed };
}

interface CleaningState {
  rules: PropsRules;
  redactions: number;
  removed: string[];
}

/** The path of a value, spelled out only when needed: most values are cleaned without it. */
const pathOf = (parent: string, key: string | number | null): string =>
  key === null ? parent : typeof key === 'number' ? `${parent}[${key}]` : `${parent}.${key}`;

/** `contactNumber`: under a key that names a phone number, at any depth below it. */
function cleanValue(
  value: JsonValue,
  parent: string,
  key: string | number | null,
  contactNumber: boolean,
  state: CleaningState,
): JsonValue {
  const { rules } = state;
  if (typeof value === 'string') {
    // Nothing to find (and no URL, which needs a `:` or `%`): most property values.
    if (!mayHoldPersonalData(value)) return value;
    if (typeof key === 'string' && key.endsWith('_id') && isKeptId(pathOf(parent, key), value, rules.standard)) return value;
    const withUrls = mayHoldUrl(value) ? cleanUrlsInText(value, rules.keepParam, pathOf(parent, key), rules.memos) : null;
    if (withUrls) {
      state.redactions += withUrls.redactions;
      state.removed.push(...withUrls.removed);
      return withUrls.text;
    }
    const result = redactText(value, contactNumber ? CONTACT_NUMBER : undefined, rules.memos?.texts);
    state.redactions += result.count;
    return result.text;
  }
  if (typeof value === 'number') {
    if (rules.standard) return value;
    const result = redactNumber(value, contactNumber ? CONTACT_NUMBER : undefined);
    state.redactions += result.count;
    return result.value;
  }
  if (value === null || typeof value !== 'object') return value;
  const path = pathOf(parent, key);
  if (Array.isArray(value)) {
    const out: JsonValue[] = [];
    for (let i = 0; i < value.length; i++) out.push(cleanValue(value[i]!, path, i, contactNumber, state));
    return out;
  }
  return cleanObject(value, path, contactNumber, state);
}

/** `omit`: a key left out (cleaned by the caller). */
function cleanObject(
  value: { [key: string]: JsonValue },
  path: string,
  contactNumber: boolean,
  state: CleaningState,
  omit?: string,
): { [key: string]: JsonValue } {
  const { rules } = state;
  const out: { [key: string]: JsonValue } = {};
  for (const name of Object.keys(value)) {
    if (name === omit) continue;
    const keyFindings = mayHoldPersonalData(name) ? redactText(name, undefined, rules.memos?.texts).count : 0;
    const keyClass = rules.classifyKey(name);
    if (keyFindings > 0 || keyClass.sensitive) {
      state.redactions += keyFindings;
      state.removed.push(`${path}.${auditName(name)}`);
      continue;
    }
    out[name] = cleanValue(value[name]!, path, name, contactNumber || keyClass.contactNumber, state);
  }
  return out;
}

const CONTACT_NUMBER = { contactNumber: true } as const;

/** A site policy's rules, compiled once per policy object (policies are parsed once per isolate). */
export interface PolicyRules {
  classifyKey: (key: string) => KeyClass;
  /** Query parameters the policy keeps: campaign parameters and its allowlist. */
  keepParam: (name: string) => boolean;
  classifyPage: (path: string) => PageType | null;
}

/**
 * What the pipeline remembers from batch to batch: the compiled rules of each policy, and
 * what redaction and URL cleaning found clean. Created per isolate with the rest of the
 * pipeline's dependencies (PipelineDeps), never at module level: the core keeps no state.
 */
export interface PipelineMemos extends CleanMemos {
  rules: WeakMap<SitePolicy, PolicyRules>;
}

export const createPipelineMemos = (): PipelineMemos => ({ ...createCleanMemos(), rules: new WeakMap() });

export function policyRules(policy: SitePolicy, memos: PipelineMemos): PolicyRules {
  let rules = memos.rules.get(policy);
  if (!rules) {
    rules = {
      classifyKey: propertyKeyRules(policy.redact_keys),
      keepParam: queryParamRule(policy),
      classifyPage: pageClassifier(policy.page_types),
    };
    memos.rules.set(policy, rules);
  }
  return rules;
}

/** What every event of one batch shares: its facts, the keys, and what is cleaned once per batch. */
export interface BatchInput {
  site: string;
  batchId: string;
  sentAt: number;
  consent: SendableConsentMode;
  policy: SitePolicy;
  context: RequestContext;
  keys: CollectorKeys;
  /** `visitorHash(site, context, keys.salt)` when the caller already has it (the route does, to rate-limit). */
  dailyVisitor?: string;
  ua: ReducedUserAgent;
  /** The batch's `sdk`, redacted. */
  sdk: Redacted;
}

/**
 * One batch's anonymization: its input, the policy's rules, and per-batch memos (the events of
 * one batch nearly always share one URL, one title, one referrer, one anonymous id and one
 * session id, so each is cleaned or signed once, not once per event).
 */
export interface BatchAnonymizer extends BatchInput {
  rules: PolicyRules;
  memos: PipelineMemos;
  urls: BatchMemo<CleanedUrl | null>;
  pageTypes: BatchMemo<PageType | null>;
  titles: BatchMemo<Redacted>;
  referrers: Map<string, { pageUrl: string; cleaned: CleanedUrl | null }>;
  anonymousIds: BatchMemo<string>;
  sessionIds: BatchMemo<string>;
}

export function newBatchAnonymizer(input: Omit<BatchInput, 'sdk'> & { sdk: string }, memos: PipelineMemos): BatchAnonymizer {
  return {
    site: input.site,
    batchId: input.batchId,
    sentAt: input.sentAt,
    consent: input.consent,
    policy: input.policy,
    context: input.context,
    keys: input.keys,
    dailyVisitor: input.dailyVisitor,
    ua: input.ua,
    sdk: redactText(input.sdk, undefined, memos.texts),
    rules: policyRules(input.policy, memos),
    memos,
    urls: batchMemo(),
    pageTypes: batchMemo(),
    titles: batchMemo(),
    referrers: new Map(),
    anonymousIds: batchMemo(),
    sessionIds: batchMemo(),
  };
}

/** Values computed once per key in a batch; the last one is checked first (consecutive events share their page). */
interface BatchMemo<V> {
  map: Map<string, V>;
  lastKey: string | undefined;
  lastValue: V | undefined;
}

const batchMemo = <V>(): BatchMemo<V> => ({ map: new Map(), lastKey: undefined, lastValue: undefined });

/** `compute(key, arg)` once per key (no closure per call: this runs for every event). */
function memo<A, V>(cache: BatchMemo<V>, key: string, compute: (key: string, arg: A) => V, arg: A): V {
  if (key === cache.lastKey) return cache.lastValue as V;
  let value = cache.map.get(key);
  if (value === undefined && !cache.map.has(key)) cache.map.set(key, (value = compute(key, arg)));
  cache.lastKey = key;
  cache.lastValue = value;
  return value as V;
}

/** Device clock corrected by the offset between the device and the collector at send time. */
export function correctedTimestamp(clientTs: number, sentAt: number, receivedAt: number): number {
  return Math.round(Math.min(receivedAt, receivedAt - (sentAt - clientTs)));
}

const cleanPageUrl = (raw: string, batch: BatchAnonymizer): CleanedUrl | null =>
  cleanUrl(raw, batch.rules.keepParam, 'url', batch.memos);
const classifyPath = (path: string, batch: BatchAnonymizer): PageType | null => batch.rules.classifyPage(path);
const redactTitle = (title: string, clean: CleanTexts): Redacted => redactText(title, undefined, clean);

/** HMAC(site key, site + id): a pseudonym for the SDK's anonymous or session id. */
const pseudonymize = (id: string, { keys, site }: BatchAnonymizer): string => pseudonymOf(site, id, keys.pseudonym!);

/** The cleaned referrer; a batch's events share theirs, and the page URL decides same-site or not. */
function cleanedReferrer(referrer: string, pageUrl: string, batch: BatchAnonymizer): CleanedUrl | null {
  const known = batch.referrers.get(referrer);
  if (known && known.pageUrl === pageUrl) return known.cleaned;
  const cleaned = cleanReferrer(referrer, pageUrl, batch.rules.keepParam, batch.memos);
  batch.referrers.set(referrer, { pageUrl, cleaned });
  return cleaned;
}

/** The daily visitor hash, computed at most once per batch and only if an event needs it. */
const dailyVisitorOf = (batch: BatchAnonymizer): string =>
  (batch.dailyVisitor ??= visitorHash(batch.site, batch.context, batch.keys.salt));

/** One enforced event as a ForwardedRecord; `enforcedRemovals`: the fields enforcement already removed. */
export function anonymizeEvent(batch: BatchAnonymizer, event: ValidEvent, enforcedRemovals: readonly string[]): ForwardedRecord {
  const { policy, context, keys, rules } = batch;
  const { keepParam } = rules;
  const removed = [...enforcedRemovals];
  for (const field of event.unknownFields)
    removed.push(field.startsWith('props.') ? `props.${auditName(field.slice(6))}` : auditName(field));
  let redactions = 0;

  // Validation guarantees an http(s) URL, so cleanUrl only returns null on a broken invariant.
  const url = memo(batch.urls, event.url, cleanPageUrl, batch) ?? {
    url: '',
    path: '',
    pathAndQuery: '',
    redactions: 0,
    removed: ['url'],
  };
  redactions += url.redactions;
  if (url.removed.length > 0) removed.push(...url.removed);

  let referrer: string | undefined;
  if (event.referrer) {
    const cleaned = cleanedReferrer(event.referrer, event.url, batch);
    if (cleaned) {
      referrer = cleaned.url;
      redactions += cleaned.redactions;
      if (cleaned.removed.length > 0) removed.push(...cleaned.removed);
    } else removed.push('referrer');
  }

  let title: string | undefined;
  if (event.title !== undefined) {
    const cleaned = memo(batch.titles, event.title, redactTitle, batch.memos.texts);
    title = cleaned.text;
    redactions += cleaned.count;
  }

  const rawPreviousPath = event.props.previous_path;
  let previousPath: string | undefined;
  if (typeof rawPreviousPath === 'string') {
    // Cleaned here, with the page URL as its base; the rest of the props below.
    // A path with its query string: the same query allowlist as the page URL applies.
    const previous = parseUrl(rawPreviousPath, event.url);
    const cleaned = previous && cleanUrl(previous.href, keepParam, 'props.previous_path', batch.memos);
    if (cleaned) {
      previousPath = cleaned.pathAndQuery;
      redactions += cleaned.redactions;
      removed.push(...cleaned.removed);
    } else {
      removed.push('props.previous_path');
    }
  }
  const props = cleanProps(
    event.props,
    { classifyKey: rules.classifyKey, keepParam, standard: isStandardEventName(event.name), memos: batch.memos },
    typeof rawPreviousPath === 'string' ? 'previous_path' : undefined,
  );
  if (previousPath !== undefined) props.value.previous_path = previousPath;
  redactions += props.redactions;
  if (props.removed.length > 0) removed.push(...props.removed);

  redactions += batch.sdk.count;

  let consent = batch.consent;
  let visitorId: string | undefined;
  let sessionId: string | undefined;
  let keyId: string | null = null;
  if (consent === 'granted') {
    const pseudonym = keys.pseudonym;
    if (pseudonym) {
      keyId = pseudonym.id;
      if (event.anonymous_id) visitorId = memo(batch.anonymousIds, event.anonymous_id, pseudonymize, batch);
      if (event.session_id) sessionId = memo(batch.sessionIds, event.session_id, pseudonymize, batch);
    } else {
      // No site key configured: fail closed, forward as anonymous.
      consent = 'anonymous';
      if (event.anonymous_id) removed.push('anonymous_id');
      if (event.session_id) removed.push('session_id');
    }
  }
  const usesDailyHash = visitorId === undefined;
  visitorId ??= dailyVisitorOf(batch);

  const record: ForwardedRecord = {
    event_id: event.id,
    batch_id: batch.batchId,
    site: batch.site,
    name: event.name,
    consent,
    received_at: context.receivedAt,
    ts: correctedTimestamp(event.ts, batch.sentAt, context.receivedAt),
    client_ts: event.ts,
    seq: event.seq,
    page_id: event.page_id,
    url: url.url,
    path: url.path,
    page_type: memo(batch.pageTypes, url.path, classifyPath, batch),
    props: props.value,
    visitor_id: visitorId,
    geo: { country: context.country, region: context.region },
    ua: batch.ua,
    sdk: batch.sdk.text,
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
