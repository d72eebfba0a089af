import { SCROLL_DEPTHS, type Item, type JsonValue, type Props } from '#protocol';
import type { PageTypePatterns } from '../../src/core/insights/page-types.ts';
import type { ForwardedRecord } from '../../src/core/record.ts';

/**
 * A scripted population of shoppers with known answers (expected.ts holds them, worked out by hand
 * from the scripts below). Visits follow templates, each repeated a few times, in `granted` (an SPA:
 * previous_path, session ids) and `anonymous` (a multi-page site: same-site referrers, the daily
 * visitor hash). The records are what the collector would forward; reusable by the workerd, e2e and
 * DuckDB agreement tests (the answers do not depend on the engine).
 */

export const POPULATION_SITE = 'shop';
export const POPULATION_ORIGIN = 'https://shop.test';
export const POPULATION_PAGE_TYPES: PageTypePatterns = {
  home: ['/'],
  category: ['/category/*'],
  product: ['/product/*'],
  search: ['/search'],
  cart: ['/cart'],
  checkout: ['/checkout'],
  confirmation: ['/checkout/done'],
};

export const SHOE: Item = { item_id: 'sku-shoe', item_name: 'Trail Shoe', item_category: 'shoes', price: 80 };
export const HAT: Item = { item_id: 'sku-hat', item_name: 'Sun Hat', item_category: 'hats', price: 20 };
export const SCARF: Item = { item_id: 'sku-scarf', item_name: 'Silk Scarf', item_category: 'scarves', price: 45 };

type Lines = [Item, number][];
export type Action =
  | { name: 'search'; term: string; results: number | null }
  | { name: 'select_item'; item: Item; index: number }
  | { name: 'view_item' | 'add_to_cart' | 'remove_from_cart' | 'view_cart' | 'begin_checkout' | 'purchase'; lines: Lines }
  | { name: 'web_vitals'; metric: 'LCP' | 'INP' | 'CLS'; value: number };

interface Leave {
  engaged: number;
  total: number;
  scroll: number;
}

export interface PageScript {
  path: string;
  query?: string;
  /** The page_leave (seconds); absent: the page view never sent one. */
  leave?: Leave;
  /** A later page_leave of the same page view: the visitor came back to the tab, then left again. */
  lateLeave?: Leave;
  actions?: Action[];
}

export interface Template {
  name: string;
  consent: 'granted' | 'anonymous';
  /** One visitor's visits that day (more than one: separated by `gapMinutes`). */
  visits: PageScript[][];
  repeat: number;
  /** Day offsets (from the first day) of the repetitions, in order. */
  days: number[];
  experiment?: [string, string];
  gapMinutes?: number;
  /** Repetitions whose pages send no page_leave (a tab killed in the background). */
  noLeave?: number[];
}

const lines = (...entries: Lines): Lines => entries;
const leave = (engaged: number, total: number, scroll: number): Leave => ({ engaged, total, scroll });

export const TEMPLATES: Template[] = [
  {
    name: 'g1-search-buyer',
    consent: 'granted',
    repeat: 6,
    days: [0, 0, 0, 1, 1, 1],
    experiment: ['checkout-button', 'green'],
    visits: [
      [
        {
          path: '/',
          leave: leave(10, 12, 0.5),
          actions: [
            { name: 'web_vitals', metric: 'LCP', value: 1800 },
            { name: 'web_vitals', metric: 'CLS', value: 0.05 },
          ],
        },
        {
          path: '/search',
          query: '?q=Trail+Shoes',
          leave: leave(20, 25, 1),
          actions: [
            { name: 'search', term: 'Trail Shoes', results: 12 },
            { name: 'select_item', item: SHOE, index: 1 },
            { name: 'web_vitals', metric: 'LCP', value: 2400 },
            { name: 'web_vitals', metric: 'INP', value: 150 },
          ],
        },
        {
          path: '/product/trail-shoe',
          leave: leave(30, 40, 0.6),
          lateLeave: leave(45, 70, 0.8),
          actions: [
            { name: 'view_item', lines: lines([SHOE, 1]) },
            { name: 'add_to_cart', lines: lines([SHOE, 1]) },
            { name: 'web_vitals', metric: 'LCP', value: 2600 },
            { name: 'web_vitals', metric: 'INP', value: 200 },
            { name: 'web_vitals', metric: 'CLS', value: 0.12 },
          ],
        },
        { path: '/cart', leave: leave(5, 6, 1), actions: [{ name: 'view_cart', lines: lines([SHOE, 1]) }] },
        { path: '/checkout', leave: leave(40, 50, 0.6), actions: [{ name: 'begin_checkout', lines: lines([SHOE, 1]) }] },
        { path: '/checkout/done', leave: leave(3, 4, 0.3), actions: [{ name: 'purchase', lines: lines([SHOE, 1]) }] },
      ],
    ],
  },
  {
    name: 'g2-category-abandoner',
    consent: 'granted',
    repeat: 5,
    days: [0, 0, 0, 1, 1],
    experiment: ['checkout-button', 'control'],
    visits: [
      [
        { path: '/', leave: leave(8, 9, 0.3) },
        { path: '/category/shoes', leave: leave(12, 15, 0.9) },
        {
          path: '/product/trail-shoe',
          leave: leave(50, 60, 1),
          actions: [
            { name: 'view_item', lines: lines([SHOE, 1]) },
            { name: 'add_to_cart', lines: lines([SHOE, 2]) },
            { name: 'web_vitals', metric: 'LCP', value: 3000 },
          ],
        },
        {
          path: '/cart',
          leave: leave(7, 8, 0.5),
          actions: [
            { name: 'view_cart', lines: lines([SHOE, 2]) },
            { name: 'remove_from_cart', lines: lines([SHOE, 1]) },
          ],
        },
      ],
    ],
  },
  {
    name: 'g3-zero-result-refiner',
    consent: 'granted',
    repeat: 5,
    days: [0, 0, 0, 0, 0],
    visits: [
      [
        {
          path: '/search',
          query: '?q=shooes',
          leave: leave(4, 5, 0.2),
          actions: [{ name: 'search', term: 'shooes', results: 0 }],
        },
        {
          path: '/search',
          query: '?q=Shoes',
          leave: leave(6, 7, 0.2),
          actions: [{ name: 'search', term: ' Shoes ', results: 9 }],
        },
      ],
    ],
  },
  {
    name: 'g4-bouncer',
    consent: 'granted',
    repeat: 7,
    days: [1, 1, 1, 1, 1, 1, 1],
    noLeave: [5, 6],
    visits: [[{ path: '/', leave: leave(2, 3, 0) }]],
  },
  {
    name: 'g5-rare-gift-searcher',
    consent: 'granted',
    repeat: 2,
    days: [0, 0],
    visits: [
      [
        { path: '/about', leave: leave(15, 20, 0.5) },
        {
          path: '/search',
          query: '?q=gift+ideas',
          leave: leave(9, 10, 0.5),
          actions: [{ name: 'search', term: 'gift ideas', results: 4 }],
        },
        {
          path: '/product/silk-scarf',
          leave: leave(14, 15, 0.5),
          actions: [
            { name: 'view_item', lines: lines([SCARF, 1]) },
            { name: 'add_to_cart', lines: lines([SCARF, 1]) },
          ],
        },
      ],
    ],
  },
  {
    name: 'a1-hat-buyer',
    consent: 'anonymous',
    repeat: 6,
    days: [0, 0, 0, 0, 0, 0],
    visits: [
      [
        { path: '/', leave: leave(6, 8, 0) },
        { path: '/category/hats', query: '?sort=price', leave: leave(10, 12, 0.75) },
        {
          path: '/sale/summer-hat',
          leave: leave(25, 30, 1),
          actions: [
            { name: 'view_item', lines: lines([HAT, 1]) },
            { name: 'add_to_cart', lines: lines([HAT, 1]) },
            { name: 'web_vitals', metric: 'LCP', value: 1500 },
          ],
        },
        { path: '/checkout', leave: leave(30, 35, 0.5), actions: [{ name: 'begin_checkout', lines: lines([HAT, 1]) }] },
        { path: '/checkout/done', leave: leave(4, 5, 0.2), actions: [{ name: 'purchase', lines: lines([HAT, 1]) }] },
      ],
    ],
  },
  {
    name: 'a2-returner',
    consent: 'anonymous',
    repeat: 5,
    days: [1, 1, 1, 1, 1],
    gapMinutes: 60,
    visits: [[{ path: '/', leave: leave(5, 6, 0) }], [{ path: '/category/hats', leave: leave(9, 10, 0.5) }]],
  },
  {
    name: 'a3-hat-searcher',
    consent: 'anonymous',
    repeat: 5,
    days: [1, 1, 1, 1, 1],
    visits: [
      [
        {
          path: '/search',
          query: '?q=sun+hat',
          leave: leave(8, 10, 0.4),
          actions: [
            { name: 'search', term: 'Sun Hat', results: 3 },
            { name: 'select_item', item: HAT, index: 0 },
          ],
        },
        { path: '/sale/summer-hat', leave: leave(20, 30, 0.9), actions: [{ name: 'view_item', lines: lines([HAT, 1]) }] },
      ],
    ],
  },
];

export interface Population {
  site: string;
  /** The UTC days the population spans, first to last. */
  days: string[];
  records: ForwardedRecord[];
  /** Event ids of the later page_leave of pages the visitor came back to (a test can hold them back). */
  lateLeaveIds: Set<string>;
}

const rating = (metric: string, value: number) =>
  metric === 'CLS' ? (value <= 0.1 ? 'good' : 'needs-improvement') : value <= 2500 ? 'good' : 'needs-improvement';

function itemsOf(entries: Lines): { items: JsonValue[]; value: number } {
  const items = entries.map(([item, quantity]) => ({ ...item, quantity }) as unknown as JsonValue);
  const value = entries.reduce((total, [item, quantity]) => total + (item.price ?? 0) * quantity, 0);
  return { items, value };
}

/** The population starting on `firstDay` (UTC `YYYY-MM-DD`). */
export function buildPopulation(firstDay: string): Population {
  const dayStart = (offset: number) => Date.parse(`${firstDay}T00:00:00Z`) + offset * 86_400_000;
  const records: ForwardedRecord[] = [];
  const lateLeaveIds = new Set<string>();
  let transaction = 0;

  TEMPLATES.forEach((template, templateIndex) => {
    for (let n = 0; n < template.repeat; n++) {
      const key = `${template.name.slice(0, 2)}-${String(n).padStart(2, '0')}`;
      const visitor = `${template.consent === 'granted' ? 'gv' : 'av'}-${key}-visitor`;
      // Each template has its hour, each repetition its 20 minutes: visits never overlap in time.
      let ts = dayStart(template.days[n]!) + (6 + templateIndex * 2) * 3_600_000 + n * 20 * 60_000;
      template.visits.forEach((pages, visitIndex) => {
        if (visitIndex > 0) ts += (template.gapMinutes ?? 0) * 60_000;
        const session = template.consent === 'granted' ? `gs-${key}-session-${visitIndex}` : undefined;
        let seq = 0;
        let searchId: string | undefined;
        let previous: string | undefined;
        pages.forEach((page, pageIndex) => {
          const pageId = `${key}-v${visitIndex}-page-${pageIndex}`;
          const url = `${POPULATION_ORIGIN}${page.path}${page.query ?? ''}`;
          let eventNo = 0;
          const emit = (name: string, props: Props, at: number, extra: Partial<ForwardedRecord> = {}) => {
            const record: ForwardedRecord = {
              event_id: `${pageId}-event-${eventNo++}`,
              batch_id: `${pageId}-batch`,
              site: POPULATION_SITE,
              name,
              consent: template.consent,
              received_at: at + 400,
              ts: at,
              client_ts: at,
              seq: ++seq,
              page_id: pageId,
              url,
              path: page.path,
              props,
              visitor_id: visitor,
              geo: { country: 'DE', region: null },
              ua: { browser: 'Chrome', browser_major: 130, os: 'Linux', device: 'desktop' },
              sdk: 'pathmark-js/0.1.0',
              audit: {
                policy_version: 'test',
                salt_id: session ? null : 'salt',
                key_id: session ? 'key' : null,
                redactions: 0,
                removed: [],
              },
              ...extra,
            };
            if (session) record.session_id = session;
            records.push(record);
            return record;
          };

          const start = ts;
          const viewProps: Props = {
            navigation: template.consent === 'granted' && previous ? 'push' : 'load',
            page_index: pageIndex + 1,
          };
          const extra: Partial<ForwardedRecord> = {};
          if (template.consent === 'granted') {
            if (previous) viewProps.previous_path = previous;
            else extra.referrer = 'https://news.example';
          } else if (previous) extra.referrer = `${POPULATION_ORIGIN}${previous}`;
          if (template.experiment) {
            viewProps.experiment = template.experiment[0];
            viewProps.variant = template.experiment[1];
          }
          emit('page_view', viewProps, start, extra);

          let at = start + 1000;
          for (const action of page.actions ?? []) {
            if (action.name === 'search') {
              searchId = `${pageId}-search`;
              emit('search', { search_term: action.term, search_id: searchId, results: action.results, source: 'url' }, at);
            } else if (action.name === 'select_item') {
              emit(
                'select_item',
                { items: [action.item as unknown as JsonValue], index: action.index, ...(searchId && { search_id: searchId }) },
                at,
              );
            } else if (action.name === 'web_vitals') {
              emit('web_vitals', { metric: action.metric, value: action.value, rating: rating(action.metric, action.value) }, at);
            } else {
              const { items, value } = itemsOf(action.lines);
              const props: Props = { items, value, currency: 'EUR', ...(searchId && { search_id: searchId }) };
              if (action.name === 'purchase') props.transaction_id = `order-${++transaction}`;
              emit(action.name, props, at);
            }
            at += 1000;
          }
          const deepest = Math.max(page.leave?.scroll ?? 0, page.lateLeave?.scroll ?? 0);
          for (const depth of SCROLL_DEPTHS) if (depth <= deepest * 100 + 1e-9) emit('scroll', { depth }, (at += 100));
          const leaves = !template.noLeave?.includes(n);
          if (page.leave && leaves) {
            const { engaged, total, scroll } = page.leave;
            emit('page_leave', { total_ms: total * 1000, engaged_ms: engaged * 1000, max_scroll: scroll }, start + total * 1000);
          }
          if (page.lateLeave && leaves) {
            const { engaged, total, scroll } = page.lateLeave;
            const late = emit(
              'page_leave',
              { total_ms: total * 1000, engaged_ms: engaged * 1000, max_scroll: scroll },
              start + total * 1000,
            );
            lateLeaveIds.add(late.event_id);
          }
          const leftAfter = page.lateLeave?.total ?? page.leave?.total ?? 3;
          ts = start + leftAfter * 1000 + 500;
          previous = `${page.path}${page.query ?? ''}`;
        });
      });
    }
  });

  const days = [...new Set(records.map((record) => new Date(record.ts).toISOString().slice(0, 10)))].sort();
  return { site: POPULATION_SITE, days, records, lateLeaveIds };
}
