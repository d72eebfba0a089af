import { describe, expect, it } from 'vitest';
import type { Props } from '#protocol';
import { cleanProps, type PropsRules } from '../src/core/anonymize.ts';
import { propertyKeyRules } from '../src/core/property-keys.ts';
import sites from '../sites.json';

const rules = (standard: boolean): PropsRules => ({
  classifyKey: propertyKeyRules(sites.sites.demo.redact_keys),
  keepParam: (name) => name === 'q' || name.startsWith('utm_'),
  standard,
});
const custom = (props: Props) => cleanProps(props, rules(false));
const standard = (props: Props) => cleanProps(props, rules(true));

describe('cleanProps', () => {
  it('cleans URLs in values like the page URL: no fragment, no credentials, allowlisted parameters only', () => {
    const cleaned = custom({
      share: 'https://user:secret@shop.example/p/jane%40example.com?q=mug&email=jane%40example.com&utm_source=x#frag',
      message: 'look at https://shop.example/p?q=mug&session=abc123. thanks',
      encoded: 'https%3A%2F%2Fshop.example%2Fp%3Ftoken%3Dabc%26q%3Dmug',
    });
    expect(cleaned.value).toEqual({
      share: 'https://shop.example/p/[email]?q=mug&utm_source=x',
      message: 'look at https://shop.example/p?q=mug. thanks',
      encoded: 'https://shop.example/p?q=mug',
    });
    expect(cleaned.redactions).toBe(1);
    expect(cleaned.removed).toEqual([
      'props.share@credentials',
      'props.share#fragment',
      'props.share?email',
      'props.message?session',
      'props.encoded?token',
    ]);
  });

  it('takes phone and card numbers sent as JSON numbers in free-form props, and keeps other numbers', () => {
    const now = Date.now();
    const cleaned = custom({
      mobile_no: 13812345678,
      card: 4111111111111111,
      total: 1299.99,
      qty: 3,
      at: now,
      at_s: Math.floor(now / 1000),
      nested: { ref: 91234567, mobile: 91234567 },
    });
    expect(cleaned.value).toEqual({
      mobile_no: '[phone]',
      card: '[card]',
      total: 1299.99,
      qty: 3,
      at: now,
      at_s: Math.floor(now / 1000),
      nested: { ref: 91234567, mobile: '[phone]' },
    });
    expect(cleaned.redactions).toBe(3);
  });

  it('keeps the numbers of standard events, which the protocol validates (prices in any currency)', () => {
    const props = { items: [{ item_id: 'SKU-1', price: 123456789, quantity: 2 }], value: 123456789, currency: 'VND' };
    expect(standard(props)).toEqual({ value: props, redactions: 0, removed: [] });
  });

  it('keeps the protocol’s ids as sent and redacts free text around them', () => {
    const searchId = 'c3b0a1f2-5d2e-4a1b-8c2d-123456789012';
    const cleaned = standard({
      items: [{ item_id: searchId, item_name: 'mug for jane@example.com' }, { item_id: '+44 20 7946 0958' }],
      transaction_id: searchId,
      search_id: searchId,
    });
    expect(cleaned.value).toEqual({
      items: [{ item_id: searchId, item_name: 'mug for [email]' }, { item_id: '[phone]' }],
      transaction_id: searchId,
      search_id: searchId,
    });
    // Only where the protocol puts them: the same UUID in a free-form property is an identifier.
    expect(custom({ user_ref: searchId }).value).toEqual({ user_ref: '[token]' });
  });

  it('removes sensitive keys at any depth and lists them', () => {
    const cleaned = custom({
      customer: { firstName: 'Jane', billing_address: { street: 'Main St 1' } },
      item_name: 'mug',
      'k jane@example.com': 1,
    });
    expect(cleaned.value).toEqual({ customer: {}, item_name: 'mug' });
    expect(cleaned.removed).toEqual(['props.customer.firstName', 'props.customer.billing_address', 'props.*']);
    expect(cleaned.redactions).toBe(1);
  });
});
