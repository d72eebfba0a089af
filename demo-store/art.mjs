// Product pictures for the demo store, drawn at build time so the repository
// holds no binary images and every product still gets its own look.

/** @typedef {{ id: string, name: string, category: string, hue: number, pattern: number }} ArtProduct */

const hsl = (h, s, l) => `hsl(${Math.round(h) % 360} ${s}% ${l}%)`;

/** One silhouette per category, drawn on a 400×400 canvas around its centre. */
const silhouettes = {
  packs: (main, dark) => `
    <rect x="130" y="110" width="140" height="190" rx="38" fill="${main}"/>
    <path d="M130 150 q70 -40 140 0 v30 h-140z" fill="${dark}"/>
    <rect x="165" y="215" width="70" height="55" rx="12" fill="${dark}" opacity=".55"/>
    <path d="M170 110 v-25 a30 30 0 0 1 60 0 v25" fill="none" stroke="${dark}" stroke-width="10" stroke-linecap="round"/>`,
  kitchen: (main, dark) => `
    <rect x="120" y="150" width="140" height="150" rx="22" fill="${main}"/>
    <path d="M260 185 h22 a28 28 0 0 1 0 56 h-22" fill="none" stroke="${dark}" stroke-width="14"/>
    <rect x="110" y="140" width="160" height="20" rx="8" fill="${dark}"/>
    <path d="M160 120 q10 -20 0 -40 M190 120 q10 -20 0 -40 M220 120 q10 -20 0 -40" fill="none" stroke="${dark}" stroke-width="6" stroke-linecap="round" opacity=".5"/>`,
  light: (main, dark) => `
    <circle cx="200" cy="215" r="95" fill="${main}" opacity=".25"/>
    <rect x="160" y="140" width="80" height="140" rx="14" fill="${main}"/>
    <rect x="150" y="125" width="100" height="22" rx="8" fill="${dark}"/>
    <rect x="150" y="275" width="100" height="22" rx="8" fill="${dark}"/>
    <path d="M175 125 a25 25 0 0 1 50 0" fill="none" stroke="${dark}" stroke-width="8"/>
    <circle cx="200" cy="210" r="18" fill="#fff8dc"/>`,
  layers: (main, dark) => `
    <path d="M150 110 l-60 45 l25 55 l30 -18 v125 h110 v-125 l30 18 l25 -55 l-60 -45 q-50 30 -100 0z" fill="${main}"/>
    <path d="M200 128 v190" stroke="${dark}" stroke-width="6"/>
    <path d="M150 110 q50 30 100 0" fill="none" stroke="${dark}" stroke-width="8"/>`,
};

/** Background motifs, so products in one category do not look identical. */
const patterns = [
  (tone) =>
    [60, 140, 220, 300]
      .map((y) => `<path d="M0 ${y} q100 -30 200 0 t200 0" fill="none" stroke="${tone}" stroke-width="3"/>`)
      .join(''),
  (tone) =>
    Array.from(
      { length: 36 },
      (_, i) => `<circle cx="${(i % 6) * 70 + 25}" cy="${Math.floor(i / 6) * 70 + 25}" r="5" fill="${tone}"/>`,
    ).join(''),
  (tone) =>
    Array.from({ length: 9 }, (_, i) => `<path d="M${i * 50 - 50} 400 l200 -400" stroke="${tone}" stroke-width="8"/>`).join(''),
  (tone) => `<path d="M0 330 l90 -110 l70 70 l80 -120 l160 160 v70 h-400z" fill="${tone}"/>`,
];

/**
 * @param {ArtProduct} product
 * @returns {string} a standalone SVG document
 */
export function productSvg(product) {
  const h = product.hue;
  const draw = silhouettes[product.category] ?? silhouettes.packs;
  const motif = patterns[product.pattern % patterns.length];
  return `<svg xmlns="http://www.w3.org/2000/svg" viewBox="0 0 400 400" role="img" aria-label="${product.name}">
  <defs><linearGradient id="bg" x1="0" y1="0" x2="1" y2="1">
    <stop offset="0" stop-color="${hsl(h, 45, 92)}"/><stop offset="1" stop-color="${hsl(h + 30, 40, 82)}"/>
  </linearGradient></defs>
  <rect width="400" height="400" fill="url(#bg)"/>
  <g opacity=".35">${motif(hsl(h + 30, 35, 70))}</g>
  <ellipse cx="200" cy="320" rx="110" ry="14" fill="${hsl(h, 30, 40)}" opacity=".18"/>
  ${draw(hsl(h, 55, 48), hsl(h, 50, 28))}
</svg>
`;
}

/** The store's logo mark, also used as favicon. */
export const logoSvg = `<svg xmlns="http://www.w3.org/2000/svg" viewBox="0 0 64 64">
  <rect width="64" height="64" rx="14" fill="#1f3a36"/>
  <path d="M10 46 l14 -20 l9 11 l8 -12 l13 21z" fill="#e8c872"/>
  <circle cx="44" cy="18" r="5" fill="#f4efe6"/>
</svg>
`;
