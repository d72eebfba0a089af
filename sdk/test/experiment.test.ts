import { describe, expect, it, vi } from 'vitest';
import { collector, expectEvents, settle, tracker, useFakeTime } from './support.ts';

describe('experiment(name, variant)', () => {
  it('labels the page views that follow, the first one too when called before it is recorded', async () => {
    useFakeTime();
    const c = collector();
    const t = tracker();
    t.experiment('checkout-button', 'green');
    await settle();
    t.track('between');
    history.pushState(null, '', '/cart');
    document.title = 'Cart';
    await settle();
    t.experiment('hero.v2', 'B:1');
    history.pushState(null, '', '/checkout');
    document.title = 'Checkout';
    await settle();
    await t.flush();
    expectEvents(c.events(), {
      expected: [
        { name: 'page_view', props: { navigation: 'load', experiment: 'checkout-button', variant: 'green' } },
        { name: 'page_view', url: 'http://localhost:3000/cart', props: { experiment: 'checkout-button', variant: 'green' } },
        { name: 'page_view', url: 'http://localhost:3000/checkout', props: { experiment: 'hero.v2', variant: 'B:1' } },
      ],
    });
    // Only page views carry it.
    expect(c.events().find((e) => e.name == 'between')!.props).toBeUndefined();
  });

  it('refuses an invalid label with a console warning, never a throw, and keeps what was set', async () => {
    useFakeTime();
    const c = collector();
    const warn = vi.spyOn(console, 'warn').mockImplementation(() => {});
    const t = tracker({ autoPageviews: false });
    t.experiment('ok', 'a');
    for (const [name, variant] of [
      ['has space', 'a'],
      ['ok', ''],
      ['ok', 'x'.repeat(65)],
      ['-leading', 'a'],
      ['ok', 'mail@example.com'],
      [undefined, 'a'],
      ['ok', 7],
    ] as [string, string][])
      expect(() => t.experiment(name, variant)).not.toThrow();
    expect(warn).toHaveBeenCalledTimes(7);
    t.pageview();
    await settle();
    await t.flush();
    expectEvents(c.events(), { expected: [{ name: 'page_view', props: { experiment: 'ok', variant: 'a' } }] });
  });

  it('page views carry no experiment props unless one was set', async () => {
    useFakeTime();
    const c = collector();
    const t = tracker();
    await settle();
    await t.flush();
    expect(Object.keys(c.events()[0]!.props!)).not.toContain('experiment');
    expect(Object.keys(c.events()[0]!.props!)).not.toContain('variant');
  });
});
