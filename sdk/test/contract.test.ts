import { describe, expect, it, vi } from 'vitest';
// The collector's own validation, so that a drift between what the SDK sends and what the collector
// accepts fails here, in the SDK's tests, too.
import { createValidator } from '../../collector/src/core/validate.ts';
import type { WebVitalsProps } from '../src/protocol.ts';
import { collector, drain, pageTransition, setVisibility, settle, tracker, useFakeTime } from './support.ts';

type Report = (metric: { name: string; value: number; rating: WebVitalsProps['rating'] }) => void;
const reporters = vi.hoisted(() => [] as Report[]);
vi.mock('web-vitals', () => {
  const on = (report: Report) => void reporters.push(report);
  return { onLCP: on, onINP: on, onCLS: on, onFCP: on, onTTFB: on };
});

describe('contract with the collector', () => {
  it('every event of a full shopping journey passes the collector validation', async () => {
    useFakeTime();
    const c = collector();
    Object.defineProperty(document.documentElement, 'scrollHeight', { configurable: true, value: 3000 });
    document.body.innerHTML = `
      <form role="search"><input type="search" name="term" value="lamp"></form>
      <ul><li data-pm-result data-pm-item-id="L1" data-pm-item-name="Lamp" data-pm-item-price="30"><span>Lamp</span></li></ul>
      <div data-pm-view-item data-pm-item-id="L1" data-pm-item-name="Lamp"></div>
      <button data-pm-cart="add" data-pm-item-id="L1" data-pm-item-price="30" data-pm-item-currency="EUR">Add</button>`;
    history.replaceState(null, '', '/?q=desk+lamp&utm_source=news');
    reporters.length = 0;
    const loadVitals = vi.fn(() => import('../src/vitals.ts'));
    const t = tracker({ consent: 'pending', vitals: true }, { loadVitals });
    await settle();
    t.consent.set('granted');
    t.search('lamp', { results: 4 });
    document.querySelector('form')!.addEventListener('submit', (e) => e.preventDefault());
    document.querySelector('form')!.dispatchEvent(new Event('submit', { bubbles: true, cancelable: true }));
    document.querySelector('span')!.click();
    document.querySelector('button')!.click();
    t.viewItem({
      item_id: 'L1',
      item_name: 'Lamp',
      price: 30,
      currency: 'EUR',
      item_category: 'home',
      item_brand: 'Lux',
      item_variant: 'red',
      index: 0,
    });
    t.cart.remove({ item_id: 'L1' });
    t.cart.view([{ item_id: 'L1', price: 30, quantity: 2 }]);
    t.checkout.begin([{ item_id: 'L1', price: 30, quantity: 2 }]);
    t.purchase({ transaction_id: 'T-1', value: 60, currency: 'EUR', items: [{ item_id: 'L1', price: 30, quantity: 2 }] });
    t.track('newsletter_signup', { placement: 'footer', nested: { a: [1, 2] } });
    Object.defineProperty(window, 'scrollY', { configurable: true, value: 2300 });
    window.dispatchEvent(new Event('scroll'));
    await settle(50);
    await loadVitals.mock.results[0]!.value;
    await drain();
    expect(reporters).toHaveLength(5);
    for (const report of reporters) report({ name: 'LCP', value: 1200, rating: 'good' });
    history.pushState(null, '', '/products/lamp#reviews');
    await settle();
    window.dispatchEvent(pageTransition('pagehide', true));
    window.dispatchEvent(pageTransition('pageshow', true));
    await settle();
    setVisibility('hidden');
    setVisibility('visible');
    t.consent.set('anonymous');
    t.track('after_anonymous');
    await t.flush();
    await drain();

    const names = new Set(c.batches.flatMap((b) => b.events.map((e) => e.name)));
    for (const name of [
      'page_view',
      'page_leave',
      'scroll',
      'search',
      'select_item',
      'view_item',
      'add_to_cart',
      'remove_from_cart',
      'view_cart',
      'begin_checkout',
      'purchase',
      'web_vitals',
      'consent',
      'newsletter_signup',
    ]) {
      expect(names, name).toContain(name);
    }
    for (const batch of c.batches) {
      const result = createValidator().validateBatch(batch, { receivedAt: batch.sent_at });
      expect(result.ok && result.batch.rejected, JSON.stringify(result)).toEqual([]);
    }
  });
});
