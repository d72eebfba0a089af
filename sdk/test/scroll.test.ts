import { describe, expect, it, vi } from 'vitest';
import type { PageLeaveProps } from '../src/protocol.ts';
import { collector, expectEvents, settle, tracker, useFakeTime } from './support.ts';

let height = 4000;
const heightReads = vi.fn(() => height);
function page(h: number) {
  height = h;
  Object.defineProperty(document.documentElement, 'scrollHeight', { configurable: true, get: heightReads });
}
function scrollTo(y: number) {
  Object.defineProperty(window, 'scrollY', { configurable: true, value: y });
  window.dispatchEvent(new Event('scroll'));
}
const depths = (c: ReturnType<typeof collector>) =>
  c
    .events()
    .filter((e) => e.name == 'scroll')
    .map((e) => (e.props as { depth: number }).depth);

describe('scroll depth', () => {
  it('reports each threshold once, measuring at most once per animation frame', async () => {
    useFakeTime();
    page(4000);
    scrollTo(0);
    const c = collector();
    const t = tracker();
    await settle();
    heightReads.mockClear();
    // innerHeight is 768: 232 + 768 = 1000 of 4000 px seen.
    scrollTo(232);
    scrollTo(1232);
    scrollTo(2232);
    expect(heightReads).not.toHaveBeenCalled();
    await settle(20);
    expect(heightReads).toHaveBeenCalledTimes(1);
    scrollTo(0);
    await settle(20);
    scrollTo(2232);
    await settle(20);
    await t.flush();
    expect(depths(c)).toEqual([25, 50, 75]);
  });

  it('stays correct on a page that grows while scrolling (infinite list)', async () => {
    useFakeTime();
    page(4000);
    scrollTo(0);
    const c = collector();
    const t = tracker();
    await settle();
    scrollTo(2232); // 3000 / 4000
    await settle(20);
    page(8000); // more items loaded
    scrollTo(3232); // 4000 / 8000: less than seen before, nothing new
    await settle(20);
    scrollTo(6432); // 7200 / 8000 = 90 %
    await settle(20);
    scrollTo(7232);
    await settle(20);
    history.pushState(null, '', '/next');
    await settle();
    await t.flush();
    expect(depths(c)).toEqual([25, 50, 75, 90, 100]);
    expectEvents(c.events(), { expected: [{ name: 'page_leave', url: 'http://localhost:3000/' }] });
    expect((c.events().find((e) => e.name == 'page_leave')!.props as PageLeaveProps).max_scroll).toBe(1);
  });

  it('counts what is visible on arrival in max_scroll and starts over on the next page', async () => {
    useFakeTime();
    page(1536);
    scrollTo(0);
    const c = collector();
    const t = tracker();
    await settle();
    history.pushState(null, '', '/long');
    page(7680);
    await settle();
    history.pushState(null, '', '/end');
    await settle();
    await t.flush();
    const leaves = c
      .events()
      .filter((e) => e.name == 'page_leave')
      .map((e) => (e.props as PageLeaveProps).max_scroll);
    expect(leaves).toEqual([0.5, 0.1]);
    expect(depths(c)).toEqual([]);
  });
});
