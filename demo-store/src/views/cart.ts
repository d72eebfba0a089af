import { formatPrice, imageUrl, toItem } from '../catalog.ts';
import type { AppContext } from '../context.ts';
import { html } from '../html.ts';
import type { View } from '../router.ts';

export function cartView(ctx: AppContext, refresh: () => void): View {
  const lines = ctx.cart.items();
  return {
    title: 'Your cart — Pathmark Outfitters',
    body: html` <header class="page-head"><h1>Your cart</h1></header>
      ${
        lines.length === 0
          ? html`<p class="empty">Your cart is empty. <a href="/">Find something for the trail.</a></p>`
          : html` <table class="cart-table">
                <thead>
                  <tr>
                    <th colspan="2">Product</th>
                    <th>Qty</th>
                    <th>Price</th>
                    <th></th>
                  </tr>
                </thead>
                <tbody>
                  ${lines.map(
                    (line) =>
                      html`<tr data-cart-line="${line.product.id}">
                        <td><img src="${imageUrl(line.product)}" alt="" width="64" height="64" /></td>
                        <td>
                          <a href="/p/${line.product.id}">${line.product.name}</a><br /><span class="muted"
                            >${line.product.variant}</span
                          >
                        </td>
                        <td>${line.quantity}</td>
                        <td>${formatPrice(line.product.price * line.quantity)}</td>
                        <td><button type="button" class="btn btn-small" data-remove="${line.product.id}">Remove</button></td>
                      </tr>`,
                  )}
                </tbody>
                <tfoot>
                  <tr>
                    <th colspan="3">Total</th>
                    <td colspan="2"><strong>${formatPrice(ctx.cart.total())}</strong></td>
                  </tr>
                </tfoot>
              </table>
              <p class="actions">
                <a class="btn" href="/">Keep shopping</a> <a class="btn btn-primary" href="/checkout">Check out</a>
              </p>`
      }`,
    bind: (root) => {
      for (const button of root.querySelectorAll<HTMLButtonElement>('[data-remove]')) {
        button.addEventListener('click', () => {
          const line = lines.find((l) => l.product.id === button.dataset.remove);
          if (!line) return;
          ctx.cart.remove(line.product.id);
          ctx.tracker.cart.remove(toItem(line.product, line.quantity));
          refresh();
        });
      }
    },
    track: () => ctx.tracker.cart.view(lines.map((l) => toItem(l.product, l.quantity))),
  };
}
