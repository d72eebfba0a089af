-- Visitor rights (docs/rights.md). One row per erasure request: its receipt, and the tombstone that
-- makes every later write of the pseudonym a no-op (ingest, sink consumers, dead-letter replays).
-- visitor_id is NULL for a request on a site that keeps no identifiers (nothing to erase).
CREATE TABLE IF NOT EXISTS rights_tombstones (
  receipt_id TEXT PRIMARY KEY,
  site TEXT NOT NULL,
  visitor_id TEXT,
  requested_at INTEGER NOT NULL,
  completed_at INTEGER,
  -- ErasureReceipt.steps as JSON.
  steps TEXT NOT NULL,
  -- JSON array of the epoch hours where the visitor's stored events arrived: the R2 archive partitions
  -- (`events/site=…/date=…/hour=…`) the scheduled job rewrites.
  archive_hours TEXT NOT NULL
);
CREATE UNIQUE INDEX IF NOT EXISTS rights_tombstones_visitor ON rights_tombstones (site, visitor_id);
CREATE INDEX IF NOT EXISTS rights_tombstones_open ON rights_tombstones (completed_at) WHERE completed_at IS NULL;
