import { categories, imageUrl, products } from '../catalog.ts';
import { html } from '../html.ts';
import type { View } from '../router.ts';
import { categoryNav, productGrid } from './common.ts';

export function homeView(): View {
  return {
    title: 'Pathmark Outfitters — a demo store',
    body: html` <section class="hero">
        <div>
          <p class="eyebrow">Demo store · nothing here is for sale</p>
          <h1>Gear for the long way round.</h1>
          <p class="lede">
            Pathmark Outfitters is a pretend shop that shows what the Pathmark SDK records as you browse, search, fill a cart and
            check out. Open the <a href="/inspector" target="_blank">live inspector</a> beside it to watch each event leave the
            browser and what the collector keeps of it.
          </p>
          <p>
            <a class="btn btn-primary" href="/c/packs">Browse packs</a> <a class="btn" href="/blog/">Read the field journal</a>
          </p>
        </div>
        <img src="${imageUrl(products[1]!)}" alt="" width="320" height="320" />
      </section>
      <section class="tiles">
        ${categories.map((c) => {
          const cover = products.find((p) => p.category === c.id);
          return html`<a class="tile" href="/c/${c.id}">
            ${cover ? html`<img src="${imageUrl(cover)}" alt="" width="120" height="120" loading="lazy" />` : ''}
            <span><strong>${c.name}</strong><br /><span class="muted">${c.blurb}</span></span></a
          >`;
        })}
      </section>
      <h2 class="section-title">All products</h2>
      ${categoryNav()} ${productGrid(products)}`,
  };
}
