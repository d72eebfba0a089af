import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { auditName, ibanValid, luhnValid, redactNumber, redactText } from '../src/core/redact.ts';
import { MAX_DECODE_ROUNDS } from '../src/core/text-view.ts';
import { FAKERS, FORMS, asNumber, between, formName, fullWidth, needles, secret, surrounding } from './support/pii.ts';

describe('redactText', () => {
  it.each([
    ['mail bob.smith+shop@example.co.uk now', 'mail [email] now'],
    ['call +44 20 7946 0958 today', 'call [phone] today'],
    ['card 4111 1111 1111 1111 ok', 'card [card] ok'],
    ['from 203.0.113.7.', 'from [ip].'],
    ['v6 2001:db8::8a2e:370:7334 here', 'v6 [ip] here'],
    ['token eyJhbGciOiJIUzI1NiJ9.eyJzdWIiOiIxMjMifQ.abc123def456', 'token [token]'],
    ['key 9f86d081884c7d659a2feaa0c55ad015a3bf4f1b2b0b822cd15d6c15b0f00a08', 'key [token]'],
    ['order 12345678901234567890', 'order [number]'],
    ['ref 123456789012', 'ref [phone]'],
    ['sdk/0.1.0 000(000) 000-0000 x', 'sdk/[phone] x'],
    // A UUID in free text is one identifier, not a digit group and some hex.
    ['ref 123e4567-e89b-12d3-a456-426614174000 ok', 'ref [token] ok'],
    // Mainland China: mobile numbers in every spelling, resident identity numbers with their X.
    ['手机 13812345678', '手机 [phone]'],
    ['+86 138 1234 5678', '[phone]'],
    ['id 11010519491231002X.', 'id [id].'],
    ['id 110105 19491231 002x', 'id [id]'],
    // Eight digits in groups, as Hong Kong, Singapore, Denmark, Norway and Latvia write them.
    ['call 9123 4567', 'call [phone]'],
    ['ring 35 12 02 91 i dag', 'ring [phone] i dag'],
    ['564 53 280', '[phone]'],
    ['6123-4567', '[phone]'],
    ['(2) 3456 7890', '[phone]'],
    ['69 579 561', '[phone]'],
    // Shorter numbers where a word announces them.
    ['tlf. 31200265', 'tlf. [phone]'],
    ['Tel: 303 762', 'Tel: [phone]'],
    ['电话：1234567', '电话：[phone]'],
    // IBANs: spaced, compact, lower case, letters in the account part, cut off by nothing.
    ['IBAN DE89 3704 0044 0532 0130 00 bitte', 'IBAN [iban] bitte'],
    ['GB82 WEST 1234 5698 7654 32', '[iban]'],
    ['to NL91ABNA0417164300.', 'to [iban].'],
    ['mt84 malt 0110 0001 2345 mtlc ast0 01s', '[iban]'],
    ['LI2047383G3F88865Z300', '[iban]'],
    // One token, not an IBAN (BA68…, valid by chance) and the digits after it.
    ['ba68c4f448a695e2a2200000000000000000000000000000000', '[token]'],
    // Percent-encoded, once, twice, in the middle of other text, around a broken escape.
    ['jane%40example.com', '[email]'],
    ['q=jane%2540example.com&x=1', '[email]'],
    ['call%20%2B44%2020%207946%200958%20now', 'call%20[phone]%20now'],
    ['%E4%BD%A0 a%40b.cc %FF', '%E4%BD%A0 [email] %FF'],
    ['v6 2001%3Adb8%3A%3A1', 'v6 [ip]'],
    ['DE89%203704%200044%200532%200130%2000', '[iban]'],
    ['4111%201111%201111%201111', '[card]'],
    // An escape that would hide a value when decoded does not: `%14` is also read as text.
    ['x%14.37.192.178', 'x%[ip]'],
    // A `%` sent as text before an encoded number: `%47` must not eat two of its digits.
    ['50%4703%201013 off', '50%[phone] off'],
    ['%57%252003%252010%252013', '%[phone]'],
    ['%07%2520781%25202959', '%[phone]'],
    // Full-width and other compatibility forms, matched on NFKC; the rest kept as typed.
    ['Ｔシャツ 電話 １３８ １２３４ ５６７８', 'Ｔシャツ 電話 [phone]'],
    ['ｊａｎｅ＠ｅｘａｍｐｌｅ．ｃｏｍ です', '[email] です'],
    ['\u0661\u0663\u0668\u0661\u0662\u0663\u0664\u0665\u0666\u0667\u0668', '[phone]'],
    ['06\u00a012\u00a034\u00a056\u00a078', '[phone]'],
    ['0612\u20133456\u201378', '[phone]'],
  ])('redacts %j', (input, expected) => {
    expect(redactText(input).text).toBe(expected);
  });

  it.each([
    'Blue mug',
    'Size 42, 2 for 19.99 EUR',
    'blue-cotton-t-shirt-with-long-sleeves',
    'air-zoom-pegasus-41-mens-running-shoes-black',
    'iphone-15-pro-max-256gb-blue-titanium-edition',
    'red+shoes+size+42+for+my+daughter+please',
    '12:30:45',
    'SKU-2024-11',
    'SKU 12345678',
    '802.433.31',
    'Order total 1,299.00 EUR',
    'Prix 1 299 000 Ft',
    'Rp 12.990.000',
    '2026-12-02',
    '2026-12-02 10:30',
    '2026-12-02T10:30:00.000Z',
    '02.12.2026',
    '12/31/2026',
    'Delivery 02.12.2026 - 05.12.2026',
    'Models 2019-2024',
    'masques 5862-5864',
    'EU sizes 36 38 40 42 44',
    '978-1-76762-839-3',
    '0-306-40615-2',
    'Opening 10.00-18.00',
    'トレッキングシューズ',
    '登山鞋 男款 防水',
    '등산화 275mm',
    'Wanderschuhe Größe 42',
    'chaussures de randonnée',
    'Ｔシャツ Ｌサイズ',
    '50%OFF 100%cotton',
    'iPhone 15 Pro 256GB',
    'Sizes%2036%2038%2040%2042',
    'Total%201%20299%20000%20Ft',
  ])('leaves ordinary shop text alone: %j', (input) => {
    expect(redactText(input)).toEqual({ text: input, count: 0 });
  });

  it('leaves faker’s shop text alone in every locale', () => {
    fc.assert(
      fc.property(fc.constantFrom(...Object.keys(FAKERS)), fc.integer({ min: 1, max: 2 ** 31 - 1 }), (locale, seed) => {
        const faker = FAKERS[locale]!;
        faker.seed(seed);
        const texts = [
          faker.commerce.productName(),
          faker.commerce.department(),
          faker.commerce.productDescription(),
          faker.commerce.price(),
          faker.commerce.productMaterial(),
          faker.location.city(),
          faker.color.human(),
          faker.date.recent().toISOString(),
        ];
        for (const text of texts) expect(redactText(text), text).toEqual({ text, count: 0 });
      }),
      { numRuns: 300 },
    );
  });

  it('counts the values it replaced, once each, however many views found them', () => {
    expect(redactText('a@b.io and c@d.io, 203.0.113.1').count).toBe(3);
    // Found in the text as sent and in its decoded form: one value, one marker.
    expect(redactText('203.0.113.1%20x')).toEqual({ text: '[ip]%20x', count: 1 });
    expect(redactText('jane%2540example.com and +44%252020%25207946%25200958')).toEqual({
      text: '[email] and [phone]',
      count: 2,
    });
  });

  it('decodes a bounded number of rounds', () => {
    const at = (rounds: number) =>
      Array.from({ length: rounds }).reduce<string>((text) => encodeURIComponent(text), 'jane@example.com');
    expect(redactText(at(MAX_DECODE_ROUNDS)).text).toBe('[email]');
    // A hostile value nested far deeper costs no more than the rounds allowed.
    const deep = `${'%25'.repeat(600)}40`;
    expect(redactText(deep)).toEqual({ text: deep, count: 0 });
  });

  it('checks card numbers with Luhn', () => {
    expect(luhnValid('4111111111111111')).toBe(true);
    expect(luhnValid('4111111111111112')).toBe(false);
    expect(redactText('4111111111111112').text).toBe('[number]');
  });

  it('checks IBANs with ISO 13616 mod 97 and the country’s length', () => {
    expect(ibanValid('DE89370400440532013000')).toBe(true);
    expect(ibanValid('DE89370400440532013001')).toBe(false);
    expect(ibanValid('DE8937040044053201300')).toBe(false);
    expect(ibanValid('GB82WEST12345698765432')).toBe(true);
    // A code shaped like an IBAN with a failing check is not one (its digits are left to the other rules).
    expect(redactText('code DE12 ABCD EFGH IJKL MNOP QR').text).toBe('code DE12 ABCD EFGH IJKL MNOP QR');
    fc.assert(
      fc.property(fc.constantFrom(...Object.keys(FAKERS)), fc.integer({ min: 1, max: 2 ** 31 - 1 }), (locale, seed) => {
        FAKERS[locale]!.seed(seed);
        const iban = FAKERS[locale]!.finance.iban();
        expect(ibanValid(iban), iban).toBe(true);
      }),
      { numRuns: 200 },
    );
  });

  it('never leaves a generated secret in any form, whatever surrounds it', () => {
    fc.assert(
      fc.property(surrounding, secret, formName, surrounding, (before, { value }, form, after) => {
        const { text, count } = redactText(between(before, FORMS[form](value), after));
        for (const needle of needles(value)) expect(text).not.toContain(needle);
        expect(count).toBeGreaterThan(0);
      }),
      { numRuns: 3000 },
    );
  });

  it('keeps the text around a finding exactly as sent', () => {
    fc.assert(
      fc.property(secret, fc.constantFrom('登山鞋 ', 'Ｔシャツ ', 'caf%C3%A9, ', 'Größe\u00a0M '), (value, prefix) => {
        const { text } = redactText(`${prefix}${fullWidth(value.value)}`);
        expect(text.startsWith(prefix)).toBe(true);
      }),
      { numRuns: 300 },
    );
  });
});

describe('redactNumber', () => {
  it.each([
    [13812345678, '[phone]'],
    [-13812345678, '[phone]'],
    [4111111111111111, '[card]'],
    [5555555555554444, '[card]'],
    [2234567890123, '[number]'],
    [123456789, '[phone]'],
    [110105194912310020, '[number]'],
  ])('takes %d as a JSON number', (value, marker) => {
    expect(redactNumber(value)).toEqual({ value: marker, count: 1 });
  });

  it.each([0, 3, 19.99, 1299.99, 129999, 12345678, 4.5, -20, 1e7, 1767225600, 1767225600000, 1e12 + 0.5])(
    'keeps %d as a number (prices, quantities, scores, epoch timestamps)',
    (value) => {
      expect(redactNumber(value)).toEqual({ value, count: 0 });
    },
  );

  it('takes shorter numbers and timestamps too under a key that names a phone number', () => {
    expect(redactNumber(91234567, { contactNumber: true })).toEqual({ value: '[phone]', count: 1 });
    expect(redactNumber(1512345678, { contactNumber: true })).toEqual({ value: '[phone]', count: 1 });
    expect(redactNumber(42, { contactNumber: true })).toEqual({ value: 42, count: 0 });
  });

  it('takes every generated phone and card number sent as a JSON number', () => {
    fc.assert(
      fc.property(secret, ({ value }) => {
        const number = asNumber(value);
        fc.pre(number !== null);
        expect(redactNumber(number!).count).toBe(1);
      }),
      { numRuns: 1000 },
    );
  });
});

describe('auditName', () => {
  it('shows plain field names and hides anything else', () => {
    expect(auditName('email')).toBe('email');
    expect(auditName('utm_x-1')).toBe('utm_x-1');
    expect(auditName('@a.aa')).toBe('*');
    expect(auditName('k bob@example.com')).toBe('*');
    expect(auditName('9f86d081884c7d659a2feaa0c55ad015a3bf4f1b')).toBe('*');
  });
});
