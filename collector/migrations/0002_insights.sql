-- Insights (docs/insights.md). Everything below `events` is derived from it and can be rebuilt.
--
-- events gains the columns the fact statements select on: the UTC day of ts, the search id, the
-- page type the collector classified, and the token of the write that inserted the row (NULL once
-- that write's transaction ends; only new rows of an INSERT OR IGNORE get it).
ALTER TABLE events ADD COLUMN day TEXT;
ALTER TABLE events ADD COLUMN search_id TEXT;
ALTER TABLE events ADD COLUMN page_type TEXT;
ALTER TABLE events ADD COLUMN ingest TEXT;
-- Rows stored before this migration: their facts are built by the rebuild command (docs/insights.md).
UPDATE events SET
  day = strftime('%Y-%m-%d', ts / 1000, 'unixepoch'),
  search_id = CASE WHEN json_type(record, '$.props.search_id') = 'text' THEN record->>'$.props.search_id' END,
  page_type = record->>'$.page_type';

CREATE INDEX IF NOT EXISTS events_site_page ON events (site, page_id);
CREATE INDEX IF NOT EXISTS events_site_search ON events (site, search_id);
CREATE INDEX IF NOT EXISTS events_site_day ON events (site, day);
CREATE INDEX IF NOT EXISTS events_site_visitor ON events (site, visitor_id);
CREATE INDEX IF NOT EXISTS events_ingest ON events (ingest) WHERE ingest IS NOT NULL;

-- Facts: one row per key, recomputed (never incremented) from the events carrying the key.
-- They hold pseudonyms (visitor_id, session_id) like events, and go with them (retention, erasure).

-- One row per page view (page_id). visit … is_exit are filled by the day rollup (they depend on
-- the other page views of the visit).
CREATE TABLE IF NOT EXISTS ins_page_views (
  site TEXT NOT NULL,
  page_id TEXT NOT NULL,
  day TEXT NOT NULL,
  consent TEXT NOT NULL,
  visitor_id TEXT NOT NULL,
  session_id TEXT,
  ts INTEGER NOT NULL,
  path TEXT NOT NULL,
  page_type TEXT NOT NULL,
  prev_path TEXT,
  page_index INTEGER,
  engaged_ms INTEGER,
  total_ms INTEGER,
  scroll_pct INTEGER NOT NULL,
  actions INTEGER NOT NULL,
  view_items INTEGER NOT NULL,
  adds INTEGER NOT NULL,
  view_carts INTEGER NOT NULL,
  searches INTEGER NOT NULL,
  checkouts INTEGER NOT NULL,
  purchases INTEGER NOT NULL,
  add_qty INTEGER NOT NULL,
  add_value REAL NOT NULL,
  remove_qty INTEGER NOT NULL,
  remove_value REAL NOT NULL,
  lcp_ms INTEGER,
  inp_ms INTEGER,
  cls_e4 INTEGER,
  experiment TEXT,
  variant TEXT,
  visit TEXT,
  visit_pos INTEGER,
  is_entry INTEGER,
  is_exit INTEGER,
  PRIMARY KEY (site, page_id)
);
CREATE INDEX IF NOT EXISTS ins_page_views_day ON ins_page_views (site, day);

-- One row per search (search_id), with what followed it under the same search_id.
CREATE TABLE IF NOT EXISTS ins_searches (
  site TEXT NOT NULL,
  search_id TEXT NOT NULL,
  day TEXT NOT NULL,
  consent TEXT NOT NULL,
  visitor_id TEXT NOT NULL,
  session_id TEXT,
  page_id TEXT NOT NULL,
  ts INTEGER NOT NULL,
  term TEXT NOT NULL,
  results INTEGER,
  source TEXT,
  clicks INTEGER NOT NULL,
  first_click_index INTEGER,
  product_views INTEGER NOT NULL,
  adds INTEGER NOT NULL,
  checkouts INTEGER NOT NULL,
  purchases INTEGER NOT NULL,
  revenue REAL NOT NULL,
  PRIMARY KEY (site, search_id)
);
CREATE INDEX IF NOT EXISTS ins_searches_day ON ins_searches (site, day);

-- One row per item of an ecommerce event (event_id × index in props.items).
CREATE TABLE IF NOT EXISTS ins_item_lines (
  site TEXT NOT NULL,
  event_id TEXT NOT NULL,
  line INTEGER NOT NULL,
  day TEXT NOT NULL,
  consent TEXT NOT NULL,
  page_id TEXT NOT NULL,
  search_id TEXT,
  name TEXT NOT NULL,
  ts INTEGER NOT NULL,
  item_key TEXT NOT NULL,
  item_id TEXT,
  item_name TEXT,
  item_category TEXT,
  price REAL,
  quantity INTEGER NOT NULL,
  transaction_id TEXT,
  PRIMARY KEY (site, event_id, line)
);
CREATE INDEX IF NOT EXISTS ins_item_lines_day ON ins_item_lines (site, day);
CREATE INDEX IF NOT EXISTS ins_item_lines_page ON ins_item_lines (site, page_id);

-- Days whose rollups must be rebuilt. Every write that touches a day's facts bumps its version; a
-- rebuild deletes the mark only if the version is still the one it read.
CREATE TABLE IF NOT EXISTS ins_dirty (
  site TEXT NOT NULL,
  day TEXT NOT NULL,
  version INTEGER NOT NULL,
  PRIMARY KEY (site, day)
);

-- Per site: days before purged_before have no event or fact rows any more (retention); their
-- rollups are final.
CREATE TABLE IF NOT EXISTS ins_sites (
  site TEXT PRIMARY KEY,
  purged_before TEXT NOT NULL
);

-- Day rollups: one set of rows per (site, day), rebuilt whole from that day's facts. Reports read
-- only these. Every row naming a path, term or item carries visits (distinct visits that day),
-- for the k-anonymity fold.

CREATE TABLE IF NOT EXISTS ins_r_pages (
  site TEXT NOT NULL,
  day TEXT NOT NULL,
  consent TEXT NOT NULL,
  path TEXT NOT NULL,
  page_type TEXT NOT NULL,
  page_views INTEGER NOT NULL,
  visits INTEGER NOT NULL,
  entries INTEGER NOT NULL,
  exits INTEGER NOT NULL,
  measured INTEGER NOT NULL,
  scroll25 INTEGER NOT NULL,
  scroll50 INTEGER NOT NULL,
  scroll75 INTEGER NOT NULL,
  scroll90 INTEGER NOT NULL,
  scroll100 INTEGER NOT NULL,
  actions INTEGER NOT NULL,
  with_add INTEGER NOT NULL,
  PRIMARY KEY (site, day, consent, path, page_type)
);

CREATE TABLE IF NOT EXISTS ins_r_dwell (
  site TEXT NOT NULL,
  day TEXT NOT NULL,
  consent TEXT NOT NULL,
  path TEXT NOT NULL,
  page_type TEXT NOT NULL,
  bucket INTEGER NOT NULL,
  page_views INTEGER NOT NULL,
  PRIMARY KEY (site, day, consent, path, page_type, bucket)
);

CREATE TABLE IF NOT EXISTS ins_r_transitions (
  site TEXT NOT NULL,
  day TEXT NOT NULL,
  consent TEXT NOT NULL,
  from_path TEXT NOT NULL,
  to_path TEXT NOT NULL,
  transitions INTEGER NOT NULL,
  visits INTEGER NOT NULL,
  PRIMARY KEY (site, day, consent, from_path, to_path)
);

-- Visits grouped by depth (pages, capped), the page types they saw and the shopping steps they
-- took (bit masks, see rollups.ts), with their cart contents.
CREATE TABLE IF NOT EXISTS ins_r_visits (
  site TEXT NOT NULL,
  day TEXT NOT NULL,
  consent TEXT NOT NULL,
  pages INTEGER NOT NULL,
  types_mask INTEGER NOT NULL,
  steps_mask INTEGER NOT NULL,
  visits INTEGER NOT NULL,
  cart_items INTEGER NOT NULL,
  cart_value REAL NOT NULL,
  PRIMARY KEY (site, day, consent, pages, types_mask, steps_mask)
);

CREATE TABLE IF NOT EXISTS ins_r_searches (
  site TEXT NOT NULL,
  day TEXT NOT NULL,
  consent TEXT NOT NULL,
  term TEXT NOT NULL,
  searches INTEGER NOT NULL,
  visits INTEGER NOT NULL,
  zero_results INTEGER NOT NULL,
  clicked INTEGER NOT NULL,
  click_position_sum INTEGER NOT NULL,
  with_view INTEGER NOT NULL,
  with_add INTEGER NOT NULL,
  with_checkout INTEGER NOT NULL,
  with_purchase INTEGER NOT NULL,
  revenue REAL NOT NULL,
  PRIMARY KEY (site, day, consent, term)
);

CREATE TABLE IF NOT EXISTS ins_r_refinements (
  site TEXT NOT NULL,
  day TEXT NOT NULL,
  consent TEXT NOT NULL,
  term TEXT NOT NULL,
  next_term TEXT NOT NULL,
  refinements INTEGER NOT NULL,
  visits INTEGER NOT NULL,
  PRIMARY KEY (site, day, consent, term, next_term)
);

CREATE TABLE IF NOT EXISTS ins_r_items (
  site TEXT NOT NULL,
  day TEXT NOT NULL,
  consent TEXT NOT NULL,
  item_key TEXT NOT NULL,
  item_id TEXT,
  item_name TEXT,
  item_category TEXT,
  visits INTEGER NOT NULL,
  view_visits INTEGER NOT NULL,
  add_visits INTEGER NOT NULL,
  added INTEGER NOT NULL,
  remove_visits INTEGER NOT NULL,
  removed INTEGER NOT NULL,
  purchase_visits INTEGER NOT NULL,
  purchased INTEGER NOT NULL,
  revenue REAL NOT NULL,
  PRIMARY KEY (site, day, consent, item_key)
);

CREATE TABLE IF NOT EXISTS ins_r_categories (
  site TEXT NOT NULL,
  day TEXT NOT NULL,
  consent TEXT NOT NULL,
  category TEXT NOT NULL,
  visits INTEGER NOT NULL,
  view_visits INTEGER NOT NULL,
  add_visits INTEGER NOT NULL,
  added INTEGER NOT NULL,
  remove_visits INTEGER NOT NULL,
  removed INTEGER NOT NULL,
  purchase_visits INTEGER NOT NULL,
  purchased INTEGER NOT NULL,
  revenue REAL NOT NULL,
  PRIMARY KEY (site, day, consent, category)
);

CREATE TABLE IF NOT EXISTS ins_r_vitals (
  site TEXT NOT NULL,
  day TEXT NOT NULL,
  consent TEXT NOT NULL,
  page_type TEXT NOT NULL,
  metric TEXT NOT NULL,
  bucket INTEGER NOT NULL,
  page_views INTEGER NOT NULL,
  PRIMARY KEY (site, day, consent, page_type, metric, bucket)
);

CREATE TABLE IF NOT EXISTS ins_r_experiments (
  site TEXT NOT NULL,
  day TEXT NOT NULL,
  consent TEXT NOT NULL,
  experiment TEXT NOT NULL,
  variant TEXT NOT NULL,
  visits INTEGER NOT NULL,
  add_visits INTEGER NOT NULL,
  purchase_visits INTEGER NOT NULL,
  PRIMARY KEY (site, day, consent, experiment, variant)
);
