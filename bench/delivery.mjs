// Delivery: in Chromium against the real local stack (wrangler dev: Worker,
// Queue, D1), 1,000 events tracked while the connection flaps offline/online
// ten times with two reloads; counts delivered, lost and duplicated, before
// and after D1's dedupe on event id. Then the sinks under a failing webhook
// (bench/lib/sink-faults.mjs): copies per event in each sink, time to recover,
// time to dead-letter.
import { createServer } from 'node:http';
import { existsSync, mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { launchChromium, newHumanContext } from './lib/chromium.mjs';
import { runSection } from './lib/section.mjs';
import { startWranglerDev, applyD1Migrations, queryD1 } from './lib/wrangler.mjs';
import { snapshotWorker } from './lib/snapshot.mjs';
import { measureSinkFaults, sinkFaultReport } from './lib/sink-faults.mjs';

const root = fileURLToPath(new URL('..', import.meta.url));
const EVENT = 'bench_delivery';
const CYCLES = 10;
const PER_HALF = 50; // events tracked online, then offline, in each cycle: 10 × 2 × 50 = 1,000
const TOTAL = CYCLES * 2 * PER_HALF;
const RELOAD_ONLINE_AFTER = 3;
const RELOAD_OFFLINE_IN = 7;
const DRAIN_TIMEOUT_MS = 90_000;
const sleep = (ms) => new Promise((r) => setTimeout(r, ms));

/** The shop page, on its own origin, loading the SDK from the Worker (whose origin is set once it runs). */
async function startPageServer() {
  let collectorOrigin = '';
  const html = () => `<!doctype html><html lang="en"><head><meta charset="utf-8"><title>Delivery bench</title></head><body>
<h1>Delivery bench</h1><p>${'Products. '.repeat(100)}</p>
<script async src="${collectorOrigin}/pathmark.js" data-site="demo" data-endpoint="${collectorOrigin}/v1/events" data-consent="granted"></script>
</body></html>`;
  const server = createServer((req, res) => {
    if (req.url === '/' || req.url.startsWith('/?')) {
      res.writeHead(200, { 'content-type': 'text/html; charset=utf-8', 'cache-control': 'no-store' });
      res.end(html());
    } else {
      res.writeHead(404);
      res.end();
    }
  });
  await new Promise((resolve) => server.listen(0, '127.0.0.1', resolve));
  return {
    origin: `http://127.0.0.1:${server.address().port}`,
    setCollector: (origin) => {
      collectorOrigin = origin;
    },
    close: () =>
      new Promise((r) => {
        server.closeAllConnections();
        server.close(r);
      }),
  };
}

/** What the browser sent: every POST to /v1/events with the bench events it carried and how it ended. */
function watchRequests(context) {
  const attempts = new Map();
  const eventsIn = (request) => {
    try {
      const batch = JSON.parse(request.postData() ?? '');
      return (batch.events ?? []).filter((e) => e.name === EVENT).map((e) => ({ id: e.id, n: e.props?.n }));
    } catch {
      return [];
    }
  };
  context.on('request', (request) => {
    if (request.method() === 'POST' && request.url().includes('/v1/events'))
      attempts.set(request, { events: eventsIn(request), status: 'pending' });
  });
  context.on('requestfinished', async (request) => {
    const attempt = attempts.get(request);
    if (attempt) attempt.status = (await request.response().catch(() => null))?.status() ?? 'no response';
  });
  context.on('requestfailed', (request) => {
    const attempt = attempts.get(request);
    if (attempt) attempt.status = `failed: ${request.failure()?.errorText ?? '?'}`;
  });
  return attempts;
}

async function trackBurst(page, from, count) {
  await page.waitForFunction(() => typeof window.pathmark?.track === 'function', undefined, { timeout: 15_000 });
  await page.evaluate(
    ({ name, from, count }) => {
      for (let n = from; n < from + count; n++) window.pathmark.track(name, { n });
    },
    { name: EVENT, from, count },
  );
}

async function d1Counts(config, persistTo) {
  const [row] = await queryD1({
    config,
    persistTo,
    sql: `SELECT COUNT(*) AS rows, COUNT(DISTINCT json_extract(record, '$.props.n')) AS distinct_n FROM events WHERE name = '${EVENT}'`,
  });
  return { rows: Number(row?.rows ?? 0), distinctN: Number(row?.distinct_n ?? 0) };
}

async function receivedByCollector(config, persistTo) {
  const rows = await queryD1({ config, persistTo, sql: 'SELECT raw FROM inspect_batches' });
  const ids = [];
  const ns = new Set();
  const seen = new Set();
  const duplicated = new Set();
  for (const { raw } of rows) {
    try {
      for (const e of JSON.parse(raw).events ?? []) {
        if (e.name !== EVENT) continue;
        ids.push(e.id);
        ns.add(e.props?.n);
        if (seen.has(e.id)) duplicated.add(e.id);
        seen.add(e.id);
      }
    } catch {
      /* a raw body that did not parse carried nothing of ours */
    }
  }
  return { deliveries: rows.length, events: ids.length, distinctIds: seen.size, distinctN: ns.size, duplicated };
}

runSection(async () => {
  const base = {
    id: 'delivery',
    title: 'Delivery under a flapping connection and a failing sink',
    command: 'node bench/delivery.mjs',
  };
  for (const needed of ['sdk/dist/pathmark.js', 'collector/src/index.ts']) {
    if (!existsSync(root + needed)) return { ...base, failed: `${needed} does not exist yet` };
  }
  const persistTo = mkdtempSync(join(tmpdir(), 'pathmark-delivery-'));
  const snapshot = snapshotWorker();
  const config = snapshot.config;
  let collector;
  let pageServer;
  let browser;
  const timeline = [];
  const started = Date.now();
  const mark = (what) => timeline.push(`${((Date.now() - started) / 1000).toFixed(1)} s ${what}`);
  try {
    await applyD1Migrations({ config, persistTo });
    pageServer = await startPageServer();
    collector = await startWranglerDev({
      config,
      persistTo,
      readyPath: '/healthz',
      vars: { PATHMARK_INSPECTOR: '1', DEV_ALLOWED_ORIGINS: pageServer.origin },
    });
    pageServer.setCollector(collector.origin);
    mark('collector ready');
    browser = await launchChromium();
    const context = await newHumanContext(browser);
    const attempts = watchRequests(context);
    const page = await context.newPage();
    const pageErrors = [];
    page.on('pageerror', (e) => pageErrors.push(e.message));
    await page.goto(pageServer.origin, { waitUntil: 'load' });
    mark('page loaded');

    let n = 0;
    let reloads = 0;
    for (let cycle = 0; cycle < CYCLES; cycle++) {
      await trackBurst(page, n, PER_HALF);
      n += PER_HALF;
      await sleep(400);
      await context.setOffline(true);
      mark(`cycle ${cycle + 1}: offline after ${n} events`);
      await trackBurst(page, n, PER_HALF);
      n += PER_HALF;
      await sleep(600);
      if (cycle === RELOAD_OFFLINE_IN) {
        // Offline reload: the page cannot even fetch itself, so reload once back online, right away.
        await context.setOffline(false);
        await page.reload({ waitUntil: 'load' });
        reloads++;
        mark(`cycle ${cycle + 1}: back online and reloaded immediately`);
      } else {
        await context.setOffline(false);
        mark(`cycle ${cycle + 1}: online`);
      }
      if (cycle === RELOAD_ONLINE_AFTER) {
        await page.reload({ waitUntil: 'load' });
        reloads++;
        mark(`cycle ${cycle + 1}: reloaded`);
      }
      await sleep(300);
    }
    mark(`${n} events tracked; waiting for delivery`);

    let counts = await d1Counts(config, persistTo);
    let lastProgress = Date.now();
    const drainStart = Date.now();
    while (counts.distinctN < TOTAL && Date.now() - drainStart < DRAIN_TIMEOUT_MS && Date.now() - lastProgress < 30_000) {
      await sleep(2000);
      const next = await d1Counts(config, persistTo);
      if (next.rows !== counts.rows) lastProgress = Date.now();
      counts = next;
    }
    await sleep(3000); // late duplicates, if any, land too
    counts = await d1Counts(config, persistTo);
    mark(`D1 holds ${counts.distinctN} distinct events`);
    const received = await receivedByCollector(config, persistTo);
    await context.close();

    const sentAttempts = [...attempts.values()].filter((a) => a.events.length > 0);
    const accepted = sentAttempts.filter((a) => a.status === 202);
    const otherStatuses = {};
    for (const a of sentAttempts) if (a.status !== 202) otherStatuses[a.status] = (otherStatuses[a.status] ?? 0) + 1;
    const idsPerN = new Map();
    for (const a of sentAttempts) for (const e of a.events) (idsPerN.get(e.n) ?? idsPerN.set(e.n, new Set()).get(e.n)).add(e.id);
    const reIdentified = [...idsPerN.values()].filter((ids) => ids.size > 1).length;
    const acceptedEvents = accepted.reduce((s, a) => s + a.events.length, 0);
    // Where the duplicates came from: requests the browser saw fail or abort that the collector had in fact received.
    const unconfirmed = sentAttempts.filter((a) => a.status !== 202);
    const dupInUnconfirmed = [...received.duplicated].filter((id) =>
      unconfirmed.some((a) => a.events.some((e) => e.id === id)),
    ).length;

    await collector.stop();
    collector = undefined;
    await browser.close();
    browser = undefined;
    mark('flapping part done');
    let faults;
    try {
      faults = sinkFaultReport(await measureSinkFaults(config));
    } catch (error) {
      faults = {
        targets: [],
        table: null,
        notes: [`Failing sink: not measured: ${error instanceof Error ? error.message : error}`],
      };
    }

    const lost = TOTAL - counts.distinctN;
    const dupBefore = received.events - received.distinctIds;
    const dupAfter = counts.rows - counts.distinctN;
    return {
      ...base,
      targets: [
        { target: '0 lost', result: `${lost}`, met: lost === 0 },
        { target: '0 duplicates after D1 dedupe', result: `${dupAfter}`, met: dupAfter === 0 },
        ...faults.targets,
      ],
      tables: [
        {
          columns: ['Measure', 'Count'],
          formats: ['text', 'int'],
          rows: [
            ['Events tracked (`pathmark.track`, consent granted)', TOTAL],
            ['Offline/online flaps; reloads', `${CYCLES}; ${reloads}`],
            ['Requests carrying bench events (all attempts)', sentAttempts.length],
            ['… answered 202', accepted.length],
            [
              '… other outcomes',
              Object.entries(otherStatuses)
                .map(([k, v]) => `${k}: ${v}`)
                .join(', ') || 'none',
            ],
            ['Bench events in 202-answered requests, as the browser saw them', acceptedEvents],
            ['Deliveries received by the collector (inspect_batches rows, all batches)', received.deliveries],
            ['Bench events received by the collector (before dedupe)', received.events],
            ['… distinct event ids', received.distinctIds],
            ['Duplicates before dedupe (received − distinct ids)', dupBefore],
            ['… of which were in a request the browser saw fail or abort (then re-sent)', dupInUnconfirmed],
            ['Events whose SDK id changed between attempts (same n, new id)', reIdentified],
            ['Rows in D1 `events` for the bench events (after dedupe)', counts.rows],
            ['Distinct events in D1 (by the tracked sequence number n)', counts.distinctN],
            ['**Lost** (tracked − distinct in D1)', lost],
            ['**Duplicates after dedupe** (rows − distinct)', dupAfter],
          ],
        },
        ...(faults.table ? [faults.table] : []),
      ],
      notes: [
        `A page on its own loopback origin loads \`/pathmark.js\` from the collector (wrangler dev on a copy of the sources taken when the section starts, wrangler.toml, \`PATHMARK_INSPECTOR=1\`, \`DEV_ALLOWED_ORIGINS\` = the page's origin, D1 migrations applied to a fresh \`--persist-to\` directory) and sends to its \`/v1/events\`; Chromium as in section 2, user agent of desktop Chrome (the collector drops bots).`,
        `Each of the ${CYCLES} cycles: ${PER_HALF} \`track('${EVENT}', { n })\` calls online, 0.4 s, offline (\`context.setOffline(true)\`), ${PER_HALF} more calls, 0.6 s, back online, 0.3 s. Reload ${RELOAD_ONLINE_AFTER + 1} happens online after cycle ${RELOAD_ONLINE_AFTER + 1}; the other immediately on coming back online at the end of cycle ${RELOAD_OFFLINE_IN + 1}, with that cycle's offline events still queued.`,
        `Then D1 is polled (\`wrangler d1 execute --local\`) until every n is there, progress stops for 30 s, or ${DRAIN_TIMEOUT_MS / 1000} s pass. "Received by the collector" counts the raw batches the inspector keeps in D1 \`inspect_batches\` (one row per accepted POST, before anonymization).`,
        ...(pageErrors.length ? [`Page errors: ${pageErrors.slice(0, 3).join('; ')}`] : []),
        `Timeline: ${timeline.join('; ')}.`,
        ...faults.notes,
      ],
    };
  } finally {
    await browser?.close().catch(() => {});
    await pageServer?.close().catch(() => {});
    await collector?.stop().catch(() => {});
    rmSync(persistTo, { recursive: true, force: true });
    snapshot.remove();
  }
});
