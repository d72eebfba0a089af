// A failing sink costs the healthy ones nothing: a shopper's events through wrangler dev
// while a real webhook receiver fails for a while, fails for good, or is misconfigured.
import { execFile } from 'node:child_process';
import type { Browser } from 'playwright-core';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { ForwardedRecord } from '../../collector/src/core/record.ts';
import type { DeadLetterSummary } from '../../collector/src/dead-letters.ts';
import type { InspectResponse } from '../../collector/src/inspect.ts';
import { repoRoot } from '../stack.mjs';
import {
  acceptedEvents,
  allAnswered,
  chooseConsent,
  launchBrowser,
  newShopperContext,
  recordCollectorRequests,
  sentEvents,
} from './support/browser.ts';
import { startOwnStack, type OwnStack } from './support/own-stack.ts';
import { waitFor } from './support/sink.ts';
import { startWebhookReceiver, type WebhookReceiver } from './support/webhook-receiver.ts';

/** Attempts before a sink's consumer dead-letters a message (MAX_ATTEMPTS in collector/src/retry.ts). */
const MAX_ATTEMPTS = 6;

let browser: Browser;
beforeAll(async () => {
  browser = await launchBrowser();
});
afterAll(async () => {
  await browser?.close();
});

/**
 * A shopper who accepts, views a product, adds it to the cart and leaves the store; resolves with the ids of every
 * event the collector accepted from them. The context closes only once the product page's `page_leave` (sent with
 * keepalive as the page goes away, where Playwright may not see it) is in D1: one sent as the context closes may or may
 * not arrive, and one arriving late turned up in a later assertion (a dead letter after the replay), while one never
 * arriving cannot be waited for.
 */
async function shop(origin: string): Promise<string[]> {
  const context = await newShopperContext(browser, origin);
  const log = recordCollectorRequests(context);
  const page = await context.newPage();
  await page.goto('/c/kitchen');
  await chooseConsent(page, 'Accept');
  await page.locator('.grid .card').first().click();
  await page.waitForURL('**/p/*');
  await page.getByRole('button', { name: 'Add to cart' }).click();
  const sent = await waitFor(
    () => sentEvents(log),
    (events) => events.some((event) => event.name === 'add_to_cart') && allAnswered(log),
    { describe: (events) => `sent so far: ${events.map((event) => event.name).join(', ')}` },
  );
  const productPage = sent.find((event) => event.name === 'add_to_cart')!.page_id;
  await page.goto('about:blank');
  const leave = await waitFor(
    async () => (await d1Records(origin)).find((record) => record.name === 'page_leave' && record.page_id === productPage),
    (found) => found !== undefined,
    { timeoutMs: 45_000, intervalMs: 500, describe: () => 'the product page’s page_leave never reached D1' },
  );
  await context.close();
  const ids = [...new Set([...acceptedEvents(log).map((event) => event.id), leave!.event_id])];
  expect(ids.length).toBeGreaterThanOrEqual(5);
  return ids;
}

/** D1 `events` rows through the development inspector. */
async function d1Records(origin: string): Promise<ForwardedRecord[]> {
  const { records } = (await (await fetch(`${origin}/v1/inspect?limit=1000`)).json()) as InspectResponse;
  return records.map((entry) => entry.record);
}

/** Copies of each event in the R2 archive, from the development inspector's archive listing. */
async function r2Copies(origin: string): Promise<Map<string, number>> {
  const copies = new Map<string, number>();
  for (let after: string | null = ''; after !== null;) {
    const response = await fetch(`${origin}/v1/inspect/archive?limit=1000${after ? `&after=${encodeURIComponent(after)}` : ''}`);
    const page = (await response.json()) as { objects: { event_ids: string[] }[]; next: string | null };
    for (const object of page.objects) for (const id of object.event_ids) copies.set(id, (copies.get(id) ?? 0) + 1);
    after = page.next;
  }
  return copies;
}

/**
 * Rows of each of `ids` in D1's `events` table, with their batch, read through the
 * development inspector (an HTTP call: a synchronous `wrangler d1 execute` would stall
 * the webhook receiver, which answers from this process).
 */
async function d1Rows(stack: OwnStack, ids: readonly string[]): Promise<Map<string, { rows: number; batch: string }>> {
  const wanted = new Set(ids);
  const rows = new Map<string, { rows: number; batch: string }>();
  for (const record of await d1Records(stack.origin)) {
    if (!wanted.has(record.event_id)) continue;
    rows.set(record.event_id, { rows: (rows.get(record.event_id)?.rows ?? 0) + 1, batch: record.batch_id });
  }
  return rows;
}

const d1Copies = async (stack: OwnStack, ids: readonly string[]) =>
  new Map([...(await d1Rows(stack, ids))].map(([id, { rows }]) => [id, rows]));

const everyOnce = (copies: Map<string, number>, ids: readonly string[]) => ids.map((id) => [id, copies.get(id) ?? 0]);
const once = (ids: readonly string[]) => ids.map((id) => [id, 1]);

async function deadLetters(origin: string): Promise<DeadLetterSummary[]> {
  const response = await fetch(`${origin}/v1/admin/dead-letters?sink=webhook&limit=1000`);
  expect(response.status).toBe(200);
  return ((await response.json()) as { dead_letters: DeadLetterSummary[] }).dead_letters;
}

/** Runs `npm run dead-letters` against the stack; asynchronously, as the webhook receiver answers from this process. */
function deadLettersCommand(
  origin: string,
  ...args: string[]
): Promise<{ status: number | null; stdout: string; stderr: string }> {
  return new Promise((resolve) => {
    execFile(
      process.execPath,
      ['collector/bin/dead-letters.mjs', ...args, '--url', origin],
      { cwd: repoRoot, timeout: 60_000 },
      (error, stdout, stderr) =>
        resolve({ status: error ? (typeof error.code === 'number' ? error.code : 1) : 0, stdout, stderr }),
    );
  });
}

describe('a webhook that fails, with R2 and D1 healthy', () => {
  let receiver: WebhookReceiver;
  let stack: OwnStack;
  beforeAll(async () => {
    receiver = await startWebhookReceiver();
    // Short retries (0.5 s base: 1, 1, 2, 4, 8 s) so that a message runs out of attempts within a test.
    stack = await startOwnStack({ FORWARD_URL: receiver.url, WEBHOOK_SECRET: receiver.secret, RETRY_BASE_SECONDS: '0.5' });
  });
  afterAll(async () => {
    await stack?.stop();
    await receiver?.close();
  });

  it('for a while: R2 and D1 hold every event once while it is down; it gets every event once it recovers', async () => {
    let down = true;
    receiver.answer = () => (down ? 500 : 200);
    const ids = await shop(stack.origin);

    // While the webhook answers 500 to every attempt, the healthy sinks take every event.
    await waitFor(
      async () => ({ r2: await r2Copies(stack.origin), d1: await d1Copies(stack, ids) }),
      ({ r2, d1 }) => ids.every((id) => r2.has(id) && d1.has(id) && receiver.attemptsOf(id).length > 0),
      {
        timeoutMs: 45_000,
        intervalMs: 1000,
        describe: ({ r2, d1 }) =>
          `of ${ids.length}: R2 ${ids.filter((id) => r2.has(id)).length}, D1 ${d1.size}, webhook tried ${ids.filter((id) => receiver.attemptsOf(id).length > 0).length}`,
      },
    );
    expect(receiver.deliveries.every((delivery) => delivery.status === 500)).toBe(true);
    down = false;

    const delivered = await waitFor(
      () => receiver.delivered(),
      (counts) => ids.every((id) => (counts.get(id) ?? 0) >= 1),
      {
        timeoutMs: 45_000,
        intervalMs: 500,
        describe: (counts) => `${ids.filter((id) => counts.has(id)).length} of ${ids.length} delivered`,
      },
    );
    expect(ids.filter((id) => !delivered.has(id))).toEqual([]);
    // However many attempts the webhook took, R2 and D1 kept one copy of each event.
    expect(everyOnce(await r2Copies(stack.origin), ids)).toEqual(once(ids));
    expect(everyOnce(await d1Copies(stack, ids), ids)).toEqual(once(ids));
    expect(await deadLetters(stack.origin)).toEqual([]);
  });

  it('for good: dead letters name the sink, the attempts and the error; the replay command delivers them, once', async () => {
    receiver.answer = () => 500;
    const ids = await shop(stack.origin);
    const batches = await waitFor(
      () => d1Rows(stack, ids),
      (found) => found.size === ids.length,
      { timeoutMs: 45_000, intervalMs: 1000, describe: (found) => `${found.size} of ${ids.length} in D1` },
    ).then((rows) => new Set([...rows.values()].map((row) => row.batch)));
    const letters = await waitFor(
      async () => (await deadLetters(stack.origin)).filter((letter) => batches.has(letter.batch_id ?? '')),
      (found) => new Set(found.map((letter) => letter.batch_id)).size === batches.size,
      { timeoutMs: 90_000, intervalMs: 1000, describe: (found) => `${found.length} letters for ${batches.size} batches` },
    );
    for (const letter of letters) {
      expect(letter).toMatchObject({
        sink: 'webhook',
        queue: 'pathmark-sink-webhook',
        attempts: MAX_ATTEMPTS,
        last_error: 'webhook answered 500',
      });
    }
    for (const id of ids) {
      const attempts = receiver.attemptsOf(id);
      expect(
        attempts.map((delivery) => delivery.status),
        `${id}: ${JSON.stringify(attempts.map((d) => d.at))}\n${stack.output().slice(-6000)}`,
      ).toEqual(Array(MAX_ATTEMPTS).fill(500));
    }
    expect(everyOnce(await r2Copies(stack.origin), ids)).toEqual(once(ids));
    expect(everyOnce(await d1Copies(stack, ids), ids)).toEqual(once(ids));

    // The receiver is fixed; the documented command replays the dead letters into it.
    receiver.answer = () => 200;
    const listed = await deadLettersCommand(stack.origin, 'list', '--sink', 'webhook');
    expect(listed.status).toBe(0);
    expect(listed.stdout).toContain(`webhook\t${MAX_ATTEMPTS} attempts`);
    const replay = await deadLettersCommand(stack.origin, 'replay', '--sink', 'webhook');
    expect(replay.status, replay.stderr).toBe(0);
    expect(replay.stdout).toMatch(/replayed into webhook/);
    expect(everyOnce(receiver.delivered(), ids)).toEqual(once(ids));

    const again = await deadLettersCommand(stack.origin, 'replay', '--sink', 'webhook');
    expect(again.status).toBe(0);
    expect(again.stdout).toContain('0 archive objects replayed (0 events)');
    expect(everyOnce(receiver.delivered(), ids)).toEqual(once(ids));
    expect(await deadLetters(stack.origin)).toEqual([]);
    expect(everyOnce(await r2Copies(stack.origin), ids)).toEqual(once(ids));
  }, 180_000);
});

describe('a webhook URL without its secret', () => {
  let receiver: WebhookReceiver;
  let stack: OwnStack;
  beforeAll(async () => {
    receiver = await startWebhookReceiver();
    stack = await startOwnStack({ FORWARD_URL: receiver.url }, { waitForHealth: false });
  });
  afterAll(async () => {
    await stack?.stop();
    await receiver?.close();
  });

  it('is reported as wrangler dev starts and by /healthz; its messages become dead letters at once, R2 and D1 unaffected', async () => {
    // Before any request: the Worker logs the problem as it loads.
    await waitFor(
      () => stack.output(),
      (output) => output.includes('pathmark: misconfigured: webhook sink: FORWARD_URL is set but WEBHOOK_SECRET is not'),
      {
        timeoutMs: 15_000,
        describe: (output) => output.slice(-2000),
      },
    );

    const health = await fetch(`${stack.origin}/healthz`);
    expect(health.status).toBe(503);
    expect(await health.json()).toMatchObject({
      status: 'misconfigured',
      sinks: { r2: 'ok', d1: 'ok', webhook: { problem: expect.stringContaining('WEBHOOK_SECRET') } },
    });

    const ids = await shop(stack.origin);
    await waitFor(
      async () => ({ r2: await r2Copies(stack.origin), d1: await d1Copies(stack, ids) }),
      ({ r2, d1 }) => ids.every((id) => r2.get(id) === 1 && d1.get(id) === 1),
      { timeoutMs: 45_000, intervalMs: 1000 },
    );
    const letters = await waitFor(
      () => deadLetters(stack.origin),
      (found) => found.reduce((n, letter) => n + letter.events, 0) >= ids.length,
      {
        timeoutMs: 30_000,
        intervalMs: 1000,
      },
    );
    for (const letter of letters)
      expect(letter).toMatchObject({ sink: 'webhook', attempts: 0, last_error: expect.stringContaining('WEBHOOK_SECRET') });
    expect(receiver.deliveries).toEqual([]);
  }, 120_000);
});
