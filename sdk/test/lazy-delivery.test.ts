import { describe, expect, it, vi } from 'vitest';
import * as delivery from '../src/delivery.ts';
import { buildScriptFiles } from '../build.mjs';
import { collector, names, settle, tracker, useFakeTime } from './support.ts';

describe('delivery is loaded once a mode may send, and not before', () => {
  it('pending and denied never load it; the first mode that may send does, once; what was captured then goes', async () => {
    useFakeTime();
    const c = collector();
    const load = vi.fn(async () => delivery);
    const denied = tracker({ site: 'd', consent: 'denied' }, { loadDelivery: load });
    const t = tracker({ consent: 'pending' }, { loadDelivery: load });
    t.track('while_pending');
    t.cart.add({ item_id: 'P1', price: 2 });
    await settle();
    await t.flush();
    await denied.flush();
    expect(load).not.toHaveBeenCalled();
    t.consent.set('anonymous');
    t.consent.set('granted');
    await settle();
    await t.flush();
    expect(load).toHaveBeenCalledTimes(1);
    expect(names(c.events())).toEqual(['page_view', 'while_pending', 'add_to_cart', 'consent', 'consent']);
  });

  it(
    'the script tag holds no queue, store, transport or item validation: they are in pathmark-delivery.js',
    { timeout: 30_000 },
    async () => {
      const files = await buildScriptFiles();
      for (const marker of ['createObjectStore', 'retry-after', 'data-pm-item-', 'answered HTTP']) {
        expect(files['pathmark.js'], marker).not.toContain(marker);
        expect(files['pathmark-delivery.js'], marker).toContain(marker);
      }
    },
  );
});
