import { statement, type Dialect, type SqlValue, type Statement } from './engine.ts';
import { json, jsonInteger, jsonNumber, normalizedTerm, sameSiteReferrerPath, stripQuery } from './sql.ts';

/**
 * The facts: one row per page view (`ins_page_views`), per search (`ins_searches`) and per item
 * line of an ecommerce event (`ins_item_lines`). A fact row is never incremented: it is recomputed
 * from all the events that carry its key (`DELETE … WHERE key IN touched; INSERT … SELECT … FROM
 * events WHERE key IN touched`), so a retried event changes nothing and a late `page_leave` replaces
 * the page's figures. Which keys are touched is the scope:
 *
 * - `ingest`: the keys of the events this write inserted (they carry its token; see ingest.ts);
 * - `day`: the keys of one day's events (rebuild from the archive, migration backfill);
 * - `erase`: the keys of the events marked with the token (issue 15), recomputed without them.
 *
 * Every statement selects the site first: keys are random ids from browsers, so a page id is only
 * trusted within its site.
 */

export type FactScope = { kind: 'ingest'; token: string } | { kind: 'day'; day: string } | { kind: 'erase'; token: string };

/** Events of one site in the scope, as a predicate on `alias` (after `alias.site = ?`). */
function inScope(scope: FactScope, alias: string): { sql: string; params: SqlValue[] } {
  return scope.kind === 'day'
    ? { sql: `${alias}.day = ?`, params: [scope.day] }
    : { sql: `${alias}.ingest = ?`, params: [scope.token] };
}

/** Which events a fact is recomputed from: all of its key's events, except those being erased. */
function live(scope: FactScope, alias: string): { sql: string; params: SqlValue[] } {
  return scope.kind === 'erase'
    ? { sql: `AND (${alias}.ingest IS NULL OR ${alias}.ingest <> ?)`, params: [scope.token] }
    : { sql: '', params: [] };
}

/** `SELECT <key> FROM events WHERE site = ? AND <scope>`: the touched keys. */
function touched(site: string, scope: FactScope, key: 'page_id' | 'search_id' | 'event_id'): { sql: string; params: SqlValue[] } {
  const where = inScope(scope, 't');
  return { sql: `SELECT t.${key} FROM events t WHERE t.site = ? AND ${where.sql}`, params: [site, ...where.params] };
}

/** Events that are not something the visitor did on the page. */
const NOT_ACTIONS = ['page_view', 'page_leave', 'scroll', 'web_vitals', 'consent', 'view_item', 'view_cart'];
/** Events whose `items` become item lines. */
const ITEM_EVENTS = ['view_item', 'select_item', 'add_to_cart', 'remove_from_cart', 'view_cart', 'begin_checkout', 'purchase'];

const list = (names: readonly string[]) => names.map((name) => `'${name}'`).join(', ');
const count = (condition: string) => `SUM(CASE WHEN ${condition} THEN 1 ELSE 0 END)`;

/**
 * Marks dirty the days of the touched keys' fact rows (run before the delete, for the days rows
 * leave, and after the insert, for the days they arrive on). The version counter lets a rollup
 * rebuild that read the day before this write keep the mark (rollups.ts).
 */
function markDirty(site: string, scope: FactScope): Statement {
  const pages = touched(site, scope, 'page_id');
  const searches = touched(site, scope, 'search_id');
  const events = touched(site, scope, 'event_id');
  return statement(
    `INSERT INTO ins_dirty (site, day, version)
     SELECT ?, day, 1 FROM (
       SELECT day FROM ins_page_views WHERE site = ? AND page_id IN (${pages.sql})
       UNION ALL SELECT day FROM ins_searches WHERE site = ? AND search_id IN (${searches.sql})
       UNION ALL SELECT day FROM ins_item_lines WHERE site = ? AND event_id IN (${events.sql})
     ) AS touched_days WHERE day IS NOT NULL GROUP BY day
     ON CONFLICT (site, day) DO UPDATE SET version = version + 1`,
    [site, site, ...pages.params, site, ...searches.params, site, ...events.params],
  );
}

function itemLineStatements(dialect: Dialect, site: string, scope: FactScope): Statement[] {
  const events = touched(site, scope, 'event_id');
  const where = inScope(scope, 'e');
  const alive = live(scope, 'e');
  const filter = `e.site = ? AND ${where.sql} ${alive.sql} AND e.name IN (${list(ITEM_EVENTS)})`;
  // One row per element of `props.items`, with its index: json_each in SQLite, unnest in DuckDB
  // (the DuckDB variant is untested here; issue 14 runs it).
  const source =
    dialect === 'sqlite'
      ? {
          from: `events e, json_each(e.record, '$.props.items') AS j WHERE ${filter}`,
          line: 'CAST(j.key AS INTEGER)',
          item: 'j.value',
        }
      : {
          from: `(SELECT e.*, unnest(json_extract(e.record, '$.props.items[*]')) AS item_value,
                   generate_subscripts(json_extract(e.record, '$.props.items[*]'), 1) - 1 AS item_line
                 FROM events e WHERE ${filter}) AS e WHERE true`,
          line: 'e.item_line',
          item: 'e.item_value',
        };
  const field = (name: string) => json(source.item, `$.${name}`);
  return [
    statement(`DELETE FROM ins_item_lines WHERE site = ? AND event_id IN (${events.sql})`, [site, ...events.params]),
    statement(
      `INSERT INTO ins_item_lines (site, event_id, line, day, consent, page_id, search_id, name, ts, item_key, item_id,
         item_name, item_category, price, quantity, transaction_id)
       SELECT e.site, e.event_id, ${source.line}, e.day, e.consent, e.page_id, e.search_id, e.name, e.ts,
         COALESCE(${field('item_id')}, ${field('item_name')}), ${field('item_id')}, ${field('item_name')}, ${field('item_category')},
         ${jsonNumber(source.item, '$.price')}, COALESCE(${jsonInteger(source.item, '$.quantity')}, 1),
         ${json('e.record', '$.props.transaction_id')}
       FROM ${source.from} AND COALESCE(${field('item_id')}, ${field('item_name')}) IS NOT NULL`,
      [site, ...where.params, ...alive.params],
    ),
  ];
}

/**
 * Page type from what happened on a page no URL pattern classified: the furthest shopping step
 * seen on it, then a search, then the root path.
 */
const PAGE_TYPE_FROM_EVENTS_SQL = `CASE WHEN a.purchases > 0 THEN 'confirmation' WHEN a.checkouts > 0 THEN 'checkout'
  WHEN a.view_carts > 0 THEN 'cart' WHEN a.view_items > 0 THEN 'product' WHEN a.searches > 0 THEN 'search'
  WHEN v.path = '/' THEN 'home' ELSE 'other' END`;

function pageViewStatements(site: string, scope: FactScope): Statement[] {
  const pages = touched(site, scope, 'page_id');
  const alive = live(scope, 'e');
  const vital = (metric: string, scale = 1) =>
    `MAX(CASE WHEN name = 'web_vitals' AND ${json('record', '$.props.metric')} = '${metric}' THEN ${jsonInteger('record', '$.props.value', scale)} END)`;
  return [
    statement(`DELETE FROM ins_page_views WHERE site = ? AND page_id IN (${pages.sql})`, [site, ...pages.params]),
    statement(
      `INSERT INTO ins_page_views (site, page_id, day, consent, visitor_id, session_id, ts, path, page_type, prev_path,
         page_index, engaged_ms, total_ms, scroll_pct, actions, view_items, adds, view_carts, searches, checkouts,
         purchases, add_qty, add_value, remove_qty, remove_value, lcp_ms, inp_ms, cls_e4, experiment, variant)
       WITH touched AS (${pages.sql}),
       page_events AS (
         SELECT e.event_id, e.name, e.ts, e.page_id, e.day, e.consent, e.visitor_id, e.session_id, e.path, e.page_type, e.record
         FROM events e WHERE e.site = ? AND e.page_id IN (SELECT page_id FROM touched) ${alive.sql}
       ),
       views AS (
         SELECT page_id, day, consent, visitor_id, session_id, ts, path, page_type,
           ${json('record', '$.props.previous_path')} AS previous_path, ${json('record', '$.url')} AS url,
           ${json('record', '$.referrer')} AS referrer, ${jsonInteger('record', '$.props.page_index')} AS page_index,
           ${json('record', '$.props.experiment')} AS experiment, ${json('record', '$.props.variant')} AS variant,
           ROW_NUMBER() OVER (PARTITION BY page_id ORDER BY ts, event_id) AS rn
         FROM page_events WHERE name = 'page_view'
       ),
       leaves AS (
         SELECT page_id, ${jsonInteger('record', '$.props.engaged_ms')} AS engaged_ms,
           ${jsonInteger('record', '$.props.total_ms')} AS total_ms, ${jsonInteger('record', '$.props.max_scroll', 100)} AS scroll_pct,
           ROW_NUMBER() OVER (PARTITION BY page_id ORDER BY ${jsonNumber('record', '$.props.total_ms')} DESC, ts DESC, event_id DESC) AS rn
         FROM page_events WHERE name = 'page_leave'
       ),
       activity AS (
         SELECT page_id,
           MAX(CASE WHEN name = 'scroll' THEN ${jsonInteger('record', '$.props.depth')} ELSE 0 END) AS scroll_pct,
           ${count(`name NOT IN (${list(NOT_ACTIONS)})`)} AS actions,
           ${count(`name = 'view_item'`)} AS view_items, ${count(`name = 'add_to_cart'`)} AS adds,
           ${count(`name = 'view_cart'`)} AS view_carts, ${count(`name = 'search'`)} AS searches,
           ${count(`name = 'begin_checkout'`)} AS checkouts, ${count(`name = 'purchase'`)} AS purchases,
           ${vital('LCP')} AS lcp_ms, ${vital('INP')} AS inp_ms, ${vital('CLS', 10_000)} AS cls_e4
         FROM page_events GROUP BY page_id
       ),
       lines AS (
         SELECT page_id,
           SUM(CASE WHEN name = 'add_to_cart' THEN quantity ELSE 0 END) AS add_qty,
           SUM(CASE WHEN name = 'add_to_cart' THEN quantity * COALESCE(price, 0) ELSE 0 END) AS add_value,
           SUM(CASE WHEN name = 'remove_from_cart' THEN quantity ELSE 0 END) AS remove_qty,
           SUM(CASE WHEN name = 'remove_from_cart' THEN quantity * COALESCE(price, 0) ELSE 0 END) AS remove_value
         FROM ins_item_lines WHERE site = ? AND page_id IN (SELECT page_id FROM touched) GROUP BY page_id
       )
       SELECT ?, v.page_id, v.day, v.consent, v.visitor_id, v.session_id, v.ts, v.path,
         COALESCE(v.page_type, ${PAGE_TYPE_FROM_EVENTS_SQL}),
         COALESCE(CASE WHEN v.previous_path IS NOT NULL THEN ${stripQuery('v.previous_path')} END,
           ${sameSiteReferrerPath('v.url', 'v.referrer')}),
         v.page_index, l.engaged_ms, l.total_ms,
         CASE WHEN COALESCE(l.scroll_pct, 0) > a.scroll_pct THEN l.scroll_pct ELSE a.scroll_pct END,
         a.actions, a.view_items, a.adds, a.view_carts, a.searches, a.checkouts, a.purchases,
         COALESCE(li.add_qty, 0), COALESCE(li.add_value, 0), COALESCE(li.remove_qty, 0), COALESCE(li.remove_value, 0),
         a.lcp_ms, a.inp_ms, a.cls_e4, v.experiment, v.variant
       FROM views v
       JOIN activity a ON a.page_id = v.page_id
       LEFT JOIN leaves l ON l.page_id = v.page_id AND l.rn = 1
       LEFT JOIN lines li ON li.page_id = v.page_id
       WHERE v.rn = 1`,
      [...pages.params, site, ...alive.params, site, site],
    ),
  ];
}

function searchStatements(dialect: Dialect, site: string, scope: FactScope): Statement[] {
  const searches = touched(site, scope, 'search_id');
  const alive = live(scope, 'e');
  return [
    statement(`DELETE FROM ins_searches WHERE site = ? AND search_id IN (${searches.sql})`, [site, ...searches.params]),
    statement(
      `INSERT INTO ins_searches (site, search_id, day, consent, visitor_id, session_id, page_id, ts, term, results,
         source, clicks, first_click_index, product_views, adds, checkouts, purchases, revenue)
       WITH linked AS (
         SELECT e.event_id, e.search_id, e.name, e.ts, e.page_id, e.day, e.consent, e.visitor_id, e.session_id, e.record
         FROM events e WHERE e.site = ? AND e.search_id IN (${searches.sql}) ${alive.sql}
       ),
       searches AS (
         SELECT search_id, day, consent, visitor_id, session_id, page_id, ts,
           ${normalizedTerm(dialect, json('record', '$.props.search_term'))} AS term,
           ${jsonInteger('record', '$.props.results')} AS results, ${json('record', '$.props.source')} AS source,
           ROW_NUMBER() OVER (PARTITION BY search_id ORDER BY ts, event_id) AS rn
         FROM linked WHERE name = 'search'
       ),
       clicks AS (
         SELECT search_id, ${jsonInteger('record', '$.props.index')} AS position,
           ROW_NUMBER() OVER (PARTITION BY search_id ORDER BY ts, event_id) AS rn
         FROM linked WHERE name = 'select_item'
       ),
       orders AS (
         SELECT search_id, COALESCE(${json('record', '$.props.transaction_id')}, event_id) AS transaction_id,
           MAX(${jsonNumber('record', '$.props.value')}) AS value
         FROM linked WHERE name = 'purchase' GROUP BY search_id, COALESCE(${json('record', '$.props.transaction_id')}, event_id)
       ),
       order_totals AS (SELECT search_id, COUNT(*) AS purchases, SUM(COALESCE(value, 0)) AS revenue FROM orders GROUP BY search_id),
       activity AS (
         SELECT search_id, ${count(`name = 'select_item'`)} AS clicks,
           COUNT(DISTINCT CASE WHEN name = 'view_item' THEN page_id END) AS product_views,
           ${count(`name = 'add_to_cart'`)} AS adds, ${count(`name = 'begin_checkout'`)} AS checkouts
         FROM linked GROUP BY search_id
       )
       SELECT ?, s.search_id, s.day, s.consent, s.visitor_id, s.session_id, s.page_id, s.ts, s.term, s.results, s.source,
         a.clicks, c.position, a.product_views, a.adds, a.checkouts, COALESCE(o.purchases, 0), COALESCE(o.revenue, 0)
       FROM searches s
       JOIN activity a ON a.search_id = s.search_id
       LEFT JOIN clicks c ON c.search_id = s.search_id AND c.rn = 1
       LEFT JOIN order_totals o ON o.search_id = s.search_id
       WHERE s.rn = 1`,
      [site, ...searches.params, ...alive.params, site],
    ),
  ];
}

/**
 * Every statement that recomputes the facts of the keys in scope, and marks their days dirty.
 * Item lines first: the page-view fact sums them.
 */
export function factStatements(dialect: Dialect, site: string, scope: FactScope): Statement[] {
  return [
    markDirty(site, scope),
    ...itemLineStatements(dialect, site, scope),
    ...pageViewStatements(site, scope),
    ...searchStatements(dialect, site, scope),
    markDirty(site, scope),
  ];
}
