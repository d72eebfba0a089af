import { CUSTOM_EVENT_NAME, type EcommerceProps, type Item, type SearchProps, type SearchSource } from './protocol.ts';
import { uuid } from './lib/uuid.ts';
import type { Session } from './session.ts';
import { searchId } from './advanceSession.ts';

/** What processing a call needs from the tracker: the event it becomes, the search it belongs to, debug output. */
export interface ProcessingContext {
  emit(name: string, props?: object): void;
  /** The session, which carries the current search's id: read and set in the order of the calls. */
  session: Session;
  warn(...problem: unknown[]): void;
}

/** The API's calls as processed (part of delivery): validated items, GA4 names, computed value, search ids, custom events. */
export interface Commerce {
  /** A search (its term already trimmed and not empty): a new search id, which the cart events that follow carry. */
  search(term: string, results: unknown, source: SearchSource): void;
  add(item: unknown): void;
  remove(item: unknown): void;
  view(items?: unknown): void;
  beginCheckout(items: unknown, value?: unknown): void;
  purchase(order: unknown): void;
  viewItem(item: unknown): void;
  selectItem(item: unknown, index: number): void;
  /** A call from `data-pm-*` markup: the item is made from the element's attributes (markup.ts `attributesOf`). */
  fromMarkup(method: 'add' | 'remove' | 'viewItem' | 'selectItem', attributes: Record<string, string>, index?: number): void;
  /** A custom event: its props as JSON taken at the call. */
  track(name: string, json?: string | null): void;
}

const isText = (v: unknown) => (typeof v == 'string' && v != '') || typeof v == 'number';
const isAmount = (n: unknown): n is number => typeof n == 'number' && n >= 0 && n < Infinity;
const isCurrency = (c: unknown): c is string => /^[A-Z]{3}$/.test(c as string);

/** Item fields, how each is validated, and whether its `data-pm-item-*` attribute is a number. */
const FIELDS: [keyof Item, (value: unknown) => boolean, boolean?][] = [
  ['item_id', isText],
  ['item_name', isText],
  ['item_brand', isText],
  ['item_category', isText],
  ['item_variant', isText],
  ['price', isAmount, true],
  ['quantity', (q) => Number.isInteger(q) && (q as number) > 0, true],
  ['currency', isCurrency],
  ['index', (i) => Number.isInteger(i) && (i as number) >= 0, true],
];

/** A GA4 item, or the name of the field that keeps it from being one. */
export function toItem(raw: unknown): Item | string {
  const source = (raw ?? {}) as Record<string, unknown>;
  const item: Record<string, unknown> = {};
  for (const [field, valid] of FIELDS) {
    const value = source[field];
    if (value == null || value === '') continue;
    if (!valid(value)) return field;
    item[field] = field.startsWith('item_') ? '' + value : value;
  }
  return item.item_id || item.item_name ? item : 'item_id';
}

/** Item fields from an element's `data-pm-item-*` attributes (`data-pm-item-list-name` → `item_list_name`); `toItem` validates. */
export function itemFromElement(attributes: Record<string, string>): Record<string, unknown> {
  const item: Record<string, unknown> = {};
  for (const [field, , numeric] of FIELDS) {
    const value = attributes['data-pm-item-' + field.replace('item_', '').replace('_', '-')];
    if (value) item[field] = numeric ? Number(value) : value;
  }
  return item;
}

/**
 * Ecommerce events with GA4 names and item shape, from the API and from `data-pm-*` markup (markup.ts), processed
 * after the call (createTracker.ts). An invalid item is dropped with a debug warning naming the field.
 */
export function watchCommerce(ctx: ProcessingContext): Commerce {
  const validItems = (raw: unknown): Item[] =>
    (Array.isArray(raw) ? raw.slice(0, 200) : []).flatMap((candidate) => {
      const item = toItem(candidate);
      if (typeof item != 'string') return [item];
      ctx.warn('invalid item', item, candidate);
      return [];
    });

  const send = (name: string, items: Item[], extra?: object) => {
    const props: EcommerceProps = { items, ...extra };
    if (props.value == null && items.some((i) => i.price != null)) {
      props.value = Math.round(items.reduce((sum, i) => sum + (i.price ?? 0) * (i.quantity ?? 1), 0) * 100) / 100;
    }
    props.currency ??= items.find((i) => i.currency)?.currency;
    props.search_id = searchId(ctx.session);
    ctx.emit(name, props);
  };

  /** One-item events: nothing is sent for an invalid item. */
  const single = (name: string, raw: unknown, extra?: object) => {
    const [item] = validItems([raw]);
    if (item) send(name, [item], extra);
  };

  const commerce: Commerce = {
    search(term, results, source) {
      const props: SearchProps = { search_term: term, search_id: uuid(), source };
      if (Number.isInteger(results) && (results as number) >= 0) props.results = results as number;
      searchId(ctx.session, props.search_id);
      ctx.emit('search', props);
    },
    add: (raw) => single('add_to_cart', raw),
    remove: (raw) => single('remove_from_cart', raw),
    view: (raw) => send('view_cart', validItems(raw)),
    beginCheckout: (raw, value) => send('begin_checkout', validItems(raw), isAmount(value) ? { value } : {}),
    purchase(raw) {
      const { transaction_id, value, currency, items } = (raw ?? {}) as Record<string, unknown>;
      if (!isText(transaction_id) || !isAmount(value) || !isCurrency(currency)) {
        return ctx.warn('invalid purchase', raw);
      }
      send('purchase', validItems(items), { transaction_id: '' + transaction_id, value, currency });
      // The conversion is complete: later carts start a new journey.
      searchId(ctx.session, null);
    },
    viewItem: (raw) => single('view_item', raw),
    selectItem: (raw, index) => single('select_item', raw, { index: index > 0 ? index : 0 }),
    fromMarkup: (method, attributes, index = 0) => commerce[method](itemFromElement(attributes), index),
    track: (name, json) =>
      // No props: `json` is undefined, or null once kept unsent as JSON (unsent.ts).
      CUSTOM_EVENT_NAME.test(name) ? ctx.emit(name, json ? JSON.parse(json) : undefined) : ctx.warn('invalid name', name),
  };
  return commerce;
}
