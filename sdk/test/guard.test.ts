import { describe, expect, it, vi } from 'vitest';
import { collector, drain, settle, tracker, useFakeTime } from './support.ts';

describe('the page is never broken by the SDK', () => {
  it('public methods swallow internal failures, synchronous or asynchronous', async () => {
    useFakeTime();
    collector();
    const t = tracker(
      { debug: true },
      {
        fetch: () => {
          throw new Error('fetch exploded');
        },
      },
    );
    vi.spyOn(console, 'warn').mockImplementation(() => {});
    await settle();
    vi.spyOn(crypto, 'randomUUID').mockImplementation(() => {
      throw new Error('no randomness today');
    });
    expect(() => t.track('x')).not.toThrow();
    expect(() => t.search('x')).not.toThrow();
    expect(() => t.pageview()).not.toThrow();
    await expect(t.flush()).resolves.toBeUndefined();
    await expect(t.forget()).resolves.toBeUndefined();
  });

  it('listener failures do not reach window error handlers', async () => {
    useFakeTime();
    collector();
    const errors: unknown[] = [];
    window.addEventListener('error', (e) => errors.push(e));
    tracker();
    await settle();
    document.body.innerHTML = '<button data-pm-cart="add" data-pm-item-id="z">Add</button>';
    vi.spyOn(crypto, 'randomUUID').mockImplementation(() => {
      throw new Error('no randomness today');
    });
    document.querySelector('button')!.click();
    expect(() => history.pushState(null, '', '/boom')).not.toThrow();
    window.dispatchEvent(new Event('scroll'));
    await settle();
    await drain();
    expect(errors).toEqual([]);
  });

  it('two trackers in one page share nothing', async () => {
    useFakeTime();
    const c = collector();
    const a = tracker({ site: 'a', autoPageviews: false, consent: 'anonymous' });
    const b = tracker({ site: 'b', autoPageviews: false, consent: 'granted' });
    a.search('only in a');
    b.track('only_in_b');
    await a.flush();
    await b.flush();
    expect(c.batches.map((batch) => [batch.site, batch.events.map((e) => e.name)])).toEqual([
      ['a', ['search']],
      ['b', ['only_in_b']],
    ]);
    expect(a.consent.get()).toBe('anonymous');
  });
});
