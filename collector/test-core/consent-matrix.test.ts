import { describe, expect, it } from 'vitest';
import type { ConsentMode, PrivacySignalCap } from '#protocol';
import type { CollectorKeys } from '../src/core/anonymize.ts';
import { hmacKey } from '../src/core/hmac.ts';
import { accepted, basePolicy, context, makeBatch, makeEvent, processBatch, testKeys } from './support/pipeline.ts';

const RANK: ConsentMode[] = ['denied', 'pending', 'anonymous', 'granted'];
const strictest = (...modes: ConsentMode[]): ConsentMode => RANK[Math.min(...modes.map((mode) => RANK.indexOf(mode)))]!;

const RAW_ANONYMOUS_ID = 'anon-device-id-1234';
const RAW_SESSION_ID = 'session-id-5678';

const clientModes: ConsentMode[] = ['denied', 'pending', 'anonymous', 'granted'];
const siteVariants: { label: string; max: 'anonymous' | 'granted'; gpc: PrivacySignalCap }[] = [
  { label: 'max granted, GPC→anonymous', max: 'granted', gpc: 'anonymous' },
  { label: 'max granted, GPC→denied', max: 'granted', gpc: 'denied' },
  { label: 'max anonymous, GPC→anonymous', max: 'anonymous', gpc: 'anonymous' },
  { label: 'max granted, GPC ignored', max: 'granted', gpc: 'ignore' },
];
const cases = clientModes.flatMap((client) =>
  siteVariants.flatMap((site) => [false, true].map((gpc) => ({ client, site, gpc }))),
);

describe('consent matrix: client mode × site policy × Sec-GPC', () => {
  it.each(cases)('client $client, site ($site.label), GPC $gpc', ({ client, site, gpc }) => {
    const policy = { ...basePolicy, max_consent: site.max, gpc: site.gpc };
    const expected = strictest(client, site.max, gpc && site.gpc !== 'ignore' ? site.gpc : 'granted');
    const events = [
      makeEvent({ url: 'https://shop.example/', anonymous_id: RAW_ANONYMOUS_ID, session_id: RAW_SESSION_ID }),
      makeEvent({
        name: 'add_to_cart',
        url: 'https://shop.example/p/1',
        props: { items: [{ item_id: 'mug' }] },
        anonymous_id: RAW_ANONYMOUS_ID,
        session_id: RAW_SESSION_ID,
      }),
    ];
    const batch = makeBatch(events, { site: 'shop', consent: client as never });
    const result = accepted(processBatch(JSON.stringify(batch), context({ signals: { gpc, dnt: false } }), policy, testKeys()));
    const serialized = result.serialized.join('\n');
    expect(serialized).not.toContain(RAW_ANONYMOUS_ID);
    expect(serialized).not.toContain(RAW_SESSION_ID);

    if (expected === 'denied' || expected === 'pending') {
      expect(result.response).toEqual({
        accepted: 0,
        rejected: [0, 1].map((index) => ({ index, reason: expect.stringContaining(`consent: ${expected}`) })),
      });
      expect(result.messages).toEqual([]);
      return;
    }
    expect(result.response).toEqual({ accepted: 2, rejected: [] });
    for (const record of result.records) {
      expect(record.consent).toBe(expected);
      expect(record.audit.policy_version).toBe('test-1');
      if (expected === 'anonymous') {
        expect(record.session_id).toBeUndefined();
        expect(record.audit).toMatchObject({ salt_id: 'salt:test', key_id: null });
        if (client === 'granted') expect(record.audit.removed).toEqual(expect.arrayContaining(['anonymous_id', 'session_id']));
      } else {
        expect(record.audit).toMatchObject({ salt_id: null, key_id: 'key:test' });
        expect(record.session_id).toMatch(/^[0-9a-f]{32}$/);
      }
    }
    // Within one batch every event carries the same visitor id, whichever mode.
    expect(new Set(result.records.map((record) => record.visitor_id)).size).toBe(1);
  });

  it('granted ids are pseudonymized per site key: stable across batches, unlike the raw id', () => {
    const policy = basePolicy;
    const send = (keys: CollectorKeys, ip: string) =>
      accepted(
        processBatch(
          JSON.stringify(
            makeBatch([makeEvent({ url: 'https://shop.example/', anonymous_id: RAW_ANONYMOUS_ID, session_id: RAW_SESSION_ID })], {
              site: 'shop',
              consent: 'granted',
            }),
          ),
          context({ ip }),
          policy,
          keys,
        ),
      ).records[0]!;
    const keys = testKeys();
    const first = send(keys, '203.0.113.1');
    const second = send(keys, '198.51.100.2');
    expect(first.visitor_id).toBe(second.visitor_id);
    const otherKey = send({ ...keys, pseudonym: { id: 'key:other', key: hmacKey('another-site-key') } }, '203.0.113.1');
    expect(otherKey.visitor_id).not.toBe(first.visitor_id);
  });

  it('fails closed without a site key: granted becomes anonymous and the ids are dropped', () => {
    const batch = makeBatch(
      [makeEvent({ url: 'https://shop.example/', anonymous_id: RAW_ANONYMOUS_ID, session_id: RAW_SESSION_ID })],
      { site: 'shop', consent: 'granted' },
    );
    const result = accepted(processBatch(JSON.stringify(batch), context(), basePolicy, testKeys(false)));
    const record = result.records[0]!;
    expect(record.consent).toBe('anonymous');
    expect(record.session_id).toBeUndefined();
    expect(record.audit).toMatchObject({
      key_id: null,
      salt_id: 'salt:test',
      removed: expect.arrayContaining(['anonymous_id', 'session_id']),
    });
    expect(result.serialized.join()).not.toContain(RAW_ANONYMOUS_ID);
  });

  it('anonymous visitor hashes change with the daily salt', () => {
    const batch = JSON.stringify(makeBatch([makeEvent({ url: 'https://shop.example/' })], { site: 'shop' }));
    const today = testKeys();
    const tomorrow = { ...today, salt: { id: 'salt:next', key: hmacKey('another-day') } };
    const a = accepted(processBatch(batch, context(), basePolicy, today)).records[0]!;
    const b = accepted(processBatch(batch, context(), basePolicy, today)).records[0]!;
    const c = accepted(processBatch(batch, context(), basePolicy, tomorrow)).records[0]!;
    expect(a.visitor_id).toBe(b.visitor_id);
    expect(c.visitor_id).not.toBe(a.visitor_id);
  });

  it('DNT caps like GPC when the policy says so', () => {
    const batch = JSON.stringify(makeBatch([makeEvent({ url: 'https://shop.example/' })], { site: 'shop', consent: 'granted' }));
    const result = accepted(
      processBatch(batch, context({ signals: { gpc: false, dnt: true } }), { ...basePolicy, dnt: 'denied' }, testKeys()),
    );
    expect(result.response).toMatchObject({ accepted: 0 });
  });
});
