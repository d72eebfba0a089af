import { Hono } from 'hono';
import { adminAuth } from '../admin-auth.ts';
import type { InsightsRecord } from '../core/insights/events-rows.ts';
import { ingest } from '../core/insights/ingest.ts';
import { rebuildSite } from '../core/insights/maintenance.ts';
import type { SitePolicy } from '../core/policy.ts';
import { d1Engine } from '../d1-engine.ts';
import type { AppEnv, CollectorDeps } from '../deps.ts';
import { ClientError, readBodyText } from '../http.ts';

/**
 * Operator routes that rebuild the insights (`npm run insights`, docs/insights.md), behind
 * ADMIN_TOKEN like the dead-letter routes:
 * - POST /v1/admin/insights/:site/rebuild: deletes and recomputes every fact and rollup of the site
 *   from its `events` rows (days before the retention cut-off keep their rollups);
 * - POST /v1/admin/insights/:site/events: archive NDJSON (one forwarded record per line, at most
 *   MAX_ARCHIVE_CHUNK_BYTES per request) written into `events` and the facts through the same
 *   `ingest` as the D1 sink: loading the same archive twice changes nothing.
 */

export const MAX_ARCHIVE_CHUNK_BYTES = 4 * 1024 * 1024;

export interface ArchiveLoaded {
  site: string;
  /** Records in the chunk (blank lines aside). */
  records: number;
}

export function insightsAdminRoute(deps: Pick<CollectorDeps, 'policies'>): Hono<AppEnv> {
  const app = new Hono<AppEnv>();
  app.use('/v1/admin/insights/*', adminAuth<AppEnv>({ token: (c) => c.env.ADMIN_TOKEN }));

  const policyOf = (site: string): SitePolicy => {
    const policy = deps.policies.get(site);
    if (!policy) throw new ClientError(404, 'not_found', `site: "${site.slice(0, 64)}" is not configured`);
    return policy;
  };

  app.post('/v1/admin/insights/:site/rebuild', async (c) => {
    const policy = policyOf(c.req.param('site'));
    const days = await rebuildSite(d1Engine(c.env.DB), policy.site);
    return c.json({ site: policy.site, days }, 200, { 'Cache-Control': 'no-store' });
  });

  app.post('/v1/admin/insights/:site/events', async (c) => {
    const policy = policyOf(c.req.param('site'));
    const records = parseArchiveChunk(await readBodyText(c.req.raw, MAX_ARCHIVE_CHUNK_BYTES), policy.site);
    await ingest(d1Engine(c.env.DB), records, {
      newToken: () => crypto.randomUUID(),
      pageTypes: (site) => deps.policies.get(site)?.page_types,
    });
    const body: ArchiveLoaded = { site: policy.site, records: records.length };
    return c.json(body, 200, { 'Cache-Control': 'no-store' });
  });
  return app;
}

const isText = (value: unknown): value is string => typeof value === 'string' && value.length > 0;

/**
 * Archive lines as records. They were written by the collector, so only what `events` and the
 * facts key on is checked, enough to refuse a file that is not an archive of this site (the error
 * names the line).
 */
export function parseArchiveChunk(text: string, site: string): InsightsRecord[] {
  const records: InsightsRecord[] = [];
  const lines = text.split('\n');
  for (let i = 0; i < lines.length; i++) {
    const line = lines[i]!.trim();
    if (line === '') continue;
    const fault = (detail: string) => new ClientError(400, 'invalid_archive', `line ${i + 1}: ${detail}`);
    let record: Partial<InsightsRecord>;
    try {
      record = JSON.parse(line) as Partial<InsightsRecord>;
    } catch {
      throw fault('not JSON');
    }
    if (record === null || typeof record !== 'object') throw fault('expected a forwarded record');
    if (record.site !== site) throw fault(`site: expected "${site}"`);
    for (const field of ['event_id', 'batch_id', 'name', 'consent', 'page_id', 'path', 'visitor_id'] as const) {
      if (!isText(record[field])) throw fault(`${field}: expected a string`);
    }
    for (const field of ['ts', 'received_at'] as const) {
      if (!Number.isFinite(record[field])) throw fault(`${field}: expected a number`);
    }
    if (record.props === null || typeof record.props !== 'object') throw fault('props: expected an object');
    records.push(record as InsightsRecord);
  }
  return records;
}
