import { matchingViews, originalRange } from './text-view.ts';

/**
 * Redaction of personal data and secrets from free text (paths, query values, search
 * terms, titles, property values and keys) and from numbers in free-form properties.
 *
 * The rules match on a view of the text with percent-escapes decoded and compatibility
 * forms folded (text-view.ts), so `jane%40example.com`, `１３８ １２３４ ５６７８` and a value
 * encoded twice are found; the markers replace the matched ranges of the original, so
 * text where nothing matched is returned exactly as sent. Errs on the side of removing
 * too much, but not so far that ordinary shop text (dates, prices, slugs, SKUs) is lost.
 * Every rule runs in linear time on its input (strings are ≤ 2 KB anyway).
 */

export interface Redacted {
  text: string;
  /** Number of values replaced, which is the number of markers written. */
  count: number;
}

export interface RedactOptions {
  /**
   * The value sits under a key that names a phone number (`mobile`, `tel` …): any run
   * of 6 or more digits is taken as one, where free text needs 8 grouped or 9.
   */
  contactNumber?: boolean;
}

/** A range of the view text to replace with `marker`. */
interface ViewFinding {
  start: number;
  end: number;
  marker: string;
}
/** A rule scans the view text (earlier findings already masked) and adds what it finds to `found`, in order. */
type Rule = (text: string, found: ViewFinding[], options: RedactOptions) => void;

/** Marker of ranges that are kept (dates): masked from later rules, never replaced. */
const KEEP = '';
/** Masks stand in for found ranges so later rules neither see nor re-match them; no rule matches this character. */
const MASK = '\uE000';

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

/**
 * IBAN length per country (ISO 13616 registry, plus the countries that use IBANs outside
 * it). The length says where an IBAN written in groups ends; the check digits say whether
 * it is one.
 */
const IBAN_LENGTHS: Readonly<Record<string, number>> = {
  AD: 24,
  AE: 23,
  AL: 28,
  AO: 25,
  AT: 20,
  AZ: 28,
  BA: 20,
  BE: 16,
  BF: 28,
  BG: 22,
  BH: 22,
  BI: 27,
  BJ: 28,
  BR: 29,
  BY: 28,
  CF: 27,
  CG: 27,
  CH: 21,
  CI: 28,
  CM: 27,
  CR: 22,
  CV: 25,
  CY: 28,
  CZ: 24,
  DE: 22,
  DJ: 27,
  DK: 18,
  DO: 28,
  DZ: 26,
  EE: 20,
  EG: 29,
  ES: 24,
  FI: 18,
  FK: 18,
  FO: 18,
  FR: 27,
  GA: 27,
  GB: 22,
  GE: 22,
  GI: 23,
  GL: 18,
  GQ: 27,
  GR: 27,
  GT: 28,
  GW: 25,
  HN: 28,
  HR: 21,
  HU: 28,
  IE: 22,
  IL: 23,
  IQ: 23,
  IR: 26,
  IS: 26,
  IT: 27,
  JO: 30,
  KM: 27,
  KW: 30,
  KZ: 20,
  LB: 28,
  LC: 32,
  LI: 21,
  LT: 20,
  LU: 20,
  LV: 21,
  LY: 25,
  MA: 28,
  MC: 27,
  MD: 24,
  ME: 22,
  MG: 27,
  MK: 19,
  ML: 28,
  MN: 20,
  MR: 27,
  MT: 31,
  MU: 30,
  MZ: 25,
  NE: 28,
  NI: 28,
  NL: 18,
  NO: 15,
  OM: 23,
  PK: 24,
  PL: 28,
  PS: 29,
  PT: 25,
  QA: 29,
  RO: 24,
  RS: 22,
  RU: 33,
  SA: 24,
  SC: 31,
  SD: 18,
  SE: 24,
  SI: 19,
  SK: 24,
  SM: 27,
  SN: 28,
  SO: 23,
  ST: 25,
  SV: 28,
  TD: 27,
  TG: 28,
  TL: 23,
  TN: 24,
  TR: 26,
  UA: 29,
  VA: 22,
  VG: 24,
  XK: 20,
  YE: 30,
};

/** ISO 13616 check: the IBAN with its first four characters moved to the end, letters as 10–35, is 1 mod 97. */
export function ibanValid(iban: string): boolean {
  const upper = iban.toUpperCase();
  if (!/^[A-Z]{2}\d{2}[A-Z0-9]+$/.test(upper) || IBAN_LENGTHS[upper.slice(0, 2)] !== upper.length) return false;
  const rearranged = upper.slice(4) + upper.slice(0, 4);
  let remainder = 0;
  for (const char of rearranged) {
    const value = Number.parseInt(char, 36);
    remainder = (value > 9 ? remainder * 100 + value : remainder * 10 + value) % 97;
  }
  return remainder === 1;
}

const isAlphanumeric = (char: string | undefined): boolean => char !== undefined && /[A-Za-z0-9]/.test(char);

/**
 * Finds each match of `pattern`, or what `accept` makes of it (false: no finding).
 * `needs` is a cheap test of the text without which the pattern cannot match.
 */
function matchRule(
  pattern: RegExp,
  marker: string,
  accept?: ((match: string, options: RedactOptions, text: string, index: number) => boolean | string) | null,
  needs?: (text: string) => boolean,
): Rule {
  return (text, found, options) => {
    if (needs && !needs(text)) return;
    pattern.lastIndex = 0;
    for (let match = pattern.exec(text); match; match = pattern.exec(text)) {
      const verdict = accept ? accept(match[0], options, text, match.index) : true;
      if (verdict !== false)
        found.push({
          start: match.index,
          end: match.index + match[0].length,
          marker: typeof verdict === 'string' ? verdict : marker,
        });
    }
  };
}

/**
 * E-mail addresses: every `@` with non-space text on both sides, taken up to the
 * surrounding whitespace. Done by scanning rather than by regex so a long run without a
 * domain costs linear time.
 */
const emails: Rule = (text, found) => {
  const isBoundary = (ch: string | undefined) => ch === undefined || /\s/.test(ch) || ch === '@';
  let cursor = 0;
  let at = text.indexOf('@');
  while (at !== -1) {
    let start = at;
    while (start > cursor && !isBoundary(text[start - 1])) start--;
    let end = at + 1;
    while (end < text.length && !isBoundary(text[end])) end++;
    if (start < at && end > at + 1) {
      found.push({ start, end, marker: '[email]' });
      cursor = end;
    }
    at = text.indexOf('@', Math.max(at + 1, cursor));
  }
};

/**
 * IBANs, compact or in groups (`DE89 3704 0044 0532 0130 00`, `GB82 WEST 1234 5698 7654 32`):
 * a country code and two check digits, then exactly as many letters and digits as that
 * country's IBANs have, single spaces, dashes or `+` (form-encoded) between them, and a valid mod-97
 * check, so a random code is not taken for one.
 */
const IBAN_START = /[A-Za-z]{2}\d{2}/g;
const ibans: Rule = (text, found) => {
  IBAN_START.lastIndex = 0;
  for (let match = IBAN_START.exec(text); match; match = IBAN_START.exec(text)) {
    const length = IBAN_LENGTHS[match[0].slice(0, 2).toUpperCase()];
    if (!length) {
      IBAN_START.lastIndex = match.index + 1;
      continue;
    }
    let compact = '';
    let end = match.index;
    while (end < text.length && compact.length < length) {
      const char = text[end]!;
      if (isAlphanumeric(char)) compact += char;
      else if (!((char === ' ' || char === '-' || char === '+') && compact.length >= 4 && isAlphanumeric(text[end + 1]))) break;
      end++;
    }
    if (compact.length === length && ibanValid(compact)) {
      found.push({ start: match.index, end, marker: '[iban]' });
      IBAN_START.lastIndex = end;
    } else {
      IBAN_START.lastIndex = match.index + 1;
    }
  }
};

/**
 * Long runs of base64/base64url characters that mix digits and letters or upper and
 * lower case are tokens, unless they read like a slug or form-encoded words
 * (`air-zoom-pegasus-41`, `iphone-15-pro-256gb`, `red+shoes+size+42`): three or more
 * parts, every one a word, a short number or a size. A random token of that length has
 * one or two separators and parts that mix case and digits.
 */
const WORD_PART = /^(?:[A-Za-z][a-z]*|[A-Z]{1,5}|\d{1,6}|\d{1,6}[a-z]{1,4}|[a-z]{1,6}\d{1,4})$/;
function isTokenLike(run: string): boolean {
  const mixed =
    (/\d/.test(run) && /[A-Za-z]/.test(run)) ||
    (run.replace(/[^A-Z]/g, '').length >= 4 && run.replace(/[^a-z]/g, '').length >= 4);
  if (!mixed) return false;
  const parts = run.split(/[-_+/=]+/).filter(Boolean);
  return parts.length < 3 || !parts.every((part) => WORD_PART.test(part));
}

/**
 * Dates masked (kept, not counted) before the number rules, which would otherwise read
 * `2026-12-02 10:30` as a phone number. Only whole dates with a four-digit year in
 * 1900–2099 and one separator; a date glued to more digits (`+45 2026-12-02 55`) is
 * left to the number rules.
 */
const TIME = String.raw`(?:[ T](?:[01]?\d|2[0-3]):[0-5]\d(?::[0-5]\d(?:\.\d{1,9})?)?(?:Z|[+-](?:[01]\d|2[0-3]):?[0-5]\d)?)?`;
const NOT_AFTER_NUMBER = String.raw`(?<![\d+])(?<!\d[ ./-])`;
const NOT_BEFORE_NUMBER = String.raw`(?!\d)(?![ ./-]\d)`;
const DATES = new RegExp(
  [
    String.raw`${NOT_AFTER_NUMBER}(?:19|20)\d{2}([-./])(?:0?[1-9]|1[0-2])\1(?:0?[1-9]|[12]\d|3[01])${TIME}${NOT_BEFORE_NUMBER}`,
    String.raw`${NOT_AFTER_NUMBER}(?:0?[1-9]|[12]\d|3[01])([-./])(?:0?[1-9]|[12]\d|3[01])\2(?:19|20)\d{2}${TIME}${NOT_BEFORE_NUMBER}`,
  ].join('|'),
  'g',
);

/** GS1 check digit (EAN-13, ISBN-13): weights 1 and 3 from the left, total a multiple of 10. */
function gtinValid(digits: string): boolean {
  let sum = 0;
  for (let i = 0; i < digits.length; i++) sum += (digits.charCodeAt(i) - 48) * (i % 2 === 0 ? 1 : 3);
  return sum % 10 === 0;
}

/** ISBN-10 check: weights 10 down to 1, `X` for 10, total a multiple of 11. */
function isbn10Valid(chars: string): boolean {
  let sum = 0;
  for (let i = 0; i < 10; i++) sum += (chars[i] === 'X' || chars[i] === 'x' ? 10 : chars.charCodeAt(i) - 48) * (10 - i);
  return sum % 11 === 0;
}

/**
 * ISBNs written with hyphens (`978-1-76762-839-3`, `0-306-40615-2`) are book numbers, kept
 * like dates: four or five groups and a valid check digit, a shape no phone number has.
 */
const ISBNS = /(?<![\d-])(?:97[89]-\d{1,5}-\d{1,7}-\d{1,7}-\d|\d{1,5}-\d{1,7}-\d{1,7}-[\dXx])(?![\d-])/g;
function isbnVerdict(run: string): boolean {
  const compact = run.replace(/-/g, '');
  if (/^97[89]-/.test(run)) return compact.length === 13 && gtinValid(compact);
  return compact.length === 10 && isbn10Valid(compact);
}

/**
 * A run that may be a phone number: digits with the separators people write between
 * them, `+` too between digits (a form-encoded space: `(030)+1234567`), but not a `+`
 * after a space, which starts the next number.
 */
const NUMBER_RUN = String.raw`\+?\(?\d(?:[\d ().\/-]|(?<=[\d)])\+(?=\d)){4,}\d`;

/**
 * A word that announces a phone number (`Tel.`, `tlf:`, `WhatsApp`, `电话`, `☎`) right
 * before a run makes a shorter run one too: 6 digits or more, grouped or not
 * (`tlf. 31200265`).
 */
const ANNOUNCES_PHONE =
  /(?:\b(?:tel|tlf|tfn|fon|phone|mobile?|handy|cell|fax|sms|whatsapp|call|ring|telefon[eo]?|tel[ée]fono|t[ée]l[ée]phone)|телефон|тел|هاتف|جوال|טלפון|電話|电话|手机|手機|携帯|휴대폰|전화|☎|📞)[\s.:#=-]{0,3}$/iu;
const isAnnounced = (text: string, index: number): boolean => ANNOUNCES_PHONE.test(text.slice(Math.max(0, index - 16), index));

/**
 * Numbers in a row that are not one number: sizes (`36 38 40 42`, four or more two-digit
 * numbers rising by 1 or 2), a range of years (`2019-2024`) or of article numbers close
 * together (`5862-5864`). A phone number is hardly ever such a progression.
 */
function isSeries(run: string): boolean {
  if (/^\d{2}(?: \d{2}){3,}$/.test(run)) {
    const sizes = run.split(' ').map(Number);
    const step = sizes[1]! - sizes[0]!;
    return (step === 1 || step === 2) && sizes.every((size, i) => i === 0 || size - sizes[i - 1]! === step);
  }
  const range = /^(\d{4})-(\d{4})$/.exec(run);
  if (!range) return false;
  const [from, to] = [Number(range[1]), Number(range[2])];
  const years = from >= 1900 && to <= 2099 && to > from;
  return years || (to > from && to - from <= 20);
}

/**
 * Phone numbers: a `+` and 7 or more digits; 9 or more digits in one run; 8 digits
 * written in groups with spaces (or `+`, form-encoded), dashes, slashes or brackets (`9123 4567`,
 * `35 12 02 91`, `564 53 280`); 6 or more after a word that announces a phone number or
 * under a key that names one. Eight digits without a separator are left alone, as are
 * dotted ones (`802.433.31`): they are as likely a SKU or an article number. No upper
 * bound: the run may have swallowed neighbouring numbers ("v0.1.0 (555) 010-0000").
 */
function phoneVerdict(run: string, options: RedactOptions, text: string, index: number): boolean {
  const digits = run.replace(/\D/g, '').length;
  if (run.startsWith('+') && digits >= 7) return true;
  if (isSeries(run)) return false;
  if (digits >= 9) return true;
  if (digits >= 6 && (options.contactNumber || isAnnounced(text, index))) return true;
  return digits === 8 && /\d[ ()/+-]+\d/.test(run) && !run.includes('.');
}

const longerThan = (length: number) => (text: string) => text.length >= length;
const has = (char: string) => (text: string) => text.includes(char);

const RULES: Rule[] = [
  emails,
  // JWTs: base64url JSON header (always `eyJ`), payload, signature.
  matchRule(/eyJ[A-Za-z0-9_-]{2,}\.[A-Za-z0-9_-]{2,}\.[A-Za-z0-9_-]*/g, '[token]', null, has('eyJ')),
  // UUIDs in free text are identifiers: taken whole, before a digit group inside one reads as a phone number.
  matchRule(
    /[0-9A-Fa-f]{8}-[0-9A-Fa-f]{4}-[0-9A-Fa-f]{4}-[0-9A-Fa-f]{4}-[0-9A-Fa-f]{12}/g,
    '[token]',
    null,
    (text) => text.length >= 36 && text.includes('-'),
  ),
  // IPv6 (and MAC addresses): maximal runs of hex, colons and dots with a `::` or ≥ 5 colons.
  matchRule(
    /[0-9A-Fa-f:.]{2,}/g,
    '[ip]',
    (run) => (run.includes('::') && /[0-9A-Fa-f]/.test(run)) || run.split(':').length > 5,
    has(':'),
  ),
  // IPv4, also inside longer digit runs (no word boundaries: "x192.168.0.1y" counts).
  matchRule(/\d{1,3}\.\d{1,3}\.\d{1,3}\.\d{1,3}/g, '[ip]', null, has('.')),
  // Long hex (API keys, hashes, UUIDs without dashes), then long base64/base64url runs.
  matchRule(/[0-9A-Fa-f]{32,}/g, '[token]', null, longerThan(32)),
  matchRule(/[A-Za-z0-9+/_=-]{32,}/g, '[token]', isTokenLike, longerThan(32)),
  // After the tokens: an IBAN's letters and digits inside a longer token are part of the token.
  ibans,
  matchRule(DATES, KEEP, null, (text) => /\d[-./]\d/.test(text)),
  matchRule(ISBNS, KEEP, isbnVerdict, has('-')),
  // Mainland-China resident identity numbers: region, birth date, sequence, check digit or X.
  matchRule(
    /(?<!\d)[1-9]\d{5}[ -]?(?:18|19|20)\d{2}(?:0[1-9]|1[0-2])(?:0[1-9]|[12]\d|3[01])[ -]?\d{3}[\dXx](?!\d)/g,
    '[id]',
    null,
    longerThan(18),
  ),
  // Card numbers: ≥ 13 digits, optionally grouped, not after a `+` (a phone number). Luhn
  // decides the marker; any such run is removed either way (an account or card-like number).
  matchRule(
    /(?<![+\d])(?:\d[ +-]?){12,}\d/g,
    '[number]',
    (run) => (isCardNumber(run.replace(/\D/g, '')) ? '[card]' : true),
    longerThan(13),
  ),
  matchRule(new RegExp(NUMBER_RUN, 'g'), '[phone]', phoneVerdict, longerThan(6)),
];

/** Every rule needs a digit, an `@`, a `:` or a run of ≥ 32 characters; folding needs a non-ASCII character, decoding a `%`. */
const MAY_MATCH = /[\d@:%\u0080-\uffff]/;
const VIEW_MAY_MATCH = /[\d@:]/;

/**
 * Whether the rules could find anything in `text`: false for a short text without a digit,
 * `@`, `:`, `%` or non-ASCII character (most words, names, slugs and property keys), which
 * redactText returns as it is, with or without options. A test for callers to skip the call.
 */
export const mayHoldPersonalData = (text: string): boolean => text.length >= 32 || MAY_MATCH.test(text);

/**
 * Texts in which the rules found nothing, remembered so that the next batch's identical
 * title, item name, path segment or query value costs one lookup: they come again and
 * again. Only clean texts are kept, which the collector forwards as they are anyway, so
 * the memo holds nothing the sinks do not; short ones only, and at most
 * CLEAN_TEXTS_MAX of them (cleared when full). The answer depends on the text alone, so
 * the memo only saves work. Created per isolate with the pipeline (createCleanMemos in
 * urls.ts) and passed in: the core keeps no state of its own.
 */
export type CleanTexts = Set<string>;
export const CLEAN_TEXTS_MAX = 4096;
const CLEAN_TEXT_MAX_LENGTH = 256;

/**
 * Replaces personal data and secrets in `input` with markers such as `[email]`. `clean`
 * remembers texts found clean (see CleanTexts); without it every text is scanned.
 */
export function redactText(input: string, options: RedactOptions = {}, clean?: CleanTexts): Redacted {
  if (!mayHoldPersonalData(input)) return { text: input, count: 0 };
  if (options.contactNumber || !clean) return findAndSplice(input, options);
  if (clean.has(input)) return { text: input, count: 0 };
  const result = findAndSplice(input, options);
  if (result.count === 0 && input.length <= CLEAN_TEXT_MAX_LENGTH) {
    if (clean.size >= CLEAN_TEXTS_MAX) clean.clear();
    clean.add(input);
  }
  return result;
}

function findAndSplice(input: string, options: RedactOptions): Redacted {
  const found: Finding[] = [];
  for (const view of matchingViews(input)) {
    if (view.text.length < 32 && !VIEW_MAY_MATCH.test(view.text)) continue;
    for (const { start, end, marker } of findInView(view.text, options)) {
      const [from, to] = originalRange(view, start, end);
      found.push({ from, to, marker });
    }
  }
  return splice(input, found);
}

interface Finding {
  from: number;
  to: number;
  marker: string;
}

/** Runs the rules in order, each on the text with earlier findings masked; returns view ranges. */
function findInView(view: string, options: RedactOptions): ViewFinding[] {
  const found: ViewFinding[] = [];
  let text = view;
  let kept = 0;
  for (const rule of RULES) {
    const before = found.length;
    rule(text, found, options);
    if (found.length === before) continue;
    let masked = '';
    let cursor = 0;
    for (let i = before; i < found.length; i++) {
      const { start, end, marker } = found[i]!;
      if (marker === KEEP) kept++;
      masked += text.slice(cursor, start) + MASK.repeat(end - start);
      cursor = end;
    }
    text = masked + text.slice(cursor);
  }
  return kept === 0 ? found : found.filter((finding) => finding.marker !== KEEP);
}

/**
 * Writes one marker over each original range found. Ranges that overlap (one value found
 * in several views, or two findings inside one escape or folded character) become one
 * marker, counted once.
 */
function splice(input: string, found: Finding[]): Redacted {
  if (found.length === 0) return { text: input, count: 0 };
  found.sort((a, b) => a.from - b.from || b.to - a.to);
  let text = '';
  let cursor = 0;
  let count = 0;
  for (const { from, to, marker } of found) {
    if (from < cursor) {
      cursor = Math.max(cursor, to);
      continue;
    }
    text += input.slice(cursor, from) + marker;
    cursor = to;
    count++;
  }
  return { text: text + input.slice(cursor), count };
}

/**
 * A number in free-form properties. Integers of 9 or more digits are phone, card or
 * account numbers sent as JSON numbers (`{ mobile: 13812345678 }`) unless they read as
 * an epoch timestamp of 2001–2033 in seconds or milliseconds; fractions, prices,
 * quantities and scores stay numbers. Under a contact-number key, 6 digits suffice.
 */
export function redactNumber(value: number, options: RedactOptions = {}): { value: number | string; count: number } {
  const magnitude = Math.abs(value);
  if (!Number.isInteger(value) || magnitude < (options.contactNumber ? 1e5 : 1e8)) return { value, count: 0 };
  const epochSeconds = magnitude >= 1e9 && magnitude < 2e9;
  const epochMillis = magnitude >= 1e12 && magnitude < 2e12;
  if ((epochSeconds || epochMillis) && !options.contactNumber) return { value, count: 0 };
  const digits = BigInt(magnitude).toString();
  const marker = digits.length >= 13 ? (isCardNumber(digits) ? '[card]' : '[number]') : '[phone]';
  return { value: marker, count: 1 };
}

/**
 * A field or parameter name as the audit trail (`audit.removed`) may show it: plain
 * identifiers as they are, anything else as `*`, since a name is client input too and
 * could carry the very data that caused its removal.
 */
export function auditName(name: string): string {
  return /^[A-Za-z_][A-Za-z0-9_-]{0,63}$/.test(name) && redactText(name).count === 0 ? name : '*';
}
