import { describe, expect, it, vi } from 'vitest';
import { collector, expectEvents, names, settle, tracker, useFakeTime } from './support.ts';

const shoe = { item_id: 'SKU-1', item_name: 'Red shoe', price: 49.9, quantity: 2, currency: 'EUR', item_category: 'shoes' };

describe('cart and checkout', () => {
  it('captures each ecommerce method with GA4 names, items and computed value', async () => {
    useFakeTime();
    const c = collector();
    const t = tracker();
    t.viewItem(shoe);
    t.cart.add(shoe);
    t.cart.remove({ item_id: 'SKU-1', quantity: 1 });
    t.cart.view([shoe, { item_name: 'Sock', price: 5 }]);
    t.checkout.begin([shoe], 120);
    t.purchase({ transaction_id: 'T-9', value: 99.8, currency: 'EUR', items: [shoe] });
    await t.flush();
    expectEvents(c.events(), {
      expected: [
        { name: 'view_item', props: { items: [shoe], value: 99.8, currency: 'EUR' } },
        { name: 'add_to_cart', props: { items: [shoe], value: 99.8, currency: 'EUR' } },
        { name: 'remove_from_cart', props: { items: [{ item_id: 'SKU-1', quantity: 1 }] } },
        { name: 'view_cart', props: { value: 104.8, items: [shoe, { item_name: 'Sock', price: 5 }] } },
        { name: 'begin_checkout', props: { value: 120 } },
        { name: 'purchase', props: { transaction_id: 'T-9', value: 99.8, currency: 'EUR', items: [shoe] } },
      ],
    });
  });

  it('reads declarative data-pm-cart buttons, parsing numbers, and view items marked on the page', async () => {
    useFakeTime();
    document.body.innerHTML = `
      <div data-pm-view-item data-pm-item-id="P7" data-pm-item-name="Lamp" data-pm-item-price="30"></div>
      <button data-pm-cart="add" data-pm-item-id="P7" data-pm-item-name="Lamp" data-pm-item-price="30" data-pm-item-quantity="3"
        data-pm-item-currency="USD" data-pm-item-category="home" data-pm-item-brand="Lux" data-pm-item-variant="blue"><span>Add</span></button>
      <button data-pm-cart="remove" data-pm-item-id="P7">Remove</button>
      <button data-pm-cart="explode" data-pm-item-id="P7">Unknown</button>`;
    const c = collector();
    const t = tracker();
    await settle();
    document.querySelector('span')!.click();
    (document.querySelectorAll('button')[1] as HTMLButtonElement).click();
    (document.querySelectorAll('button')[2] as HTMLButtonElement).click();
    await t.flush();
    expect(names(c.events())).toEqual(['page_view', 'view_item', 'add_to_cart', 'remove_from_cart']);
    expectEvents(c.events(), {
      expected: [
        { name: 'view_item', props: { items: [{ item_id: 'P7', item_name: 'Lamp', price: 30 }] } },
        {
          name: 'add_to_cart',
          props: {
            value: 90,
            currency: 'USD',
            items: [
              {
                item_id: 'P7',
                price: 30,
                quantity: 3,
                currency: 'USD',
                item_category: 'home',
                item_brand: 'Lux',
                item_variant: 'blue',
              },
            ],
          },
        },
      ],
    });
  });

  it('drops invalid items with a debug warning and never throws into the page', async () => {
    useFakeTime();
    const warn = vi.spyOn(console, 'warn').mockImplementation(() => {});
    document.body.innerHTML = '<button data-pm-cart="add" data-pm-item-id="X" data-pm-item-price="free">Add</button>';
    const c = collector();
    const t = tracker({ debug: true });
    const bad: unknown[] = [
      null,
      'shoe',
      42,
      { price: 3 },
      { item_id: 'A', price: -1 },
      { item_id: 'A', quantity: 1.5 },
      { item_id: 'A', currency: 'euro' },
      { item_id: {} },
    ];
    for (const item of bad) {
      expect(() => t.cart.add(item as never)).not.toThrow();
      expect(() => t.viewItem(item as never)).not.toThrow();
    }
    expect(() => t.purchase(undefined as never)).not.toThrow();
    expect(() => t.purchase({ transaction_id: 'T', value: 'lots' } as never)).not.toThrow();
    expect(() => t.checkout.begin('nope' as never)).not.toThrow();
    expect(() => t.track('bad name!', {})).not.toThrow();
    const cyclic: Record<string, unknown> = {};
    cyclic.self = cyclic;
    expect(() => t.track('cyclic', cyclic as never)).not.toThrow();
    document.querySelector('button')!.click();
    t.cart.view([{ item_id: 'ok' }, { price: 1 }]);
    await t.flush();
    expect(names(c.events())).toEqual(['page_view', 'begin_checkout', 'view_cart']);
    expectEvents(c.events(), { expected: [{ name: 'view_cart', props: { items: [{ item_id: 'ok' }] } }] });
    const messages = warn.mock.calls.map((call) => call.slice(0, 3).join(' '));
    expect(messages).toContain('[pathmark] invalid item price');
    expect(messages).toContain('[pathmark] invalid item quantity');
    expect(messages).toContain('[pathmark] invalid item currency');
    expect(messages).toContain('[pathmark] invalid item item_id');
    expect(messages.some((m) => m.includes('invalid purchase'))).toBe(true);
  });

  it('stays silent without debug', async () => {
    const warn = vi.spyOn(console, 'warn').mockImplementation(() => {});
    const t = tracker({ consent: 'pending' });
    t.cart.add({ price: 3 } as never);
    expect(warn).not.toHaveBeenCalled();
  });

  it('sends custom events from track() with their props', async () => {
    useFakeTime();
    const c = collector();
    const t = tracker();
    t.track('newsletter_signup', { placement: 'footer', nested: { ok: true } });
    await t.flush();
    expectEvents(c.events(), { expected: [{ name: 'newsletter_signup', props: { placement: 'footer', nested: { ok: true } } }] });
  });
});

describe('limits', () => {
  it('cuts long strings (title, URL, props, item names) to 2,048 characters instead of losing the event', async () => {
    useFakeTime();
    const c = collector();
    document.title = 't'.repeat(3000);
    history.replaceState(null, '', `/${'p'.repeat(3000)}`);
    const t = tracker({ autoPageviews: false, consent: 'anonymous' });
    t.track('long', { note: 'n'.repeat(3000) });
    t.cart.add({ item_id: 'i'.repeat(3000) });
    await t.flush();
    const [long, add] = c.events();
    expect(long!.title).toHaveLength(2048);
    expect(long!.url).toHaveLength(2048);
    expect((long!.props as { note: string }).note).toHaveLength(2048);
    expect((add!.props as { items: { item_id: string }[] }).items[0]!.item_id).toHaveLength(2048);
  });
});
