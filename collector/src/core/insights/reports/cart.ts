import type { SqlEngine } from '../engine.ts';
import { foldRare, noisy, OTHER, sum } from '../privacy.ts';
import {
  byMode,
  descending,
  listOf,
  money,
  openReport,
  perMode,
  rate,
  type ModeFigures,
  type Report,
  type ReportedMode,
  type ReportRequest,
  type ReportSettings,
  type RowList,
} from '../report.ts';
import { STEP_BIT } from '../rollups.ts';

/**
 * Cart: per product and per category, how many visits that viewed it added it to the cart (and
 * removed, bought it); per cart (a visit that added something), its items and value; how carts
 * convert to checkout and purchase, how many are abandoned; the most-removed items.
 */

interface ItemCounts {
  visits: number;
  view_visits: number;
  add_visits: number;
  added: number;
  remove_visits: number;
  removed: number;
  purchase_visits: number;
  purchased: number;
  revenue: number;
}

const COUNT_FIELDS = [
  'visits',
  'view_visits',
  'add_visits',
  'added',
  'remove_visits',
  'removed',
  'purchase_visits',
  'purchased',
] as const;

export interface ItemFigures {
  /** Visits with any event naming the item (view, result click, cart, checkout, purchase). */
  visits: number;
  view_visits: number;
  add_visits: number;
  /** Visits that added it / visits that viewed it (can exceed 1: items added from a list without a product view). */
  add_to_cart_rate: number | null;
  /** Quantities. */
  added: number;
  remove_visits: number;
  removed: number;
  purchase_visits: number;
  purchased: number;
  /** Price × quantity of purchased lines; null under noise. */
  revenue: number | null;
}

export interface ProductRow extends ItemFigures {
  item_id: string | null;
  item_name: string | null;
  item_category: string | null;
}

export interface CategoryRow extends ItemFigures {
  category: string;
}

export interface RemovedRow {
  item_id: string | null;
  item_name: string | null;
  removed: number;
  remove_visits: number;
  /** Visits with any event naming the item (at least k). */
  visits: number;
}

export interface CartFigures {
  /** Visits that added something to the cart. */
  carts: number;
  /** Items (added minus removed) and value per cart; value is null under noise. */
  items_per_cart: number | null;
  value_per_cart: number | null;
  /** Carts that began a checkout, and of those, carts that purchased. */
  checkouts: number;
  purchases: number;
  cart_to_checkout: number | null;
  checkout_to_purchase: number | null;
  cart_to_purchase: number | null;
  /** Carts without a purchase in the visit / carts. */
  abandonment: number | null;
}

export interface Cart {
  carts: CartFigures;
  products: RowList<ProductRow>;
  categories: RowList<CategoryRow>;
  /** Items below k are left out (counted in `folded`), not merged: "(other)" is in `products`. */
  most_removed: RowList<RemovedRow>;
}

export type CartReport = Report<'cart', Cart>;

const ITEM_SUMS = `SUM(visits) AS visits, SUM(view_visits) AS view_visits, SUM(add_visits) AS add_visits, SUM(added) AS added,
  SUM(remove_visits) AS remove_visits, SUM(removed) AS removed, SUM(purchase_visits) AS purchase_visits,
  SUM(purchased) AS purchased, SUM(revenue) AS revenue`;

export const CART_SQL = {
  items: `SELECT consent, item_key, MAX(item_id) AS item_id, MAX(item_name) AS item_name, MAX(item_category) AS item_category, ${ITEM_SUMS}
    FROM ins_r_items WHERE site = ? AND day >= ? AND day <= ? GROUP BY consent, item_key`,
  categories: `SELECT consent, category, ${ITEM_SUMS}
    FROM ins_r_categories WHERE site = ? AND day >= ? AND day <= ? GROUP BY consent, category`,
  carts: `SELECT consent, steps_mask, SUM(visits) AS visits, SUM(cart_items) AS cart_items, SUM(cart_value) AS cart_value
    FROM ins_r_visits WHERE site = ? AND day >= ? AND day <= ? GROUP BY consent, steps_mask`,
};

const emptyItem = (): ItemCounts => ({
  visits: 0,
  view_visits: 0,
  add_visits: 0,
  added: 0,
  remove_visits: 0,
  removed: 0,
  purchase_visits: 0,
  purchased: 0,
  revenue: 0,
});

const addItem = (into: ItemCounts, from: ItemCounts): ItemCounts => {
  for (const key of Object.keys(into) as (keyof ItemCounts)[]) into[key] += from[key];
  return into;
};

const numbers = (row: Record<keyof ItemCounts, unknown>): ItemCounts =>
  Object.fromEntries(
    Object.keys(emptyItem()).map((key) => [key, Number(row[key as keyof ItemCounts] ?? 0)]),
  ) as unknown as ItemCounts;

function itemFigures(counts: ItemCounts, noised: boolean): ItemFigures {
  const { revenue, ...rest } = counts;
  return { ...rest, add_to_cart_rate: rate(counts.add_visits, counts.view_visits), revenue: noised ? null : money(revenue) };
}

export async function cartReport(engine: SqlEngine, request: ReportRequest, settings: ReportSettings = {}): Promise<CartReport> {
  const report = await openReport(engine, request, settings);
  const { k, limit, noise, range } = report;
  const noised = noise !== null;
  type ItemRow = ItemCounts & {
    consent: string;
    item_key: string;
    item_id: string | null;
    item_name: string | null;
    item_category: string | null;
  };
  const [items, categories, carts] = await Promise.all([
    engine.all<ItemRow>(CART_SQL.items, range),
    engine.all<ItemCounts & { consent: string; category: string }>(CART_SQL.categories, range),
    engine.all<{ consent: string; steps_mask: number; visits: number; cart_items: number; cart_value: number }>(
      CART_SQL.carts,
      range,
    ),
  ]);
  const itemsBy = byMode(items);
  const categoriesBy = byMode(categories);
  const cartsBy = byMode(carts);

  const mode = (mode: ReportedMode): ModeFigures<Cart> => {
    const products = foldRare(
      itemsBy[mode].map((row) => ({
        item_id: row.item_id,
        item_name: row.item_name,
        item_category: row.item_category,
        counts: noisy(numbers(row), COUNT_FIELDS, noise),
      })),
      {
        k,
        visits: (row) => row.counts.visits,
        merge: (rare) => ({
          item_id: null,
          item_name: OTHER,
          item_category: null,
          counts: rare.reduce((acc, r) => addItem(acc, r.counts), emptyItem()),
        }),
      },
    );
    const shapeProduct = ({
      counts,
      ...names
    }: {
      item_id: string | null;
      item_name: string | null;
      item_category: string | null;
      counts: ItemCounts;
    }): ProductRow => ({
      ...names,
      ...itemFigures(counts, noised),
    });

    const cats = foldRare(
      categoriesBy[mode].map((row) => ({ category: row.category, counts: noisy(numbers(row), COUNT_FIELDS, noise) })),
      {
        k,
        visits: (row) => row.counts.visits,
        merge: (rare) => ({ category: OTHER, counts: rare.reduce((acc, r) => addItem(acc, r.counts), emptyItem()) }),
      },
    );
    const shapeCategory = ({ category, counts }: { category: string; counts: ItemCounts }): CategoryRow => ({
      category,
      ...itemFigures(counts, noised),
    });

    // Products below k are already folded away: every row here names an item with at least k visits.
    const removed: RemovedRow[] = products.rows
      .filter((row) => row.counts.removed > 0)
      .map((row) => ({
        item_id: row.item_id,
        item_name: row.item_name,
        removed: row.counts.removed,
        remove_visits: row.counts.remove_visits,
        visits: row.counts.visits,
      }));

    const visitRows = cartsBy[mode];
    const cartRows = visitRows.filter((row) => Number(row.steps_mask) & STEP_BIT.add_to_cart);
    const having = (mask: number) =>
      sum(
        cartRows.filter((row) => (Number(row.steps_mask) & mask) === mask),
        (row) => Number(row.visits),
      );
    const count = (n: number) => (noise ? noise.count(n) : n);
    const cartCount = count(having(STEP_BIT.add_to_cart));
    const checkouts = count(having(STEP_BIT.add_to_cart | STEP_BIT.begin_checkout));
    const purchases = count(having(STEP_BIT.add_to_cart | STEP_BIT.begin_checkout | STEP_BIT.purchase));
    const purchased = count(having(STEP_BIT.add_to_cart | STEP_BIT.purchase));
    const items = count(sum(cartRows, (row) => Number(row.cart_items)));
    const cartFigures: CartFigures = {
      carts: cartCount,
      items_per_cart: cartCount > 0 ? Math.round((items / cartCount) * 100) / 100 : null,
      value_per_cart: noised || cartCount === 0 ? null : money(sum(cartRows, (row) => Number(row.cart_value)) / cartCount),
      checkouts,
      purchases,
      cart_to_checkout: rate(checkouts, cartCount),
      checkout_to_purchase: rate(purchases, checkouts),
      cart_to_purchase: rate(purchases, cartCount),
      abandonment: cartCount > 0 ? rate(Math.max(0, cartCount - purchased), cartCount) : null,
    };

    return {
      coverage: report.coverage(
        mode,
        'Product and category figures count visits per item; a cart is a visit that added an item.',
      ),
      carts: cartFigures,
      products: listOf(
        { rows: products.rows.map(shapeProduct), other: products.other && shapeProduct(products.other), folded: products.folded },
        limit,
        descending(
          (row: ProductRow) => row.add_visits,
          (row) => row.item_name ?? '',
        ),
      ),
      categories: listOf(
        { rows: cats.rows.map(shapeCategory), other: cats.other && shapeCategory(cats.other), folded: cats.folded },
        limit,
        descending(
          (row: CategoryRow) => row.add_visits,
          (row) => row.category,
        ),
      ),
      most_removed: listOf(
        { rows: removed, other: null, folded: itemsBy[mode].filter((row) => Number(row.removed) > 0).length - removed.length },
        limit,
        descending(
          (row: RemovedRow) => row.removed,
          (row) => row.item_name ?? '',
        ),
      ),
    };
  };

  return report.envelope('cart', perMode(mode));
}
