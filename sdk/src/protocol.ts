/**
 * The Pathmark wire format: the one source of truth shared by the SDK (which
 * writes batches) and the collector (which validates them). `docs/protocol.md`
 * describes the same thing in prose; change both together.
 *
 * This module holds types and constants only, so importing it costs the SDK
 * bundle nothing but the few constants it actually uses.
 */

export const PROTOCOL_VERSION = 1;

/** Path of the collector route that receives batches. */
export const EVENTS_PATH = '/v1/events';
/** Path of the collector route that answers a site's effective policy. */
export const CONFIG_PATH = '/v1/config';
/** Visitor rights (docs/rights.md): POST `RIGHTS_PATH/:site/access` and `RIGHTS_PATH/:site/erase`, GET `RIGHTS_PATH/:site/receipts/:id`. */
export const RIGHTS_PATH = '/v1/rights';

/** Request body size. Also the `keepalive`/`sendBeacon` in-flight budget per page. */
export const MAX_BODY_BYTES = 64 * 1024;
export const MAX_EVENTS_PER_BATCH = 100;
/** Any string value, in characters. */
export const MAX_STRING_LENGTH = 2048;
/** Keys in one `props` object (nested objects count their own keys). */
export const MAX_PROPERTY_KEYS = 50;
/** Depth of `props`: `{a:{b:{c:1}}}` is depth 3. */
export const MAX_NESTING_DEPTH = 3;
export const MAX_ITEMS_PER_EVENT = 200;
/** Device clocks more than this ahead of the collector are rejected. */
export const MAX_CLOCK_AHEAD_MS = 24 * 60 * 60 * 1000;
/** Events captured longer ago than this are rejected (offline queues are bounded). */
export const MAX_EVENT_AGE_MS = 30 * 24 * 60 * 60 * 1000;
/** Experiment and variant names: short labels, so no free text (and no personal data) rides on them. */
export const EXPERIMENT_LABEL = /^[A-Za-z0-9][A-Za-z0-9_.:-]{0,63}$/;

/**
 * Consent modes, from least to most permissive for sending.
 * - `denied`: nothing captured, nothing stored, nothing sent.
 * - `pending`: captured into memory only, nothing sent until decided.
 * - `anonymous`: sent without identifiers; nothing written to the device.
 * - `granted`: sent with a pseudonymous id and session id; queue persisted.
 */
export const CONSENT_MODES = ['denied', 'pending', 'anonymous', 'granted'] as const;
export type ConsentMode = (typeof CONSENT_MODES)[number];

/** Modes under which a batch may be sent at all. */
export const SENDABLE_CONSENT_MODES = ['anonymous', 'granted'] as const;
export type SendableConsentMode = (typeof SENDABLE_CONSENT_MODES)[number];

/** The lower (stricter) of two modes. `pending` ranks between `denied` and `anonymous`. */
export function stricterConsent(a: ConsentMode, b: ConsentMode): ConsentMode {
  return CONSENT_MODES.indexOf(a) <= CONSENT_MODES.indexOf(b) ? a : b;
}

/** GA4-shaped item, as used by every ecommerce event. Only `item_id` or `item_name` is required. */
export interface Item {
  item_id?: string;
  item_name?: string;
  item_brand?: string;
  item_category?: string;
  item_variant?: string;
  item_list_name?: string;
  price?: number;
  quantity?: number;
  currency?: string;
  index?: number;
}

export type JsonPrimitive = string | number | boolean | null;
export type JsonValue = JsonPrimitive | JsonValue[] | { [key: string]: JsonValue };
export type Props = { [key: string]: JsonValue };

/** How a page view came about. */
export const NAVIGATIONS = ['load', 'reload', 'push', 'replace', 'pop', 'hash', 'bfcache', 'manual'] as const;
export type Navigation = (typeof NAVIGATIONS)[number];

export interface PageViewProps {
  navigation: Navigation;
  /** Path (pathname + search) of the previous page view in this tab, if any. */
  previous_path?: string;
  /** Session-scoped position of this page in the browse path, from 1. */
  page_index: number;
  /** A/B test the page view was exposed to (`tracker.experiment(name, variant)`): a label, see EXPERIMENT_LABEL. */
  experiment?: string;
  /** The variant of `experiment` this page view showed; the first variant seen is the control in reports. */
  variant?: string;
}

export interface PageLeaveProps {
  /** Wall time since the page view, in ms. */
  total_ms: number;
  /** Time the page was visible, focused and the user recently active, in ms. */
  engaged_ms: number;
  /** Maximum fraction of the page seen, 0..1. */
  max_scroll: number;
}

/** Scroll thresholds, in percent of the page. */
export const SCROLL_DEPTHS = [25, 50, 75, 90, 100] as const;
export interface ScrollProps {
  /** Threshold passed. */
  depth: (typeof SCROLL_DEPTHS)[number];
}

export const SEARCH_SOURCES = ['api', 'url', 'form'] as const;
export type SearchSource = (typeof SEARCH_SOURCES)[number];
export interface SearchProps {
  search_term: string;
  /** Random id linking this search to the result clicks, cart and purchase that follow. */
  search_id: string;
  results?: number;
  source: SearchSource;
}

export interface EcommerceProps {
  items: Item[];
  value?: number;
  currency?: string;
  /** The search that led here, if any. */
  search_id?: string;
}

export interface SelectItemProps extends EcommerceProps {
  /** Position of the clicked result, from 0. */
  index: number;
}

export interface PurchaseProps extends EcommerceProps {
  transaction_id: string;
  value: number;
  currency: string;
}

export const VITAL_NAMES = ['LCP', 'INP', 'CLS', 'FCP', 'TTFB'] as const;
export type VitalName = (typeof VITAL_NAMES)[number];
export const VITAL_RATINGS = ['good', 'needs-improvement', 'poor'] as const;
export interface WebVitalsProps {
  metric: VitalName;
  value: number;
  rating: (typeof VITAL_RATINGS)[number];
}

/** What changed the consent mode: the page's API, the configuration or the collector, Google Consent Mode, or GPC. */
export const CONSENT_SOURCES = ['api', 'config', 'gcm', 'gpc'] as const;
export type ConsentSource = (typeof CONSENT_SOURCES)[number];
export interface ConsentProps {
  mode: ConsentMode;
  previous: ConsentMode;
  source: ConsentSource;
}

/** Standard event names and the shape of their `props`. GA4 names where GA4 has one. */
export interface StandardEvents {
  page_view: PageViewProps;
  page_leave: PageLeaveProps;
  scroll: ScrollProps;
  search: SearchProps;
  select_item: SelectItemProps;
  view_item: EcommerceProps;
  add_to_cart: EcommerceProps;
  remove_from_cart: EcommerceProps;
  view_cart: EcommerceProps;
  begin_checkout: EcommerceProps;
  purchase: PurchaseProps;
  web_vitals: WebVitalsProps;
  consent: ConsentProps;
}
export type StandardEventName = keyof StandardEvents;
/** Every key of StandardEvents (the collector's validation checks that none is missing). */
export const STANDARD_EVENT_NAMES = [
  'page_view',
  'page_leave',
  'scroll',
  'search',
  'select_item',
  'view_item',
  'add_to_cart',
  'remove_from_cart',
  'view_cart',
  'begin_checkout',
  'purchase',
  'web_vitals',
  'consent',
] as const satisfies readonly StandardEventName[];

/** Custom event names (from `track`): letters, digits and `_`, starting with a letter, ≤ 40 chars. */
export const CUSTOM_EVENT_NAME = /^[a-z][a-z0-9_]{0,39}$/i;

/** Fields every event carries. */
export interface EventBase {
  /** Random UUID, assigned at capture and kept across retries: the dedupe key downstream. */
  id: string;
  /** Client clock at capture, epoch ms. */
  ts: number;
  /** Position within the session (or within the page load when there is no session), from 1. */
  seq: number;
  /** Random id of the page view this event belongs to; links `scroll`, `page_leave` … to their `page_view`. */
  page_id: string;
  /** Full page URL at capture (the collector strips the fragment and non-allowlisted query). */
  url: string;
  /** Document title at capture. */
  title?: string;
  /** `document.referrer`; sent on `page_view` only. */
  referrer?: string;
  /**
   * Pseudonymous device id; present only in `granted` mode (events buffered
   * while `pending` get it when consent is granted).
   */
  anonymous_id?: string;
  /** Session id (30 minutes of inactivity ends a session); present only in `granted` mode. */
  session_id?: string;
}

export type StandardEvent = {
  [N in StandardEventName]: EventBase & { name: N; props: StandardEvents[N] };
}[StandardEventName];

export interface CustomEvent extends EventBase {
  name: string;
  props?: Props;
}

export type PathmarkEvent = StandardEvent | CustomEvent;

/** What the SDK POSTs to `EVENTS_PATH` (as `text/plain` or `application/json`). */
export interface Batch {
  v: typeof PROTOCOL_VERSION;
  site: string;
  /** Consent mode when the batch was sent. Only sendable modes are ever sent. */
  consent: SendableConsentMode;
  /** Client clock when this request was sent, epoch ms; the collector corrects skew with it. */
  sent_at: number;
  /** SDK name and version, e.g. `pathmark-js/0.1.0`. */
  sdk: string;
  /** Events the SDK dropped (queue cap) since its last delivered batch. */
  dropped?: number;
  events: PathmarkEvent[];
}

/** `202` answer to a batch. */
export interface BatchResponse {
  accepted: number;
  rejected: { index: number; reason: string }[];
}

/** Body of every 4xx/5xx answer. `detail` names the field, e.g. `events[3].props.items[0].price`. */
export interface ErrorResponse {
  error: string;
  detail: string;
}

/** What the SDK (Global Privacy Control) and the collector (Sec-GPC, DNT) do with a browser's privacy signal. */
export const PRIVACY_SIGNAL_CAPS = ['anonymous', 'denied', 'ignore'] as const;
export type PrivacySignalCap = (typeof PRIVACY_SIGNAL_CAPS)[number];

/** `GET CONFIG_PATH/:site`: the site's effective policy for this visitor. */
export interface SiteConfigResponse {
  site: string;
  /** Mode the SDK should start in when the visitor has not decided. */
  default_consent: ConsentMode;
  /** Highest mode this site may use; the collector enforces it whatever the SDK sends. */
  max_consent: SendableConsentMode;
  gpc: PrivacySignalCap;
  /** Query parameters that survive the collector (besides `utm_*`). */
  query_params: string[];
  policy_version: string;
  /**
   * Where the visitor is, as far as the collector knows: the ISO 3166-1 country (`FR`) and, when known, the ISO 3166-2
   * subdivision (`FR-IDF`); absent when the country is unknown. The SDK matches Google Consent Mode defaults scoped
   * to a `region` list against it.
   */
  regions?: string[];
}

/**
 * Body of `POST RIGHTS_PATH/:site/access` and `/erase` (as `text/plain` or `application/json`, like a batch): the
 * SDK's `anonymous_id` is the credential, known only to the browser that holds it in `granted` mode. It travels in the
 * body, never in a URL.
 */
export interface RightsRequest {
  anonymous_id: string;
}

/** The state of an erasure request, step by step; `status` is `done` once every step is. */
export interface ErasureReceipt {
  receipt_id: string;
  site: string;
  /** ISO 8601. */
  requested_at: string;
  completed_at?: string;
  status: 'pending' | 'done';
  steps: {
    /** The visitor's rows in the collector's database. */
    database: 'pending' | 'done';
    /** The insights tables, recomputed without the visitor. */
    insights: 'pending' | 'done';
    /** The R2 archive, rewritten without the visitor's records by the scheduled job. */
    archive: 'pending' | 'done';
    /** The signed webhook, told to erase downstream (`off` when no webhook is configured). */
    webhook: 'pending' | 'notified' | 'off';
  };
  /** Path (under the collector) where the receipt can be checked later: `GET`. */
  check: string;
}

/** Answer of `POST RIGHTS_PATH/:site/access`. */
export interface AccessResponse {
  site: string;
  /** `records`: what is kept under the visitor's pseudonym (possibly none); `nothing`: nothing is kept per visitor, see `reason`. */
  kept: 'records' | 'nothing';
  reason?: string;
  /** The stored records, newest first, as the sinks received them. */
  records: Record<string, JsonValue>[];
  /** More records exist than the answer holds. */
  truncated: boolean;
  /** What each field of a record is. */
  fields: Record<string, string>;
  /** The erasure requested for this pseudonym, if any. */
  erasure: ErasureReceipt | null;
}
