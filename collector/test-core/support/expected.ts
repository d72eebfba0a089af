/**
 * The answers for the population in population.ts, worked out by hand from its templates (the
 * comments show the arithmetic: G1 … G5 granted, A1 … A3 anonymous, × repetitions), with k = 5.
 * Rates are rounded to 4 decimals, money to cents, as the reports do.
 *
 * G1 ×6 search buyer: / → /search (Trail Shoes, click position 2) → /product/trail-shoe (view, add 1;
 *    late page_leave: engaged 45 s) → /cart → /checkout → /checkout/done (buys 1 × 80); variant green
 * G2 ×5 category abandoner: / → /category/shoes → /product/trail-shoe (view, add 2) → /cart (remove 1); control
 * G3 ×5: /search "shooes" (0 results) → /search " Shoes " (9 results)
 * G4 ×7: / only (2 of them without a page_leave)
 * G5 ×2 (below k): /about → /search "gift ideas" → /product/silk-scarf (view, add 1 × 45)
 * A1 ×6 hat buyer: / → /category/hats → /sale/summer-hat (no pattern: a product by its view_item; add 1 × 20)
 *    → /checkout → /checkout/done (buys)
 * A2 ×5 returner: / then, 60 minutes later, /category/hats: two visits of one daily hash
 * A3 ×5: /search "Sun Hat" (click position 1) → /sale/summer-hat (view)
 */

const r = (part: number, whole: number) => Math.round((part / whole) * 10_000) / 10_000;

export const EXPECTED_COVERAGE = {
  // 6×6 + 5×4 + 5×2 + 7×1 + 2×3 page views; 6 + 5 + 5 + 7 + 2 visits
  granted: { page_views: 79, visits: 25 },
  // 6×5 + 5×2 + 5×2; 6 + 10 + 5
  anonymous: { page_views: 50, visits: 21 },
};

export const EXPECTED_BROWSE_PATHS = {
  granted: {
    // /about (G5, 2 entries) is below k and "(other)" alone stays below k: dropped.
    entries: {
      rows: [
        { path: '/', entries: 18, visits: 18 },
        { path: '/search', entries: 5, visits: 5 },
      ],
      omitted: 0,
      folded: 1,
    },
    exits: {
      rows: [
        { path: '/', exits: 7, page_views: 18, visits: 18, exit_rate: r(7, 18) }, // G4; G1 6 + G2 5 + G4 7
        { path: '/checkout/done', exits: 6, page_views: 6, visits: 6, exit_rate: 1 },
        { path: '/cart', exits: 5, page_views: 11, visits: 11, exit_rate: r(5, 11) },
        // G3 exits; page views G1 6 + G3 10 + G5 2, visits 6 + 5 + 2
        { path: '/search', exits: 5, page_views: 18, visits: 13, exit_rate: r(5, 18) },
      ],
      omitted: 0,
      folded: 1, // /product/silk-scarf
    },
    transitions: {
      rows: [
        { from: '/product/trail-shoe', to: '/cart', transitions: 11, visits: 11 },
        { from: '/', to: '/search', transitions: 6, visits: 6 },
        { from: '/cart', to: '/checkout', transitions: 6, visits: 6 },
        { from: '/checkout', to: '/checkout/done', transitions: 6, visits: 6 },
        { from: '/search', to: '/product/trail-shoe', transitions: 6, visits: 6 },
        { from: '/', to: '/category/shoes', transitions: 5, visits: 5 },
        { from: '/category/shoes', to: '/product/trail-shoe', transitions: 5, visits: 5 },
        // previous_path "/search?q=shooes" loses its query
        { from: '/search', to: '/search', transitions: 5, visits: 5 },
      ],
      omitted: 0,
      folded: 2, // G5's two moves, 2 visits each: "(other)" of 4 stays below k
    },
    flow: [
      { page_type: 'home', visits: 18, continued: null, rate_from_previous: null, drop_off: null },
      { page_type: 'category', visits: 5, continued: 5, rate_from_previous: r(5, 18), drop_off: 13 },
      { page_type: 'product', visits: 13, continued: 5, rate_from_previous: 1, drop_off: 0 },
      { page_type: 'cart', visits: 11, continued: 11, rate_from_previous: r(11, 13), drop_off: 2 },
      { page_type: 'checkout', visits: 6, continued: 6, rate_from_previous: r(6, 11), drop_off: 5 },
      { page_type: 'confirmation', visits: 6, continued: 6, rate_from_previous: 1, drop_off: 0 },
    ],
    depth: {
      visits: 25,
      pages_per_visit: 3.16, // 79 / 25
      distribution: [
        { pages: 1, visits: 7, share: r(7, 25) },
        { pages: 2, visits: 5, share: r(5, 25) },
        { pages: 3, visits: 2, share: r(2, 25) },
        { pages: 4, visits: 5, share: r(5, 25) },
        { pages: 5, visits: 0, share: 0 },
        { pages: 6, visits: 6, share: r(6, 25) },
      ],
    },
  },
  anonymous: {
    entries: {
      rows: [
        { path: '/', entries: 11, visits: 11 },
        { path: '/category/hats', entries: 5, visits: 5 },
        { path: '/search', entries: 5, visits: 5 },
      ],
      omitted: 0,
      folded: 0,
    },
    exits: {
      rows: [
        { path: '/checkout/done', exits: 6, page_views: 6, visits: 6, exit_rate: 1 },
        { path: '/', exits: 5, page_views: 11, visits: 11, exit_rate: r(5, 11) },
        { path: '/category/hats', exits: 5, page_views: 11, visits: 11, exit_rate: r(5, 11) },
        { path: '/sale/summer-hat', exits: 5, page_views: 11, visits: 11, exit_rate: r(5, 11) },
      ],
      omitted: 0,
      folded: 0,
    },
    // From same-site referrers (a multi-page site sends no previous_path).
    transitions: {
      rows: [
        { from: '/', to: '/category/hats', transitions: 6, visits: 6 },
        { from: '/category/hats', to: '/sale/summer-hat', transitions: 6, visits: 6 },
        { from: '/checkout', to: '/checkout/done', transitions: 6, visits: 6 },
        { from: '/sale/summer-hat', to: '/checkout', transitions: 6, visits: 6 },
        { from: '/search', to: '/sale/summer-hat', transitions: 5, visits: 5 },
      ],
      omitted: 0,
      folded: 0,
    },
    flow: [
      { page_type: 'home', visits: 11, continued: null, rate_from_previous: null, drop_off: null },
      { page_type: 'category', visits: 11, continued: 6, rate_from_previous: r(6, 11), drop_off: 5 },
      { page_type: 'product', visits: 11, continued: 6, rate_from_previous: r(6, 11), drop_off: 5 },
      { page_type: 'cart', visits: 0, continued: 0, rate_from_previous: 0, drop_off: 11 },
      { page_type: 'checkout', visits: 6, continued: 0, rate_from_previous: null, drop_off: 0 },
      { page_type: 'confirmation', visits: 6, continued: 6, rate_from_previous: 1, drop_off: 0 },
    ],
    depth: {
      visits: 21,
      pages_per_visit: 2.38, // 50 / 21
      distribution: [
        { pages: 1, visits: 10, share: r(10, 21) },
        { pages: 2, visits: 5, share: r(5, 21) },
        { pages: 3, visits: 0, share: 0 },
        { pages: 4, visits: 0, share: 0 },
        { pages: 5, visits: 6, share: r(6, 21) },
      ],
    },
  },
};

type Scroll = [number, number, number, number, number];
const dwell = (
  page_views: number,
  visits: number,
  measured: number,
  [engaged_p50, engaged_p75, engaged_p90]: [number, number, number],
  [s25, s50, s75, s90, s100]: Scroll,
  actions_per_view: number,
) => ({
  page_views,
  visits,
  measured,
  engaged_p50,
  engaged_p75,
  engaged_p90,
  scroll: { 25: s25, 50: s50, 75: s75, 90: s90, 100: s100 },
  actions_per_view,
});

// Engaged seconds sorted, nearest rank ⌈p·n⌉: '/' granted = 2×5 (G4 with a leave), 8×5, 10×6 → p50 8th = 8, p75 12th = 10, p90 15th = 10.
const G_HOME = dwell(18, 18, 16, [8, 10, 10], [r(11, 18), r(6, 18), 0, 0, 0], 0);
// 4×5, 6×5, 9×2, 20×6 → 9th = 6, 14th = 20, 17th = 20; scroll G1 100 %, G3 20 %, G5 50 %; actions 6×2 + 10×1 + 2×1
const G_SEARCH = dwell(18, 13, 18, [6, 20, 20], [r(8, 18), r(8, 18), r(6, 18), r(6, 18), r(6, 18)], r(24, 18));
// 5×6, 7×5; scroll G1 100 %, G2 50 %; G2 removes once
const G_CART = dwell(11, 11, 11, [5, 7, 7], [1, 1, r(6, 11), r(6, 11), r(6, 11)], r(5, 11));
// 45×6 (the late page_leave, not 30 and not 30 + 45), 50×5; scroll G1 80 %, G2 100 %; one add each
const G_SHOE = dwell(11, 11, 11, [45, 50, 50], [1, 1, 1, r(5, 11), r(5, 11)], 1);
const G_CHECKOUT = dwell(6, 6, 6, [40, 40, 40], [1, 1, 0, 0, 0], 1);
const G_DONE = dwell(6, 6, 6, [3, 3, 3], [1, 0, 0, 0, 0], 1);
const G_CATEGORY = dwell(5, 5, 5, [12, 12, 12], [1, 1, 1, 1, 0], 0);
// trail shoe + silk scarf (14 s ×2, 50 %): 14×2, 45×6, 50×5 → 7th = 45, 10th = 50, 12th = 50
const G_PRODUCT = dwell(13, 13, 13, [45, 50, 50], [1, 1, r(11, 13), r(5, 13), r(5, 13)], 1);
const G_OTHER = dwell(2, 2, 2, [15, 15, 15], [1, 1, 0, 0, 0], 0);

// 5×5 (A2), 6×6 (A1), no scrolling
const A_HOME = dwell(11, 11, 11, [6, 6, 6], [0, 0, 0, 0, 0], 0);
// 9×5 (A2, 50 %), 10×6 (A1, 75 %)
const A_CATEGORY = dwell(11, 11, 11, [10, 10, 10], [1, 1, r(6, 11), 0, 0], 0);
// 20×5 (A3, 90 %), 25×6 (A1, 100 %, one add each)
const A_PRODUCT = dwell(11, 11, 11, [25, 25, 25], [1, 1, 1, 1, r(6, 11)], r(6, 11));
const A_CHECKOUT = dwell(6, 6, 6, [30, 30, 30], [1, 1, 0, 0, 0], 1);
const A_DONE = dwell(6, 6, 6, [4, 4, 4], [0, 0, 0, 0, 0], 1);
// search + result click
const A_SEARCH = dwell(5, 5, 5, [8, 8, 8], [1, 0, 0, 0, 0], 2);

export const EXPECTED_DWELL = {
  granted: {
    paths: {
      rows: [
        { path: '/', ...G_HOME },
        { path: '/search', ...G_SEARCH },
        { path: '/cart', ...G_CART },
        { path: '/product/trail-shoe', ...G_SHOE },
        { path: '/checkout', ...G_CHECKOUT },
        { path: '/checkout/done', ...G_DONE },
        { path: '/category/shoes', ...G_CATEGORY },
      ],
      omitted: 0,
      folded: 2, // /about, /product/silk-scarf
    },
    page_types: [
      { page_type: 'home', ...G_HOME },
      { page_type: 'category', ...G_CATEGORY },
      { page_type: 'product', ...G_PRODUCT },
      { page_type: 'search', ...G_SEARCH },
      { page_type: 'cart', ...G_CART },
      { page_type: 'checkout', ...G_CHECKOUT },
      { page_type: 'confirmation', ...G_DONE },
      { page_type: 'other', ...G_OTHER }, // /about: no pattern, nothing happened there
    ],
  },
  anonymous: {
    paths: {
      rows: [
        { path: '/', ...A_HOME },
        { path: '/category/hats', ...A_CATEGORY },
        { path: '/sale/summer-hat', ...A_PRODUCT },
        { path: '/checkout', ...A_CHECKOUT },
        { path: '/checkout/done', ...A_DONE },
        { path: '/search', ...A_SEARCH },
      ],
      omitted: 0,
      folded: 0,
    },
    page_types: [
      { page_type: 'home', ...A_HOME },
      { page_type: 'category', ...A_CATEGORY },
      { page_type: 'product', ...A_PRODUCT },
      { page_type: 'search', ...A_SEARCH },
      { page_type: 'checkout', ...A_CHECKOUT },
      { page_type: 'confirmation', ...A_DONE },
    ],
  },
};

const noFollowUp = { with_view: 0, with_add: 0, with_checkout: 0, with_purchase: 0, conversion: 0, revenue: 0 };

export const EXPECTED_SEARCH = {
  granted: {
    totals: {
      searches: 18, // 6 + 5 + 5 + 2
      visits: 13, // G1 6, G3 5 (two terms, one visit), G5 2
      zero_results: 5,
      clicked: 6,
      click_through_rate: r(6, 18),
      average_click_position: 2,
      with_view: 8, // G1 6 + G5 2
      with_add: 8,
      with_checkout: 6,
      with_purchase: 6,
      conversion: r(6, 18),
      revenue: 480, // 6 × 80
    },
    terms: {
      rows: [
        {
          term: 'trail shoes',
          searches: 6,
          visits: 6,
          zero_results: 0,
          clicked: 6,
          click_through_rate: 1,
          average_click_position: 2,
          with_view: 6,
          with_add: 6,
          with_checkout: 6,
          with_purchase: 6,
          conversion: 1,
          revenue: 480,
        },
        // " Shoes " trimmed and lower-cased
        {
          term: 'shoes',
          searches: 5,
          visits: 5,
          zero_results: 0,
          clicked: 0,
          click_through_rate: 0,
          average_click_position: null,
          ...noFollowUp,
        },
        {
          term: 'shooes',
          searches: 5,
          visits: 5,
          zero_results: 5,
          clicked: 0,
          click_through_rate: 0,
          average_click_position: null,
          ...noFollowUp,
        },
      ],
      omitted: 0,
      folded: 1, // gift ideas
    },
    zero_result_terms: { rows: [{ term: 'shooes', searches: 5, visits: 5 }], omitted: 0, folded: 0 },
    refinements: { rows: [{ term: 'shooes', next_term: 'shoes', refinements: 5, visits: 5 }], omitted: 0, folded: 0 },
  },
  anonymous: {
    totals: {
      searches: 5,
      visits: 5,
      zero_results: 0,
      clicked: 5,
      click_through_rate: 1,
      average_click_position: 1,
      with_view: 5,
      with_add: 0,
      with_checkout: 0,
      with_purchase: 0,
      conversion: 0,
      revenue: 0,
    },
    terms: {
      rows: [
        {
          term: 'sun hat',
          searches: 5,
          visits: 5,
          zero_results: 0,
          clicked: 5,
          click_through_rate: 1,
          average_click_position: 1,
          with_view: 5,
          with_add: 0,
          with_checkout: 0,
          with_purchase: 0,
          conversion: 0,
          revenue: 0,
        },
      ],
      omitted: 0,
      folded: 0,
    },
    zero_result_terms: { rows: [], omitted: 0, folded: 0 },
    refinements: { rows: [], omitted: 0, folded: 0 },
  },
};

// Trail shoe: viewed by G1 6 + G2 5; added by the same (6×1 + 5×2); removed by G2 (5×1); bought by G1 (6×1 × 80).
const SHOE_FIGURES = {
  visits: 11,
  view_visits: 11,
  add_visits: 11,
  add_to_cart_rate: 1,
  added: 16,
  remove_visits: 5,
  removed: 5,
  purchase_visits: 6,
  purchased: 6,
  revenue: 480,
};
// Sun hat: A1 6 view, add, buy (× 20); A3 5 click and view.
const HAT_FIGURES = {
  visits: 11,
  view_visits: 11,
  add_visits: 6,
  add_to_cart_rate: r(6, 11),
  added: 6,
  remove_visits: 0,
  removed: 0,
  purchase_visits: 6,
  purchased: 6,
  revenue: 120,
};

export const EXPECTED_CART = {
  granted: {
    carts: {
      carts: 13, // G1 6 + G2 5 + G5 2
      items_per_cart: 1, // G1 1, G2 2 − 1, G5 1
      value_per_cart: 74.62, // (6 × 80 + 5 × (160 − 80) + 2 × 45) / 13
      checkouts: 6,
      purchases: 6,
      cart_to_checkout: r(6, 13),
      checkout_to_purchase: 1,
      cart_to_purchase: r(6, 13),
      abandonment: r(7, 13),
    },
    products: {
      rows: [{ item_id: 'sku-shoe', item_name: 'Trail Shoe', item_category: 'shoes', ...SHOE_FIGURES }],
      omitted: 0,
      folded: 1,
    },
    categories: { rows: [{ category: 'shoes', ...SHOE_FIGURES }], omitted: 0, folded: 1 },
    most_removed: {
      rows: [{ item_id: 'sku-shoe', item_name: 'Trail Shoe', removed: 5, remove_visits: 5, visits: 11 }],
      omitted: 0,
      folded: 0,
    },
  },
  anonymous: {
    carts: {
      carts: 6,
      items_per_cart: 1,
      value_per_cart: 20,
      checkouts: 6,
      purchases: 6,
      cart_to_checkout: 1,
      checkout_to_purchase: 1,
      cart_to_purchase: 1,
      abandonment: 0,
    },
    products: {
      rows: [{ item_id: 'sku-hat', item_name: 'Sun Hat', item_category: 'hats', ...HAT_FIGURES }],
      omitted: 0,
      folded: 0,
    },
    categories: { rows: [{ category: 'hats', ...HAT_FIGURES }], omitted: 0, folded: 0 },
    most_removed: { rows: [], omitted: 0, folded: 0 },
  },
};

export const EXPECTED_FUNNEL = {
  granted: {
    steps: [
      { step: 'view_item', visits: 13, rate_from_previous: null, drop_off: null, rate_from_first: 1 }, // G1 6, G2 5, G5 2
      { step: 'add_to_cart', visits: 13, rate_from_previous: 1, drop_off: 0, rate_from_first: 1 },
      { step: 'begin_checkout', visits: 6, rate_from_previous: r(6, 13), drop_off: 7, rate_from_first: r(6, 13) },
      { step: 'purchase', visits: 6, rate_from_previous: 1, drop_off: 0, rate_from_first: r(6, 13) },
    ],
  },
  anonymous: {
    steps: [
      { step: 'view_item', visits: 11, rate_from_previous: null, drop_off: null, rate_from_first: 1 }, // A1 6, A3 5
      { step: 'add_to_cart', visits: 6, rate_from_previous: r(6, 11), drop_off: 5, rate_from_first: r(6, 11) },
      { step: 'begin_checkout', visits: 6, rate_from_previous: 1, drop_off: 0, rate_from_first: r(6, 11) },
      { step: 'purchase', visits: 6, rate_from_previous: 1, drop_off: 0, rate_from_first: r(6, 11) },
    ],
  },
};

const none = { p75: null, samples: 0 };
const vitals = (
  page_type: string,
  page_views: number,
  lcp: object,
  inp: object,
  cls: object,
  add: number | null,
  purchase: number | null,
) => ({
  page_type,
  page_views,
  lcp,
  inp,
  cls,
  add_to_cart_rate: add,
  purchase_rate: purchase,
});

export const EXPECTED_WEB_VITALS = {
  granted: {
    page_types: [
      // purchase rate: visits that saw the type and bought (G1 only) / visits that saw it
      vitals('home', 18, { p75: 1800, samples: 6 }, none, { p75: 0.05, samples: 6 }, 0, r(6, 18)),
      vitals('category', 5, none, none, none, 0, 0),
      // LCP 2600×6, 3000×5 → 9th of 11 = 3000; add on every product page view (G1, G2, G5)
      vitals('product', 13, { p75: 3000, samples: 11 }, { p75: 200, samples: 6 }, { p75: 0.12, samples: 6 }, 1, r(6, 13)),
      vitals('search', 18, { p75: 2400, samples: 6 }, { p75: 150, samples: 6 }, none, 0, r(6, 13)),
      vitals('cart', 11, none, none, none, 0, r(6, 11)),
      vitals('checkout', 6, none, none, none, 0, 1),
      vitals('confirmation', 6, none, none, none, 0, 1),
      vitals('other', 2, none, none, none, 0, 0),
    ],
  },
  anonymous: {
    page_types: [
      vitals('home', 11, none, none, none, 0, r(6, 11)),
      vitals('category', 11, none, none, none, 0, r(6, 11)),
      vitals('product', 11, { p75: 1500, samples: 6 }, none, none, r(6, 11), r(6, 11)),
      vitals('search', 5, none, none, none, 0, 0),
      vitals('checkout', 6, none, none, none, 0, 1),
      vitals('confirmation', 6, none, none, none, 0, 1),
    ],
  },
};

export const EXPECTED_EXPERIMENTS = {
  granted: {
    experiments: [
      {
        experiment: 'checkout-button',
        control: 'control',
        variants: [
          {
            variant: 'control',
            visits: 5,
            add_visits: 5,
            conversions: 0,
            conversion_rate: 0,
            uplift: null,
            z: null,
            p_value: null,
          },
          // pooled p = 6/11, se = √(6/11 · 5/11 · (1/5 + 1/6)) = √(1/11), z = (1 − 0)·√11 = 3.3166; p = 2·(1 − Φ(3.3166))
          {
            variant: 'green',
            visits: 6,
            add_visits: 6,
            conversions: 6,
            conversion_rate: 1,
            uplift: null,
            z: 3.3166,
            p_value: 0.0009111,
          },
        ],
        // 5 vs 6 against 5.5 each: χ² = 2 · 0.25 / 5.5 = 1/11, 1 degree of freedom
        sample_ratio: { chi_square: 1 / 11, expected: [0.5, 0.5], mismatch: false },
      },
    ],
  },
  anonymous: { experiments: [] },
};
