import fc from 'fast-check';

/**
 * Generators of the personal data and secrets the collector must never forward, each
 * with a label for failure messages.
 */

const digit = fc.integer({ min: 0, max: 9 }).map(String);
const digits = (min: number, max = min) => fc.array(digit, { minLength: min, maxLength: max }).map((list) => list.join(''));

function luhnCheckDigit(body: string): string {
  let sum = 0;
  for (let i = 0; i < body.length; i++) {
    let d = Number(body[body.length - 1 - i]);
    if (i % 2 === 0) {
      d *= 2;
      if (d > 9) d -= 9;
    }
    sum += d;
  }
  return String((10 - (sum % 10)) % 10);
}

/** Luhn-valid card numbers of 13–19 digits, plain or grouped by 4 with spaces or dashes. */
export const cardNumber = fc
  .tuple(fc.integer({ min: 13, max: 19 }), fc.constantFrom('', ' ', '-'))
  .chain(([length, separator]) =>
    digits(length - 1).map((body) => {
      const number = body + luhnCheckDigit(body);
      return separator ? number.replace(/(\d{4})(?=\d)/g, `$1${separator}`) : number;
    }),
  );

/** International (+CC …) and national (≥ 10 digits) phone numbers in common formats. */
export const phoneNumber = fc.oneof(
  fc.tuple(fc.integer({ min: 1, max: 998 }), digits(3), digits(3), digits(4)).map(([cc, a, b, c]) => `+${cc} ${a} ${b} ${c}`),
  fc.tuple(digits(3), digits(3), digits(4)).map(([a, b, c]) => `(${a}) ${b}-${c}`),
  fc.tuple(fc.integer({ min: 1, max: 99 }), digits(9, 11)).map(([cc, rest]) => `+${cc}${rest}`),
  fc.tuple(digits(4), digits(3), digits(4)).map(([a, b, c]) => `0${a.slice(1)} ${b} ${c}`),
);

export const email = fc.emailAddress();
export const ipv4 = fc.ipV4();
/** IPv6 addresses; the all-zero `::` is excluded as it names no host and is two colons of text. */
export const ipv6 = fc.ipV6().filter((ip) => /[1-9a-f]/i.test(ip) && ip.replace(/[^0-9a-f]/gi, '').length >= 3);

const base64url = 'ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789-_';
const fromAlphabet = (alphabet: string, min: number, max: number) =>
  fc.array(fc.integer({ min: 0, max: alphabet.length - 1 }), { minLength: min, maxLength: max }).map((indexes) => indexes.map((i) => alphabet[i]).join(''));

export const jwt = fc
  .tuple(fromAlphabet(base64url, 10, 40), fromAlphabet(base64url, 10, 80), fromAlphabet(base64url, 20, 43))
  .map(([header, payload, signature]) => `eyJ${header}.${payload}.${signature}`);
export const hexToken = fromAlphabet('0123456789abcdef', 32, 64);
/** Random base64url tokens as API keys and session ids look. */
export const base64Token = fromAlphabet(base64url, 40, 64);
export const longDigitRun = digits(10, 16);

export const secret = fc.oneof(
  email.map((value) => ({ kind: 'email', value })),
  phoneNumber.map((value) => ({ kind: 'phone', value })),
  cardNumber.map((value) => ({ kind: 'card', value })),
  ipv4.map((value) => ({ kind: 'ipv4', value })),
  ipv6.map((value) => ({ kind: 'ipv6', value })),
  jwt.map((value) => ({ kind: 'jwt', value })),
  hexToken.map((value) => ({ kind: 'hex', value })),
  base64Token.map((value) => ({ kind: 'base64', value })),
  longDigitRun.map((value) => ({ kind: 'digits', value })),
);

/** Ordinary text around the secret: words, spaces, punctuation, sometimes nothing. */
export const surrounding = fc.oneof(
  fc.constant(''),
  fc.constantFrom(' ', 'contact ', 'id=', '/', ': ', '(', 'x'),
  fc.string({ maxLength: 12 }),
);

/** Every form in which `value` could show up in output: as is or percent-encoded. */
export function forms(value: string): string[] {
  return [...new Set([value, encodeURIComponent(value), encodeURI(value), new URLSearchParams({ x: value }).toString().slice(2)])];
}
