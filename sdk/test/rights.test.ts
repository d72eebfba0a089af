import { HttpResponse } from 'msw';
import { describe, expect, it, vi } from 'vitest';
import { collector, databases, drain, receiptFor, rightsCollector, settle, tracker, useFakeTime } from './support.ts';

const storedId = () => JSON.parse(localStorage.getItem('pathmark:demo') ?? '{}').aid as string | undefined;

describe('visitor rights: access', () => {
  it('in granted mode, POSTs the anonymous_id as text/plain JSON beside the endpoint and resolves the answer', async () => {
    useFakeTime();
    collector();
    const asked = rightsCollector();
    const t = tracker({ autoPageviews: false });
    await settle();
    const id = storedId();
    expect(id).toMatch(/^[0-9a-f-]{36}$/);
    const answer = await t.rights.access();
    expect(answer).toMatchObject({ kept: 'records', records: [{ name: 'page_view' }] });
    expect(asked).toEqual([
      { method: 'POST', path: 'access', body: { anonymous_id: id }, contentType: 'text/plain;charset=UTF-8' },
    ]);
  });

  it.each(['anonymous', 'pending', 'denied'] as const)('in %s mode, makes no request and says nothing is kept', async (mode) => {
    useFakeTime();
    const asked = rightsCollector();
    const t = tracker({ consent: mode, autoPageviews: false });
    await settle();
    const answer = await t.rights.access();
    expect(answer).toMatchObject({ site: 'demo', kept: 'nothing', records: [], erasure: null });
    expect(answer.reason).toContain(mode);
    expect(asked).toEqual([]);
  });

  it('rejects, naming the status, when the collector refuses; never throws at the call', async () => {
    useFakeTime();
    collector();
    rightsCollector(() => new HttpResponse(null, { status: 429 }));
    const t = tracker({ autoPageviews: false });
    await settle();
    await expect(t.rights.access()).rejects.toThrow(/429/);
  });

  it('receipt(id) GETs the receipt; in denied mode it makes no request', async () => {
    useFakeTime();
    collector();
    const asked = rightsCollector();
    const t = tracker({ autoPageviews: false });
    await expect(t.rights.receipt('r-9')).resolves.toMatchObject({ receipt_id: 'r-9', status: 'done' });
    expect(asked).toEqual([{ method: 'GET', path: 'receipts/r-9', body: undefined, contentType: null }]);
    t.consent.set('denied');
    await expect(t.rights.receipt('r-9')).rejects.toThrow(/denied/);
    expect(asked).toHaveLength(1);
  });
});

describe('visitor rights: forget() erases at the collector', () => {
  it('in granted mode, sends the id it held, purges the device and resolves the receipt', async () => {
    useFakeTime();
    collector();
    const asked = rightsCollector();
    const t = tracker({ autoPageviews: false });
    t.track('stored');
    await settle();
    await drain();
    const id = storedId();
    const receipt = await t.forget();
    await drain();
    expect(receipt).toEqual(receiptFor('r-1'));
    expect(asked).toEqual([
      { method: 'POST', path: 'erase', body: { anonymous_id: id }, contentType: 'text/plain;charset=UTF-8' },
    ]);
    // A new identity afterwards, never the erased one.
    expect(storedId()).not.toBe(id);
  });

  it.each(['anonymous', 'pending', 'denied'] as const)('in %s mode, asks nothing and resolves undefined', async (mode) => {
    useFakeTime();
    const asked = rightsCollector();
    const t = tracker({ consent: mode, autoPageviews: false });
    await settle();
    await expect(t.forget()).resolves.toBeUndefined();
    expect(asked).toEqual([]);
  });

  it('a network failure leaves the purge done and resolves undefined', async () => {
    useFakeTime();
    collector();
    rightsCollector(() => HttpResponse.error());
    const warn = vi.spyOn(console, 'warn').mockImplementation(() => {});
    const t = tracker({ debug: true, autoPageviews: false });
    t.track('stored');
    await settle();
    await drain();
    expect(await databases()).toEqual(['pathmark:demo']);
    const id = storedId();
    await expect(t.forget()).resolves.toBeUndefined();
    await drain();
    expect(storedId()).not.toBe(id);
    expect(warn).toHaveBeenCalled();
  });
});
