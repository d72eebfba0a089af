import type { JsonValue, Props } from '#protocol';
import type { RandomSource } from '../../src/core/insights/privacy.ts';
import type { ForwardedRecord } from '../../src/core/record.ts';
import { POPULATION_ORIGIN, POPULATION_SITE } from './population.ts';

/**
 * Random shopping journeys as forwarded records: for the k-anonymity property test (small,
 * from fast-check) and the 1,000,000-event measurement (bench/insights-sqlite.ts). A journey is
 * a visit's pages; each page says what happened on it.
 */

export interface JourneyItem {
  id: string;
  category: string;
  price: number;
}

export interface JourneyPage {
  path: string;
  engagedSeconds?: number;
  scroll?: number;
  search?: { term: string; results: number; click?: number };
  view?: JourneyItem;
  add?: JourneyItem;
  remove?: JourneyItem;
  checkout?: JourneyItem[];
  purchase?: JourneyItem[];
  lcp?: number;
  inp?: number;
  cls?: number;
  variant?: string;
}

export interface Journey {
  consent: 'granted' | 'anonymous';
  /** Visitor number: journeys of one visitor on one day share the daily hash (anonymous) or the pseudonym (granted). */
  visitor: number;
  /** Start, epoch ms. */
  start: number;
  pages: JourneyPage[];
}

const itemJson = (item: JourneyItem, quantity = 1): JsonValue => ({
  item_id: item.id,
  item_name: `Item ${item.id}`,
  item_category: item.category,
  price: item.price,
  quantity,
});

/** Records of journeys; `prefix` keeps ids unique across calls. */
export function journeyRecords(journeys: readonly Journey[], prefix = 'j'): ForwardedRecord[] {
  const records: ForwardedRecord[] = [];
  journeys.forEach((journey, j) => {
    const visitKey = `${prefix}${j}`;
    const session = journey.consent === 'granted' ? `${prefix}-session-${j}` : undefined;
    const visitor = `${journey.consent === 'granted' ? 'g' : 'a'}-visitor-${journey.visitor}`;
    let ts = journey.start;
    let seq = 0;
    let searchId: string | undefined;
    let previous: string | undefined;
    journey.pages.forEach((page, p) => {
      const pageId = `${visitKey}-p${p}`;
      let n = 0;
      const start = ts;
      const emit = (name: string, props: Props, at: number, extra: Partial<ForwardedRecord> = {}) => {
        const record: ForwardedRecord = {
          event_id: `${pageId}-e${n++}`,
          batch_id: `${pageId}-b`,
          site: POPULATION_SITE,
          name,
          consent: journey.consent,
          received_at: at,
          ts: at,
          client_ts: at,
          seq: ++seq,
          page_id: pageId,
          url: `${POPULATION_ORIGIN}${page.path}`,
          path: page.path,
          props,
          visitor_id: visitor,
          geo: { country: null, region: null },
          ua: { browser: 'Firefox', browser_major: 140, os: 'Windows', device: 'desktop' },
          sdk: 'pathmark-js/0.1.0',
          audit: { policy_version: 'test', salt_id: null, key_id: null, redactions: 0, removed: [] },
          ...extra,
        };
        if (session) record.session_id = session;
        records.push(record);
      };
      const viewProps: Props = { navigation: previous ? 'push' : 'load', page_index: p + 1 };
      if (previous) viewProps.previous_path = previous;
      if (page.variant) Object.assign(viewProps, { experiment: 'exp', variant: page.variant });
      emit('page_view', viewProps, start);
      let at = start + 500;
      const withSearch = (props: Props): Props => (searchId ? { ...props, search_id: searchId } : props);
      if (page.search) {
        searchId = `${pageId}-s`;
        emit(
          'search',
          { search_term: page.search.term, search_id: searchId, results: page.search.results, source: 'url' },
          (at += 100),
        );
        if (page.search.click !== undefined && page.view) {
          emit('select_item', withSearch({ items: [itemJson(page.view)], index: page.search.click }), (at += 100));
        }
      }
      if (page.view)
        emit('view_item', withSearch({ items: [itemJson(page.view)], value: page.view.price, currency: 'EUR' }), (at += 100));
      if (page.add)
        emit('add_to_cart', withSearch({ items: [itemJson(page.add)], value: page.add.price, currency: 'EUR' }), (at += 100));
      if (page.remove)
        emit(
          'remove_from_cart',
          withSearch({ items: [itemJson(page.remove)], value: page.remove.price, currency: 'EUR' }),
          (at += 100),
        );
      if (page.checkout) {
        const value = page.checkout.reduce((sum, item) => sum + item.price, 0);
        emit('begin_checkout', withSearch({ items: page.checkout.map((i) => itemJson(i)), value, currency: 'EUR' }), (at += 100));
      }
      if (page.purchase) {
        const value = page.purchase.reduce((sum, item) => sum + item.price, 0);
        emit(
          'purchase',
          withSearch({ items: page.purchase.map((i) => itemJson(i)), value, currency: 'EUR', transaction_id: `${pageId}-order` }),
          (at += 100),
        );
      }
      for (const [metric, value] of [
        ['LCP', page.lcp],
        ['INP', page.inp],
        ['CLS', page.cls],
      ] as const) {
        if (value !== undefined) emit('web_vitals', { metric, value, rating: 'good' }, (at += 100));
      }
      const scroll = page.scroll ?? 0;
      for (const depth of [25, 50, 75, 90, 100]) if (depth <= scroll * 100) emit('scroll', { depth }, (at += 50));
      if (page.engagedSeconds !== undefined) {
        const total = Math.max(page.engagedSeconds * 1000 + 1000, at - start + 100);
        emit('page_leave', { total_ms: total, engaged_ms: page.engagedSeconds * 1000, max_scroll: scroll }, start + total);
        ts = start + total + 200;
      } else ts = at + 1000;
      previous = page.path;
    });
  });
  return records;
}

const pick = <T>(random: RandomSource, items: readonly T[]): T => items[Math.floor(random() * items.length)]!;
/** Zipf-like: index i with weight 1/(i+1). */
function zipf<T>(random: RandomSource, items: readonly T[]): T {
  const total = items.reduce((sum, _, i) => sum + 1 / (i + 1), 0);
  let u = random() * total;
  for (let i = 0; i < items.length; i++) {
    u -= 1 / (i + 1);
    if (u <= 0) return items[i]!;
  }
  return items.at(-1)!;
}

export interface ShopShape {
  categories: number;
  products: number;
  terms: number;
  contentPages: number;
}

/**
 * A realistic day of visits: landing on home, a category, a product or a search (Zipf popularity),
 * browsing a few pages, some adding to the cart, fewer buying. About 24 events per visit.
 */
export function randomJourneys(
  random: RandomSource,
  visits: number,
  dayStart: number,
  shape: ShopShape,
  firstVisitor = 0,
): Journey[] {
  const categories = Array.from({ length: shape.categories }, (_, i) => `cat-${i}`);
  const products: JourneyItem[] = Array.from({ length: shape.products }, (_, i) => ({
    id: `p${i}`,
    category: categories[i % categories.length]!,
    price: 5 + (i % 40) * 2.5,
  }));
  const terms = Array.from({ length: shape.terms }, (_, i) => `term ${i}`);
  const content = Array.from({ length: shape.contentPages }, (_, i) => `/blog/post-${i}`);
  const journeys: Journey[] = [];
  for (let v = 0; v < visits; v++) {
    const consent = random() < 0.6 ? 'granted' : 'anonymous';
    const pages: JourneyPage[] = [];
    const cart: JourneyItem[] = [];
    const vitals = () => ({
      lcp: Math.round(800 + random() * 3500),
      inp: Math.round(40 + random() * 400),
      cls: Math.round(random() * 30) / 100,
    });
    const variant = random() < 0.5 ? 'control' : 'b';
    const page = (p: JourneyPage) =>
      pages.push({ engagedSeconds: Math.round(random() * 90), scroll: Math.round(random() * 100) / 100, variant, ...p });
    const landing = random();
    if (landing < 0.4) page({ path: '/', ...vitals() });
    else if (landing < 0.55) page({ path: pick(random, content), ...vitals() });
    const depth = 1 + Math.floor(random() * 6);
    for (let d = 0; d < depth; d++) {
      const step = random();
      if (step < 0.25) page({ path: `/category/${zipf(random, categories)}` });
      else if (step < 0.45) {
        const item = zipf(random, products);
        const results = random() < 0.1 ? 0 : 1 + Math.floor(random() * 40);
        page({
          path: '/search',
          search: {
            term: zipf(random, terms),
            results,
            click: results > 0 && random() < 0.5 ? Math.floor(random() * 5) : undefined,
          },
        });
        if (results > 0 && random() < 0.5) page({ path: `/product/${item.id}`, view: item, ...vitals() });
      } else {
        const item = zipf(random, products);
        const add = random() < 0.25;
        if (add) cart.push(item);
        page({ path: `/product/${item.id}`, view: item, ...(add && { add: item }), ...vitals() });
      }
    }
    if (cart.length > 0) {
      const removed = random() < 0.15 ? cart.pop() : undefined;
      page({ path: '/cart', ...(removed && { remove: removed }) });
      if (cart.length > 0 && random() < 0.5) {
        page({ path: '/checkout', checkout: [...cart] });
        if (random() < 0.7) page({ path: '/checkout/done', purchase: [...cart] });
      }
    }
    journeys.push({
      consent,
      visitor: firstVisitor + v,
      start: dayStart + Math.floor(random() * 23 * 3_600_000),
      pages,
    });
  }
  return journeys;
}
