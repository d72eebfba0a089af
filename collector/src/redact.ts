/**
 * Redaction of personal data and secrets from free text (paths, query values, search
 * terms, titles, property values and keys). Errs on the side of removing too much: a
 * product code that looks like a phone number is a small loss, a leaked phone number
 * is not. Every pattern runs in linear time on its input (strings are ≤ 2 KB anyway).
 */

export interface Redacted {
  text: string;
  /** Number of values replaced. */
  count: number;
}

type Rule = { marker: string; pattern: RegExp; accept?: (match: string) => boolean | string };

/** Luhn checksum (ISO/IEC 7812), the check digit of payment card numbers. */
export function luhnValid(digits: string): boolean {
  let sum = 0;
  for (let i = 0; i < digits.length; i++) {
    let digit = digits.charCodeAt(digits.length - 1 - i) - 48;
    if (i % 2 === 1) {
      digit *= 2;
      if (digit > 9) digit -= 9;
    }
    sum += digit;
  }
  return digits.length > 0 && sum % 10 === 0;
}

/** Payment card numbers are 13–19 digits with a valid Luhn check digit. */
const isCardNumber = (digits: string): boolean => digits.length >= 13 && digits.length <= 19 && luhnValid(digits);

const countDigits = (s: string): number => s.replace(/\D/g, '').length;

const RULES: Rule[] = [
  // JWTs: base64url JSON header (always `eyJ`), payload, signature.
  { marker: '[token]', pattern: /eyJ[A-Za-z0-9_-]{2,}\.[A-Za-z0-9_-]{2,}\.[A-Za-z0-9_-]*/g },
  // IPv6 (and MAC addresses): maximal runs of hex, colons and dots with a `::` or ≥ 5 colons.
  {
    marker: '[ip]',
    pattern: /[0-9A-Fa-f:.]{2,}/g,
    accept: (run) => (run.includes('::') && /[0-9A-Fa-f]/.test(run)) || run.split(':').length > 5,
  },
  // IPv4, also inside longer digit runs (no word boundaries: "x192.168.0.1y" counts).
  { marker: '[ip]', pattern: /\d{1,3}\.\d{1,3}\.\d{1,3}\.\d{1,3}/g },
  // Card numbers: ≥ 13 digits, optionally grouped by spaces or dashes. Luhn decides the
  // marker; any such run is removed either way (it is an account or card-like number).
  {
    marker: '[number]',
    pattern: /(?:\d[ -]?){12,}\d/g,
    accept: (run) => (isCardNumber(run.replace(/\D/g, '')) ? '[card]' : true),
  },
  // Phone numbers: + prefix with ≥ 7 digits, or ≥ 9 digits with separators. No upper
  // bound: the run may have swallowed neighbouring numbers ("v0.1.0 (555) 010-0000").
  {
    marker: '[phone]',
    pattern: /\+?\(?\d[\d ().-]{5,}\d/g,
    accept: (run) => {
      const digits = countDigits(run);
      return digits >= 9 || (run.startsWith('+') && digits >= 7);
    },
  },
  { marker: '[number]', pattern: /\d{9,}/g },
  // Long hex (API keys, hashes, UUIDs without dashes).
  { marker: '[token]', pattern: /[0-9A-Fa-f]{32,}/g },
  // Long base64/base64url runs that mix digits and letters or upper and lower case.
  {
    marker: '[token]',
    pattern: /[A-Za-z0-9+/_=-]{32,}/g,
    accept: (run) =>
      (/\d/.test(run) && /[A-Za-z]/.test(run)) || (run.replace(/[^A-Z]/g, '').length >= 4 && run.replace(/[^a-z]/g, '').length >= 4),
  },
];

/**
 * E-mail addresses: every `@` with non-space text on both sides, taken up to the
 * surrounding whitespace. Done by scanning rather than by regex so a long run without a
 * domain costs linear time.
 */
function redactEmails(input: string): Redacted {
  if (!input.includes('@')) return { text: input, count: 0 };
  const isBoundary = (ch: string | undefined) => ch === undefined || /\s/.test(ch) || ch === '@';
  let out = '';
  let count = 0;
  let cursor = 0;
  let at = input.indexOf('@');
  while (at !== -1) {
    let start = at;
    while (start > cursor && !isBoundary(input[start - 1])) start--;
    let end = at + 1;
    while (end < input.length && !isBoundary(input[end])) end++;
    if (start < at && end > at + 1) {
      out += input.slice(cursor, start) + '[email]';
      count++;
      cursor = end;
    }
    at = input.indexOf('@', Math.max(at + 1, cursor));
  }
  return { text: out + input.slice(cursor), count };
}

/**
 * A field or parameter name as the audit trail (`audit.removed`) may show it: plain
 * identifiers as they are, anything else as `*`, since a name is client input too and
 * could carry the very data that caused its removal.
 */
export function auditName(name: string): string {
  return /^[A-Za-z_][A-Za-z0-9_-]{0,63}$/.test(name) && redactText(name).count === 0 ? name : '*';
}

/** Replaces personal data and secrets in `input` with markers such as `[email]`. */
export function redactText(input: string): Redacted {
  // Fast path for the common short words and titles: every rule needs a digit, an `@`,
  // a `:` or a run of ≥ 32 characters, so text with none of them has nothing to redact.
  if (input.length < 32 && !/[\d@:]/.test(input)) return { text: input, count: 0 };
  const emails = redactEmails(input);
  let text = emails.text;
  let count = emails.count;
  for (const rule of RULES) {
    text = text.replace(rule.pattern, (match) => {
      const verdict = rule.accept ? rule.accept(match) : true;
      if (verdict === false) return match;
      count++;
      return typeof verdict === 'string' ? verdict : rule.marker;
    });
  }
  return { text, count };
}
