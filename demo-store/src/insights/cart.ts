// Cart: how carts convert (cart → checkout → purchase, abandonment), their size and value, the
// categories and products that go in, and what comes back out.
import type { Cart } from '../../../collector/src/core/insights/reports/cart.ts';
import { OTHER } from '../../../collector/src/core/insights/privacy.ts';
import { html, type SafeHtml } from '../html.ts';
import { bar, funnelBar } from './charts.ts';
import { count, label, money, percent, ratio } from './format.ts';
import { empty, listNote } from './modes.ts';

function conversion({ carts }: Cart): SafeHtml {
  const steps = [
    { name: 'Carts', visits: carts.carts, rate: null },
    { name: 'Checkouts', visits: carts.checkouts, rate: carts.cart_to_checkout },
    { name: 'Purchases', visits: carts.purchases, rate: carts.checkout_to_purchase },
  ];
  const first = Math.max(1, carts.carts);
  return html`<table data-cart-conversion>
      <caption>
        Cart conversion: visits with a cart, and how many went on
      </caption>
      <tbody>
        ${steps.map(
          (step, i) =>
            html`<tr data-cart-step="${step.name.toLowerCase()}">
              <th scope="row">${step.name}</th>
              <td class="chart-col">${funnelBar(step.visits / first, (i === 0 ? step.visits : steps[i - 1]!.visits) / first)}</td>
              <td class="num">${count(step.visits)}</td>
              <td class="num">${i === 0 ? '' : percent(step.rate)}</td>
            </tr>`,
        )}
      </tbody>
    </table>
    <dl class="figures">
      <div>
        <dt>Cart to purchase</dt>
        <dd data-cart-to-purchase>${percent(carts.cart_to_purchase)}</dd>
      </div>
      <div>
        <dt>Abandonment</dt>
        <dd>${percent(carts.abandonment)}</dd>
      </div>
      <div>
        <dt>Items per cart</dt>
        <dd>${ratio(carts.items_per_cart, 1)}</dd>
      </div>
      <div>
        <dt>Value per cart</dt>
        <dd>${money(carts.value_per_cart)}</dd>
      </div>
    </dl>`;
}

export function cartPanel(figures: Cart, k: number): SafeHtml {
  if (figures.carts.carts === 0 && figures.products.rows.length === 0) return empty('carts');
  const maxAdded = Math.max(1, ...figures.categories.rows.map((row) => row.added));
  return html`<div class="split">
      <div>${conversion(figures)}</div>
      <div>
        <table data-categories>
          <caption>
            Categories: items added to carts, and the add-to-cart rate of their product views
          </caption>
          <thead>
            <tr>
              <th scope="col">Category</th>
              <th scope="col" class="num">Added</th>
              <th scope="col" class="chart-col"><span class="visually-hidden">Added</span></th>
              <th scope="col" class="num">Add rate</th>
              <th scope="col" class="num">Purchased</th>
              <th scope="col" class="num">Removed</th>
            </tr>
          </thead>
          <tbody>
            ${figures.categories.rows.map(
              (row) =>
                html`<tr data-category="${row.category}">
                  <th scope="row">${label(row.category, OTHER)}</th>
                  <td class="num">${count(row.added)}</td>
                  <td class="chart-col">${bar(row.added / maxAdded)}</td>
                  <td class="num">${percent(row.add_to_cart_rate)}</td>
                  <td class="num">${count(row.purchased)}</td>
                  <td class="num">${count(row.removed)}</td>
                </tr>`,
            )}
          </tbody>
        </table>
        ${listNote(figures.categories, k, 'categories')}
      </div>
    </div>
    <div class="split">
      <div>
        <table data-products>
          <caption>
            Products
          </caption>
          <thead>
            <tr>
              <th scope="col">Product</th>
              <th scope="col" class="num">Viewed in</th>
              <th scope="col" class="num">Added</th>
              <th scope="col" class="num">Add rate</th>
              <th scope="col" class="num">Purchased</th>
              <th scope="col" class="num">Revenue</th>
            </tr>
          </thead>
          <tbody>
            ${figures.products.rows.slice(0, 10).map(
              (row) =>
                html`<tr>
                  <th scope="row">${label(row.item_name ?? row.item_id, OTHER)}</th>
                  <td class="num">${count(row.view_visits)}</td>
                  <td class="num">${count(row.added)}</td>
                  <td class="num">${percent(row.add_to_cart_rate)}</td>
                  <td class="num">${count(row.purchased)}</td>
                  <td class="num">${money(row.revenue)}</td>
                </tr>`,
            )}
          </tbody>
        </table>
        ${listNote(figures.products, k, 'products')}
      </div>
      <div>
        ${
          figures.most_removed.rows.length === 0
            ? html`<h3>Most removed</h3>
                ${empty('items removed from carts')}`
            : html`<table data-removed>
                <caption>
                  Most removed from carts
                </caption>
                <thead>
                  <tr>
                    <th scope="col">Product</th>
                    <th scope="col" class="num">Removed</th>
                    <th scope="col" class="num">In visits</th>
                  </tr>
                </thead>
                <tbody>
                  ${figures.most_removed.rows.slice(0, 10).map(
                    (row) =>
                      html`<tr>
                        <th scope="row">${label(row.item_name ?? row.item_id, OTHER)}</th>
                        <td class="num">${count(row.removed)}</td>
                        <td class="num">${count(row.remove_visits)}</td>
                      </tr>`,
                  )}
                </tbody>
              </table>`
        }
      </div>
    </div>`;
}
