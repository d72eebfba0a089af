// Runs inside workerd (wrangler dev, local D1) for bench/insights.ts:
// - POST /migrate (body: the migration files' SQL, joined): creates the tables in both databases;
// - POST /generate?events=N&day=D&seed=S: generates one day of journeys and keeps them in memory;
// - POST /write?target=sink|baseline: writes the kept records through the D1 sink (events +
//   insights, collector/src/sinks/d1.ts) or as the events rows alone, in consumer batches;
// - POST /rebuild?days=N: rebuilds the N oldest dirty days (the cron's work, rebuildDirtyDays);
// - GET /report?name=R&from=&to=: one report.
// Generation happens in its own request, so the timed requests do only the database work.
import {
  insertEventsStatements,
  rebuildDirtyDays,
  REPORTS,
  seededRandom,
  type ReportName,
} from '../../collector/src/core/insights/index.ts';
import type { ForwardedRecord, QueueMessageBody } from '../../collector/src/core/record.ts';
import { d1Engine } from '../../collector/src/d1-engine.ts';
import { createD1Sink } from '../../collector/src/sinks/d1.ts';
import { journeyRecords, randomJourneys } from '../../collector/test-core/support/generate.ts';
import { POPULATION_PAGE_TYPES } from '../../collector/test-core/support/population.ts';

interface BenchEnv {
  DB: D1Database;
  BASELINE: D1Database;
}

/** A consumer batch: max_batch_size 100 messages (wrangler.toml), each one SDK batch of 20 events. */
const MESSAGES_PER_WRITE = 100;
const RECORDS_PER_MESSAGE = 20;
const SHAPE = { categories: 40, products: 2000, terms: 1500, contentPages: 200 };
const FIRST_DAY = Date.parse('2026-01-01T00:00:00Z');
let kept: ForwardedRecord[] = [];
let eventsPerVisit: number | undefined;

function consumerBatches(records: readonly ForwardedRecord[]): QueueMessageBody[][] {
  const messages: QueueMessageBody[] = [];
  for (let i = 0; i < records.length; i += RECORDS_PER_MESSAGE) {
    const chunk = records.slice(i, i + RECORDS_PER_MESSAGE);
    messages.push({
      v: 1,
      batch_id: chunk[0]!.batch_id,
      site: chunk[0]!.site,
      received_at: chunk[0]!.received_at,
      records: chunk,
    });
  }
  const batches: QueueMessageBody[][] = [];
  for (let i = 0; i < messages.length; i += MESSAGES_PER_WRITE) batches.push(messages.slice(i, i + MESSAGES_PER_WRITE));
  return batches;
}

async function migrate(db: D1Database, sql: string): Promise<void> {
  const statements = sql
    .split('\n')
    .filter((line) => !line.trimStart().startsWith('--'))
    .join('\n')
    .split(/;\s*$/m)
    .map((text) => text.trim())
    .filter(Boolean);
  await db.batch(statements.map((text) => db.prepare(text)));
}

export default {
  async fetch(request: Request, env: BenchEnv): Promise<Response> {
    const url = new URL(request.url);
    const query = (name: string) => url.searchParams.get(name) ?? '';
    switch (url.pathname) {
      case '/migrate': {
        const sql = await request.text();
        await migrate(env.DB, sql);
        await migrate(env.BASELINE, sql);
        return Response.json({ ok: true });
      }
      case '/generate': {
        eventsPerVisit ??= journeyRecords(randomJourneys(seededRandom(1), 2000, FIRST_DAY, SHAPE)).length / 2000;
        const day = Number(query('day'));
        const seed = Number(query('seed'));
        const visits = Math.round(Number(query('events')) / eventsPerVisit);
        const journeys = randomJourneys(seededRandom(100 + seed), visits, FIRST_DAY + day * 86_400_000, SHAPE, seed * visits);
        kept = journeyRecords(journeys, `s${seed}-`);
        return Response.json({ events: kept.length });
      }
      case '/write': {
        if (query('target') === 'sink') {
          const sink = createD1Sink(env.DB, { pageTypes: () => POPULATION_PAGE_TYPES });
          for (const messages of consumerBatches(kept)) await sink.write(messages);
        } else {
          // The D1 sink before insights: the events rows alone (INSERT OR IGNORE, 6 rows of 16 columns per statement), 50 statements per D1 batch.
          const statements = insertEventsStatements(kept, null, () => POPULATION_PAGE_TYPES);
          for (let i = 0; i < statements.length; i += 50) {
            await env.BASELINE.batch(
              statements.slice(i, i + 50).map(({ sql, params }) => env.BASELINE.prepare(sql).bind(...params)),
            );
          }
        }
        return Response.json({ events: kept.length });
      }
      case '/rebuild':
        kept = [];
        return Response.json({ rebuilt: await rebuildDirtyDays(d1Engine(env.DB), Number(query('days'))) });
      case '/report': {
        const name = query('name') as ReportName;
        const report = await REPORTS[name](d1Engine(env.DB), { site: query('site'), from: query('from'), to: query('to') });
        return Response.json({ report: report.report, page_views: report.modes.granted.coverage.page_views });
      }
      case '/count':
        return Response.json(
          await env.DB.prepare(
            `SELECT COUNT(*) AS n FROM ${query('table') === 'ins_page_views' ? 'ins_page_views' : 'events'}`,
          ).first(),
        );
      case '/ready':
        return Response.json({ ok: true });
      default:
        return new Response('not found', { status: 404 });
    }
  },
};
