import { describe, expect, it } from 'vitest';
import { queryParamRule, type SitePolicy } from '../src/core/policy.ts';
import { redactText } from '../src/core/redact.ts';
import { cleanUrl } from '../src/core/urls.ts';
import { basePolicy } from './support/pipeline.ts';

/**
 * Redaction and URL cleaning remember what they found clean, across batches. What they
 * remember must never change an answer: a text or URL with a finding is cleaned every
 * time, and what is clean under one rule is not taken as clean under another.
 */

describe('texts remembered as clean', () => {
  it('cleans a text with a finding every time it comes', () => {
    const text = `order 1 for jane.doe+${Math.random().toString(36).slice(2)}@example.com`;
    const first = redactText(text);
    expect(first.count).toBe(1);
    expect(redactText(text)).toEqual(first);
  });

  it('does not take a text clean in free text as clean under a phone-number key', () => {
    const text = `ref 31200${Math.floor(Math.random() * 900 + 100)}`;
    expect(redactText(text)).toEqual({ text, count: 0 });
    expect(redactText(text)).toEqual({ text, count: 0 });
    expect(redactText(text, { contactNumber: true })).toEqual({ text: 'ref [phone]', count: 1 });
  });
});

describe('URLs remembered as clean', () => {
  const unique = () => Math.random().toString(36).slice(2);

  it('removes a parameter every time the same URL comes', () => {
    const keep = queryParamRule(basePolicy);
    const url = `https://shop.example/p/${unique()}?email=jane%40example.com&q=mug`;
    const first = cleanUrl(url, keep);
    expect(first?.removed).toEqual(['url?email']);
    expect(cleanUrl(url, keep)).toEqual(first);
  });

  it('answers per allowlist: a URL clean for one site is cleaned again for another', () => {
    const keepsQ = queryParamRule(basePolicy);
    const keepsNothing = queryParamRule({ ...basePolicy, query_params: [] } satisfies SitePolicy);
    const url = `https://shop.example/search/${unique()}?q=mug`;
    expect(cleanUrl(url, keepsQ)).toMatchObject({ url, removed: [] });
    expect(cleanUrl(url, keepsQ)).toMatchObject({ url, removed: [] });
    expect(cleanUrl(url, keepsNothing)).toMatchObject({ url: url.replace('?q=mug', ''), removed: ['url?q'] });
  });

  it('gives one rule per allowlist, so the memo lasts from batch to batch', () => {
    expect(queryParamRule(basePolicy)).toBe(queryParamRule(basePolicy));
  });

  it('shares remembered results frozen, so no caller can change them for the next', () => {
    const keep = queryParamRule(basePolicy);
    const url = `https://shop.example/${unique()}`;
    cleanUrl(url, keep);
    const remembered = cleanUrl(url, keep)!;
    expect(Object.isFrozen(remembered) && Object.isFrozen(remembered.removed)).toBe(true);
  });
});
