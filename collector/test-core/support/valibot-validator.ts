// The collector's validator as it was before validation was compiled (validate.ts before
// issue 16, valibot interpreting its schemas per event), frozen here as the reference the
// differential test (validate.differential.test.ts) holds the compiled one to: the same
// accept/reject, the same output, the same first reason. Not used by the collector.
import * as v from 'valibot';
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
  type Props,
  type StandardEventName,
} from '#protocol';
import {
  httpUrlCheck,
  type ValidEvent,
  type ValidBatch,
  type ValidationResult,
  type ValidationOptions,
  type Validator,
} from '../../src/core/validate.ts';

/** Keys that would reach `Object.prototype` if some code merged the value naively. */
const FORBIDDEN_KEYS = new Set(['__proto__', 'constructor', 'prototype']);
/** Deeper than any valid event (event › props › 3 levels, or event › props › items › item). */
const MAX_WALK_DEPTH = 8;

const text = v.pipe(v.string(), v.maxLength(MAX_STRING_LENGTH));
/** Random ids made by the SDK (UUIDs and the like): a closed alphabet, so no free text hides in them. */
const randomId = v.pipe(v.string(), v.regex(/^[A-Za-z0-9_-]{8,64}$/, 'expected a random id (8–64 of A-Z a-z 0-9 _ -)'));
const epochMs = v.pipe(v.number(), v.finite(), v.minValue(0), v.maxValue(8.64e15));
const count = v.pipe(v.number(), v.integer(), v.minValue(0), v.maxValue(1e9));
const money = v.pipe(v.number(), v.finite(), v.minValue(-1e12), v.maxValue(1e12));
const label = v.pipe(v.string(), v.regex(EXPERIMENT_LABEL, 'expected a label (1–64 of A-Z a-z 0-9 _ . : -)'));
const currency = v.pipe(v.string(), v.regex(/^[A-Z]{3}$/, 'expected an ISO 4217 code such as EUR'));
const itemSchema = v.pipe(
  v.object({
    item_id: v.optional(text),
    item_name: v.optional(text),
    item_brand: v.optional(text),
    item_category: v.optional(text),
    item_variant: v.optional(text),
    item_list_name: v.optional(text),
    price: v.optional(money),
    quantity: v.optional(v.pipe(v.number(), v.integer(), v.minValue(0), v.maxValue(1e6))),
    currency: v.optional(currency),
    index: v.optional(v.pipe(v.number(), v.integer(), v.minValue(0), v.maxValue(1e6))),
  }),
  v.check((item) => item.item_id !== undefined || item.item_name !== undefined, 'an item needs item_id or item_name'),
);
const items = v.pipe(v.array(itemSchema), v.maxLength(MAX_ITEMS_PER_EVENT));

const ecommerceEntries = {
  items,
  value: v.optional(money),
  currency: v.optional(currency),
  search_id: v.optional(randomId),
};
const ecommerceProps = v.object(ecommerceEntries);

const propsSchemas = {
  page_view: v.object({
    navigation: v.picklist(NAVIGATIONS),
    previous_path: v.optional(text),
    page_index: v.pipe(v.number(), v.integer(), v.minValue(1), v.maxValue(1e6)),
    experiment: v.optional(label),
    variant: v.optional(label),
  }),
  page_leave: v.object({
    total_ms: v.pipe(v.number(), v.finite(), v.minValue(0), v.maxValue(MAX_EVENT_AGE_MS)),
    engaged_ms: v.pipe(v.number(), v.finite(), v.minValue(0), v.maxValue(MAX_EVENT_AGE_MS)),
    max_scroll: v.pipe(v.number(), v.minValue(0), v.maxValue(1)),
  }),
  scroll: v.object({ depth: v.picklist(SCROLL_DEPTHS) }),
  search: v.object({
    search_term: text,
    search_id: randomId,
    results: v.optional(count),
    source: v.picklist(SEARCH_SOURCES),
  }),
  select_item: v.object({ ...ecommerceEntries, index: v.pipe(v.number(), v.integer(), v.minValue(0), v.maxValue(1e6)) }),
  view_item: ecommerceProps,
  add_to_cart: ecommerceProps,
  remove_from_cart: ecommerceProps,
  view_cart: ecommerceProps,
  begin_checkout: ecommerceProps,
  purchase: v.object({ ...ecommerceEntries, transaction_id: text, value: money, currency }),
  web_vitals: v.object({
    metric: v.picklist(VITAL_NAMES),
    value: v.pipe(v.number(), v.finite(), v.minValue(0), v.maxValue(1e7)),
    rating: v.picklist(VITAL_RATINGS),
  }),
  consent: v.object({
    mode: v.picklist(CONSENT_MODES),
    previous: v.picklist(CONSENT_MODES),
    source: v.picklist(CONSENT_SOURCES),
  }),
} satisfies { [N in StandardEventName]: v.GenericSchema };

/** The fields of every event; `url` and `referrer` are checked by the validator's own URL check. */
function eventBaseSchema(isHttpUrl: (value: string) => boolean) {
  const httpUrl = v.pipe(text, v.check(isHttpUrl, 'expected an absolute http(s) URL'));
  return v.object({
    id: randomId,
    ts: epochMs,
    seq: v.pipe(v.number(), v.integer(), v.minValue(0), v.maxValue(1e9)),
    page_id: randomId,
    url: httpUrl,
    title: v.optional(text),
    referrer: v.optional(v.union([v.literal(''), httpUrl])),
    anonymous_id: v.optional(randomId),
    session_id: v.optional(randomId),
    name: v.string(),
  });
}
const EVENT_FIELDS = new Set([...Object.keys(eventBaseSchema(() => true).entries), 'props']);

const envelopeSchema = v.object({
  v: v.literal(PROTOCOL_VERSION),
  site: v.pipe(v.string(), v.regex(/^[a-z0-9][a-z0-9_-]{0,63}$/, 'expected a site key (a-z 0-9 _ -)')),
  // Wider than the protocol's sendable modes: a batch claiming `pending`/`denied` is
  // well-formed but dropped by the policy, which is the one place consent is decided.
  consent: v.picklist(CONSENT_MODES),
  sent_at: epochMs,
  sdk: v.pipe(v.string(), v.maxLength(64)),
  dropped: v.optional(count),
  events: v.pipe(v.array(v.unknown()), v.minLength(1, 'a batch needs at least one event'), v.maxLength(MAX_EVENTS_PER_BATCH)),
});

/** A validator with its own URL memo (httpUrlCheck): one per isolate, or per test. */
export function createValibotValidator(): Validator {
  const baseSchema = eventBaseSchema(httpUrlCheck());

  function validateBatch(value: unknown, { receivedAt }: ValidationOptions): ValidationResult {
    if (typeof value !== 'object' || value === null || Array.isArray(value)) {
      return { ok: false, error: 'invalid_batch', detail: 'body: expected a JSON object' };
    }
    const forbidden = findForbiddenKey(value, '', 0, 1);
    if (forbidden) return { ok: false, error: 'invalid_batch', detail: forbidden };

    const envelope = v.safeParse(envelopeSchema, value);
    if (!envelope.success) return { ok: false, error: 'invalid_batch', detail: formatIssue(envelope.issues[0], '') };
    const batch = envelope.output;
    if (batch.sent_at - receivedAt > MAX_CLOCK_AHEAD_MS) {
      return { ok: false, error: 'invalid_batch', detail: 'sent_at: device clock more than a day ahead' };
    }

    const events: ValidBatch['events'] = [];
    const rejected: ValidBatch['rejected'] = [];
    batch.events.forEach((raw, index) => {
      const result = validateEvent(raw, `events[${index}]`, receivedAt);
      if (typeof result === 'string') rejected.push({ index, reason: result });
      else events.push({ index, event: result });
    });
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

  /** Returns the valid event, or the reason it is rejected. */
  function validateEvent(raw: unknown, path: string, receivedAt: number): ValidEvent | string {
    if (typeof raw !== 'object' || raw === null || Array.isArray(raw)) return `${path}: expected an object`;
    const forbidden = findForbiddenKey(raw, path, 0, MAX_WALK_DEPTH);
    if (forbidden) return forbidden;

    const base = v.safeParse(baseSchema, raw);
    if (!base.success) return formatIssue(base.issues[0], path);
    const event = base.output;
    if (event.ts - receivedAt > MAX_CLOCK_AHEAD_MS) return `${path}.ts: device time more than a day ahead`;
    if (receivedAt - event.ts > MAX_EVENT_AGE_MS) return `${path}.ts: older than 30 days`;

    const rawProps = (raw as { props?: unknown }).props;
    let props: Props;
    const unknownFields: string[] = [];
    if (isStandardEventName(event.name)) {
      const parsed = v.safeParse(propsSchemas[event.name], rawProps);
      if (!parsed.success) return formatIssue(parsed.issues[0], `${path}.props`);
      props = parsed.output as Props;
      // The schema strips properties a standard event does not define; say which.
      for (const key of Object.keys(rawProps as object)) if (!(key in props)) unknownFields.push(`props.${key}`);
    } else if (CUSTOM_EVENT_NAME.test(event.name)) {
      if (rawProps === undefined) props = {};
      else {
        const problem = checkCustomProps(rawProps, `${path}.props`);
        if (problem) return problem;
        props = rawProps as Props;
      }
    } else {
      return `${path}.name: expected a standard event name or a custom name matching ${CUSTOM_EVENT_NAME.source}`;
    }

    unknownFields.unshift(...Object.keys(raw).filter((key) => !EVENT_FIELDS.has(key)));
    return { ...event, props, unknownFields };
  }

  return { validateBatch };
}

const STANDARD_NAMES: ReadonlySet<string> = new Set(STANDARD_EVENT_NAMES);
const isStandardEventName = (name: string): name is StandardEventName => STANDARD_NAMES.has(name);

/**
 * Limits for free-form `props` (custom events): JSON values only, ≤ 50 keys counted
 * across nesting, depth ≤ 3, strings ≤ 2 KB, finite numbers.
 */
function checkCustomProps(value: unknown, path: string): string | null {
  if (typeof value !== 'object' || value === null || Array.isArray(value)) return `${path}: expected an object`;
  let keys = 0;
  const visit = (node: unknown, at: string, depth: number): string | null => {
    if (node === null || typeof node === 'boolean') return null;
    if (typeof node === 'string')
      return node.length > MAX_STRING_LENGTH ? `${at}: longer than ${MAX_STRING_LENGTH} characters` : null;
    if (typeof node === 'number') return Number.isFinite(node) ? null : `${at}: expected a finite number`;
    if (typeof node !== 'object') return `${at}: expected a JSON value`;
    if (depth > MAX_NESTING_DEPTH) return `${at}: nested deeper than ${MAX_NESTING_DEPTH} levels`;
    const entries = Array.isArray(node) ? node.map((item, i) => [i, item] as const) : Object.entries(node);
    if (!Array.isArray(node)) {
      keys += entries.length;
      if (keys > MAX_PROPERTY_KEYS) return `${at}: more than ${MAX_PROPERTY_KEYS} property keys`;
    } else if (node.length > MAX_ITEMS_PER_EVENT) {
      return `${at}: more than ${MAX_ITEMS_PER_EVENT} array elements`;
    }
    for (const [key, child] of entries) {
      if (typeof key === 'string' && key.length > 128) return `${at}: key longer than 128 characters`;
      const problem = visit(child, appendPath(at, key), depth + 1);
      if (problem) return problem;
    }
    return null;
  };
  return visit(value, path, 1);
}

/**
 * Finds a `__proto__`/`constructor`/`prototype` key anywhere in `value`, to a bounded
 * depth. The path is only spelled out for a finding: valid input builds no strings.
 */
function findForbiddenKey(value: unknown, path: string, depth: number, maxDepth: number): string | null {
  const trail: (string | number)[] = [];
  const reason = walkForForbiddenKey(value, depth, maxDepth, trail);
  return reason && `${trail.reduceRight<string>((at, key) => appendPath(at, key), path) || 'body'}: ${reason}`;
}

/** Returns the reason, with `trail` holding the keys leading to it (innermost first). */
function walkForForbiddenKey(value: unknown, depth: number, maxDepth: number, trail: (string | number)[]): string | null {
  if (typeof value !== 'object' || value === null) return null;
  if (depth >= maxDepth) return depth > 1 ? 'nested too deeply' : null;
  if (Array.isArray(value)) {
    for (let i = 0; i < value.length; i++) {
      const reason = walkForForbiddenKey(value[i], depth + 1, maxDepth, trail);
      if (reason) {
        trail.push(i);
        return reason;
      }
    }
    return null;
  }
  for (const key of Object.keys(value)) {
    const reason = FORBIDDEN_KEYS.has(key)
      ? 'key not allowed'
      : walkForForbiddenKey((value as Record<string, unknown>)[key], depth + 1, maxDepth, trail);
    if (reason) {
      trail.push(key);
      return reason;
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

function formatIssue(issue: v.BaseIssue<unknown> | undefined, prefix: string): string {
  if (!issue) return `${prefix || 'body'}: invalid`;
  let path = prefix;
  for (const item of issue.path ?? []) {
    const key = item.key;
    path = typeof key === 'number' || typeof key === 'string' ? appendPath(path, key) : path;
  }
  return `${path || 'body'}: ${issue.message}`;
}
