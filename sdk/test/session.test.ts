import { describe, expect, it, vi } from 'vitest';
import { uuid } from '../src/lib/uuid.ts';
import { collector, settle, tracker, useFakeTime } from './support.ts';

const V4 = /^[0-9a-f]{8}-[0-9a-f]{4}-4[0-9a-f]{3}-[89ab][0-9a-f]{3}-[0-9a-f]{12}$/;

describe('identifiers', () => {
  it('are v4 UUIDs, from getRandomValues where randomUUID is missing (plain-http pages)', () => {
    expect(uuid()).toMatch(V4);
    // Shadow the method on this object, as in an insecure context.
    Object.defineProperty(crypto, 'randomUUID', { configurable: true, value: undefined });
    const random = vi.spyOn(crypto, 'getRandomValues');
    const ids = Array.from({ length: 200 }, uuid);
    expect(random).toHaveBeenCalled();
    for (const id of ids) expect(id).toMatch(V4);
    expect(new Set(ids).size).toBe(200);
    delete (crypto as { randomUUID?: unknown }).randomUUID;
  });

  it('granted: the device id and the session survive a reload, and seq continues', async () => {
    useFakeTime();
    const c = collector();
    const first = tracker({ autoPageviews: false });
    first.track('one');
    await first.flush();
    first.destroy();
    await settle(10 * 60_000);
    const second = tracker({ autoPageviews: false });
    second.track('two');
    await second.flush();
    const [one, two] = c.events();
    expect(two!.anonymous_id).toBe(one!.anonymous_id);
    expect(two!.session_id).toBe(one!.session_id);
    expect([one!.seq, two!.seq]).toEqual([1, 2]);
  });

  it('granted: a burst of events reads and writes the session once per task, and seq goes on across tasks', async () => {
    useFakeTime();
    const c = collector();
    const data: Record<string, string> = {};
    const reads: PropertyKey[] = [];
    const writes: PropertyKey[] = [];
    vi.stubGlobal(
      'localStorage',
      new Proxy(data, {
        get: (target, key: string) => (reads.push(key), target[key]),
        set: (target, key: string, value) => (writes.push(key), (target[key] = String(value)), true),
      }),
    );
    const t = tracker({ autoPageviews: false });
    await settle(0);
    reads.length = writes.length = 0;
    for (let i = 0; i < 100; i++) t.track('burst');
    await settle(0);
    expect(reads.filter((key) => key == 'pathmark:demo')).toHaveLength(1);
    expect(writes).toEqual(['pathmark:demo']);
    t.track('next_task');
    await t.flush();
    expect(c.events().map((e) => e.seq)).toEqual(Array.from({ length: 101 }, (_, i) => i + 1));
    expect(JSON.parse(data['pathmark:demo']!).seq).toBe(101);
  });

  it('anonymous: every page load starts its own count, with nothing to link loads', async () => {
    useFakeTime();
    const c = collector();
    const first = tracker({ autoPageviews: false, consent: 'anonymous' });
    first.track('one');
    await first.flush();
    first.destroy();
    const second = tracker({ autoPageviews: false, consent: 'anonymous' });
    second.track('two');
    await second.flush();
    expect(c.events().map((e) => [e.seq, e.anonymous_id, e.session_id])).toEqual([
      [1, undefined, undefined],
      [1, undefined, undefined],
    ]);
  });
});
