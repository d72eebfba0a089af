import { describe, expect, it } from 'vitest';
import type { PageLeaveProps } from '../src/protocol.ts';
import { collector, names, pageTransition, setVisibility, settle, tracker, useFakeTime } from './support.ts';

const leaveProps = (c: ReturnType<typeof collector>) =>
  c
    .events()
    .filter((e) => e.name == 'page_leave')
    .map((e) => e.props as PageLeaveProps);

describe('dwell time', () => {
  it('counts engaged time only while the user was active recently', async () => {
    useFakeTime();
    const c = collector();
    const t = tracker({ idleTimeoutMs: 15_000 });
    await settle(10_000);
    window.dispatchEvent(new Event('pointerdown'));
    // 30 s without input: only the first 15 s after the click count.
    await settle(30_000);
    window.dispatchEvent(new KeyboardEvent('keydown'));
    await settle(5_000);
    setVisibility('hidden');
    await t.flush();
    const [leave] = leaveProps(c);
    expect(leave!.total_ms).toBeGreaterThan(44_000);
    expect(leave!.engaged_ms).toBe(leave!.total_ms - 15_000);
    setVisibility('visible');
  });

  it('stops counting when the window loses focus', async () => {
    useFakeTime();
    const c = collector();
    const t = tracker();
    await settle(2_000);
    window.dispatchEvent(new Event('blur'));
    await settle(10_000);
    history.pushState(null, '', '/next');
    await settle();
    await t.flush();
    const [leave] = leaveProps(c);
    expect(leave!.engaged_ms).toBe(leave!.total_ms - 10_000);
  });

  it('goes on when the visitor comes back to a hidden page: the next page_leave carries the figures so far', async () => {
    useFakeTime();
    const c = collector();
    const t = tracker();
    await settle(5_000);
    setVisibility('hidden');
    await settle(60_000);
    setVisibility('visible');
    await settle(3_000);
    window.dispatchEvent(new Event('pointerdown'));
    await settle(2_000);
    setVisibility('hidden');
    await t.flush();
    setVisibility('visible');
    const [view, ...leaves] = c.events();
    expect(names([view!, ...leaves])).toEqual(['page_view', 'page_leave', 'page_leave']);
    expect(leaves.every((leave) => leave.page_id == view!.page_id)).toBe(true);
    const [first, second] = leaves.map((e) => e.props as PageLeaveProps);
    expect(second!.total_ms).toBe(first!.total_ms + 65_000);
    // Coming back counts as activity, so the 5 s since then were engaged; the minute away was not.
    expect(second!.engaged_ms).toBe(first!.engaged_ms + 5_000);
  });

  it('sends page_leave exactly once per page view: hidden, then pagehide, then a route change', async () => {
    useFakeTime();
    const c = collector();
    const t = tracker();
    await settle();
    setVisibility('hidden');
    window.dispatchEvent(pageTransition('pagehide', false));
    setVisibility('visible');
    history.pushState(null, '', '/next');
    await settle();
    history.pushState(null, '', '/third');
    await settle();
    await t.flush();
    expect(names(c.events())).toEqual(['page_view', 'page_leave', 'page_view', 'page_leave', 'page_view']);
    const [view1, leave1, view2, leave2] = c.events();
    expect(leave1!.page_id).toBe(view1!.page_id);
    expect(leave2!.page_id).toBe(view2!.page_id);
  });
});
