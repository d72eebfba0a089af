import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import type { JsonValue, PathmarkEvent } from '#protocol';
import type { SitePolicy } from '../src/core/policy.ts';
import sites from '../sites.json';
import { FAKERS } from './support/pii.ts';
import { accepted, basePolicy, context, makeBatch, makeEvent, processBatch, testKeys } from './support/pipeline.ts';

/**
 * Redaction that eats analytics is a defect too: ordinary shop data in many languages,
 * order totals, SKUs, dates, timestamps and the protocol's ids arrive as they were sent,
 * with nothing counted as redacted.
 */

const shopPolicy: SitePolicy = {
  ...basePolicy,
  query_params: sites.sites.demo.query_params,
  redact_keys: sites.sites.demo.redact_keys,
};
const ORIGIN = 'https://shop.example';

const SHOP_TEXT = [
  'red shoes',
  'Blue mug',
  'トレッキングシューズ',
  '登山鞋',
  '登山鞋 男款 防水 42码',
  '등산화 275mm',
  'Wanderschuhe Größe 42',
  'chaussures de randonnée',
  'scarpe da trekking',
  'vandrestøvler str. 44',
  'turstøvler',
  'походные ботинки 43 размер',
  'أحذية المشي لمسافات طويلة',
  'נעלי הליכה',
  'รองเท้าเดินป่า',
  'giày leo núi',
  'tênis de corrida',
  'zapatillas 2x1',
  'Ｔシャツ Ｌサイズ',
  'iPhone 15 Pro 256GB',
  'Size 42, 2 for 19.99 EUR',
  '50% off',
  'Order total 1,299.00 EUR',
  'Prix 1 299 000 Ft',
  'Rp 12.990.000',
  '¥12,800',
  'SKU-1001',
  'SKU 12345678',
  '12345678',
  'A1B2C3',
  '802.433.31',
  '978-1-76762-839-3',
  'Models 2019-2024',
  'EU sizes 36 38 40 42 44',
  'Opening hours 10.00-18.00',
  'v1.2.3',
  '2026-12-02',
  '02.12.2026',
  '12/31/2026',
  '2026-12-02 10:30',
  '2026-12-02T10:30:00.000Z',
  'Delivery 02.12.2026 - 05.12.2026',
  '12:30:45',
  'air-zoom-pegasus-41-mens-running-shoes-black',
  'iphone-15-pro-max-256gb-blue-titanium-edition',
];

describe('ordinary shop data arrives unchanged', () => {
  it('through the pipeline: text in many languages, totals, SKUs, dates, timestamps and protocol ids', () => {
    const now = Date.now();
    const searchId = crypto.randomUUID();
    const transactionId = crypto.randomUUID();
    const items = SHOP_TEXT.slice(0, 20).map((name, i) => ({
      item_id: i % 2 === 0 ? crypto.randomUUID() : `SKU-${1000 + i}`,
      item_name: name,
      item_brand: 'Northwind',
      item_category: SHOP_TEXT[(i + 20) % SHOP_TEXT.length]!,
      price: 1299.99,
      quantity: 3,
    }));
    const numbers: { [key: string]: JsonValue } = {
      order_total: 1299.99,
      cents: 129999,
      quantity: 3,
      score: 4.5,
      rating: 5,
      loaded_at: now,
      epoch_s: Math.floor(now / 1000),
      big_total: 12345678,
      discount: -20,
    };
    const texts = Object.fromEntries(SHOP_TEXT.map((text, i) => [`t${i}`, text]));
    const events: PathmarkEvent[] = [
      makeEvent({
        url: `${ORIGIN}/p/air-zoom-pegasus-41?q=red+shoes&sort=price&page=2`,
        title: 'トレッキングシューズ | Northwind',
        name: 'page_view',
        props: { navigation: 'load', page_index: 1 },
      }),
      makeEvent({
        url: `${ORIGIN}/search?q=%E7%99%BB%E5%B1%B1%E9%9E%8B`,
        title: '登山鞋 – 搜索',
        name: 'search',
        props: { search_term: '登山鞋', search_id: searchId, results: 12, source: 'url' },
      }),
      makeEvent({
        url: `${ORIGIN}/search`,
        name: 'add_to_cart',
        props: { items, value: 1299.99, currency: 'EUR', search_id: searchId },
      }),
      makeEvent({
        url: `${ORIGIN}/checkout`,
        name: 'purchase',
        props: { items, value: 25999.8, currency: 'JPY', transaction_id: transactionId, search_id: searchId },
      }),
      makeEvent({ url: `${ORIGIN}/`, name: 'shop_text', props: { ...texts } }),
      makeEvent({
        url: `${ORIGIN}/`,
        name: 'shop_numbers',
        props: { ...numbers, nested: { when: '2026-12-02T10:30:00Z', list: [now, 1299.99, 'SKU-1001'] } },
      }),
    ];
    const result = accepted(
      processBatch(JSON.stringify(makeBatch(events, { site: 'shop', consent: 'granted' })), context(), shopPolicy, testKeys()),
    );
    expect(result.records).toHaveLength(events.length);
    result.records.forEach((record, i) => {
      const event = events[i]!;
      expect(record.audit.redactions, event.name).toBe(0);
      expect(record.audit.removed, event.name).toEqual([]);
      expect(record.props, event.name).toEqual(event.props);
      expect(record.title, event.name).toBe(event.title);
      expect(record.event_id).toBe(event.id);
      expect(record.page_id).toBe(event.page_id);
    });
    expect(result.records[0]!.url).toBe(`${ORIGIN}/p/air-zoom-pegasus-41?q=red+shoes&sort=price&page=2`);
    expect(result.records[1]!.url).toBe(`${ORIGIN}/search?q=%E7%99%BB%E5%B1%B1%E9%9E%8B`);
  });

  it('faker’s shop data in 25 locales, in every free-text place', () => {
    const keys = testKeys();
    fc.assert(
      fc.property(fc.constantFrom(...Object.keys(FAKERS)), fc.integer({ min: 1, max: 2 ** 31 - 1 }), (locale, seed) => {
        const faker = FAKERS[locale]!;
        faker.seed(seed);
        const name = faker.commerce.productName();
        const department = faker.commerce.department();
        const description = faker.commerce.productDescription();
        const price = Number(faker.commerce.price());
        const slug = faker.helpers.slugify(faker.commerce.productName().toLowerCase());
        const events: PathmarkEvent[] = [
          makeEvent({
            url: `${ORIGIN}/p/${encodeURIComponent(slug)}?q=${encodeURIComponent(name)}`,
            title: `${name} | ${department}`,
            name: 'page_view',
            props: { navigation: 'load', page_index: 1 },
          }),
          makeEvent({
            url: `${ORIGIN}/search`,
            name: 'search',
            props: { search_term: name, search_id: faker.string.uuid(), source: 'form' },
          }),
          makeEvent({
            url: `${ORIGIN}/search`,
            name: 'view_item',
            props: {
              items: [{ item_id: faker.string.uuid(), item_name: name, item_category: department, price }],
              value: price,
              currency: 'EUR',
            },
          }),
          makeEvent({
            url: `${ORIGIN}/`,
            name: 'review_read',
            props: {
              description,
              material: faker.commerce.productMaterial(),
              color: faker.color.human(),
              at: faker.date.recent().toISOString(),
            },
          }),
        ];
        const result = accepted(processBatch(JSON.stringify(makeBatch(events, { site: 'shop' })), context(), shopPolicy, keys));
        result.records.forEach((record, i) => {
          expect(record.audit.redactions, `${locale}: ${JSON.stringify(events[i])}`).toBe(0);
          expect(record.props).toEqual(events[i]!.props);
          expect(record.title).toBe(events[i]!.title);
        });
        const url = new URL(result.records[0]!.url);
        expect(url.pathname).toBe(new URL(events[0]!.url).pathname);
        expect(url.searchParams.get('q')).toBe(name);
      }),
      { numRuns: 200 },
    );
  });
});
