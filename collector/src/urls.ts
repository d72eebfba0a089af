import { auditName, redactText } from './redact.ts';

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
function cleanOrigin(url: URL): { origin: string; redactions: number } {
  const port = url.port ? `:${url.port}` : '';
  if (isIpHost(url.hostname)) return { origin: `${url.protocol}//[ip]${port}`, redactions: 1 };
  const host = redactText(url.hostname);
  if (host.count === 0) return { origin: url.origin, redactions: 0 };
  return { origin: `${url.protocol}//${host.text}${port}`, redactions: host.count };
}

/**
 * Decodes each run of percent-escapes on its own, leaving malformed ones (`%zz`, a lone
 * `%C3`) as they are: one bad escape must not keep the rest of the segment encoded, where
 * `%20`-separated digits would slip past the phone and card rules.
 */
function decodeLeniently(segment: string): string {
  return segment.replace(/(?:%[0-9A-Fa-f]{2})+/g, (run) => {
    try {
      return decodeURIComponent(run);
    } catch {
      return run;
    }
  });
}

function cleanPath(pathname: string): { path: string; redactions: number } {
  let redactions = 0;
  const segments = pathname.split('/').map((segment) => {
    const result = redactText(decodeLeniently(segment));
    if (result.count === 0) return segment;
    redactions += result.count;
    return encodeURIComponent(result.text).replace(/%5B/g, '[').replace(/%5D/g, ']');
  });
  return { path: segments.join('/'), redactions };
}

/**
 * Cleans a page URL. `keepParam` decides which query parameters survive.
 * Returns null for anything that is not an absolute http(s) URL.
 */
export function cleanUrl(raw: string, keepParam: (name: string) => boolean, label = 'url'): CleanedUrl | null {
  const url = parseUrl(raw);
  if (!url || (url.protocol !== 'http:' && url.protocol !== 'https:')) return null;
  const removed: string[] = [];
  if (url.username || url.password) removed.push(`${label}@credentials`);
  if (url.hash) removed.push(`${label}#fragment`);

  const origin = cleanOrigin(url);
  const path = cleanPath(url.pathname);
  let redactions = origin.redactions + path.redactions;
  const kept = new URLSearchParams();
  for (const [name, value] of url.searchParams) {
    const safeName = redactText(name);
    if (!keepParam(name) || safeName.count > 0) {
      redactions += safeName.count;
      removed.push(`${label}?${auditName(name)}`);
      continue;
    }
    const safeValue = redactText(value);
    redactions += safeValue.count;
    kept.append(name, safeValue.text);
  }
  const query = kept.toString();
  const pathAndQuery = query ? `${path.path}?${query}` : path.path;
  return { url: origin.origin + pathAndQuery, path: path.path, pathAndQuery, redactions, removed };
}

/**
 * Cleans a referrer: a same-origin referrer like the page URL, an external one down to
 * its origin (where the visitor came from, not what they were reading there).
 */
export function cleanReferrer(raw: string, pageUrl: string, keepParam: (name: string) => boolean): CleanedUrl | null {
  const referrer = parseUrl(raw);
  if (!referrer || (referrer.protocol !== 'http:' && referrer.protocol !== 'https:')) return null;
  if (referrer.origin === parseUrl(pageUrl)?.origin) return cleanUrl(raw, keepParam, 'referrer');
  const origin = cleanOrigin(referrer);
  const trimmed = referrer.pathname !== '/' || referrer.search || referrer.hash || referrer.username;
  return { url: origin.origin, path: '/', pathAndQuery: '/', redactions: origin.redactions, removed: trimmed ? ['referrer/path'] : [] };
}
