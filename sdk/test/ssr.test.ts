// @vitest-environment node
import { describe, expect, it } from 'vitest';

describe('server-side rendering', () => {
  it('imports without a window and createTracker returns a harmless tracker', async () => {
    expect(typeof (globalThis as { window?: unknown }).window).toBe('undefined');
    const { createTracker } = await import('../src/index.ts');
    const t = createTracker({ site: 'demo', endpoint: '/v1/events', consent: 'granted' });
    expect(() => {
      t.pageview();
      t.search('ssr');
      t.cart.add({ item_id: 'x' });
      t.cart.remove({ item_id: 'x' });
      t.cart.view();
      t.checkout.begin([]);
      t.purchase({ transaction_id: 't', value: 1, currency: 'EUR', items: [] });
      t.viewItem({ item_id: 'x' });
      t.track('ssr_event');
      t.consent.set('granted');
      t.destroy();
    }).not.toThrow();
    expect(t.consent.get()).toBe('denied');
    await expect(t.flush()).resolves.toBeUndefined();
    await expect(t.forget()).resolves.toBeUndefined();
  });
});
