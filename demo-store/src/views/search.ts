import { formatPrice, imageUrl, searchProducts, toItem } from '../catalog.ts';
import type { AppContext } from '../context.ts';
import { html } from '../html.ts';
import type { View } from '../router.ts';

export function searchView(ctx: AppContext, query: string): View {
  const results = searchProducts(query);
  return {
    title: query ? `“${query}” — search — Pathmark Outfitters` : 'Search — Pathmark Outfitters',
    body: html` <header class="page-head">
        <h1>${query ? html`Results for “${query}”` : 'Search'}</h1>
        <p class="lede">
          ${results.length} ${results.length === 1 ? 'product' : 'products'} found. Clicking a result is reported as
          <code>select_item</code>, linked to this search.
        </p>
      </header>
      ${results.length === 0 && query ? html`<p class="empty">Nothing matches. Try “lantern”, “wool” or “pack”.</p>` : ''}
      <ol class="results">
        ${results.map((p, index) => {
          const item = toItem(p);
          return html`<li>
            <a
              class="result"
              href="/p/${p.id}"
              data-pm-result
              data-pm-result-index="${index}"
              data-pm-item-id="${item.item_id}"
              data-pm-item-name="${item.item_name}"
              data-pm-item-price="${p.price}"
              data-pm-item-category="${item.item_category}"
              data-pm-item-brand="${item.item_brand}"
              data-pm-item-currency="${item.currency}"
            >
              <img src="${imageUrl(p)}" alt="" width="96" height="96" />
              <span><strong>${p.name}</strong><br /><span class="muted">${p.blurb}</span></span>
              <span class="card-price">${formatPrice(p.price)}</span>
            </a>
          </li>`;
        })}
      </ol>`,
    track: () => {
      if (query) ctx.tracker.search(query, { results: results.length });
    },
  };
}
