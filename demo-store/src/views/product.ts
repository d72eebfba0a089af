import { findCategory, findProduct, formatPrice, imageUrl, products, toItem, type Product } from '../catalog.ts';
import type { AppContext } from '../context.ts';
import { html, type SafeHtml } from '../html.ts';
import type { View } from '../router.ts';
import { productGrid } from './common.ts';

const reviewers = ['Ada', 'Björn', 'Chiara', 'Dmitri', 'Elif', 'Farah', 'Goran', 'Hana', 'Ines', 'Jonas'];
const reviewLines = [
  'Took it on a four-day loop through the hills and never thought about it, which is the best thing I can say about gear.',
  'Solid build. The finish scuffed a little after a week, but nothing that matters.',
  'Smaller than it looks in the pictures, in a good way. It disappears in the pack.',
  'Bought it for my partner, then bought a second one for myself.',
  'Does exactly what it says. I would like one more colour option.',
  'Survived a week of rain in Scotland. Enough said.',
  'Great value for the price; the details are thought through.',
];

/** Deterministic pseudo-random numbers, so a product always gets the same reviews. */
function seeded(seed: string): () => number {
  let h = 2166136261;
  for (const ch of seed) h = Math.imul(h ^ ch.charCodeAt(0), 16777619);
  return () => {
    h = Math.imul(h ^ (h >>> 15), 2246822507);
    h = Math.imul(h ^ (h >>> 13), 3266489909);
    return ((h ^= h >>> 16) >>> 0) / 4294967296;
  };
}

function reviews(product: Product): SafeHtml {
  const random = seeded(product.id);
  return html`${Array.from({ length: 6 }, (_, i) => {
    const stars = 3 + Math.floor(random() * 3);
    return html`<article class="review">
      <header>
        <strong>${reviewers[Math.floor(random() * reviewers.length)]}</strong>
        <span class="stars" aria-label="${stars} out of 5">${'★'.repeat(stars)}${'☆'.repeat(5 - stars)}</span>
      </header>
      <p>${reviewLines[(i + Math.floor(random() * reviewLines.length)) % reviewLines.length]}</p>
    </article>`;
  })}`;
}

export function productView(ctx: AppContext, id: string): View | undefined {
  const product = findProduct(id);
  if (!product) return undefined;
  const category = findCategory(product.category);
  const related = products.filter((p) => p.category === product.category && p.id !== product.id).slice(0, 4);
  const random = seeded(`${product.id}-specs`);
  const weight = Math.round(80 + random() * 1200);
  return {
    title: `${product.name} — Pathmark Outfitters`,
    body: html` <nav class="crumbs">
        <a href="/">Home</a> / <a href="/c/${product.category}">${category?.name}</a> / ${product.name}
      </nav>
      <section class="product">
        <img class="product-image" src="${imageUrl(product)}" alt="${product.name}" width="400" height="400" />
        <div class="product-info">
          <p class="card-brand">${product.brand}</p>
          <h1>${product.name}</h1>
          <p class="product-price">${formatPrice(product.price)}</p>
          <p class="lede">${product.blurb}</p>
          <p>Colour: <strong>${product.variant}</strong></p>
          <p><button type="button" class="btn btn-primary btn-large" data-add-to-cart>Add to cart</button></p>
          <p class="muted">Demo store: checkout takes no payment and ships nothing.</p>
        </div>
      </section>
      <section class="prose">
        <h2>Made for the trail</h2>
        <p>
          ${product.name} comes from ${product.brand}, a small workshop that tests everything it makes on long routes before it
          reaches a shelf. ${product.blurb} We picked it for the ${category?.name.toLowerCase()} range because it does one job
          well and keeps doing it season after season.
        </p>
        <p>
          Every part can be repaired: seams are taped rather than glued, buckles and zips are standard sizes, and the workshop
          sells spares for ten years after a model is retired. If something breaks on the way, send it back and we will mend it or
          tell you how.
        </p>
        <h2>Specifications</h2>
        <table class="specs">
          <tr>
            <th>Brand</th>
            <td>${product.brand}</td>
          </tr>
          <tr>
            <th>Category</th>
            <td>${category?.name}</td>
          </tr>
          <tr>
            <th>Colour</th>
            <td>${product.variant}</td>
          </tr>
          <tr>
            <th>Weight</th>
            <td>${weight} g</td>
          </tr>
          <tr>
            <th>Materials</th>
            <td>Recycled nylon, aluminium, stainless steel</td>
          </tr>
          <tr>
            <th>Warranty</th>
            <td>Lifetime repairs</td>
          </tr>
        </table>
        <h2>Care</h2>
        <p>
          Brush off dirt once dry. Wash by hand in lukewarm water with a mild soap, rinse well and let it dry away from direct
          heat. Store it loose, not compressed, somewhere dry. A little care at the end of each trip doubles the life of almost
          any piece of outdoor gear.
        </p>
        <h2>Delivery and returns</h2>
        <p>
          This is a demo shop, so nothing will arrive. In a real shop you would read here about free delivery over a threshold,
          sixty-day returns and how the carbon cost of shipping is offset.
        </p>
        <h2>Reviews</h2>
        <div class="reviews">${reviews(product)}</div>
      </section>
      <section>
        <h2 class="section-title">You may also like</h2>
        ${productGrid(related)}
      </section>`,
    bind: (root) => {
      root.querySelector('[data-add-to-cart]')?.addEventListener('click', () => {
        ctx.cart.add(product.id);
        ctx.tracker.cart.add(toItem(product));
        ctx.toast(`${product.name} added to your cart`);
      });
    },
    track: () => ctx.tracker.viewItem(toItem(product)),
  };
}
