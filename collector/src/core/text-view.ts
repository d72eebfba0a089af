/**
 * The texts the redaction rules read: as sent and with percent-escapes decoded (a
 * bounded number of rounds), each with compatibility forms folded (NFKC: full-width `１３８` and `＠`, no-break
 * spaces; plus Unicode dashes and the decimal digits of other scripts), with every
 * character of a view knowing the range of the original it came from. Rules match on
 * the views; replacements are made in the original, so text where nothing matched is
 * returned exactly as it was sent.
 */

export interface TextView {
  text: string;
  /**
   * For each UTF-16 unit of `text`, the start and end (exclusive) of the original range
   * it came from; null while `text` is the original itself.
   */
  start: number[] | null;
  end: number[] | null;
}

/**
 * Percent-decoding rounds. A value encoded by the page, again by a URL builder and once
 * more as it goes into a link is found in a path (which the URL parser leaves encoded)
 * with one round to spare; the bound keeps the work on hostile input small (each round
 * only ever shortens the text).
 */
export const MAX_DECODE_ROUNDS = 4;

const HAS_ESCAPE = /%[0-9A-Fa-f]{2}/;
const ESCAPE_RUN = /(?:%[0-9A-Fa-f]{2})+/g;
/**
 * Zeros of the decimal digits NFKC leaves alone (Arabic-Indic, Persian/Urdu, Devanagari,
 * Bengali, Gurmukhi, Gujarati, Oriya, Tamil, Telugu, Kannada, Malayalam, Thai, Lao,
 * Tibetan, Myanmar, Khmer, Mongolian): a phone number typed in them is still one.
 */
const DIGIT_ZEROS = [
  0x660, 0x6f0, 0x966, 0x9e6, 0xa66, 0xae6, 0xb66, 0xbe6, 0xc66, 0xce6, 0xd66, 0xe50, 0xed0, 0xf20, 0x1040, 0x17e0, 0x1810,
];
/** Hyphens and dashes NFKC keeps (U+2010–2015, the minus sign) read as `-`. */
const isDash = (code: number): boolean => (code >= 0x2010 && code <= 0x2015) || code === 0x2212;
const isForeignDigit = (code: number): boolean => DIGIT_ZEROS.some((zero) => code >= zero && code <= zero + 9);
const FOLDED_BY_US =
  /[\u2010-\u2015\u2212\u0660-\u0669\u06f0-\u06f9\u0966-\u096f\u09e6-\u09ef\u0a66-\u0a6f\u0ae6-\u0aef\u0b66-\u0b6f\u0be6-\u0bef\u0c66-\u0c6f\u0ce6-\u0cef\u0d66-\u0d6f\u0e50-\u0e59\u0ed0-\u0ed9\u0f20-\u0f29\u1040-\u1049\u17e0-\u17e9\u1810-\u1819]/;
// eslint-disable-next-line no-control-regex -- the range starts at NUL on purpose: everything above ASCII
const NON_ASCII = /[^\x00-\x7f]/;

/** Builds a view from pieces of a previous one, composing the ranges. */
class ViewBuilder {
  private text = '';
  private readonly start: number[] = [];
  private readonly end: number[] = [];
  constructor(private readonly source: TextView) {}

  /** Appends `piece`, every unit of which came from `source.text[from, to)`. */
  piece(piece: string, from: number, to: number): void {
    const start = this.source.start ? this.source.start[from]! : from;
    const end = this.source.end ? this.source.end[to - 1]! : to;
    for (let i = 0; i < piece.length; i++) {
      this.start.push(start);
      this.end.push(end);
    }
    this.text += piece;
  }

  /** Appends `source.text[from, to)` unchanged. */
  copy(from: number, to: number): void {
    if (from >= to) return;
    for (let i = from; i < to; i++) {
      this.start.push(this.source.start ? this.source.start[i]! : i);
      this.end.push(this.source.end ? this.source.end[i]! : i + 1);
    }
    this.text += this.source.text.slice(from, to);
  }

  build(): TextView {
    return { text: this.text, start: this.start, end: this.end };
  }
}

/** NFKC for one character, then dashes and other scripts' digits to ASCII. */
function foldChar(char: string): string {
  const normalized = char.normalize('NFKC');
  let out = '';
  for (const unit of normalized) {
    const code = unit.codePointAt(0)!;
    if (isDash(code)) out += '-';
    else if (isForeignDigit(code)) out += String(code - DIGIT_ZEROS.find((zero) => code >= zero && code <= zero + 9)!);
    else out += unit;
  }
  return out;
}

/** Folds compatibility forms character by character, so each result maps back to its source. */
function fold(view: TextView): TextView {
  const { text } = view;
  if (!NON_ASCII.test(text)) return view;
  if (text.normalize('NFKC') === text && !FOLDED_BY_US.test(text)) return view;
  const builder = new ViewBuilder(view);
  let copiedTo = 0;
  let i = 0;
  while (i < text.length) {
    const code = text.codePointAt(i)!;
    const width = code > 0xffff ? 2 : 1;
    if (code > 0x7f) {
      const char = text.slice(i, i + width);
      const folded = foldChar(char);
      if (folded !== char) {
        builder.copy(copiedTo, i);
        builder.piece(folded, i, i + width);
        copiedTo = i + width;
      }
    }
    i += width;
  }
  builder.copy(copiedTo, text.length);
  return builder.build();
}

/**
 * Length of the well-formed UTF-8 sequence at `bytes[at]` (RFC 3629: no overlong forms,
 * no surrogates, nothing above U+10FFFF), or 0 when there is none.
 */
function utf8SequenceAt(bytes: number[], at: number): number {
  const lead = bytes[at]!;
  if (lead < 0x80) return 1;
  const length = lead >= 0xc2 && lead <= 0xdf ? 2 : lead >= 0xe0 && lead <= 0xef ? 3 : lead >= 0xf0 && lead <= 0xf4 ? 4 : 0;
  if (length === 0 || at + length > bytes.length) return 0;
  const second = bytes[at + 1]!;
  const low = lead === 0xe0 ? 0xa0 : lead === 0xf0 ? 0x90 : 0x80;
  const high = lead === 0xed ? 0x9f : lead === 0xf4 ? 0x8f : 0xbf;
  if (second < low || second > high) return 0;
  for (let k = 2; k < length; k++) if (bytes[at + k]! < 0x80 || bytes[at + k]! > 0xbf) return 0;
  return length;
}

function utf8Decode(bytes: number[], at: number, length: number): string {
  const lead = bytes[at]!;
  if (length === 1) return String.fromCharCode(lead);
  let code = lead & (0xff >> (length + 1));
  for (let k = 1; k < length; k++) code = (code << 6) | (bytes[at + k]! & 0x3f);
  return String.fromCodePoint(code);
}

/**
 * Escapes no encoder writes for text — of a letter, a digit or a control character other
 * than tab and line breaks — are more likely a `%` sent as text right before a value
 * that starts with two digits (`50%4703%201013`: decoded, `%47` would eat the `47` of the
 * phone number).
 */
const UNLIKELY_ESCAPE = /%(?:0[0-8BCEFbcef]|1[0-9A-Fa-f]|3[0-9]|4[1-9A-Fa-f]|5[0-9Aa]|6[1-9A-Fa-f]|7[0-9AaFf])/;
const isUnlikelyEscape = (byte: number): boolean =>
  (byte < 0x20 && byte !== 0x09 && byte !== 0x0a && byte !== 0x0d) ||
  byte === 0x7f ||
  (byte >= 0x30 && byte <= 0x39) ||
  (byte >= 0x41 && byte <= 0x5a) ||
  (byte >= 0x61 && byte <= 0x7a);

/**
 * One round of percent-decoding. Each run of escapes is decoded as UTF-8 byte by byte:
 * a malformed sequence (`%C3` alone, `%FF`) stays as it was and the rest of the run is
 * still decoded, so one bad escape cannot keep `%40` or `%20`-separated digits hidden.
 * `literalFirst` reads the first escape of each word, when it is an unlikely one, as a
 * `%` sent as text.
 */
function decodeOnce(view: TextView, literalFirst = false): TextView {
  const { text } = view;
  const builder = new ViewBuilder(view);
  let copiedTo = 0;
  let wordHasEscape = false;
  ESCAPE_RUN.lastIndex = 0;
  for (let run = ESCAPE_RUN.exec(text); run; run = ESCAPE_RUN.exec(text)) {
    if (/\s/.test(text.slice(copiedTo, run.index))) wordHasEscape = false;
    builder.copy(copiedTo, run.index);
    const at = run.index;
    const bytes: number[] = [];
    for (let k = 0; k < run[0].length; k += 3) bytes.push(Number.parseInt(run[0].slice(k + 1, k + 3), 16));
    let b = 0;
    if (literalFirst && !wordHasEscape && isUnlikelyEscape(bytes[0]!)) {
      builder.copy(at, at + 3);
      b = 1;
    }
    wordHasEscape = true;
    while (b < bytes.length) {
      const length = utf8SequenceAt(bytes, b);
      if (length === 0) {
        builder.copy(at + b * 3, at + b * 3 + 3);
        b += 1;
      } else {
        builder.piece(utf8Decode(bytes, b, length), at + b * 3, at + (b + length) * 3);
        b += length;
      }
    }
    copiedTo = at + run[0].length;
  }
  builder.copy(copiedTo, text.length);
  return builder.build();
}

/**
 * The views of `input` the rules match on: the text as sent (folded), then the text after
 * each round of decoding. The undecoded view comes first and is always read, since
 * decoding can also hide a value: the `%14` in `%14.37.192.178` eats the first digits of
 * an IP address.
 */
export function matchingViews(input: string): TextView[] {
  const views = [fold({ text: input, start: null, end: null })];
  // The first view where an unlikely escape appears (decoding before it is the same either way).
  let ambiguousAt = -1;
  for (let round = 0; round < MAX_DECODE_ROUNDS && HAS_ESCAPE.test(views[round]!.text); round++) {
    if (ambiguousAt === -1 && UNLIKELY_ESCAPE.test(views[round]!.text)) ambiguousAt = round;
    const decoded = decodeOnce(views[round]!);
    if (decoded.text === views[round]!.text) break;
    views.push(fold(decoded));
  }
  if (ambiguousAt === -1) return views;
  // `%` + `4703%201013`: decoded, `%47` eats two digits of the number. Such text is read
  // again from there with the first escape of each word, if unlikely, taken as text.
  let view = views[ambiguousAt]!;
  for (let round = ambiguousAt; round < MAX_DECODE_ROUNDS && HAS_ESCAPE.test(view.text); round++) {
    const decoded = decodeOnce(view, true);
    if (decoded.text === view.text) break;
    view = fold(decoded);
    if (!views.some((seen) => seen.text === view.text)) views.push(view);
  }
  return views;
}

/** The most decoded view of `input` (for finding URLs that were sent percent-encoded). */
export function decodedView(input: string): TextView {
  let view = fold({ text: input, start: null, end: null });
  for (let round = 0; round < MAX_DECODE_ROUNDS && HAS_ESCAPE.test(view.text); round++) {
    const decoded = decodeOnce(view);
    if (decoded.text === view.text) break;
    view = fold(decoded);
  }
  return view;
}

/** The original range behind `view.text[from, to)`. */
export function originalRange(view: TextView, from: number, to: number): [number, number] {
  return view.start && view.end ? [view.start[from]!, view.end[to - 1]!] : [from, to];
}
