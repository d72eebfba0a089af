import type { Browser, BrowserContext, Page } from 'playwright-core';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import {
  acceptedEvents,
  chooseConsent,
  deviceStorage,
  launchBrowser,
  newShopperContext,
  recordCollectorRequests,
  sentEvents,
  stayActive,
  type CollectorRequest,
} from './support/browser.ts';
import { batchesSince, d1Events, forwardedRecords, sqlString, waitFor, waitForRecords } from './support/sink.ts';
import { stackInfo } from './support/stack-info.ts';

/** The store's own keys (consent choice, cart): sessionStorage, never tracking data. */
const STORE_KEYS = /^pathmark-demo\./;

/** The flush interval is 5 s: staying this long proves a request would have been made. */
const LONGER_THAN_A_FLUSH = 6000;

let browser: Browser;
beforeAll(async () => {
  browser = await launchBrowser();
});
afterAll(async () => {
  await browser?.close();
});

async function shopper(): Promise<{ context: BrowserContext; page: Page; log: CollectorRequest[] }> {
  const context = await newShopperContext(browser, stackInfo().origin);
  const log = recordCollectorRequests(context);
  return { context, page: await context.newPage(), log };
}

/** Browses the SPA: a search, a result, an add to cart, the cart. */
async function browseTheShop(page: Page, query: string): Promise<void> {
  await page.getByRole('searchbox', { name: 'Search gear' }).fill(query);
  await page.keyboard.press('Enter');
  await page.waitForURL(`**/search?q=${query}`);
  await page.locator('[data-pm-result]').first().click();
  await page.waitForURL('**/p/*');
  await page.getByRole('button', { name: 'Add to cart' }).click();
  await page.locator('.site-header .cart-link').click();
  await page.waitForURL('**/cart');
}

describe('Reject', () => {
  it('sends nothing to the collector and writes nothing to IndexedDB, cookies or localStorage', async () => {
    const { context, page, log } = await shopper();
    const start = Date.now();
    await page.goto('/');
    await chooseConsent(page, 'Reject');
    await browseTheShop(page, 'wool');
    // The plain-HTML journal, whose script tag starts `pending` until the banner's choice arrives.
    await page.getByRole('link', { name: 'Journal' }).first().click();
    await page.waitForURL('**/blog/');
    await page.locator('.journal-card').first().click();
    await page.waitForURL('**/blog/*/');
    await stayActive(page, LONGER_THAN_A_FLUSH);
    const stored = await deviceStorage(page);
    // Leaving the page is when an SDK flushes with sendBeacon: still nothing.
    await page.close({ runBeforeUnload: true });
    expect(log.map((r) => `${r.method} ${r.url}`)).toEqual([]);
    // A keepalive request outliving its page escapes Playwright's log: ask the collector too.
    expect(await batchesSince(start)).toEqual([]);
    expect(stored.indexedDb).toEqual([]);
    expect(stored.cookies).toEqual([]);
    expect(stored.localStorage).toEqual([]);
    expect(stored.sessionStorage.filter((key) => !STORE_KEYS.test(key))).toEqual([]);
    await context.close();
  });
});

describe('Anonymous only', () => {
  it('delivers events without any identifier and stores nothing on the device', async () => {
    const { context, page, log } = await shopper();
    await page.goto('/');
    await chooseConsent(page, 'Anonymous only');
    await browseTheShop(page, 'mug');
    const stored = await deviceStorage(page);

    const batches = await waitFor(
      () => log.filter((r) => r.batch),
      (sent) => sentEvents(sent).some((e) => e.name === 'add_to_cart'),
      { timeoutMs: 15_000, describe: () => 'the add_to_cart was never sent' },
    );
    const sent = sentEvents(batches);
    expect(batches.every((r) => r.batch?.consent === 'anonymous')).toBe(true);
    for (const event of sent) {
      expect(event).not.toHaveProperty('anonymous_id');
      expect(event).not.toHaveProperty('session_id');
    }

    const records = await waitForRecords(sent.map((e) => e.id));
    expect(records.map((r) => r.name)).toEqual(expect.arrayContaining(['page_view', 'search', 'select_item', 'add_to_cart']));
    for (const record of records) {
      expect(record.consent).toBe('anonymous');
      expect(record.session_id).toBeUndefined();
      // The daily visitor hash, not an identifier from the device.
      expect(record.audit.salt_id).toEqual(expect.any(String));
    }

    expect(stored.indexedDb).toEqual([]);
    expect(stored.cookies).toEqual([]);
    expect(stored.localStorage).toEqual([]);
    expect(stored.sessionStorage.filter((key) => !STORE_KEYS.test(key))).toEqual([]);
    await context.close();
  });
});

describe('Accept', () => {
  it('delivers identifiers pseudonymized, never the raw values the browser sent', async () => {
    const { context, page, log } = await shopper();
    await page.goto('/');
    await chooseConsent(page, 'Accept');
    await browseTheShop(page, 'fleece');

    const sent = sentEvents(
      await waitFor(
        () => log.filter((r) => r.batch),
        (batches) => sentEvents(batches).some((e) => e.name === 'add_to_cart'),
        { timeoutMs: 15_000, describe: () => 'the add_to_cart was never sent' },
      ),
    );
    const rawIds = new Set(sent.flatMap((e) => [e.anonymous_id, e.session_id]).filter((id): id is string => !!id));
    expect(new Set(sent.map((e) => e.anonymous_id)).size).toBe(1);
    expect(rawIds.size).toBe(2);

    const records = await waitForRecords(sent.map((e) => e.id));
    expect(records).toHaveLength(sent.length);
    const rows = d1Events(`event_id IN (${sent.map((e) => sqlString(e.id)).join(',')})`);
    expect(rows).toHaveLength(sent.length);
    for (const record of records) {
      expect(record.consent).toBe('granted');
      expect(record.visitor_id).toEqual(expect.any(String));
      expect(record.session_id).toEqual(expect.any(String));
      expect(rawIds.has(record.visitor_id)).toBe(false);
      expect(rawIds.has(record.session_id!)).toBe(false);
    }
    const downstream = JSON.stringify([records, rows]);
    for (const raw of rawIds) expect(downstream).not.toContain(raw);
    await context.close();
  });

  it('purges the stored queue and identifiers when the visitor switches to Reject', async () => {
    const { context, page, log } = await shopper();
    await page.goto('/');
    await chooseConsent(page, 'Accept');
    await waitFor(
      () => log.length,
      (n) => n > 0,
      { describe: () => 'nothing sent after Accept' },
    );

    // Offline, the events wait in the IndexedDB queue.
    await context.setOffline(true);
    await browseTheShop(page, 'stove');
    const queued = await waitFor(
      () => deviceStorage(page),
      (s) => s.indexedDb.some((db) => db.records > 0),
      { describe: (s) => `IndexedDB: ${JSON.stringify(s.indexedDb)}` },
    );
    expect(queued.localStorage.length + queued.cookies.length).toBeGreaterThan(0);

    await page.locator('.site-header [data-privacy-open]').click();
    await page
      .locator('.privacy-panel')
      .getByRole('button', { name: /^Reject/ })
      .click();
    await expect.poll(() => page.locator('.site-header [data-privacy-badge]').textContent()).toBe('Rejected');

    const purged = await waitFor(
      () => deviceStorage(page),
      (s) => s.indexedDb.every((db) => db.records === 0) && s.localStorage.length === 0 && s.cookies.length === 0,
      { describe: (s) => JSON.stringify(s) },
    );
    expect(purged.indexedDb.every((db) => db.records === 0)).toBe(true);

    // Back online, the purged events are never sent.
    const requestsBefore = log.length;
    await context.setOffline(false);
    await stayActive(page, LONGER_THAN_A_FLUSH);
    expect(log.slice(requestsBefore).map((r) => `${r.method} ${r.url}`)).toEqual([]);
    const arrived = (await forwardedRecords()).filter((r) => r.path.startsWith('/p/') && r.name === 'add_to_cart');
    const visitor = (await waitForRecords(acceptedEvents(log).map((e) => e.id)))[0]?.visitor_id;
    expect(visitor).toEqual(expect.any(String));
    expect(arrived.filter((r) => r.visitor_id === visitor)).toEqual([]);
    await context.close();
  });
});

describe('data-consent="site"', () => {
  it('asks the collector for this visitor’s starting mode and keeps to it (the demo policy says pending)', async () => {
    const { context, page, log } = await shopper();
    // A page of the store's origin that starts the tag with the collector's policy, in debug mode.
    await context.route('**/e2e/site-consent.html', (route) =>
      route.fulfill({
        contentType: 'text/html',
        body: '<!doctype html><title>Site consent</title><h1>Hello</h1><script src="/pathmark.js" data-site="demo" data-endpoint="/v1/events" data-consent="site" data-debug></script>',
      }),
    );
    const warnings: string[] = [];
    page.on(
      'console',
      (message) => void (message.type() === 'warning' && message.text().includes('[pathmark]') && warnings.push(message.text())),
    );
    await page.goto('/e2e/site-consent.html');
    const asked = await waitFor(
      () => log.filter((r) => r.method === 'GET' && new URL(r.url).pathname === '/v1/config/demo'),
      (found) => found.length === 1 && found[0]!.status !== undefined,
      { describe: () => `requests: ${log.map((r) => `${r.method} ${r.url} ${r.status}`).join('; ')}` },
    );
    expect(asked[0]!.status).toBe(200);
    await stayActive(page, 1500);
    expect(await page.evaluate(() => (window as { pathmark?: { consent: { get(): string } } }).pathmark?.consent.get())).toBe(
      'pending',
    );
    // The answer was read (a failed request or body would have been warned about), and pending sends nothing.
    expect(warnings).toEqual([]);
    expect(log.filter((r) => r.method === 'POST')).toEqual([]);
    await context.close();
  });
});
