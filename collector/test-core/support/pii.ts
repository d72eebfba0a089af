import type { Faker } from '@faker-js/faker';
import { faker as ar } from '@faker-js/faker/locale/ar';
import { faker as da } from '@faker-js/faker/locale/da';
import { faker as de } from '@faker-js/faker/locale/de';
import { faker as en_GB } from '@faker-js/faker/locale/en_GB';
import { faker as en_HK } from '@faker-js/faker/locale/en_HK';
import { faker as en_IN } from '@faker-js/faker/locale/en_IN';
import { faker as en_US } from '@faker-js/faker/locale/en_US';
import { faker as es } from '@faker-js/faker/locale/es';
import { faker as fa } from '@faker-js/faker/locale/fa';
import { faker as fr } from '@faker-js/faker/locale/fr';
import { faker as he } from '@faker-js/faker/locale/he';
import { faker as it } from '@faker-js/faker/locale/it';
import { faker as ja } from '@faker-js/faker/locale/ja';
import { faker as ko } from '@faker-js/faker/locale/ko';
import { faker as lv } from '@faker-js/faker/locale/lv';
import { faker as nb_NO } from '@faker-js/faker/locale/nb_NO';
import { faker as nl } from '@faker-js/faker/locale/nl';
import { faker as pl } from '@faker-js/faker/locale/pl';
import { faker as pt_BR } from '@faker-js/faker/locale/pt_BR';
import { faker as ru } from '@faker-js/faker/locale/ru';
import { faker as th } from '@faker-js/faker/locale/th';
import { faker as tr } from '@faker-js/faker/locale/tr';
import { faker as vi } from '@faker-js/faker/locale/vi';
import { faker as zh_CN } from '@faker-js/faker/locale/zh_CN';
import { faker as zh_TW } from '@faker-js/faker/locale/zh_TW';
import fc from 'fast-check';

/**
 * Generators of the personal data and secrets the collector must never forward, each
 * with a label for failure messages: faker's data in 25 locales, plus what faker does not
 * make (mainland-China mobile and resident-ID numbers, JWTs, tokens), and every form a
 * value takes on its way to the collector (percent-encoded up to three times,
 * form-encoded, full-width, with no-break spaces, as a JSON number).
 */

export const FAKERS: Readonly<Record<string, Faker>> = {
  ar,
  da,
  de,
  en_GB,
  en_HK,
  en_IN,
  en_US,
  es,
  fa,
  fr,
  he,
  it,
  ja,
  ko,
  lv,
  nb_NO,
  nl,
  pl,
  pt_BR,
  ru,
  th,
  tr,
  vi,
  zh_CN,
  zh_TW,
};
const LOCALES = Object.keys(FAKERS);

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
export const cardNumber = fc.tuple(fc.integer({ min: 13, max: 19 }), fc.constantFrom('', ' ', '-')).chain(([length, separator]) =>
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

/** Mainland-China mobile numbers (1[3-9]x, 11 digits) as people write them. */
export const chinaMobile = fc
  .tuple(fc.integer({ min: 3, max: 9 }), digits(9), fc.constantFrom('plain', 'spaced', 'dashed', '+86', '+86 spaced', '0086'))
  .map(([second, rest, style]) => {
    const number = `1${second}${rest}`;
    const spaced = `${number.slice(0, 3)} ${number.slice(3, 7)} ${number.slice(7)}`;
    switch (style) {
      case 'plain':
        return number;
      case 'spaced':
        return spaced;
      case 'dashed':
        return spaced.replace(/ /g, '-');
      case '+86':
        return `+86${number}`;
      case '+86 spaced':
        return `+86 ${spaced}`;
      default:
        return `0086 ${number}`;
    }
  });

/** ISO 7064 MOD 11-2 check character of the first 17 digits of a resident identity number. */
function residentIdCheck(body: string): string {
  const weights = [7, 9, 10, 5, 8, 4, 2, 1, 6, 3, 7, 9, 10, 5, 8, 4, 2];
  const sum = weights.reduce((total, weight, i) => total + weight * Number(body[i]), 0);
  return '10X98765432'[sum % 11]!;
}

/** Mainland-China resident identity numbers: region, birth date, sequence, check (digit or X). */
export const chinaResidentId = fc
  .tuple(
    fc.integer({ min: 110000, max: 659999 }),
    fc.date({ min: new Date('1930-01-01T00:00:00Z'), max: new Date('2015-12-31T00:00:00Z'), noInvalidDate: true }),
    digits(3),
    fc.constantFrom('', ' '),
  )
  .map(([region, birth, sequence, separator]) => {
    const body = `${region}${birth.toISOString().slice(0, 10).replace(/-/g, '')}${sequence}`;
    const id = body + residentIdCheck(body);
    return separator ? `${id.slice(0, 6)} ${id.slice(6, 14)} ${id.slice(14)}` : id;
  });

export const email = fc.emailAddress();
export const ipv4 = fc.ipV4();
/** IPv6 addresses; the all-zero `::` is excluded as it names no host and is two colons of text. */
export const ipv6 = fc.ipV6().filter((ip) => /[1-9a-f]/i.test(ip) && ip.replace(/[^0-9a-f]/gi, '').length >= 3);

const base64url = 'ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789-_';
const fromAlphabet = (alphabet: string, min: number, max: number) =>
  fc
    .array(fc.integer({ min: 0, max: alphabet.length - 1 }), { minLength: min, maxLength: max })
    .map((indexes) => indexes.map((i) => alphabet[i]).join(''));

export const jwt = fc
  .tuple(fromAlphabet(base64url, 10, 40), fromAlphabet(base64url, 10, 80), fromAlphabet(base64url, 20, 43))
  .map(([header, payload, signature]) => `eyJ${header}.${payload}.${signature}`);
export const hexToken = fromAlphabet('0123456789abcdef', 32, 64);
/** Random base64url tokens as API keys and session ids look; never all one character (no random token is). */
export const base64Token = fromAlphabet(base64url, 40, 64).filter((token) => /\d/.test(token) && /[A-Za-z]/.test(token));
export const longDigitRun = digits(10, 16);

/**
 * A phone number the collector promises to catch in free text: a `+` and 7 or more
 * digits, 9 or more digits, or 8 digits in groups. Faker also writes bare numbers of 6–8
 * digits (da, nb_NO, lv) and grouped ones of 6–7; those are left alone, since nothing
 * tells them from a SKU or a quantity (docs/collector.md, What is not caught).
 */
export function isCatchablePhone(phone: string): boolean {
  const count = phone.replace(/\D/g, '').length;
  return (
    (/^\+/.test(phone.trim()) && count >= 7) || count >= 9 || (count === 8 && /\d[ ()/+-]+\d/.test(phone) && !phone.includes('.'))
  );
}

export interface Secret {
  kind: string;
  value: string;
}

/** Personal data as faker writes it, in a random locale (seeded, so fast-check can replay it). */
export const fakerSecret: fc.Arbitrary<Secret> = fc
  .tuple(
    fc.constantFrom(...LOCALES),
    fc.integer({ min: 1, max: 2 ** 31 - 1 }),
    fc.constantFrom(
      'email',
      'phone',
      'phone-national',
      'phone-international',
      'card',
      'iban',
      'iban-compact',
      'ipv4',
      'ipv6',
      'jwt',
    ),
  )
  .map(([locale, seed, kind]) => {
    const faker = FAKERS[locale]!;
    faker.seed(seed);
    const make = (): string => {
      switch (kind) {
        case 'email':
          return faker.internet.email();
        case 'phone':
          return faker.phone.number();
        case 'phone-national':
          return faker.phone.number({ style: 'national' });
        case 'phone-international':
          return faker.phone.number({ style: 'international' });
        case 'card':
          return faker.finance.creditCardNumber();
        case 'iban':
          return faker.finance.iban({ formatted: true });
        case 'iban-compact':
          return faker.finance.iban();
        case 'ipv4':
          return faker.internet.ipv4();
        case 'ipv6':
          return faker.internet.ipv6();
        default:
          return faker.internet.jwt();
      }
    };
    let value = make();
    // A few tries for a phone number written the ways the collector promises to catch.
    for (let tries = 0; kind.startsWith('phone') && !isCatchablePhone(value) && tries < 20; tries++) value = make();
    return {
      kind: `${kind} (${locale})`,
      value: isCatchablePhone(value) || !kind.startsWith('phone') ? value : faker.phone.number({ style: 'international' }),
    };
  });

/** Every kind of secret: faker's, China's numbers, and the generated ones. */
export const secret: fc.Arbitrary<Secret> = fc.oneof(
  { weight: 6, arbitrary: fakerSecret },
  chinaMobile.map((value) => ({ kind: 'china-mobile', value })),
  chinaResidentId.map((value) => ({ kind: 'china-resident-id', value })),
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

/** Digits of a secret that is a number written with separators, when it may be sent as a JSON number. */
export function asNumber(value: string): number | null {
  const compact = value.replace(/[\s().+-]/g, '');
  if (!/^[1-9]\d{8,14}$/.test(compact)) return null;
  const number = Number(compact);
  // Epoch-looking values of 2001–2033 stay numbers by design (docs/collector.md).
  if ((number >= 1e9 && number < 2e9) || (number >= 1e12 && number < 2e12)) return null;
  return number;
}

/** ASCII as a CJK input method types it: full-width forms (U+FF01–FF5E) and the ideographic space. */
export const fullWidth = (value: string): string =>
  value.replace(/[!-~ ]/g, (char) => (char === ' ' ? '\u3000' : String.fromCharCode(char.charCodeAt(0) + 0xfee0)));

/** The forms a value takes on its way to the collector. */
export const FORMS = {
  plain: (value: string) => value,
  encoded: (value: string) => encodeURIComponent(value),
  encodedTwice: (value: string) => encodeURIComponent(encodeURIComponent(value)),
  encodedThrice: (value: string) => encodeURIComponent(encodeURIComponent(encodeURIComponent(value))),
  formEncoded: (value: string) => new URLSearchParams({ x: value }).toString().slice(2),
  formEncodedTwice: (value: string) => encodeURIComponent(new URLSearchParams({ x: value }).toString().slice(2)),
  fullWidth,
  fullWidthEncoded: (value: string) => encodeURIComponent(fullWidth(value)),
  noBreakSpaces: (value: string) => value.replace(/ /g, '\u00a0'),
} as const;
export type FormName = keyof typeof FORMS;
export const formName = fc.constantFrom(...(Object.keys(FORMS) as FormName[]));

/**
 * A value between two pieces of text. One case is set apart by a space: text ending in
 * `%` before a value whose first two characters, read with it, make an escape encoders
 * do write (`%` + `20 12 34 56` encoded reads as a space and `12 34 56`). The collector
 * reads only unlikely escapes (of letters, digits, control characters) as a `%` sent as
 * text, since reading `%20` so would turn encoded text such as `Sizes%2036%2038` into
 * numbers (docs/collector.md, What is not caught).
 */
export function between(before: string, value: string, after: string): string {
  const escape = /^[0-9A-Fa-f]{2}/.test(value) ? Number.parseInt(value.slice(0, 2), 16) : -1;
  const unlikely =
    (escape >= 0 && escape < 0x20 && ![0x09, 0x0a, 0x0d].includes(escape)) ||
    escape === 0x7f ||
    /^[0-9A-Za-z]$/.test(String.fromCharCode(escape));
  return before.endsWith('%') && escape >= 0 && !unlikely ? `${before} ${value}${after}` : `${before}${value}${after}`;
}

/** Ordinary text around the secret: words, spaces, punctuation, sometimes nothing. */
export const surrounding = fc.oneof(
  fc.constant(''),
  fc.constantFrom(' ', 'contact ', 'id=', '/', ': ', '(', 'x'),
  fc.string({ maxLength: 12 }),
);

/**
 * Every string that would give `value` away if found in output: the value in each of
 * its forms, and its digits run together when it has 9 or more (a number that lost
 * its separators is still the number).
 */
export function needles(value: string): string[] {
  const found = new Set<string>();
  for (const form of Object.values(FORMS)) found.add(form(value));
  found.add(encodeURI(value));
  const compact = value.replace(/[^0-9A-Za-z]/g, '');
  if (/^\d{9,}$/.test(compact) || /^[A-Z]{2}\d{2}[A-Z0-9]{11,30}$/.test(compact)) found.add(compact);
  return [...found].filter((needle) => needle.length > 0);
}

/** Names and addresses: found only under the keys that name them (free text is out of reach, docs/collector.md). */
export const personalRecord = fc
  .tuple(fc.constantFrom(...LOCALES), fc.integer({ min: 1, max: 2 ** 31 - 1 }))
  .map(([locale, seed]) => {
    const faker = FAKERS[locale]!;
    faker.seed(seed);
    // Not every locale has every kind of data (lv has no postcodes): such fields come from en_US.
    const local = (make: (faker: Faker) => string) => {
      try {
        return make(faker);
      } catch {
        return make(en_US);
      }
    };
    return {
      locale,
      firstName: local((f) => f.person.firstName()),
      lastName: local((f) => f.person.lastName()),
      fullName: local((f) => f.person.fullName()),
      street: local((f) => f.location.street()),
      streetAddress: local((f) => f.location.streetAddress(true)),
      zipCode: local((f) => f.location.zipCode()),
      birthday: local((f) => f.date.birthdate().toISOString().slice(0, 10)),
    };
  });
