import { expect } from 'vitest';
import type { Batch, PathmarkEvent } from '#protocol';
import { createPipelineMemos, type CollectorKeys, type RequestContext } from '../../src/core/anonymize.ts';
import { hmacKey } from '../../src/core/hmac.ts';
import { createPipeline, type BatchAccepted, type BatchOutcome } from '../../src/core/pipeline.ts';
import type { SitePolicy } from '../../src/core/policy.ts';
import { createValidator } from '../../src/core/validate.ts';

/** Batches, events, policies, keys and request facts for the pipeline, in plain Node and in workerd. */

export const CHROME_UA =
  'Mozilla/5.0 (Windows NT 10.0; Win64; x64) AppleWebKit/537.36 (KHTML, like Gecko) Chrome/131.0.6778.86 Safari/537.36';

/** A fresh random-looking id (the SDK uses crypto.randomUUID). */
export const newId = (): string => crypto.randomUUID();

export function makeEvent(overrides: Partial<PathmarkEvent> & Record<string, unknown> = {}): PathmarkEvent {
  return {
    id: newId(),
    ts: Date.now() - 1000,
    seq: 1,
    page_id: newId(),
    url: 'http://localhost:8787/products/blue-mug?q=mug&utm_source=news#reviews',
    title: 'Blue mug — Pathmark demo',
    name: 'page_view',
    props: { navigation: 'load', page_index: 1 },
    ...overrides,
  } as PathmarkEvent;
}

export function makeBatch(
  events: PathmarkEvent[] = [makeEvent()],
  overrides: Partial<Batch> & Record<string, unknown> = {},
): Batch {
  return {
    v: 1,
    site: 'demo',
    consent: 'anonymous',
    sent_at: Date.now(),
    sdk: 'pathmark-js/0.1.0',
    events,
    ...overrides,
  } as Batch;
}

/** A site policy for pipeline-level tests (the Worker itself uses collector/sites.json). */
export const basePolicy: SitePolicy = {
  site: 'shop',
  policy_version: 'test-1',
  allowed_origins: ['https://shop.example'],
  max_consent: 'granted',
  default_consent: { '*': 'pending' },
  gpc: 'anonymous',
  dnt: 'ignore',
  query_params: ['q'],
  redact_keys: ['email'],
};

export function testKeys(withPseudonymKey = true): CollectorKeys {
  return {
    salt: { id: 'salt:test', key: hmacKey('daily-salt-for-tests') },
    pseudonym: withPseudonymKey ? { id: 'key:test', key: hmacKey('site-key-for-tests') } : null,
  };
}

export function context(overrides: Partial<RequestContext> = {}): RequestContext {
  return {
    receivedAt: Date.now(),
    ip: '203.0.113.50',
    userAgent: CHROME_UA,
    country: 'DE',
    region: 'BE',
    signals: { gpc: false, dnt: false },
    ...overrides,
  };
}

/** The pipeline as the Worker builds it (deps.ts). */
export const { processBatch } = createPipeline({ validator: createValidator(), memos: createPipelineMemos(), newBatchId: newId });

/** The outcome, asserted to be an accepted batch (HTTP 202 at the route). */
export function accepted(outcome: BatchOutcome, label?: string): BatchAccepted {
  expect(outcome, label).toMatchObject({ ok: true });
  return outcome as BatchAccepted;
}
