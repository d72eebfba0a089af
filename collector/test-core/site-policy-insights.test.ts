import { describe, expect, it } from 'vitest';
import { parseSitePolicies, reportPrivacy } from '../src/core/policy.ts';
import sitesFile from '../sites.json' with { type: 'json' };
import { accepted, basePolicy, context, makeBatch, makeEvent, processBatch, testKeys } from './support/pipeline.ts';

const { site: _site, ...base } = basePolicy;
const parse = (extra: Record<string, unknown>) => parseSitePolicies({ sites: { shop: { ...base, ...extra } } }).get('shop')!;

describe('site policy: the insights fields', () => {
  it('takes page_types, k_anonymity, epsilon and retention_days, all optional', () => {
    const policy = parse({ page_types: { product: ['/p/*'] }, k_anonymity: 10, epsilon: 0.5, retention_days: 30 });
    expect(policy).toMatchObject({ page_types: { product: ['/p/*'] }, k_anonymity: 10, epsilon: 0.5, retention_days: 30 });
    expect(reportPrivacy(policy)).toEqual({ k: 10, epsilon: 0.5 });
    expect(reportPrivacy(parse({}))).toEqual({ k: 5, epsilon: null });
  });

  it('refuses a wrong value with an error naming the field', () => {
    const cases: [Record<string, unknown>, string][] = [
      [{ k_anonymity: 0 }, 'sites.json: sites.shop.k_anonymity: at least 1'],
      [{ k_anonymity: 2.5 }, 'sites.json: sites.shop.k_anonymity: expected an integer'],
      [{ epsilon: 0 }, 'sites.json: sites.shop.epsilon: expected a positive number'],
      [{ epsilon: '1' }, 'sites.json: sites.shop.epsilon: Invalid type: Expected number but received "1"'],
      [{ retention_days: -3 }, 'sites.json: sites.shop.retention_days: at least 1'],
      [{ page_types: ['/p/*'] }, 'sites.json: sites.shop.page_types: expected an object'],
      [{ page_types: { item: ['/p/*'] } }, 'sites.json: sites.shop.page_types.item: not one of home, category'],
      [
        { page_types: { product: ['p/*'] } },
        'sites.json: sites.shop.page_types.product: expected a list of paths starting with "/"',
      ],
    ];
    for (const [extra, message] of cases) expect(() => parse(extra), JSON.stringify(extra)).toThrow(message);
  });

  it('the reviewed sites.json parses', () => {
    expect(parseSitePolicies(sitesFile).get('demo')!.page_types!.product).toContain('/p/*');
  });
});

describe('the collector classifies each record’s page by the policy’s page_types', () => {
  it('writes page_type into every record, null where no pattern matches', () => {
    const policy = { ...basePolicy, page_types: { home: ['/'], category: ['/c/*'], product: ['/p/**'] } };
    const urls = [
      'https://shop.example/',
      'https://shop.example/c/mugs?sort=price',
      'https://shop.example/p/blue/mug',
      'https://shop.example/about',
    ];
    const batch = makeBatch(
      urls.map((url) => makeEvent({ url })),
      { site: 'shop' },
    );
    const { records } = accepted(processBatch(JSON.stringify(batch), context(), policy, testKeys()));
    expect(records.map((record) => record.page_type)).toEqual(['home', 'category', 'product', null]);
    const unclassified = accepted(processBatch(JSON.stringify(batch), context(), basePolicy, testKeys()));
    expect(unclassified.records.map((record) => record.page_type)).toEqual([null, null, null, null]);
  });
});
