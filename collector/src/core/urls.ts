import { auditName, redactText, type CleanTexts } from './redact.ts';
import { decodedView } from './text-view.ts';

/** `new URL` that answers null instead of throwing (URL.parse is not in every runtime's types). */
export function parseUrl(value: string, base?: string): URL | null {
  try {
    return new URL(value, base);
  } catch {
    return null;
  }
}

/**
 * URL and referrer reduction: no fragment, no credentials, only allowlisted query
 * parameters (their values redacted), path segments redacted, IP hosts hidden.
 */

export interface CleanedUrl {
  url: string;
  path: string;
  /** `path` plus the kept query, as in the SDK's `previous_path`. */
  pathAndQuery: string;
  redactions: number;
  /** e.g. `url?email`, `url#fragment`, `url@credentials` (names redacted too). */
  removed: string[];
}

const isIpHost = (hostname: string): boolean => /^\d{1,3}(?:\.\d{1,3}){3}$/.test(hostname) || hostname.startsWith('[');

/** The origin, with an IP host hidden and host labels redacted like text (a phone number as a subdomain). */
function cleanOrigin(url: URL, clean?: CleanTexts): { origin: string; redactions: number } {
  const port = url.port ? `:${url.port}` : '';
  if (isIpHost(url.hostname)) return { origin: `${url.protocol}//[ip]${port}`, redactions: 1 };
  const host = redactText(url.hostname, undefined, clean);
  if (host.count === 0) return { origin: url.origin, redactions: 0 };
  return { origin: `${url.protocol}//${host.text}${port}`, redactions: host.count };
}

/**
 * Path segments are redacted as sent: the rules decode percent-escapes themselves (a few
 * rounds), and a marker replaces only the escapes behind a finding, so the rest of the
 * segment keeps its encoding.
 */
function cleanPath(pathname: string, clean?: CleanTexts): { path: string; redactions: number } {
  let redactions = 0;
  const segments = pathname.split('/').map((segment) => {
    const result = redactText(segment, undefined, clean);
    redactions += result.count;
    return result.text;
  });
  return { path: segments.join('/'), redactions };
}

/**
 * URLs in which nothing was found and nothing removed, per query-parameter rule, so that
 * the pages a site's visitors keep coming back to are parsed and redacted once, not once
 * per batch. Such a URL is forwarded as it is, so the memo holds nothing the sinks do
 * not; at most CLEAN_URLS_MAX per rule (cleared when full). Results are frozen: shared.
 */
export type CleanUrls = WeakMap<(name: string) => boolean, Map<string, CleanedUrl>>;
export const CLEAN_URLS_MAX = 1024;

/**
 * What redaction and URL cleaning found clean, remembered across batches. Created once
 * per isolate with the rest of the pipeline's dependencies (PipelineDeps) and handed down
 * through the per-batch cache; a memo only saves work, it never changes an answer
 * (collector/test-core/clean-memos.test.ts).
 */
export interface CleanMemos {
  texts: CleanTexts;
  urls: CleanUrls;
}

export const createCleanMemos = (): CleanMemos => ({ texts: new Set(), urls: new WeakMap() });

/**
 * Cleans a page URL. `keepParam` decides which query parameters survive.
 * Returns null for anything that is not an absolute http(s) URL.
 */
export function cleanUrl(
  raw: string,
  keepParam: (name: string) => boolean,
  label = 'url',
  memos?: CleanMemos,
): CleanedUrl | null {
  if (!memos) return cleanUrlOnce(raw, keepParam, label);
  let known = memos.urls.get(keepParam);
  const seen = known?.get(raw);
  if (seen) return seen;
  const cleaned = cleanUrlOnce(raw, keepParam, label, memos.texts);
  // `label` only names removed parts: a URL with none cleans the same under any label.
  if (cleaned && cleaned.redactions === 0 && cleaned.removed.length === 0) {
    if (!known) memos.urls.set(keepParam, (known = new Map()));
    else if (known.size >= CLEAN_URLS_MAX) known.clear();
    Object.freeze(cleaned.removed);
    known.set(raw, Object.freeze(cleaned));
  }
  return cleaned;
}

function cleanUrlOnce(raw: string, keepParam: (name: string) => boolean, label: string, clean?: CleanTexts): CleanedUrl | null {
  const url = parseUrl(raw);
  if (!url || (url.protocol !== 'http:' && url.protocol !== 'https:')) return null;
  const removed: string[] = [];
  if (url.username || url.password) removed.push(`${label}@credentials`);
  if (url.hash) removed.push(`${label}#fragment`);

  const origin = cleanOrigin(url, clean);
  const path = cleanPath(url.pathname, clean);
  let redactions = origin.redactions + path.redactions;
  const kept = new URLSearchParams();
  for (const [name, value] of url.searchParams) {
    const safeName = redactText(name, undefined, clean);
    if (!keepParam(name) || safeName.count > 0) {
      redactions += safeName.count;
      removed.push(`${label}?${auditName(name)}`);
      continue;
    }
    const safeValue = redactText(value, undefined, clean);
    redactions += safeValue.count;
    kept.append(name, safeValue.text);
  }
  const query = kept.toString();
  const pathAndQuery = query ? `${path.path}?${query}` : path.path;
  return { url: origin.origin + pathAndQuery, path: path.path, pathAndQuery, redactions, removed };
}

/** `http(s)://host:port` as written, up to what ends it (WHATWG URL reads `\\` as `/` in http(s) URLs). */
const AUTHORITY = /^https?:\/\/[^/?#\\]+/i;
const ENDS_AUTHORITY = /^(?:[/?#\\]|$)/;

/**
 * Cleans a referrer: a same-origin referrer like the page URL, an external one down to
 * its origin (where the visitor came from, not what they were reading there).
 */
export function cleanReferrer(
  raw: string,
  pageUrl: string,
  keepParam: (name: string) => boolean,
  memos?: CleanMemos,
): CleanedUrl | null {
  // Written with the page URL's scheme and host: the same origin, known without parsing either.
  const authority = AUTHORITY.exec(raw)?.[0];
  if (authority && pageUrl.startsWith(authority) && ENDS_AUTHORITY.test(pageUrl.charAt(authority.length)))
    return cleanUrl(raw, keepParam, 'referrer', memos);
  const referrer = parseUrl(raw);
  if (!referrer || (referrer.protocol !== 'http:' && referrer.protocol !== 'https:')) return null;
  if (referrer.origin === parseUrl(pageUrl)?.origin) return cleanUrl(raw, keepParam, 'referrer', memos);
  const origin = cleanOrigin(referrer, memos?.texts);
  const trimmed = referrer.pathname !== '/' || referrer.search || referrer.hash || referrer.username;
  return {
    url: origin.origin,
    path: '/',
    pathAndQuery: '/',
    redactions: origin.redactions,
    removed: trimmed ? ['referrer/path'] : [],
  };
}

export interface CleanedText {
  text: string;
  redactions: number;
  removed: string[];
}

const URL_IN_TEXT = /https?:\/\/[^\s"'<>`]+/gi;
/** Punctuation that ends a sentence rather than the URL in it. */
const TRAILING_PUNCTUATION = /[.,;:!?)\]}]+$/;
/** `http://`, `https://`, or either percent-encoded (any number of times: `%253A`). */
const MAY_HOLD_URL = /https?(?::\/\/|%)/i;
/** Whether cleanUrlsInText may find a URL in `text` (a cheap test before it does the work). */
export const mayHoldUrl = (text: string): boolean => MAY_HOLD_URL.test(text);

/**
 * Free text that may hold http(s) URLs (a `share` or `link` property, a message with a
 * link in it): each URL is cleaned like the page URL (no fragment, no credentials, only
 * allowlisted query parameters, the rest redacted), the text around it is redacted. A
 * percent-encoded URL is found in the decoded text. Null when the text holds no URL.
 */
export function cleanUrlsInText(
  raw: string,
  keepParam: (name: string) => boolean,
  label: string,
  memos?: CleanMemos,
): CleanedText | null {
  if (!MAY_HOLD_URL.test(raw)) return null;
  const text = /https?:\/\//i.test(raw) ? raw : decodedView(raw).text;
  // A value that is one URL is taken whole (quotes and brackets are URL characters too).
  const whole = /^https?:\/\/\S+$/i.test(text) ? cleanUrl(text, keepParam, label, memos) : null;
  if (whole) return { text: whole.url, redactions: whole.redactions, removed: whole.removed };
  URL_IN_TEXT.lastIndex = 0;
  if (!URL_IN_TEXT.test(text)) return null;
  const out: CleanedText = { text: '', redactions: 0, removed: [] };
  let cursor = 0;
  URL_IN_TEXT.lastIndex = 0;
  for (let match = URL_IN_TEXT.exec(text); match; match = URL_IN_TEXT.exec(text)) {
    const candidate = match[0].replace(TRAILING_PUNCTUATION, '');
    const cleaned = cleanUrl(candidate, keepParam, label, memos);
    if (!cleaned) continue;
    appendRedacted(out, text.slice(cursor, match.index), memos?.texts);
    out.text += cleaned.url;
    out.redactions += cleaned.redactions;
    out.removed.push(...cleaned.removed);
    cursor = match.index + candidate.length;
  }
  appendRedacted(out, text.slice(cursor), memos?.texts);
  return out;
}

function appendRedacted(out: CleanedText, part: string, clean?: CleanTexts): void {
  const result = redactText(part, undefined, clean);
  out.text += result.text;
  out.redactions += result.count;
}
