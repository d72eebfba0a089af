#!/usr/bin/env node
// `npm run dead-letters -- <list|replay> [--sink r2|d1|webhook|unknown] [--url URL] [--limit N]`:
// lists the collector's dead letters, or replays them into the sink that failed, through the
// Worker's /v1/admin/dead-letters routes (docs/collector.md, "Dead letters").
import { parseArgs } from 'node:util';

const usage = `Usage: npm run dead-letters -- <list|replay> [options]

  list      Archived dead letters: sink, attempts, last error, batch, events.
  replay    Writes them into the sink that failed (every sink for "unknown"), then removes
            them from the archive. Safe to run again: replayed letters are gone, and R2 and
            D1 keep one copy of a message they already hold.

Options:
  --sink S    r2, d1, webhook or unknown (default: all)
  --url URL   the collector's origin (default: $PATHMARK_URL or http://localhost:8787)
  --limit N   archive objects per request (replay: 1-100, default 10; list: 1-1000, default 100)
  --json      print the answers as JSON

The ADMIN_TOKEN secret goes in $PATHMARK_ADMIN_TOKEN; wrangler dev on localhost needs none.`;

const { values, positionals } = parseArgs({
  allowPositionals: true,
  options: {
    sink: { type: 'string' },
    url: { type: 'string', default: process.env.PATHMARK_URL ?? 'http://localhost:8787' },
    limit: { type: 'string' },
    json: { type: 'boolean', default: false },
    help: { type: 'boolean', short: 'h', default: false },
  },
});
const command = positionals[0];
if (values.help || (command !== 'list' && command !== 'replay')) {
  console.log(usage);
  process.exit(values.help ? 0 : 2);
}

const headers = process.env.PATHMARK_ADMIN_TOKEN ? { Authorization: `Bearer ${process.env.PATHMARK_ADMIN_TOKEN}` } : {};

async function call(path, query) {
  const url = new URL(path, values.url);
  for (const [key, value] of Object.entries(query)) if (value !== undefined) url.searchParams.set(key, String(value));
  const response = await fetch(url, { method: command === 'replay' ? 'POST' : 'GET', headers });
  const text = await response.text();
  if (!response.ok) throw new Error(`${url.pathname} answered ${response.status}: ${text.slice(0, 500)}`);
  return JSON.parse(text);
}

const query = { sink: values.sink, limit: values.limit };
let failedObjects = 0;
try {
  if (command === 'list') {
    let total = 0;
    for (let after; ;) {
      const page = await call('/v1/admin/dead-letters', { ...query, after });
      if (values.json) console.log(JSON.stringify(page));
      else {
        for (const letter of page.dead_letters) {
          console.log(
            `${letter.sink}\t${letter.attempts ?? '?'} attempts\t${letter.events} events\tbatch ${letter.batch_id ?? '-'}\t${letter.dead_lettered_at}\t${letter.last_error}`,
          );
        }
      }
      total += page.dead_letters.length;
      if (!page.next) break;
      after = page.next;
    }
    if (!values.json) console.log(`${total} dead letters`);
  } else {
    let replayedObjects = 0;
    let events = 0;
    for (let after; ;) {
      const report = await call('/v1/admin/dead-letters/replay', { ...query, after });
      if (values.json) console.log(JSON.stringify(report));
      for (const entry of report.replayed) {
        replayedObjects++;
        events += entry.events;
        if (!values.json)
          console.log(`replayed into ${entry.sink}: ${entry.messages} messages, ${entry.events} events (${entry.key})`);
      }
      for (const entry of report.failed) {
        failedObjects++;
        if (!values.json) console.error(`kept ${entry.key}: ${entry.error}`);
      }
      // Failed objects stay in the archive; `next` goes on after them rather than reading them again.
      if (!report.next) break;
      after = report.next;
    }
    if (!values.json) console.log(`${replayedObjects} archive objects replayed (${events} events); ${failedObjects} kept`);
  }
} catch (error) {
  console.error(error instanceof Error ? error.message : error);
  process.exit(1);
}
process.exit(failedObjects > 0 ? 1 : 0);
