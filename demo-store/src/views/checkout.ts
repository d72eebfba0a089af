import { currency, formatPrice, toItem } from '../catalog.ts';
import type { AppContext } from '../context.ts';
import { html } from '../html.ts';
import type { View } from '../router.ts';

function orderId(): string {
  // Letters and few digits: long digit runs would be redacted by the collector as possible personal data.
  const alphabet = 'ABCDEFGHJKLMNPQRSTUVWXYZ';
  const bytes = crypto.getRandomValues(new Uint8Array(6));
  return `PM-${Array.from(bytes, (b) => alphabet[b % alphabet.length]).join('')}`;
}

export function checkoutView(ctx: AppContext): View {
  const lines = ctx.cart.items();
  const total = ctx.cart.total();
  if (lines.length === 0) {
    return {
      title: 'Checkout — Pathmark Outfitters',
      body: html`<header class="page-head"><h1>Checkout</h1></header>
        <p class="empty">Your cart is empty. <a href="/">Back to the shop.</a></p>`,
    };
  }
  const items = lines.map((l) => toItem(l.product, l.quantity));
  return {
    title: 'Checkout — Pathmark Outfitters',
    body: html` <header class="page-head">
        <h1>Checkout</h1>
        <p class="lede">
          Demo checkout: no payment is taken and nothing is shipped. What you type here stays in this page; Pathmark only receives
          the items and the total.
        </p>
      </header>
      <div class="checkout">
        <form class="form" data-checkout>
          <label>Full name <input name="name" autocomplete="off" required value="Alex Example" /></label>
          <label>E-mail <input name="email" type="email" autocomplete="off" required value="alex@example.com" /></label>
          <label>Address <input name="address" autocomplete="off" required value="1 Trail Road" /></label>
          <div class="form-row">
            <label>City <input name="city" autocomplete="off" required value="Hillford" /></label>
            <label>Postcode <input name="postcode" autocomplete="off" required value="HF1 2AB" /></label>
          </div>
          <fieldset>
            <legend>Payment</legend>
            <label class="radio"
              ><input type="radio" name="payment" value="demo" checked /> Demo payment (nothing is charged)</label
            >
          </fieldset>
          <button class="btn btn-primary btn-large" type="submit">Place order · ${formatPrice(total)}</button>
        </form>
        <aside class="summary">
          <h2>Summary</h2>
          <ul>
            ${lines.map((l) => html`<li><span>${l.quantity} × ${l.product.name}</span><span>${formatPrice(l.product.price * l.quantity)}</span></li>`)}
          </ul>
          <p class="summary-total"><span>Total</span><strong>${formatPrice(total)}</strong></p>
        </aside>
      </div>`,
    bind: (root) => {
      root.querySelector<HTMLFormElement>('[data-checkout]')?.addEventListener('submit', (event) => {
        event.preventDefault();
        const id = orderId();
        ctx.tracker.purchase({ transaction_id: id, value: total, currency, items });
        ctx.orders.set(id, { id, lines, total });
        ctx.cart.clear();
        ctx.navigate(`/order/${id}`);
      });
    },
    track: () => ctx.tracker.checkout.begin(items, total),
  };
}
