import {
  CONSENT_MODES,
  CONSENT_SOURCES,
  CUSTOM_EVENT_NAME,
  EXPERIMENT_LABEL,
  MAX_CLOCK_AHEAD_MS,
  MAX_EVENTS_PER_BATCH,
  MAX_EVENT_AGE_MS,
  MAX_ITEMS_PER_EVENT,
  MAX_NESTING_DEPTH,
  MAX_PROPERTY_KEYS,
  MAX_STRING_LENGTH,
  NAVIGATIONS,
  PROTOCOL_VERSION,
  SCROLL_DEPTHS,
  SEARCH_SOURCES,
  STANDARD_EVENT_NAMES,
  VITAL_NAMES,
  VITAL_RATINGS,
  type Batch,
  type ConsentMode,
  type EventBase,
  type Item,
  type Props,
  type StandardEventName,
  type StandardEvents,
} from '#protocol';
import * as s from './schema.ts';
import { parseUrl } from './urls.ts';

/**
 * Schema validation of a parsed batch: the envelope as a whole, then each event on its
 * own so one bad event does not cost the others. Reasons name the field the way a
 * developer would write it: `events[3].props.items[0].price: …`. The schemas below are
 * the one table of what the protocol accepts; schema.ts compiles them into a closure per
 * field.
 */

/** Keys that would reach `Object.prototype` if some code merged the value naively. */
const FORBIDDEN_KEYS: ReadonlySet<string> = new Set(['__proto__', 'constructor', 'prototype']);
/** Deeper than any valid event (event › props › 3 levels, or event › props › items › item). */
const MAX_WALK_DEPTH = 8;

const text = s.string({ maxLength: MAX_STRING_LENGTH });
/** Random ids made by the SDK (UUIDs and the like): a closed alphabet, so no free text hides in them. */
const RANDOM_ID = /^[A-Za-z0-9_-]{8,64}$/;
const RANDOM_ID_MESSAGE = 'expected a random id (8–64 of A-Z a-z 0-9 _ -)';
const randomId = s.string({ pattern: [RANDOM_ID, RANDOM_ID_MESSAGE] });
/**
 * `randomId` for an id the events of a batch share (page, anonymous and session ids),
 * remembering the last one found valid, as httpUrlCheck does for URLs.
 */
function sharedRandomId(): s.Schema<string> {
  let lastValid: string | undefined;
  const isRandomId = (value: string): boolean => {
    if (value === lastValid) return true;
    const valid = RANDOM_ID.test(value);
    if (valid) lastValid = value;
    return valid;
  };
  return s.string({ check: [isRandomId, RANDOM_ID_MESSAGE] });
}
const epochMs = s.number({ finite: true, min: 0, max: 8.64e15 });
const count = s.number({ integer: true, min: 0, max: 1e9 });
const money = s.number({ finite: true, min: -1e12, max: 1e12 });
const position = s.number({ integer: true, min: 0, max: 1e6 });
const duration = s.number({ finite: true, min: 0, max: MAX_EVENT_AGE_MS });
const label = s.string({ pattern: [EXPERIMENT_LABEL, 'expected a label (1–64 of A-Z a-z 0-9 _ . : -)'] });
const currency = s.string({ pattern: [/^[A-Z]{3}$/, 'expected an ISO 4217 code such as EUR'] });
/**
 * Whether a string is an absolute http(s) URL, remembering the last one found valid: the
 * events of a batch nearly always share one page URL, so a batch of 20 parses it once
 * instead of 20 times. The answer depends on the string alone, so the memo cannot change
 * a result. Each validator has its own (createValidator).
 */
export function httpUrlCheck(): (value: string) => boolean {
  let lastValid: string | undefined;
  return (value) => {
    if (value === lastValid) return true;
    const url = parseUrl(value);
    const valid = url !== null && (url.protocol === 'http:' || url.protocol === 'https:');
    if (valid) lastValid = value;
    return valid;
  };
}

const itemSchema = s.object(
  {
    item_id: s.optional(text),
    item_name: s.optional(text),
    item_brand: s.optional(text),
    item_category: s.optional(text),
    item_variant: s.optional(text),
    item_list_name: s.optional(text),
    price: s.optional(money),
    quantity: s.optional(position),
    currency: s.optional(currency),
    index: s.optional(position),
  },
  [(item) => item.item_id !== undefined || item.item_name !== undefined, 'an item needs item_id or item_name'],
);
const items = s.array(itemSchema, { maxLength: MAX_ITEMS_PER_EVENT });

const ecommerceEntries = {
  items,
  value: s.optional(money),
  currency: s.optional(currency),
  search_id: s.optional(randomId),
};
const ecommerceProps = s.object(ecommerceEntries);

const propsSchemas = {
  page_view: s.object({
    navigation: s.picklist(NAVIGATIONS),
    previous_path: s.optional(text),
    page_index: s.number({ integer: true, min: 1, max: 1e6 }),
    experiment: s.optional(label),
    variant: s.optional(label),
  }),
  page_leave: s.object({
    total_ms: duration,
    engaged_ms: duration,
    max_scroll: s.number({ min: 0, max: 1 }),
  }),
  scroll: s.object({ depth: s.picklist(SCROLL_DEPTHS) }),
  search: s.object({
    search_term: text,
    search_id: randomId,
    results: s.optional(count),
    source: s.picklist(SEARCH_SOURCES),
  }),
  select_item: s.object({ ...ecommerceEntries, index: position }),
  view_item: ecommerceProps,
  add_to_cart: ecommerceProps,
  remove_from_cart: ecommerceProps,
  view_cart: ecommerceProps,
  begin_checkout: ecommerceProps,
  purchase: s.object({ ...ecommerceEntries, transaction_id: text, value: money, currency }),
  web_vitals: s.object({
    metric: s.picklist(VITAL_NAMES),
    value: s.number({ finite: true, min: 0, max: 1e7 }),
    rating: s.picklist(VITAL_RATINGS),
  }),
  consent: s.object({
    mode: s.picklist(CONSENT_MODES),
    previous: s.picklist(CONSENT_MODES),
    source: s.picklist(CONSENT_SOURCES),
  }),
} satisfies { [N in StandardEventName]: s.Schema<unknown> };

/** The fields of every event; `url`, `referrer` and the shared ids are checked with the validator's own memos. */
function eventBaseEntries(isPageUrl: (value: string) => boolean, isReferrer: (value: string) => boolean) {
  const httpUrl = (check: (value: string) => boolean) =>
    s.string({ maxLength: MAX_STRING_LENGTH, check: [check, 'expected an absolute http(s) URL'] });
  return {
    id: randomId,
    ts: epochMs,
    seq: count,
    page_id: sharedRandomId(),
    url: httpUrl(isPageUrl),
    title: s.optional(text),
    referrer: s.optional(s.emptyOr(httpUrl(isReferrer))),
    anonymous_id: s.optional(sharedRandomId()),
    session_id: s.optional(sharedRandomId()),
    name: s.string(),
  };
}
type EventBaseSchema = s.Schema<s.InferObject<ReturnType<typeof eventBaseEntries>>>;
const EVENT_FIELDS: ReadonlySet<string> = new Set([...Object.keys(eventBaseEntries(Boolean, Boolean)), 'props']);

const envelopeSchema = s.object({
  v: s.literal(PROTOCOL_VERSION),
  site: s.string({ pattern: [/^[a-z0-9][a-z0-9_-]{0,63}$/, 'expected a site key (a-z 0-9 _ -)'] }),
  // Wider than the protocol's sendable modes: a batch claiming `pending`/`denied` is
  // well-formed but dropped by the policy, which is the one place consent is decided.
  consent: s.picklist(CONSENT_MODES),
  sent_at: epochMs,
  sdk: s.string({ maxLength: 64 }),
  dropped: s.optional(count),
  events: s.array(s.unknown, {
    minLength: [1, 'a batch needs at least one event'],
    maxLength: MAX_EVENTS_PER_BATCH,
  }),
});

// The schemas must describe exactly the protocol's types: these lines stop compiling
// when the protocol (sdk/src/protocol.ts) and this file drift apart. Mutual assignability
// alone would let an optional field that one side lacks through, so the keys and the
// required keys must be the same sets too.
type Mutual<A, B> = [A] extends [B] ? ([B] extends [A] ? true : false) : false;
type RequiredKeys<T> = { [K in keyof T]-?: object extends Pick<T, K> ? never : K }[keyof T];
type Same<A, B> =
  Mutual<A, B> extends true ? (Mutual<keyof A, keyof B> extends true ? Mutual<RequiredKeys<A>, RequiredKeys<B>> : false) : false;
type Expect<T extends true> = T;
export type SchemaMatchesProtocol = [
  Expect<Same<s.Infer<typeof itemSchema>, Item>>,
  Expect<Same<s.Infer<EventBaseSchema>, EventBase & { name: string }>>,
  Expect<Same<Omit<s.Infer<typeof envelopeSchema>, 'events' | 'consent'>, Omit<Batch, 'events' | 'consent'>>>,
  Expect<Batch['consent'] extends s.Infer<typeof envelopeSchema>['consent'] ? true : false>,
  Expect<PropsSchemasMatch[StandardEventName]>,
  Expect<Mutual<(typeof STANDARD_EVENT_NAMES)[number], StandardEventName>>,
];
type PropsSchemasMatch = { [N in StandardEventName]: Same<s.Infer<(typeof propsSchemas)[N]>, StandardEvents[N]> };

/** A valid event, normalised: unknown fields removed and listed. */
export interface ValidEvent extends EventBase {
  name: string;
  props: Props;
  /** Fields the collector does not accept (e.g. a client-supplied `ip`, `props.email` on a page_view), removed. */
  unknownFields: string[];
}

export interface ValidBatch {
  site: string;
  /** Mode the client claims; the policy decides what is actually allowed. */
  consent: ConsentMode;
  sent_at: number;
  sdk: string;
  dropped: number;
  events: { index: number; event: ValidEvent }[];
  rejected: { index: number; reason: string }[];
}

export type ValidationResult = { ok: true; batch: ValidBatch } | { ok: false; error: 'invalid_batch'; detail: string };

export interface ValidationOptions {
  /** Collector clock, epoch ms: bounds the device clock and event age. */
  receivedAt: number;
}

export interface Validator {
  /** Validates a parsed JSON value as a batch. Never throws. */
  validateBatch(value: unknown, options: ValidationOptions): ValidationResult;
}

/** A validator with its own URL memo (httpUrlCheck): one per isolate, or per test. */
export function createValidator(): Validator {
  // The page URL and the referrer each with its own memo: a page view's referrer would otherwise evict the page URL.
  const baseSchema: EventBaseSchema = s.object(eventBaseEntries(httpUrlCheck(), httpUrlCheck()));

  function validateBatch(value: unknown, { receivedAt }: ValidationOptions): ValidationResult {
    if (typeof value !== 'object' || value === null || Array.isArray(value)) {
      return { ok: false, error: 'invalid_batch', detail: 'body: expected a JSON object' };
    }
    const forbidden = findForbiddenKey(value, 1);
    if (forbidden) return { ok: false, error: 'invalid_batch', detail: formatIssue(forbidden, '') };

    const batch = envelopeSchema.run(value);
    if (batch instanceof s.Issue) return { ok: false, error: 'invalid_batch', detail: formatIssue(batch, '') };
    if (batch.sent_at - receivedAt > MAX_CLOCK_AHEAD_MS) {
      return { ok: false, error: 'invalid_batch', detail: 'sent_at: device clock more than a day ahead' };
    }

    const events: ValidBatch['events'] = [];
    const rejected: ValidBatch['rejected'] = [];
    for (let index = 0; index < batch.events.length; index++) {
      const result = validateEvent(batch.events[index], index, receivedAt);
      if (typeof result === 'string') rejected.push({ index, reason: result });
      else events.push({ index, event: result });
    }
    return {
      ok: true,
      batch: {
        site: batch.site,
        consent: batch.consent,
        sent_at: batch.sent_at,
        sdk: batch.sdk,
        dropped: batch.dropped ?? 0,
        events,
        rejected,
      },
    };
  }

  /** Returns the valid event, or the reason it is rejected (its path spelled out only then). */
  function validateEvent(raw: unknown, index: number, receivedAt: number): ValidEvent | string {
    if (typeof raw !== 'object' || raw === null || Array.isArray(raw)) return `events[${index}]: expected an object`;
    const forbidden = findForbiddenKey(raw, MAX_WALK_DEPTH);
    if (forbidden) return formatIssue(forbidden, `events[${index}]`);

    const base = baseSchema.run(raw);
    if (base instanceof s.Issue) return formatIssue(base, `events[${index}]`);
    if (base.ts - receivedAt > MAX_CLOCK_AHEAD_MS) return `events[${index}].ts: device time more than a day ahead`;
    if (receivedAt - base.ts > MAX_EVENT_AGE_MS) return `events[${index}].ts: older than 30 days`;

    const unknownFields: string[] = [];
    for (const key of Object.keys(raw)) if (!EVENT_FIELDS.has(key)) unknownFields.push(key);
    const rawProps = (raw as { props?: unknown }).props;
    let props: Props;
    if (isStandardEventName(base.name)) {
      const parsed = (propsSchemas[base.name] as s.Schema<Props>).run(rawProps);
      if (parsed instanceof s.Issue) return formatIssue(parsed, `events[${index}].props`);
      props = parsed;
      // The schema strips properties a standard event does not define; say which.
      for (const key of Object.keys(rawProps as object)) if (!(key in props)) unknownFields.push(`props.${key}`);
    } else if (CUSTOM_EVENT_NAME.test(base.name)) {
      if (rawProps === undefined) props = {};
      else {
        const problem = checkCustomProps(rawProps);
        if (problem) return formatIssue(problem, `events[${index}].props`);
        props = rawProps as Props;
      }
    } else {
      return `events[${index}].name: expected a standard event name or a custom name matching ${CUSTOM_EVENT_NAME.source}`;
    }
    // The schema's output is a fresh object: completed in place, in the order a spread would give.
    const event = base as typeof base & Pick<ValidEvent, 'props' | 'unknownFields'>;
    event.props = props;
    event.unknownFields = unknownFields;
    return event;
  }

  return { validateBatch };
}

const STANDARD_NAMES: ReadonlySet<string> = new Set(STANDARD_EVENT_NAMES);
export const isStandardEventName = (name: string): name is StandardEventName => STANDARD_NAMES.has(name);

/**
 * Limits for free-form `props` (custom events): JSON values only, ≤ 50 keys counted
 * across nesting, depth ≤ 3, strings ≤ 2 KB, finite numbers. The path of a finding is
 * only spelled out for a finding: valid input builds no strings.
 */
function checkCustomProps(value: unknown): s.Issue | null {
  if (typeof value !== 'object' || value === null || Array.isArray(value)) return new s.Issue('expected an object');
  const keys = { count: 0 };
  return checkJsonValue(value, 1, keys);
}

function checkJsonValue(node: unknown, depth: number, keys: { count: number }): s.Issue | null {
  if (node === null || typeof node === 'boolean') return null;
  if (typeof node === 'string')
    return node.length > MAX_STRING_LENGTH ? new s.Issue(`longer than ${MAX_STRING_LENGTH} characters`) : null;
  if (typeof node === 'number') return Number.isFinite(node) ? null : new s.Issue('expected a finite number');
  if (typeof node !== 'object') return new s.Issue('expected a JSON value');
  if (depth > MAX_NESTING_DEPTH) return new s.Issue(`nested deeper than ${MAX_NESTING_DEPTH} levels`);
  if (Array.isArray(node)) {
    if (node.length > MAX_ITEMS_PER_EVENT) return new s.Issue(`more than ${MAX_ITEMS_PER_EVENT} array elements`);
    for (let i = 0; i < node.length; i++) {
      const issue = checkJsonValue(node[i], depth + 1, keys);
      if (issue) {
        issue.trail.push(i);
        return issue;
      }
    }
    return null;
  }
  const names = Object.keys(node);
  keys.count += names.length;
  if (keys.count > MAX_PROPERTY_KEYS) return new s.Issue(`more than ${MAX_PROPERTY_KEYS} property keys`);
  for (const key of names) {
    if (key.length > 128) return new s.Issue('key longer than 128 characters');
    const issue = checkJsonValue((node as Record<string, unknown>)[key], depth + 1, keys);
    if (issue) {
      issue.trail.push(key);
      return issue;
    }
  }
  return null;
}

/** Finds a `__proto__`/`constructor`/`prototype` key anywhere in `value`, to a bounded depth. */
function findForbiddenKey(value: object, maxDepth: number): s.Issue | null {
  return walkForForbiddenKey(value, 0, maxDepth);
}

/** `value` is an object or array (JSON.parse output: plain, own enumerable keys only). */
function walkForForbiddenKey(value: object, depth: number, maxDepth: number): s.Issue | null {
  if (depth >= maxDepth) return depth > 1 ? new s.Issue('nested too deeply') : null;
  if (Array.isArray(value)) {
    for (let i = 0; i < value.length; i++) {
      const item: unknown = value[i];
      const issue = typeof item === 'object' && item !== null ? walkForForbiddenKey(item, depth + 1, maxDepth) : null;
      if (issue) {
        issue.trail.push(i);
        return issue;
      }
    }
    return null;
  }
  // for…in rather than Object.keys: no array per object; a parsed value has no inherited enumerable keys.
  for (const key in value) {
    const child: unknown = (value as Record<string, unknown>)[key];
    const issue = FORBIDDEN_KEYS.has(key)
      ? new s.Issue('key not allowed')
      : typeof child === 'object' && child !== null
        ? walkForForbiddenKey(child, depth + 1, maxDepth)
        : null;
    if (issue) {
      issue.trail.push(key);
      return issue;
    }
  }
  return null;
}

function appendPath(path: string, key: string | number): string {
  if (typeof key === 'number') return `${path}[${key}]`;
  const plain = /^[A-Za-z_$][\w$]*$/.test(key);
  if (plain) return path ? `${path}.${key}` : key;
  return `${path}[${JSON.stringify(key)}]`;
}

/** `prefix` and the keys down to the failing value, then the message: `events[3].props.items[0].price: …`. */
function formatIssue(issue: s.Issue, prefix: string): string {
  return `${issue.trail.reduceRight<string>((at, key) => appendPath(at, key), prefix) || 'body'}: ${issue.message}`;
}
