import { describe, expect, it } from 'vitest';
import { createTransport, splitIntoBodies } from '../src/index.ts';
import type { Batch, PathmarkEvent } from '../src/protocol.ts';

const event = (i: number, size = 10): PathmarkEvent => ({
  id: `id-${i}`,
  ts: 1,
  seq: i,
  page_id: 'p',
  url: 'https://shop.example/',
  name: 'tick',
  props: { pad: 'x'.repeat(size) },
});
const envelope = { v: 1, site: 'demo', consent: 'granted', sdk: 'test', dropped: 7 } as const;

describe('splitIntoBodies', () => {
  it('keeps every body under the byte limit and 100 events, each event exactly once, in order', () => {
    const events = [
      ...Array.from({ length: 30 }, (_, i) => event(i, 3000)),
      ...Array.from({ length: 250 }, (_, i) => event(100 + i)),
    ];
    const bodies = splitIntoBodies(envelope, events, 42, 20_000);
    for (const { body, events: chunk } of bodies) {
      expect(new TextEncoder().encode(body).length).toBeLessThanOrEqual(20_000);
      expect(chunk.length).toBeLessThanOrEqual(100);
      const parsed = JSON.parse(body) as Batch;
      expect(parsed.events).toEqual(chunk);
      expect(parsed).toMatchObject({ v: 1, site: 'demo', consent: 'granted', sent_at: 42 });
    }
    expect(bodies.flatMap((b) => b.events)).toEqual(events);
    expect(bodies.map((b) => (JSON.parse(b.body) as Batch).dropped)).toEqual([7, ...Array(bodies.length - 1).fill(undefined)]);
  });

  it('returns nothing for no events', () => {
    expect(splitIntoBodies(envelope, [], 1)).toEqual([]);
  });
});

describe('createTransport', () => {
  it('gives up on a request that never answers, as on a network error (the queue retries it)', async () => {
    let aborted = false;
    const neverAnswers: typeof fetch = (_, init) =>
      new Promise((_, reject) =>
        init!.signal!.addEventListener('abort', () => {
          aborted = true;
          reject(init!.signal!.reason);
        }),
      );
    const transport = createTransport('http://localhost:3000/v1/events', neverAnswers, 50);
    expect(await transport('{}', false)).toEqual({ code: 0 });
    expect(aborted).toBe(true);
  });

  it('never cuts a page’s last request (keepalive): the page may live on while the request is slow', async () => {
    const signals: (AbortSignal | null | undefined)[] = [];
    const answers: typeof fetch = async (_, init) => (signals.push(init!.signal), new Response(null, { status: 202 }));
    const transport = createTransport('http://localhost:3000/v1/events', answers);
    await transport('{}', true);
    await transport('{}', false);
    expect(signals.map((signal) => signal instanceof AbortSignal)).toEqual([false, true]);
  });
});
