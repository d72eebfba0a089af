import { categories, formatPrice, imageUrl, type Product } from '../catalog.ts';
import { html, type SafeHtml } from '../html.ts';

export function productCard(product: Product): SafeHtml {
  return html` <a class="card" href="/p/${product.id}">
    <img src="${imageUrl(product)}" alt="" width="400" height="400" loading="lazy" />
    <span class="card-body">
      <span class="card-brand">${product.brand}</span>
      <span class="card-name">${product.name}</span>
      <span class="card-price">${formatPrice(product.price)}</span>
    </span>
  </a>`;
}

export function productGrid(items: readonly Product[]): SafeHtml {
  return html`<div class="grid">${items.map(productCard)}</div>`;
}

export function categoryNav(active?: string): SafeHtml {
  return html` <nav class="chips" aria-label="Categories">
    <a class="chip ${active ? '' : 'is-active'}" href="/">All</a>
    ${categories.map((c) => html`<a class="chip ${c.id === active ? 'is-active' : ''}" href="/c/${c.id}">${c.name}</a>`)}
  </nav>`;
}
