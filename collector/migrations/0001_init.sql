-- Forwarded records, one row per event. INSERT OR IGNORE on event_id collapses the
-- duplicates that at-least-once delivery (SDK retries, queue retries) produces.
CREATE TABLE IF NOT EXISTS events (
  event_id TEXT PRIMARY KEY,
  batch_id TEXT NOT NULL,
  site TEXT NOT NULL,
  name TEXT NOT NULL,
  consent TEXT NOT NULL,
  ts INTEGER NOT NULL,
  received_at INTEGER NOT NULL,
  visitor_id TEXT NOT NULL,
  session_id TEXT,
  page_id TEXT NOT NULL,
  path TEXT NOT NULL,
  record TEXT NOT NULL
);
CREATE INDEX IF NOT EXISTS events_site_ts ON events (site, ts);
CREATE INDEX IF NOT EXISTS events_received_at ON events (received_at);

-- Daily random salts for the anonymous visitor hash. A row is deleted once its day is
-- over, so no salt outlives 48 hours and yesterday's hashes cannot be recomputed.
CREATE TABLE IF NOT EXISTS salts (
  day TEXT PRIMARY KEY,
  salt TEXT NOT NULL,
  created_at INTEGER NOT NULL
);

-- Local development only (PATHMARK_INSPECTOR=1): batches as received, for the inspector.
CREATE TABLE IF NOT EXISTS inspect_batches (
  batch_id TEXT PRIMARY KEY,
  site TEXT NOT NULL,
  received_at INTEGER NOT NULL,
  claimed_consent TEXT,
  effective_consent TEXT,
  accepted INTEGER NOT NULL,
  rejected TEXT NOT NULL,
  raw TEXT NOT NULL
);
CREATE INDEX IF NOT EXISTS inspect_batches_received_at ON inspect_batches (received_at);
