import type { Props, SendableConsentMode } from '#protocol';
import type { PageType } from './insights/page-types.ts';

/** Reduced user agent: enough to segment by browser and device, too coarse to fingerprint. */
export interface ReducedUserAgent {
  browser: string;
  browser_major: number | null;
  os: string;
  device: 'desktop' | 'mobile' | 'tablet' | 'other';
}

/** The markers that replace redacted values, as `[email]`, `[phone]` … (docs/collector.md). */
export const REDACTION_MARKERS = ['email', 'phone', 'card', 'iban', 'id', 'ip', 'number', 'token'] as const;

/** What a privacy officer needs to audit one record. */
export interface RecordAudit {
  /** `policy_version` of the site policy that was enforced. */
  policy_version: string;
  /** Id of the daily salt behind `visitor_id` in `anonymous` mode. */
  salt_id: string | null;
  /** Id of the per-site key that pseudonymized the identifiers in `granted` mode. */
  key_id: string | null;
  /**
   * Values replaced by a marker (REDACTION_MARKERS), one count per marker written, plus
   * those found in property keys, which are removed whole (and listed in `removed`).
   */
  redactions: number;
  /** Fields removed by the collector, e.g. `anonymous_id`, `props.email`, `url?ref`. */
  removed: string[];
}

/** One event as every sink receives it. Built only by the collector; nothing in it is raw. */
export interface ForwardedRecord {
  event_id: string;
  batch_id: string;
  site: string;
  name: string;
  /** Consent mode the collector enforced (never more than the site policy allows). */
  consent: SendableConsentMode;
  /** Collector clock when the batch arrived, epoch ms. */
  received_at: number;
  /** Capture time corrected for device clock skew: received_at − (sent_at − client_ts). */
  ts: number;
  /** Device clock at capture, as sent. */
  client_ts: number;
  seq: number;
  page_id: string;
  /** Page URL without fragment, credentials or non-allowlisted query parameters; redacted. */
  url: string;
  path: string;
  /**
   * The kind of page, by the site policy's `page_types` patterns on `path`; null when none matches.
   * Absent from records archived before the collector classified pages.
   */
  page_type?: PageType | null;
  title?: string;
  /** Same-site referrer cleaned like `url`; external referrers reduced to their origin. */
  referrer?: string;
  props: Props;
  /**
   * `anonymous`: HMAC(daily salt, site + IP + user agent), countable within a day only.
   * `granted`: HMAC(site key, SDK anonymous id).
   */
  visitor_id: string;
  /** `granted` only: HMAC(site key, SDK session id). */
  session_id?: string;
  geo: { country: string | null; region: string | null };
  ua: ReducedUserAgent;
  sdk: string;
  audit: RecordAudit;
}

/** One queue message: the accepted part of one batch, already anonymized. */
export interface QueueMessageBody {
  v: 1;
  batch_id: string;
  site: string;
  received_at: number;
  records: ForwardedRecord[];
}
