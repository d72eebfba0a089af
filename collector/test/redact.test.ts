import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { auditName, luhnValid, redactText } from '../src/redact.ts';
import { secret, surrounding } from './pii.ts';

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
  ])('redacts %j', (input, expected) => {
    expect(redactText(input).text).toBe(expected);
  });

  it.each(['Blue mug', 'Size 42, 2 for 19.99 EUR', 'blue-cotton-t-shirt-with-long-sleeves', '12:30:45', 'SKU-2024-11'])(
    'leaves ordinary shop text alone: %j',
    (input) => {
      expect(redactText(input)).toEqual({ text: input, count: 0 });
    },
  );

  it('counts the values it replaced', () => {
    expect(redactText('a@b.io and c@d.io, 203.0.113.1').count).toBe(3);
  });

  it('checks card numbers with Luhn', () => {
    expect(luhnValid('4111111111111111')).toBe(true);
    expect(luhnValid('4111111111111112')).toBe(false);
    expect(redactText('4111111111111112').text).toBe('[number]');
  });

  it('never leaves a generated secret in the output, whatever surrounds it', () => {
    fc.assert(
      fc.property(surrounding, secret, surrounding, (before, { value }, after) => {
        const { text, count } = redactText(`${before}${value}${after}`);
        expect(text).not.toContain(value);
        expect(count).toBeGreaterThan(0);
      }),
      { numRuns: 2000 },
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
