import * as v from 'valibot';
import {
  CONSENT_MODES,
  PRIVACY_SIGNAL_CAPS,
  SENDABLE_CONSENT_MODES,
  stricterConsent,
  type ConsentMode,
  type PrivacySignalCap,
  type SendableConsentMode,
  type SiteConfigResponse,
} from '#protocol';
import { checkPageTypePatterns, type PageTypePatterns } from './insights/page-types.ts';
import { DEFAULT_K } from './insights/privacy.ts';
import { RATE_LIMIT_UNIT } from './rate-limit.ts';
import type { ValidBatch, ValidEvent } from './validate.ts';

/**
 * Site policy: the privacy officer's switches (collector/sites.json), and `enforce`,
 * which applies them to a batch. Failing closed throughout: the stricter of what the
 * client claims, what the policy allows and what the browser signals always wins.
 */

/** EU member states, the rest of the EEA (IS, LI, NO) and the UK, as ISO 3166-1 codes. */
export const EU_EEA_UK: ReadonlySet<string> = new Set([
  'AT',
  'BE',
  'BG',
  'HR',
  'CY',
  'CZ',
  'DK',
  'EE',
  'FI',
  'FR',
  'DE',
  'GR',
  'HU',
  'IE',
  'IT',
  'LV',
  'LT',
  'LU',
  'MT',
  'NL',
  'PL',
  'PT',
  'RO',
  'SK',
  'SI',
  'ES',
  'SE',
  'IS',
  'LI',
  'NO',
  'GB',
]);
/** Name of the EU/EEA/UK group in `default_consent`. */
export const EU_EEA_UK_KEY = 'EU/EEA/UK';

/** Query parameters that always survive, whatever the allowlist: campaign attribution. */
export const isCampaignParam = (name: string): boolean => /^utm_[a-z_]{1,32}$/.test(name);

/**
 * Whether a query parameter survives under this policy: a campaign parameter or one of
 * its `query_params`. The pipeline builds it once per policy (PipelineMemos), so what
 * URL cleaning remembers per rule lasts from one batch to the next.
 */
export function queryParamRule(policy: SitePolicy): (name: string) => boolean {
  const allowed = policy.query_params;
  return (name) => isCampaignParam(name) || allowed.includes(name);
}

const signalCapSchema = v.picklist(PRIVACY_SIGNAL_CAPS);
const sitePolicySchema = v.object({
  policy_version: v.pipe(v.string(), v.minLength(1)),
  allowed_origins: v.array(v.pipe(v.string(), v.url())),
  max_consent: v.picklist(SENDABLE_CONSENT_MODES),
  default_consent: v.pipe(
    v.record(v.string(), v.picklist(CONSENT_MODES)),
    v.check((map) => '*' in map, 'default_consent needs a "*" entry'),
  ),
  gpc: signalCapSchema,
  dnt: signalCapSchema,
  query_params: v.array(v.string()),
  redact_keys: v.array(v.string()),
  rate_limit: v.optional(
    v.object({
      batches_per_10s: v.pipe(
        v.number(),
        v.integer(),
        v.minValue(RATE_LIMIT_UNIT, `rate_limit.batches_per_10s: at least ${RATE_LIMIT_UNIT}, the limiter's unit`),
        v.maxValue(100_000),
      ),
    }),
  ),
  page_types: v.optional(
    v.pipe(
      v.unknown(),
      v.rawCheck(({ dataset, addIssue }) => {
        const problem = dataset.typed ? checkPageTypePatterns(dataset.value) : null;
        if (problem) addIssue({ message: problem });
      }),
      v.transform((value) => value as PageTypePatterns),
    ),
  ),
  k_anonymity: v.optional(
    v.pipe(v.number(), v.integer('k_anonymity: expected an integer'), v.minValue(1, 'k_anonymity: at least 1'), v.maxValue(1000)),
  ),
  epsilon: v.optional(
    v.pipe(
      v.number(),
      v.check((value) => Number.isFinite(value) && value > 0, 'epsilon: expected a positive number'),
      v.maxValue(100, 'epsilon: at most 100 (above that the noise protects nothing)'),
    ),
  ),
  retention_days: v.optional(
    v.pipe(v.number(), v.integer('retention_days: expected a whole number of days'), v.minValue(1, 'retention_days: at least 1')),
  ),
});
const sitesFileSchema = v.object({
  sites: v.record(v.pipe(v.string(), v.regex(/^[a-z0-9][a-z0-9_-]{0,63}$/)), sitePolicySchema),
});

export interface SitePolicy {
  site: string;
  policy_version: string;
  /** Origins (scheme://host[:port]) whose pages may send to this site. */
  allowed_origins: string[];
  /** Highest mode the site may use. */
  max_consent: SendableConsentMode;
  /** Start mode per ISO country code, per `EU/EEA/UK`, and `*` for everyone else. */
  default_consent: Record<string, ConsentMode>;
  /** Cap for visitors sending `Sec-GPC: 1`. */
  gpc: PrivacySignalCap;
  /** Cap for visitors sending `DNT: 1`. */
  dnt: PrivacySignalCap;
  /** Query parameters kept in URLs besides `utm_*`; values are still redacted. */
  query_params: string[];
  /** Property keys removed from every event's props, at any depth. */
  redact_keys: string[];
  /** Batches per 10 s from one IP address + user agent (default DEFAULT_BATCHES_PER_10S, rate-limit.ts). */
  rate_limit?: { batches_per_10s: number };
  /** Glob patterns on the URL path per page type; the collector writes the type into each record (docs/insights.md). */
  page_types?: PageTypePatterns;
  /** Rows of insights reports naming a path, term or item need this many visits (default DEFAULT_K); fewer fold into "(other)". */
  k_anonymity?: number;
  /** Laplace noise of scale 1/epsilon on every count of an insights report; absent = no noise. */
  epsilon?: number;
  /** Days of event-level rows (events, insights facts) kept in D1; the day rollups stay. Absent = kept. */
  retention_days?: number;
}

export type SitePolicies = ReadonlyMap<string, SitePolicy>;

/**
 * Parses the sites file; throws on a malformed file (a deploy-time mistake, not client input), with a
 * message that names the field: `sites.demo.k_anonymity: …`.
 */
export function parseSitePolicies(file: unknown): SitePolicies {
  const result = v.safeParse(sitesFileSchema, file);
  if (!result.success) {
    const issue = result.issues[0];
    throw new Error(`sites.json: ${fieldMessage(v.getDotPath(issue) ?? '(file)', issue.message)}`);
  }
  return new Map(Object.entries(result.output.sites).map(([site, policy]) => [site, { site, ...policy }]));
}

/** `sites.demo.k_anonymity: at least 1`: messages written for a field already name its tail, valibot's own do not. */
function fieldMessage(path: string, message: string): string {
  const segments = path.split('.');
  for (let i = 0; i < segments.length; i++) {
    const tail = segments.slice(i).join('.');
    if (message.startsWith(`${tail}:`) || message.startsWith(`${tail}.`)) return [...segments.slice(0, i), message].join('.');
  }
  return `${path}: ${message}`;
}

/** The k and epsilon an insights report of this site is computed with. */
export const reportPrivacy = (policy: SitePolicy): { k: number; epsilon: number | null } => ({
  k: policy.k_anonymity ?? DEFAULT_K,
  epsilon: policy.epsilon ?? null,
});

/** Privacy signals the browser sent with the request (`Sec-GPC: 1`, `DNT: 1`), read at the edge. */
export interface PrivacySignals {
  gpc: boolean;
  dnt: boolean;
}

/** The strictest mode the signals allow under this policy (`granted` when none applies). */
export function signalCap(policy: SitePolicy, signals: PrivacySignals): ConsentMode {
  let cap: ConsentMode = 'granted';
  if (signals.gpc && policy.gpc !== 'ignore') cap = stricterConsent(cap, policy.gpc);
  if (signals.dnt && policy.dnt !== 'ignore') cap = stricterConsent(cap, policy.dnt);
  return cap;
}

/** Start mode for a visitor from `country`; an unknown country gets the strictest listed default. */
export function defaultConsentFor(policy: SitePolicy, country: string | null): ConsentMode {
  const map = policy.default_consent;
  const code = country?.toUpperCase() ?? null;
  const known = code !== null && /^[A-Z]{2}$/.test(code) && code !== 'XX' && code !== 'T1';
  if (!known) return Object.values(map).reduce<ConsentMode>((a, b) => stricterConsent(a, b), 'granted');
  return map[code] ?? (EU_EEA_UK.has(code) ? map[EU_EEA_UK_KEY] : undefined) ?? map['*'] ?? 'pending';
}

/** What `GET /v1/config/:site` answers for this visitor. */
export function siteConfigFor(policy: SitePolicy, country: string | null, signals: PrivacySignals): SiteConfigResponse {
  const regional = stricterConsent(defaultConsentFor(policy, country), policy.max_consent);
  return {
    site: policy.site,
    default_consent: stricterConsent(regional, signalCap(policy, signals)),
    max_consent: policy.max_consent,
    gpc: policy.gpc,
    query_params: [...policy.query_params],
    policy_version: policy.policy_version,
  };
}

/** Consent the collector applies: the strictest of the claim, the site maximum and the signals. */
export function effectiveConsent(policy: SitePolicy, claimed: ConsentMode, signals: PrivacySignals): ConsentMode {
  return [policy.max_consent, signalCap(policy, signals)].reduce(stricterConsent, claimed);
}

export interface EnforcedEvent {
  index: number;
  event: ValidEvent;
  /** Fields removed by enforcement (identifiers under `anonymous`). */
  removed: string[];
}

export interface EnforcedBatch {
  consent: ConsentMode;
  events: EnforcedEvent[];
  /** Events not forwarded because of consent, with the reason. */
  dropped: { index: number; reason: string }[];
}

/**
 * Applies the policy to a validated batch: `denied`/`pending` drop every event,
 * `anonymous` strips identifiers, `granted` keeps them (they are pseudonymized later).
 */
export function enforce(policy: SitePolicy, batch: ValidBatch, signals: PrivacySignals): EnforcedBatch {
  const consent = effectiveConsent(policy, batch.consent, signals);
  if (consent === 'denied' || consent === 'pending') {
    const reason = `consent: ${consent} (claimed ${batch.consent}${signals.gpc ? ', Sec-GPC' : ''}${signals.dnt ? ', DNT' : ''}); not collected`;
    return { consent, events: [], dropped: batch.events.map(({ index }) => ({ index, reason })) };
  }
  const events: EnforcedEvent[] = [];
  for (const { index, event } of batch.events) {
    if (consent === 'granted') {
      events.push({ index, event, removed: [] });
      continue;
    }
    const removed: string[] = [];
    if (event.anonymous_id !== undefined) removed.push('anonymous_id');
    if (event.session_id !== undefined) removed.push('session_id');
    // A copy without the identifiers, cleared rather than deleted (a copy with keys left
    // out costs several times more, and deleting keys makes every later read slow).
    events.push({ index, event: removed.length ? { ...event, anonymous_id: undefined, session_id: undefined } : event, removed });
  }
  return { consent, events, dropped: [] };
}
