import { statement, type SqlEngine, type Statement } from './engine.ts';
import { CLS_SCORE, ENGAGED_SECONDS, VITAL_MILLIS } from './histograms.ts';
import { PAGE_TYPES, type PageType } from './page-types.ts';

/**
 * Day rollups: for one (site, day), the `ins_r_*` rows are deleted and recomputed from that day's
 * facts, in one transaction. First the day's page views are cut into visits:
 *
 * - `granted`: a visit is the SDK's session (`session_id`; 30 minutes without events ends it);
 * - `anonymous`: the daily visitor hash, with a new visit after 30 minutes between the end of one
 *   page view (start + total time) and the start of the next.
 *
 * Either way a visit ends at the UTC day boundary. Searches and item lines belong to the visit of
 * their page view when that page view is of the same day, else to a visit of their own; so a day's
 * rollups read that day's facts only and can be rebuilt in any order.
 */

/** A new anonymous visit after this much time between page views. */
export const VISIT_GAP_MS = 30 * 60 * 1000;
/** Depth (pages per visit) is kept exactly up to this, and as "this or more" beyond. */
export const MAX_DEPTH = 20;

/** Bit of each page type in `ins_r_visits.types_mask`. */
export const TYPE_BIT: Record<PageType, number> = Object.fromEntries(PAGE_TYPES.map((type, i) => [type, 1 << i])) as Record<
  PageType,
  number
>;

/** What a visit did, bits of `ins_r_visits.steps_mask`: the funnel steps, and whether it searched. */
export const STEP_BIT = { view_item: 1, add_to_cart: 2, begin_checkout: 4, purchase: 8, search: 16 } as const;
export const FUNNEL_STEPS = ['view_item', 'add_to_cart', 'begin_checkout', 'purchase'] as const;
export type FunnelStep = (typeof FUNNEL_STEPS)[number];

const ROLLUP_TABLES = [
  'ins_r_pages',
  'ins_r_dwell',
  'ins_r_transitions',
  'ins_r_visits',
  'ins_r_searches',
  'ins_r_refinements',
  'ins_r_items',
  'ins_r_categories',
  'ins_r_vitals',
  'ins_r_experiments',
] as const;

const flag = (condition: string) => `MAX(CASE WHEN ${condition} THEN 1 ELSE 0 END)`;
const count = (condition: string) => `SUM(CASE WHEN ${condition} THEN 1 ELSE 0 END)`;

/** Fills visit, visit_pos, is_entry, is_exit of the day's page views. */
function visitsStatement(site: string, day: string): Statement {
  return statement(
    `UPDATE ins_page_views SET visit = v.visit, visit_pos = v.pos,
       is_entry = CASE WHEN v.pos = 1 THEN 1 ELSE 0 END, is_exit = CASE WHEN v.pos = v.pages THEN 1 ELSE 0 END
     FROM (
       SELECT page_id, visit, ROW_NUMBER() OVER (PARTITION BY visit ORDER BY ts, page_id) AS pos,
         COUNT(*) OVER (PARTITION BY visit) AS pages
       FROM (
         SELECT page_id, ts,
           CASE WHEN consent = 'granted' THEN 'g:' || COALESCE(session_id, visitor_id)
             ELSE 'a:' || visitor_id || ':' || CAST(SUM(new_visit) OVER (PARTITION BY consent, visitor_id ORDER BY ts, page_id
               ROWS BETWEEN UNBOUNDED PRECEDING AND CURRENT ROW) AS VARCHAR) END AS visit
         FROM (
           SELECT page_id, ts, consent, visitor_id, session_id,
             CASE WHEN LAG(ts) OVER w IS NULL OR ts - LAG(ts) OVER w - COALESCE(LAG(total_ms) OVER w, 0) > ${VISIT_GAP_MS}
               THEN 1 ELSE 0 END AS new_visit
           FROM ins_page_views WHERE site = ? AND day = ?
           WINDOW w AS (PARTITION BY consent, visitor_id ORDER BY ts, page_id)
         ) AS gaps
       ) AS visits
     ) AS v
     WHERE ins_page_views.site = ? AND ins_page_views.day = ? AND ins_page_views.page_id = v.page_id`,
    [site, day, site, day],
  );
}

/** The day's searches with their visit (see the module comment). */
const SEARCHES_WITH_VISIT = `SELECT s.*, COALESCE(p.visit, 's:' || s.consent || ':' || COALESCE(s.session_id, s.visitor_id)) AS visit
  FROM ins_searches s LEFT JOIN ins_page_views p ON p.site = s.site AND p.page_id = s.page_id AND p.day = s.day
  WHERE s.site = ? AND s.day = ?`;

/**
 * The day's item lines with their visit; a purchase sent twice (a reloaded confirmation page)
 * counts once: only the first event of each transaction is kept.
 */
const LINES_WITH_VISIT = `SELECT l.*, COALESCE(p.visit, 'e:' || l.event_id) AS visit,
    CASE WHEN l.name = 'purchase' AND l.transaction_id IS NOT NULL
      AND l.event_id <> FIRST_VALUE(l.event_id) OVER (PARTITION BY l.name, l.transaction_id ORDER BY l.ts, l.event_id)
      THEN 1 ELSE 0 END AS repeated
  FROM ins_item_lines l LEFT JOIN ins_page_views p ON p.site = l.site AND p.page_id = l.page_id AND p.day = l.day
  WHERE l.site = ? AND l.day = ?`;

/** Columns shared by the item and category rollups. */
const ITEM_FIGURES = `COUNT(DISTINCT visit),
  COUNT(DISTINCT CASE WHEN name = 'view_item' THEN visit END),
  COUNT(DISTINCT CASE WHEN name = 'add_to_cart' THEN visit END),
  SUM(CASE WHEN name = 'add_to_cart' THEN quantity ELSE 0 END),
  COUNT(DISTINCT CASE WHEN name = 'remove_from_cart' THEN visit END),
  SUM(CASE WHEN name = 'remove_from_cart' THEN quantity ELSE 0 END),
  COUNT(DISTINCT CASE WHEN name = 'purchase' THEN visit END),
  SUM(CASE WHEN name = 'purchase' THEN quantity ELSE 0 END),
  SUM(CASE WHEN name = 'purchase' THEN quantity * COALESCE(price, 0) ELSE 0 END)`;

const ITEM_FIGURE_COLUMNS = 'visits, view_visits, add_visits, added, remove_visits, removed, purchase_visits, purchased, revenue';

function insertStatements(site: string, day: string): Statement[] {
  const day2 = [site, day];
  const pages = `FROM ins_page_views WHERE site = ? AND day = ?`;
  const typeMask = PAGE_TYPES.map((type) => `${TYPE_BIT[type]} * ${flag(`page_type = '${type}'`)}`).join(' + ');
  const stepMask = [
    `${STEP_BIT.view_item} * ${flag('view_items > 0')}`,
    `${STEP_BIT.add_to_cart} * ${flag('adds > 0')}`,
    `${STEP_BIT.begin_checkout} * ${flag('checkouts > 0')}`,
    `${STEP_BIT.purchase} * ${flag('purchases > 0')}`,
    `${STEP_BIT.search} * ${flag('searches > 0')}`,
  ].join(' + ');
  const vital = (metric: string, column: string, bucket: string) =>
    `SELECT consent, page_type, '${metric}' AS metric, ${bucket} AS bucket FROM ins_page_views
     WHERE site = ? AND day = ? AND ${column} IS NOT NULL`;
  return [
    statement(
      `INSERT INTO ins_r_pages (site, day, consent, path, page_type, page_views, visits, entries, exits, measured,
         scroll25, scroll50, scroll75, scroll90, scroll100, actions, with_add)
       SELECT site, day, consent, path, page_type, COUNT(*), COUNT(DISTINCT visit), SUM(is_entry), SUM(is_exit),
         ${count('engaged_ms IS NOT NULL')}, ${count('scroll_pct >= 25')}, ${count('scroll_pct >= 50')},
         ${count('scroll_pct >= 75')}, ${count('scroll_pct >= 90')}, ${count('scroll_pct >= 100')}, SUM(actions),
         ${count('adds > 0')}
       ${pages} GROUP BY site, day, consent, path, page_type`,
      day2,
    ),
    statement(
      `INSERT INTO ins_r_dwell (site, day, consent, path, page_type, bucket, page_views)
       SELECT ?, ?, consent, path, page_type, bucket, COUNT(*) FROM (
         SELECT consent, path, page_type, ${ENGAGED_SECONDS.sql('engaged_ms')} AS bucket ${pages} AND engaged_ms IS NOT NULL
       ) AS b GROUP BY consent, path, page_type, bucket`,
      [...day2, ...day2],
    ),
    statement(
      `INSERT INTO ins_r_transitions (site, day, consent, from_path, to_path, transitions, visits)
       SELECT site, day, consent, prev_path, path, COUNT(*), COUNT(DISTINCT visit)
       ${pages} AND prev_path IS NOT NULL GROUP BY site, day, consent, prev_path, path`,
      day2,
    ),
    statement(
      `INSERT INTO ins_r_visits (site, day, consent, pages, types_mask, steps_mask, visits, cart_items, cart_value)
       SELECT ?, ?, consent, CASE WHEN pages > ${MAX_DEPTH} THEN ${MAX_DEPTH} ELSE pages END AS depth, types_mask, steps_mask,
         COUNT(*), SUM(cart_items), SUM(cart_value)
       FROM (
         SELECT consent, visit, COUNT(*) AS pages, ${typeMask} AS types_mask, ${stepMask} AS steps_mask,
           CASE WHEN SUM(add_qty) > SUM(remove_qty) THEN SUM(add_qty) - SUM(remove_qty) ELSE 0 END AS cart_items,
           CASE WHEN SUM(add_value) > SUM(remove_value) THEN SUM(add_value) - SUM(remove_value) ELSE 0 END AS cart_value
         ${pages} GROUP BY consent, visit
       ) AS v GROUP BY consent, depth, types_mask, steps_mask`,
      [...day2, ...day2],
    ),
    statement(
      `INSERT INTO ins_r_searches (site, day, consent, term, searches, visits, zero_results, clicked, click_position_sum,
         with_view, with_add, with_checkout, with_purchase, revenue)
       SELECT ?, ?, consent, term, COUNT(*), COUNT(DISTINCT visit), ${count('results = 0')}, ${count('clicks > 0')},
         SUM(CASE WHEN clicks > 0 THEN COALESCE(first_click_index, 0) + 1 ELSE 0 END), ${count('product_views > 0')},
         ${count('adds > 0')}, ${count('checkouts > 0')}, ${count('purchases > 0')}, SUM(revenue)
       FROM (${SEARCHES_WITH_VISIT}) AS s GROUP BY consent, term`,
      [...day2, ...day2],
    ),
    statement(
      `INSERT INTO ins_r_refinements (site, day, consent, term, next_term, refinements, visits)
       SELECT ?, ?, consent, term, next_term, COUNT(*), COUNT(DISTINCT visit) FROM (
         SELECT consent, visit, term, LEAD(term) OVER (PARTITION BY visit ORDER BY ts, search_id) AS next_term
         FROM (${SEARCHES_WITH_VISIT}) AS s
       ) AS r WHERE next_term IS NOT NULL AND next_term <> term GROUP BY consent, term, next_term`,
      [...day2, ...day2],
    ),
    statement(
      `INSERT INTO ins_r_items (site, day, consent, item_key, item_id, item_name, item_category, ${ITEM_FIGURE_COLUMNS})
       SELECT ?, ?, consent, item_key, MAX(item_id), MAX(item_name), MAX(item_category), ${ITEM_FIGURES}
       FROM (${LINES_WITH_VISIT}) AS l WHERE repeated = 0 GROUP BY consent, item_key`,
      [...day2, ...day2],
    ),
    statement(
      `INSERT INTO ins_r_categories (site, day, consent, category, ${ITEM_FIGURE_COLUMNS})
       SELECT ?, ?, consent, category, ${ITEM_FIGURES}
       FROM (SELECT *, COALESCE(item_category, '(none)') AS category FROM (${LINES_WITH_VISIT}) AS x) AS l
       WHERE repeated = 0 GROUP BY consent, category`,
      [...day2, ...day2],
    ),
    statement(
      `INSERT INTO ins_r_vitals (site, day, consent, page_type, metric, bucket, page_views)
       SELECT ?, ?, consent, page_type, metric, bucket, COUNT(*) FROM (
         ${vital('LCP', 'lcp_ms', VITAL_MILLIS.sql('lcp_ms'))}
         UNION ALL ${vital('INP', 'inp_ms', VITAL_MILLIS.sql('inp_ms'))}
         UNION ALL ${vital('CLS', 'cls_e4', CLS_SCORE.sql('cls_e4'))}
       ) AS samples GROUP BY consent, page_type, metric, bucket`,
      [...day2, ...day2, ...day2, ...day2],
    ),
    statement(
      `INSERT INTO ins_r_experiments (site, day, consent, experiment, variant, visits, add_visits, purchase_visits)
       SELECT ?, ?, x.consent, x.experiment, x.variant, COUNT(*), SUM(v.added), SUM(v.purchased)
       FROM (SELECT DISTINCT consent, visit, experiment, variant ${pages} AND experiment IS NOT NULL AND variant IS NOT NULL) AS x
       JOIN (SELECT visit, ${flag('adds > 0')} AS added, ${flag('purchases > 0')} AS purchased ${pages} GROUP BY visit) AS v
         ON v.visit = x.visit
       GROUP BY x.consent, x.experiment, x.variant`,
      [...day2, ...day2, ...day2],
    ),
  ];
}

/**
 * Rebuilds one day's rollups. The dirty mark goes only if its version is still `version` (the one
 * read before): a write that touched the day meanwhile keeps it dirty for the next rebuild.
 */
export function rebuildDayStatements(site: string, day: string, version: number | null): Statement[] {
  return [
    visitsStatement(site, day),
    ...ROLLUP_TABLES.map((table) => statement(`DELETE FROM ${table} WHERE site = ? AND day = ?`, [site, day])),
    ...insertStatements(site, day),
    ...(version === null
      ? []
      : [statement(`DELETE FROM ins_dirty WHERE site = ? AND day = ? AND version = ?`, [site, day, version])]),
  ];
}

export interface DirtyDay {
  site: string;
  day: string;
  version: number;
}

/** First day that still has event and fact rows (retention), or '' when nothing was purged. */
export async function purgedBefore(engine: SqlEngine, site: string): Promise<string> {
  const rows = await engine.all<{ purged_before: string }>(`SELECT purged_before FROM ins_sites WHERE site = ?`, [site]);
  return rows[0]?.purged_before ?? '';
}

/**
 * Rebuilds a dirty day. A day before the site's retention cut-off has no facts any more: its
 * rollups are final, so its mark (left by a late event) is dropped instead.
 */
export async function rebuildDay(engine: SqlEngine, { site, day, version }: DirtyDay): Promise<void> {
  if (day < (await purgedBefore(engine, site))) {
    await engine.batch([statement(`DELETE FROM ins_dirty WHERE site = ? AND day = ? AND version = ?`, [site, day, version])]);
    return;
  }
  await engine.batch(rebuildDayStatements(site, day, version));
}

/** Dirty days, oldest first; of one site and range when given. */
export function dirtyDays(
  engine: SqlEngine,
  range?: { site: string; from: string; to: string },
  limit = 1000,
): Promise<DirtyDay[]> {
  return range
    ? engine.all<DirtyDay>(
        `SELECT site, day, version FROM ins_dirty WHERE site = ? AND day >= ? AND day <= ? ORDER BY day LIMIT ?`,
        [range.site, range.from, range.to, limit],
      )
    : engine.all<DirtyDay>(`SELECT site, day, version FROM ins_dirty ORDER BY day, site LIMIT ?`, [limit]);
}

/**
 * The scheduled job: rebuilds up to `limit` dirty days, oldest first. Returns how many it rebuilt;
 * call again while it returns `limit`.
 */
export async function rebuildDirtyDays(engine: SqlEngine, limit = 50): Promise<number> {
  const days = await dirtyDays(engine, undefined, limit);
  for (const day of days) await rebuildDay(engine, day);
  return days.length;
}

/** Before a report reads a range: rebuilds its dirty days, so a report is exact without waiting for the cron. */
export async function refreshRange(engine: SqlEngine, site: string, from: string, to: string): Promise<void> {
  for (;;) {
    const days = await dirtyDays(engine, { site, from, to });
    for (const day of days) await rebuildDay(engine, day);
    if (days.length < 1000) return;
  }
}
