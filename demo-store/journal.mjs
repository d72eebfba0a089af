// The field journal: the store's plain multi-page section. Its pages are
// static HTML that track with nothing but the Pathmark script tag and data-pm-*
// attributes. They are written out at build time from the catalog so that
// prices and names cannot drift from the shop's.

/** @typedef {{ id: string, name: string, category: string, brand: string, price: number, variant: string, blurb: string }} Product */

const escapes = { '&': '&amp;', '<': '&lt;', '>': '&gt;', '"': '&quot;', "'": '&#39;' };
const esc = (value) => String(value).replace(/[&<>"']/g, (c) => escapes[c]);

export const guides = [
  {
    slug: 'first-overnight',
    title: 'Your first overnight: what to pack',
    product: 'pa-summit-45',
    lede: 'One night out is the best way to learn what you really carry. Here is the short list.',
    paragraphs: [
      'Start with the pack. Forty-five litres is enough for a night in three seasons, and a hip belt that carries the weight will decide whether you enjoy the walk in.',
      'Sleep system next: a mat, a bag rated a few degrees below the forecast, and a dry layer that only comes out in the tent. Cold nights are what send people home early.',
      'Food should be boring and warm. A canister stove, one pot, a long spoon. Dinner, breakfast, and a chocolate bar for the moment the sun drops.',
      'Finally, light and water. A headlamp with a red mode keeps your night vision, and two litres plus a filter covers most routes with streams.',
    ],
  },
  {
    slug: 'light-at-camp',
    title: 'Light at camp without the glare',
    product: 'li-glow-lantern',
    lede: 'Warm, low light makes a camp feel like home and keeps the stars visible.',
    paragraphs: [
      'A headlamp is for walking. At camp, hang a lantern at head height, pointed down, and everyone can see what they are cooking without blinding each other.',
      'Warm colour temperatures are kinder to eyes that have adjusted to the dark, and they draw fewer insects than cold white light.',
      'Batteries drain fast in the cold. Keep spares in an inside pocket and the power bank in your sleeping bag overnight.',
      'When the cooking is done, switch everything off for ten minutes. Even near towns, the sky is fuller than you remember.',
    ],
  },
  {
    slug: 'layering-basics',
    title: 'Layering basics for changeable weather',
    product: 'la-grid-fleece',
    lede: 'Three thin layers beat one thick jacket, every time.',
    paragraphs: [
      'The base layer moves sweat away from your skin. Wool or a light synthetic; never cotton, which stays wet and cold.',
      'The mid layer holds warm air. A gridded fleece breathes on the climb and still warms you at the top when you stop.',
      'The shell keeps wind and rain out. Open the pit zips before you overheat, not after.',
      'Adjust early and often: the best time to take off a layer is five minutes before you start to sweat.',
    ],
  },
];

/** data-pm-item-* attributes describing a product, as the SDK reads them. */
function itemAttributes(product, categoryName, currency) {
  return [
    `data-pm-item-id="${esc(product.id)}"`,
    `data-pm-item-name="${esc(product.name)}"`,
    `data-pm-item-price="${product.price}"`,
    `data-pm-item-currency="${esc(currency)}"`,
    `data-pm-item-category="${esc(categoryName)}"`,
    `data-pm-item-brand="${esc(product.brand)}"`,
    `data-pm-item-variant="${esc(product.variant)}"`,
  ].join(' ');
}

function page({ title, body }) {
  return `<!doctype html>
<html lang="en">
<head>
  <meta charset="utf-8">
  <meta name="viewport" content="width=device-width, initial-scale=1">
  <title>${esc(title)}</title>
  <link rel="icon" href="/favicon.svg" type="image/svg+xml">
  <link rel="stylesheet" href="/styles.css">
  <!-- Pathmark: the only tracking on this page. Everything else is data-pm-* attributes. -->
  <script async src="/pathmark.js" data-site="demo" data-endpoint="/v1/events" data-consent="pending"></script>
  <!-- The demo's consent banner, which passes the visitor's choice to window.pathmark. -->
  <script defer src="/consent.js"></script>
</head>
<body>
  <div class="demo-ribbon">Demo store for <strong>Pathmark</strong> analytics — this journal is plain HTML with the script tag only.</div>
  <header class="site-header">
    <a class="brand" href="/"><img src="/favicon.svg" alt="" width="32" height="32"> Pathmark Outfitters</a>
    <nav class="main-nav" aria-label="Main">
      <a href="/">Shop</a>
      <a href="/blog/">Journal</a>
    </nav>
    <form class="search" action="/blog/search/" method="get" data-pm-search>
      <input type="search" name="q" placeholder="Search the journal" aria-label="Search the journal">
      <button class="btn" type="submit">Search</button>
    </form>
    <a class="cart-link" href="/cart">Cart</a>
    <button type="button" class="privacy-link" data-privacy-open>Privacy: <span data-privacy-badge>…</span></button>
  </header>
  <main class="page journal">
${body}
  </main>
  <footer class="site-footer">
    <p><strong>Pathmark Outfitters is a demo.</strong> This journal is plain HTML: it tracks with one script tag and
      <code>data-pm-*</code> attributes, and has no code of its own.</p>
    <p><button type="button" class="link" data-privacy-open>Privacy settings</button> · <a href="/">Back to the shop</a> ·
      <a href="/inspector" target="_blank">Live inspector</a></p>
  </footer>
</body>
</html>
`;
}

/**
 * @param {{ products: Product[], categories: { id: string, name: string }[], currency: string }} catalog
 * @returns {Record<string, string>} HTML documents by path below dist/
 */
export function journalPages(catalog) {
  const byId = new Map(catalog.products.map((p) => [p.id, p]));
  const categoryName = (product) => catalog.categories.find((c) => c.id === product.category)?.name ?? product.category;
  const featured = (guide) => {
    const product = byId.get(guide.product);
    if (!product) throw new Error(`journal guide ${guide.slug} features unknown product ${guide.product}`);
    return product;
  };

  const pages = {};
  pages['blog/index.html'] = page({
    title: 'Field journal — Pathmark Outfitters',
    body: `    <header class="page-head">
      <p class="eyebrow">Field journal</p>
      <h1>Notes from the trail</h1>
      <p class="lede">Guides from the people who test our gear. This section is ordinary static HTML: search, result
        clicks, product views and cart links are reported by <code>data-pm-*</code> attributes alone.</p>
    </header>
    <ul class="journal-list">
${guides
  .map((g) => {
    const product = featured(g);
    return `      <li><a class="journal-card" href="/blog/${g.slug}/"><img src="/img/${esc(product.id)}.svg" alt="" width="120" height="120">
        <span><strong>${esc(g.title)}</strong><br><span class="muted">${esc(g.lede)}</span></span></a></li>`;
  })
  .join('\n')}
    </ul>`,
  });

  pages['blog/search/index.html'] = page({
    title: 'Journal search — Pathmark Outfitters',
    body: `    <header class="page-head">
      <p class="eyebrow">Journal search</p>
      <h1>Guides for your search</h1>
      <p class="lede">A static page cannot filter, so it lists every guide with the gear it features. Each link is a
        <code>data-pm-result</code>, so a click is reported as <code>select_item</code> linked to your search.</p>
    </header>
    <ol class="journal-list">
${guides
  .map((g, index) => {
    const product = featured(g);
    return `      <li><a class="journal-card" href="/blog/${g.slug}/" data-pm-result data-pm-result-index="${index}" ${itemAttributes(product, categoryName(product), catalog.currency)}>
        <img src="/img/${esc(product.id)}.svg" alt="" width="120" height="120">
        <span><strong>${esc(g.title)}</strong><br><span class="muted">Featuring ${esc(product.name)}</span></span></a></li>`;
  })
  .join('\n')}
    </ol>`,
  });

  for (const g of guides) {
    const product = featured(g);
    const attrs = itemAttributes(product, categoryName(product), catalog.currency);
    pages[`blog/${g.slug}/index.html`] = page({
      title: `${g.title} — Pathmark Outfitters`,
      body: `    <article>
      <p class="eyebrow"><a href="/blog/">Field journal</a></p>
      <h1>${esc(g.title)}</h1>
      <p class="lede">${esc(g.lede)}</p>
${g.paragraphs.map((p) => `      <p>${esc(p)}</p>`).join('\n')}
      <section class="featured" data-pm-view-item ${attrs}>
        <img src="/img/${esc(product.id)}.svg" alt="" width="160" height="160">
        <div>
          <p class="card-brand">${esc(product.brand)} · featured in this guide</p>
          <h2>${esc(product.name)}</h2>
          <p>${esc(product.blurb)} <strong>€${product.price}</strong></p>
          <p><a class="btn btn-primary" href="/cart?add=${esc(product.id)}" data-pm-cart="add" data-pm-item-quantity="1" ${attrs}>Add to cart</a>
            <a class="btn" href="/cart?remove=${esc(product.id)}" data-pm-cart="remove" data-pm-item-quantity="1" ${attrs}>Remove from cart</a></p>
        </div>
      </section>
      <p><a href="/p/${esc(product.id)}">See ${esc(product.name)} in the shop</a> · <a href="/blog/">More guides</a></p>
    </article>`,
    });
  }
  return pages;
}
