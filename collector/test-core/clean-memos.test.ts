import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { createPipelineMemos, policyRules } from '../src/core/anonymize.ts';
import { createPipeline } from '../src/core/pipeline.ts';
import { queryParamRule, type SitePolicy } from '../src/core/policy.ts';
import { CLEAN_TEXTS_MAX, redactText } from '../src/core/redact.ts';
import { CLEAN_URLS_MAX, cleanUrl, createCleanMemos } from '../src/core/urls.ts';
import { createValidator } from '../src/core/validate.ts';
import { basePolicy, context, makeBatch, makeEvent, newId, testKeys } from './support/pipeline.ts';
import { FAKERS, secret } from './support/pii.ts';

/**
 * Redaction and URL cleaning remember what they found clean, across batches, in memos the
 * pipeline is given (one per isolate). What they remember must never change an answer: a
 * text or URL with a finding is cleaned every time, and what is clean under one rule is
 * not taken as clean under another. The memos are bounded, and nothing is kept anywhere
 * else: two pipelines share nothing.
 */

const unique = () => Math.random().toString(36).slice(2);

describe('texts remembered as clean', () => {
  it('cleans a text with a finding every time it comes', () => {
    const { texts } = createCleanMemos();
    const text = `order 1 for jane.doe+${unique()}@example.com`;
    const first = redactText(text, undefined, texts);
    expect(first.count).toBe(1);
    expect(texts.has(text)).toBe(false);
    expect(redactText(text, undefined, texts)).toEqual(first);
  });

  it('does not take a text clean in free text as clean under a phone-number key', () => {
    const { texts } = createCleanMemos();
    const text = `ref 31200${Math.floor(Math.random() * 900 + 100)}`;
    expect(redactText(text, undefined, texts)).toEqual({ text, count: 0 });
    expect(texts.has(text)).toBe(true);
    expect(redactText(text, undefined, texts)).toEqual({ text, count: 0 });
    expect(redactText(text, { contactNumber: true }, texts)).toEqual({ text: 'ref [phone]', count: 1 });
  });

  it('answers with a memo exactly as without one, over shop text and personal data in many locales', () => {
    const { texts } = createCleanMemos();
    const locales = Object.keys(FAKERS);
    fc.assert(
      fc.property(fc.constantFrom(...locales), fc.integer({ min: 1, max: 2 ** 31 - 1 }), secret, (locale, seed, { value }) => {
        const faker = FAKERS[locale]!;
        faker.seed(seed);
        const product = faker.commerce.productName();
        const inputs = [product, faker.location.city(), `${product} ${value}`, value, value.replace(/\D/g, '').slice(0, 7)];
        // Twice: the second pass is answered from the memo where the first found nothing.
        for (let pass = 0; pass < 2; pass++)
          for (const input of inputs) {
            expect(redactText(input, undefined, texts), input).toEqual(redactText(input));
            expect(redactText(input, { contactNumber: true }, texts), input).toEqual(redactText(input, { contactNumber: true }));
          }
      }),
      { numRuns: 200 },
    );
    expect(texts.size).toBeGreaterThan(0);
  });

  it(`keeps at most ${CLEAN_TEXTS_MAX} texts`, () => {
    const { texts } = createCleanMemos();
    for (let i = 0; i < CLEAN_TEXTS_MAX * 2 + 7; i++) {
      expect(redactText(`size ${i} mug`, undefined, texts).count).toBe(0);
      expect(texts.size).toBeLessThanOrEqual(CLEAN_TEXTS_MAX);
    }
    expect(texts.size).toBeGreaterThan(0);
  });
});

describe('URLs remembered as clean', () => {
  it('removes a parameter every time the same URL comes', () => {
    const memos = createCleanMemos();
    const keep = queryParamRule(basePolicy);
    const url = `https://shop.example/p/${unique()}?email=jane%40example.com&q=mug`;
    const first = cleanUrl(url, keep, 'url', memos);
    expect(first?.removed).toEqual(['url?email']);
    expect(cleanUrl(url, keep, 'url', memos)).toEqual(first);
    expect(cleanUrl(url, keep)).toEqual(first);
  });

  it('answers per allowlist: a URL clean for one site is cleaned again for another', () => {
    const memos = createCleanMemos();
    const keepsQ = queryParamRule(basePolicy);
    const keepsNothing = queryParamRule({ ...basePolicy, query_params: [] } satisfies SitePolicy);
    const url = `https://shop.example/search/${unique()}?q=mug`;
    expect(cleanUrl(url, keepsQ, 'url', memos)).toMatchObject({ url, removed: [] });
    expect(cleanUrl(url, keepsQ, 'url', memos)).toMatchObject({ url, removed: [] });
    expect(cleanUrl(url, keepsNothing, 'url', memos)).toMatchObject({ url: url.replace('?q=mug', ''), removed: ['url?q'] });
  });

  it('builds one rule per policy and isolate, so the memo lasts from batch to batch', () => {
    const memos = createPipelineMemos();
    expect(policyRules(basePolicy, memos).keepParam).toBe(policyRules(basePolicy, memos).keepParam);
    expect(policyRules(basePolicy, memos).keepParam).not.toBe(policyRules(basePolicy, createPipelineMemos()).keepParam);
  });

  it('shares remembered results frozen, so no caller can change them for the next', () => {
    const memos = createCleanMemos();
    const keep = queryParamRule(basePolicy);
    const url = `https://shop.example/${unique()}`;
    cleanUrl(url, keep, 'url', memos);
    const remembered = cleanUrl(url, keep, 'url', memos)!;
    expect(Object.isFrozen(remembered) && Object.isFrozen(remembered.removed)).toBe(true);
  });

  it(`keeps at most ${CLEAN_URLS_MAX} URLs per rule`, () => {
    const memos = createCleanMemos();
    const keep = queryParamRule(basePolicy);
    for (let i = 0; i < CLEAN_URLS_MAX * 2 + 7; i++) {
      expect(cleanUrl(`https://shop.example/p/mug-${i}`, keep, 'url', memos)?.removed).toEqual([]);
      expect(memos.urls.get(keep)!.size).toBeLessThanOrEqual(CLEAN_URLS_MAX);
    }
  });
});

describe('memos are dependencies', () => {
  it('fills the memos it is given and no other', () => {
    const pipeline = (memos = createPipelineMemos()) => ({
      memos,
      ...createPipeline({ validator: createValidator(), memos, newBatchId: newId }),
    });
    const first = pipeline();
    const second = pipeline();
    const url = `https://shop.example/p/${unique()}`;
    const body = JSON.stringify(makeBatch([makeEvent({ url, title: `Mug ${unique()}` })], { site: 'shop' }));
    const result = first.processBatch(body, context(), basePolicy, testKeys());
    expect(result.ok && result.response.accepted).toBe(1);
    const rules = first.memos.rules.get(basePolicy)!;
    expect(first.memos.urls.get(rules.keepParam)?.has(url)).toBe(true);
    expect(first.memos.texts.size).toBeGreaterThan(0);
    expect(second.memos.texts.size).toBe(0);
    expect(second.memos.rules.get(basePolicy)).toBeUndefined();
  });
});
