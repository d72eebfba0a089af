// Delivery with a failing sink: the collector under wrangler dev with its three sinks
// (R2, D1, a signed webhook to a local receiver), while the webhook is healthy, down
// for 30 s, and down for good (then replayed). Counts the copies of each event in each
// sink and times how long the healthy sinks, the recovery and the dead-lettering take.
import { createHmac } from 'node:crypto';
import { createServer } from 'node:http';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { applyD1Migrations, startWranglerDev } from './wrangler.mjs';

const BATCHES = 30;
const EVENTS_PER_BATCH = 10;
const OUTAGE_MS = 30_000;
/** RETRY_BASE_SECONDS for the run: 2, 4, 8, 16, 32 s between the 6 attempts (the default 10 s gives 10 … 160 s). */
const RETRY_BASE_SECONDS = 2;
const TIMEOUT_MS = 180_000;
const SECRET = `bench-${crypto.randomUUID()}`;
const USER_AGENT = 'Mozilla/5.0 (X11; Linux x86_64) AppleWebKit/537.36 (KHTML, like Gecko) Chrome/131.0.0.0 Safari/537.36';
const sleep = (ms) => new Promise((resolve) => setTimeout(resolve, ms));

/** A webhook endpoint as an operator would run one: checks the signature, answers 500 while down. */
async function startReceiver() {
  const receiver = { down: false, deliveries: [] };
  const server = createServer((request, response) => {
    const chunks = [];
    request.on('data', (chunk) => chunks.push(chunk));
    request.on('end', () => {
      const body = Buffer.concat(chunks).toString('utf8');
      const { t, v1 } = Object.fromEntries(
        String(request.headers['x-pathmark-signature'] ?? '')
          .split(',')
          .map((part) => part.split('=')),
      );
      const signed = v1 === createHmac('sha256', SECRET).update(`${t}.${body}`).digest('hex');
      const status = !signed ? 401 : receiver.down ? 500 : 200;
      const eventIds = signed ? JSON.parse(body).records.map((record) => record.event_id) : [];
      receiver.deliveries.push({ at: Date.now(), status, eventIds });
      response.writeHead(status).end();
    });
  });
  // Node closes idle connections after 5 s, sooner than workerd may reuse them (a request then never arrives).
  server.keepAliveTimeout = 60_000;
  await new Promise((resolve) => server.listen(0, '127.0.0.1', resolve));
  receiver.url = `http://127.0.0.1:${server.address().port}/pathmark`;
  receiver.close = () =>
    new Promise((resolve) => {
      server.closeAllConnections();
      server.close(resolve);
    });
  /** 2xx copies and attempts (any status) per event id. */
  receiver.count = (ids) => {
    const delivered = new Map(ids.map((id) => [id, 0]));
    const attempts = new Map(ids.map((id) => [id, 0]));
    for (const delivery of receiver.deliveries) {
      for (const id of delivery.eventIds) {
        if (!attempts.has(id)) continue;
        attempts.set(id, attempts.get(id) + 1);
        if (delivery.status < 300) delivered.set(id, delivered.get(id) + 1);
      }
    }
    return { delivered, attempts };
  };
  return receiver;
}

function makeBatch() {
  const now = Date.now();
  const pageId = crypto.randomUUID();
  const events = Array.from({ length: EVENTS_PER_BATCH }, (_, seq) => ({
    id: crypto.randomUUID(),
    ts: now - 500 + seq,
    seq,
    page_id: pageId,
    name: 'page_view',
    url: 'http://localhost:8787/c/kitchen?utm_source=bench',
    title: 'Kitchen — Pathmark demo',
    props: { navigation: 'load', page_index: seq + 1 },
  }));
  return { v: 1, site: 'demo', consent: 'anonymous', sent_at: now, sdk: 'pathmark-js/bench', events };
}

/** Posts the scenario's batches as a browser would; resolves with their event ids once all are accepted. */
async function postBatches(origin) {
  const batches = Array.from({ length: BATCHES }, makeBatch);
  const answers = await Promise.all(
    batches.map((batch) =>
      fetch(`${origin}/v1/events`, {
        method: 'POST',
        headers: { 'Content-Type': 'text/plain;charset=UTF-8', Origin: 'http://localhost:8787', 'User-Agent': USER_AGENT },
        body: JSON.stringify(batch),
      }),
    ),
  );
  const refused = answers.filter((answer) => answer.status !== 202).map((answer) => answer.status);
  await Promise.all(answers.map((answer) => answer.body?.cancel()));
  if (refused.length) throw new Error(`the collector refused batches: ${refused.join(', ')}`);
  return batches.flatMap((batch) => batch.events.map((event) => event.id));
}

/** Copies of each of `ids` in R2 (objects of the archive) and in D1 (rows), from the development inspector. */
async function sinkCopies(origin, ids) {
  const r2 = new Map(ids.map((id) => [id, 0]));
  for (let after = ''; after !== null;) {
    const page = await (
      await fetch(`${origin}/v1/inspect/archive?limit=1000${after ? `&after=${encodeURIComponent(after)}` : ''}`)
    ).json();
    for (const object of page.objects) for (const id of object.event_ids) if (r2.has(id)) r2.set(id, r2.get(id) + 1);
    after = page.next;
  }
  const d1 = new Map(ids.map((id) => [id, 0]));
  const batches = new Set();
  for (const { record } of (await (await fetch(`${origin}/v1/inspect?limit=1000`)).json()).records) {
    if (!d1.has(record.event_id)) continue;
    d1.set(record.event_id, d1.get(record.event_id) + 1);
    batches.add(record.batch_id);
  }
  return { r2, d1, batches };
}

async function deadLetters(origin, batches) {
  const letters = [];
  for (let after = ''; after !== null;) {
    const page = await (
      await fetch(`${origin}/v1/admin/dead-letters?sink=webhook&limit=1000${after ? `&after=${encodeURIComponent(after)}` : ''}`)
    ).json();
    letters.push(...page.dead_letters.filter((letter) => batches.has(letter.batch_id)));
    after = page.next;
  }
  return letters;
}

const all = (counts, predicate) => [...counts.values()].every(predicate);
/** "1" when every event has the same count, else "min–max". */
function spread(counts) {
  const values = [...counts.values()];
  const min = Math.min(...values);
  const max = Math.max(...values);
  return min === max ? String(min) : `${min}–${max}`;
}
const seconds = (ms) => (ms == null ? 'not within the timeout' : (ms / 1000).toFixed(ms < 1000 ? 2 : 1));

async function waitUntil(read, done) {
  const deadline = Date.now() + TIMEOUT_MS;
  for (;;) {
    const value = await read();
    if (done(value)) return { value, at: Date.now() };
    if (Date.now() > deadline) return { value, at: null };
    await sleep(250);
  }
}

async function scenario(origin, receiver, { name, outageMs }) {
  receiver.down = outageMs > 0;
  const started = Date.now();
  const ids = await postBatches(origin);
  const accepted = Date.now();
  const recoverAt = Number.isFinite(outageMs) && outageMs > 0 ? started + outageMs : null;
  const recovery = recoverAt
    ? sleep(recoverAt - Date.now()).then(() => {
        receiver.down = false;
      })
    : null;

  const healthy = await waitUntil(
    () => sinkCopies(origin, ids),
    ({ r2, d1 }) => all(r2, (n) => n >= 1) && all(d1, (n) => n >= 1),
  );
  const result = { name, events: ids.length, ids, healthyMs: healthy.at && healthy.at - accepted };
  if (Number.isFinite(outageMs)) {
    const webhook = await waitUntil(
      () => receiver.count(ids),
      ({ delivered }) => all(delivered, (n) => n >= 1),
    );
    await recovery;
    result.webhookMs = webhook.at && webhook.at - accepted;
    result.recoverMs = recoverAt && webhook.at ? webhook.at - recoverAt : null;
  } else {
    // Down for good: wait for every message's dead letter, then replay them into the webhook once it is back.
    const batches = healthy.value.batches;
    const dead = await waitUntil(
      () => deadLetters(origin, batches),
      (letters) => letters.reduce((n, letter) => n + letter.events, 0) >= ids.length,
    );
    result.deadLetterMs = dead.at && dead.at - accepted;
    result.letters = dead.value;
    result.beforeReplay = receiver.count(ids);
    receiver.down = false;
    const replayStarted = Date.now();
    let replayedEvents = 0;
    for (let after = ''; after !== null;) {
      const report = await (
        await fetch(
          `${origin}/v1/admin/dead-letters/replay?sink=webhook&limit=100${after ? `&after=${encodeURIComponent(after)}` : ''}`,
          { method: 'POST' },
        )
      ).json();
      replayedEvents += report.replayed.reduce((n, entry) => n + entry.events, 0);
      after = report.next;
    }
    result.replayMs = Date.now() - replayStarted;
    result.replayedEvents = replayedEvents;
    const again = await (await fetch(`${origin}/v1/admin/dead-letters/replay?sink=webhook&limit=100`, { method: 'POST' })).json();
    result.secondReplayObjects = again.replayed.length;
  }
  await sleep(3000); // late copies, if any, land too
  const copies = await sinkCopies(origin, ids);
  Object.assign(result, { r2: copies.r2, d1: copies.d1, webhook: receiver.count(ids) });
  return result;
}

/**
 * Runs the three scenarios, each on a wrangler dev of its own from the snapshot `config`
 * (fresh state: polling the archive reads every object, so a shared one would slow the
 * later scenarios' clocks); returns their results.
 */
export async function measureSinkFaults(config) {
  const receiver = await startReceiver();
  const run = async (options) => {
    const persistTo = mkdtempSync(join(tmpdir(), 'pathmark-sink-faults-'));
    let collector;
    try {
      await applyD1Migrations({ config, persistTo });
      collector = await startWranglerDev({
        config,
        persistTo,
        readyPath: '/healthz',
        vars: {
          PATHMARK_INSPECTOR: '1',
          FORWARD_URL: receiver.url,
          WEBHOOK_SECRET: SECRET,
          RETRY_BASE_SECONDS: String(RETRY_BASE_SECONDS),
        },
      });
      const health = await (await fetch(`${collector.origin}/healthz`)).json();
      if (health.status !== 'ok') throw new Error(`/healthz: ${JSON.stringify(health)}`);
      return await scenario(collector.origin, receiver, options);
    } finally {
      await collector?.stop().catch(() => {});
      rmSync(persistTo, { recursive: true, force: true });
    }
  };
  try {
    const healthy = await run({ name: 'healthy', outageMs: 0 });
    const outage = await run({ name: 'down 30 s', outageMs: OUTAGE_MS });
    const forGood = await run({ name: 'down for good', outageMs: Infinity });
    return { healthy, outage, forGood };
  } finally {
    await receiver.close();
  }
}

/** The results as targets, a table and notes of the delivery section. */
export function sinkFaultReport({ healthy, outage, forGood }) {
  const once = (counts) => all(counts, (n) => n === 1);
  const maxAttempts = (counts) => Math.max(...counts.attempts.values());
  const lettersExplain =
    forGood.letters.length > 0 &&
    forGood.letters.every(
      (letter) => letter.sink === 'webhook' && letter.attempts === 6 && letter.last_error === 'webhook answered 500',
    );
  const ratio = (ms) => (ms != null && healthy.healthyMs ? `${(ms / healthy.healthyMs).toFixed(2)}×` : '—');
  return {
    targets: [
      {
        target: 'R2 and D1 hold each event once while the webhook fails',
        result: `R2 ${spread(outage.r2)} / ${spread(forGood.r2)}, D1 ${spread(outage.d1)} / ${spread(forGood.d1)} copies`,
        met: [outage.r2, outage.d1, forGood.r2, forGood.d1].every(once),
      },
      {
        target: 'the webhook gets each event at least once after it recovers, or after the replay',
        result: `${spread(outage.webhook.delivered)} / ${spread(forGood.webhook.delivered)} copies`,
        met: all(outage.webhook.delivered, (n) => n >= 1) && all(forGood.webhook.delivered, (n) => n >= 1),
      },
      {
        target: 'dead letters name the sink, 6 attempts and the last error',
        result: lettersExplain ? 'yes' : JSON.stringify(forGood.letters[0] ?? null),
        met: lettersExplain,
      },
    ],
    table: {
      caption: `Delivery with a failing webhook: ${BATCHES} batches of ${EVENTS_PER_BATCH} events per column, RETRY_BASE_SECONDS=${RETRY_BASE_SECONDS}`,
      columns: [
        'Measure',
        'Webhook healthy',
        `Webhook down ${OUTAGE_MS / 1000} s, then up`,
        'Webhook down for good, then replayed',
      ],
      formats: ['text', 'text', 'text', 'text'],
      rows: [
        ['Events', healthy.events, outage.events, forGood.events],
        ['Copies per event in R2 (archive lines)', spread(healthy.r2), spread(outage.r2), spread(forGood.r2)],
        ['Copies per event in D1 (rows)', spread(healthy.d1), spread(outage.d1), spread(forGood.d1)],
        [
          'Copies per event the webhook took (2xx)',
          spread(healthy.webhook.delivered),
          spread(outage.webhook.delivered),
          `${spread(forGood.beforeReplay.delivered)} before the replay, ${spread(forGood.webhook.delivered)} after`,
        ],
        [
          'Webhook attempts per event (any status), most',
          maxAttempts(healthy.webhook),
          maxAttempts(outage.webhook),
          `${maxAttempts(forGood.beforeReplay)} before the replay`,
        ],
        [
          'R2 and D1 hold every event, s after the last 202',
          seconds(healthy.healthyMs),
          `${seconds(outage.healthyMs)} (${ratio(outage.healthyMs)} healthy)`,
          `${seconds(forGood.healthyMs)} (${ratio(forGood.healthyMs)} healthy)`,
        ],
        ['The webhook holds every event, s after the last 202', seconds(healthy.webhookMs), seconds(outage.webhookMs), '—'],
        [`Time to recover: from the webhook's recovery to its last event, s`, '—', seconds(outage.recoverMs), '—'],
        [
          'Time to dead-letter: from the last 202 to every message archived as a dead letter, s',
          '—',
          '—',
          seconds(forGood.deadLetterMs),
        ],
        [
          'Replay (`POST /v1/admin/dead-letters/replay` until done): s; events; objects replayed by a second run',
          '—',
          '—',
          `${seconds(forGood.replayMs)}; ${forGood.replayedEvents}; ${forGood.secondReplayObjects}`,
        ],
      ],
    },
    notes: [
      `Failing sink: a wrangler dev of its own per column (same snapshot, fresh state) with \`FORWARD_URL\` = a receiver in the bench process that checks the signature and answers 500 while down, \`RETRY_BASE_SECONDS=${RETRY_BASE_SECONDS}\`. Each column posts ${BATCHES} batches of ${EVENTS_PER_BATCH} page views at once (one IP address and user agent, one page view per batch), then polls \`/v1/inspect/archive\` (R2), \`/v1/inspect\` (D1), the receiver's log and \`/v1/admin/dead-letters\` every 0.25 s. Copies are counted 3 s after the last condition held.`,
      `With \`RETRY_BASE_SECONDS=${RETRY_BASE_SECONDS}\` a message's 6 attempts are ${[0, 1, 2, 3, 4].map((i) => RETRY_BASE_SECONDS * 2 ** i).join(', ')} s apart (plus a 2 s batch window each); with the default 10 s they are 10, 20, 40, 80, 160 s apart, so a webhook down for good is dead-lettered after about 5.5 minutes and one down 30 s recovers at its third or fourth attempt. Before the sinks had a queue each (issue 11), the same outage left about 5 copies of each event in R2, and a webhook down for good 6.`,
    ],
  };
}
