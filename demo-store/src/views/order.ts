import { formatPrice } from '../catalog.ts';
import type { AppContext } from '../context.ts';
import { html } from '../html.ts';
import type { View } from '../router.ts';

export function orderView(ctx: AppContext, id: string): View {
  const order = ctx.orders.get(id);
  return {
    title: `Order ${id} — Pathmark Outfitters`,
    body: html` <section class="confirmation">
      <p class="eyebrow">Order confirmed</p>
      <h1>Thank you! Order <span data-order-id>${id}</span> is placed.</h1>
      <p class="lede">This is a demo, so nothing will be shipped and nothing was charged.</p>
      ${
        order
          ? html`<ul class="summary">
                ${order.lines.map((l) => html`<li><span>${l.quantity} × ${l.product.name}</span><span>${formatPrice(l.product.price * l.quantity)}</span></li>`)}
              </ul>
              <p class="summary-total"><span>Total</span><strong>${formatPrice(order.total)}</strong></p>`
          : ''
      }
      <p>
        Open the <a href="/inspector" target="_blank">inspector</a> to see the <code>purchase</code> event, linked to the search
        that started the journey.
      </p>
      <p><a class="btn btn-primary" href="/">Back to the shop</a></p>
    </section>`,
  };
}
