import type { Batch, Item, PathmarkEvent, SendableConsentMode } from '#protocol';
import { PROTOCOL_VERSION } from '#protocol';

/**
 * Realistic batches for the collector benches: what one shopper's tab sends
 * while browsing a shop (page views with campaign parameters, scrolls, a
 * search, a product, the cart, vitals, a page leave), typed with the wire
 * format so they stay valid as the protocol evolves. Mostly clean data, with
 * the occasional e-mail in a search term or a token in a URL, as real traffic has.
 */

const CATALOG: Item[] = [
  {
    item_id: 'SKU-1001',
    item_name: 'Linen shirt',
    item_category: 'Shirts',
    item_brand: 'Northwind',
    price: 49.9,
    currency: 'EUR',
  },
  {
    item_id: 'SKU-1002',
    item_name: 'Wool scarf',
    item_category: 'Accessories',
    item_brand: 'Northwind',
    price: 29.5,
    currency: 'EUR',
  },
  { item_id: 'SKU-1003', item_name: 'Canvas tote', item_category: 'Bags', item_brand: 'Harbor', price: 19, currency: 'EUR' },
  {
    item_id: 'SKU-1004',
    item_name: 'Leather belt',
    item_category: 'Accessories',
    item_brand: 'Harbor',
    price: 39,
    currency: 'EUR',
  },
];
const SEARCHES = ['linen shirt', 'scarf', 'tote bag blue', 'belt', 'gift ideas', 'jane.doe@example.com'];
const ORIGIN = 'http://localhost:8787';

/** Small deterministic PRNG so every run benches the same bodies. */
function random(seed: number): () => number {
  let state = seed >>> 0;
  return () => {
    state = (state * 1664525 + 1013904223) >>> 0;
    return state / 2 ** 32;
  };
}

export interface BatchOptions {
  consent?: SendableConsentMode;
  events?: number;
  now?: number;
  seed?: number;
  /** Makes ids unique per call (for end-to-end runs where D1 dedupes on event id). */
  uniqueIds?: boolean;
  /** Put in front of every event id, so a load generator can make a pooled body unique with one `replaceAll`. */
  idPrefix?: string;
}

const uuid = (): string => crypto.randomUUID();

export function makeBatch({
  consent = 'granted',
  events = 20,
  now = Date.now(),
  seed = 1,
  uniqueIds = true,
  idPrefix = '',
}: BatchOptions = {}): Batch {
  const rand = random(seed);
  const pick = <T>(list: readonly T[]): T => list[Math.floor(rand() * list.length)]!;
  const ids =
    consent === 'granted'
      ? { anonymous_id: uniqueIds ? uuid() : `anon-${seed}-0000`, session_id: uniqueIds ? uuid() : `sess-${seed}-0000` }
      : {};
  const out: PathmarkEvent[] = [];
  let seq = 1 + Math.floor(rand() * 50);
  let ts = now - 60_000;
  let pageId = uuid();
  let path = '/';
  const base = () => ({
    id: idPrefix + (uniqueIds ? uuid() : `evt-${seed}-${out.length}-0000`),
    ts: (ts += 800 + Math.floor(rand() * 4000)),
    seq: seq++,
    page_id: pageId,
    url: `${ORIGIN}${path}`,
    title: 'Northwind – shop',
    ...ids,
  });
  const product = pick(CATALOG);

  while (out.length < events) {
    switch (out.length % 10) {
      case 0: {
        const previous = path;
        path = pick([
          '/',
          '/shirts?utm_source=newsletter&utm_medium=email&sort=price',
          `/product/${product.item_id}`,
          '/cart',
          '/search?q=scarf&token=eyJhbGciOiJIUzI1NiJ9.eyJzdWIiOiIxMjM0In0.abcdefghijk',
        ]);
        pageId = uuid();
        out.push({
          ...base(),
          name: 'page_view',
          referrer: out.length === 0 ? 'https://www.google.com/' : `${ORIGIN}${previous}`,
          props: { navigation: out.length === 0 ? 'load' : 'push', previous_path: previous, page_index: out.length / 10 + 1 },
        });
        break;
      }
      case 1:
        out.push({ ...base(), name: 'scroll', props: { depth: 25 } });
        break;
      case 2:
        out.push({
          ...base(),
          name: 'web_vitals',
          props: { metric: 'LCP', value: 1200 + Math.round(rand() * 900), rating: 'good' },
        });
        break;
      case 3:
        out.push({
          ...base(),
          name: 'search',
          props: { search_term: pick(SEARCHES), search_id: uuid(), results: Math.floor(rand() * 40), source: 'form' },
        });
        break;
      case 4:
        out.push({ ...base(), name: 'select_item', props: { items: [{ ...product, index: 2 }], index: 2 } });
        break;
      case 5:
        out.push({ ...base(), name: 'view_item', props: { items: [product], value: product.price, currency: 'EUR' } });
        break;
      case 6:
        out.push({
          ...base(),
          name: 'add_to_cart',
          props: { items: [{ ...product, quantity: 1 }], value: product.price, currency: 'EUR' },
        });
        break;
      case 7:
        out.push({ ...base(), name: 'scroll', props: { depth: 50 } });
        break;
      case 8:
        out.push({ ...base(), name: 'newsletter_signup', props: { placement: 'footer', variant: 'b', step: 2 } });
        break;
      default:
        out.push({ ...base(), name: 'page_leave', props: { total_ms: 42_000, engaged_ms: 18_500, max_scroll: 0.62 } });
    }
  }
  return { v: PROTOCOL_VERSION, site: 'demo', consent, sent_at: now, sdk: 'pathmark-js/0.1.0', events: out };
}

/** A plausible desktop browser; varying `n` makes distinct visitors. */
export const browserUserAgent = (n = 0): string =>
  `Mozilla/5.0 (X11; Linux x86_64) AppleWebKit/537.36 (KHTML, like Gecko) Chrome/131.0.${6778 + (n % 50000)}.85 Safari/537.36`;
