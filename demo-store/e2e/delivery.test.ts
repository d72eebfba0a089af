// Nothing lost: offline periods, a closed tab and a collector answering 503.
import type { Browser, BrowserContext, Page } from 'playwright-core';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import {
  chooseConsent,
  deviceStorage,
  launchBrowser,
  newShopperContext,
  recordCollectorRequests,
  scrollUntilSeen,
  sentEvents,
  stayActive,
  type CollectorRequest,
} from './support/browser.ts';
import { DwellClock, withinBounds } from './support/dwell.ts';
import { d1Events, forwardedRecords, inspect, sqlString, visitorOf, waitFor, waitForRecords } from './support/sink.ts';
import { stackInfo } from './support/stack-info.ts';

let browser: Browser;
beforeAll(async () => {
  browser = await launchBrowser();
});
afterAll(async () => {
  await browser?.close();
});

async function acceptedShopper(path: string): Promise<{ context: BrowserContext; page: Page; log: CollectorRequest[] }> {
  const context = await newShopperContext(browser, stackInfo().origin);
  const log = recordCollectorRequests(context);
  const page = await context.newPage();
  await page.goto(path);
  await chooseConsent(page, 'Accept');
  return { context, page, log };
}

interface Row {
  event_id: string;
  name: string;
  path: string;
  page_id: string;
  session_id: string;
  record: string;
}

function rowsOfVisitor(visitor: string): Row[] {
  return d1Events(`visitor_id = ${sqlString(visitor)} ORDER BY ts`) as unknown as Row[];
}

const seqOf = (row: Row) => (JSON.parse(row.record) as { seq: number }).seq;

describe('offline mid-journey', () => {
  it('delivers every event exactly once after shopping offline and reloading', async () => {
    const { context, page, log } = await acceptedShopper('/');
    const visitor = await visitorOf(log);

    await context.setOffline(true);
    await page.locator('.main-nav').getByRole('link', { name: 'Lights' }).click();
    await page.waitForURL('**/c/light');
    const product = page.locator('.grid .card').first();
    const productPath = (await product.getAttribute('href')) ?? '';
    await product.click();
    await page.waitForURL(`**${productPath}`);
    await page.getByRole('button', { name: 'Add to cart' }).click();
    await page.locator('.site-header .cart-link').click();
    await page.waitForURL('**/cart');
    // Reloading without a network fails, and the cart page's page_leave waits in IndexedDB.
    await expect(page.reload()).rejects.toThrow(/ERR_INTERNET_DISCONNECTED/);

    await context.setOffline(false);
    await page.goto('/cart');

    const expected = [
      ['page_view', '/'],
      ['page_leave', '/'],
      ['page_view', '/c/light'],
      ['page_leave', '/c/light'],
      ['page_view', productPath],
      ['view_item', productPath],
      ['add_to_cart', productPath],
      ['page_leave', productPath],
      ['page_view', '/cart'],
      ['view_cart', '/cart'],
      ['page_leave', '/cart'],
      ['page_view', '/cart'],
      ['view_cart', '/cart'],
    ];
    const journeyNames = new Set(expected.map(([name]) => name));
    const journeyOf = (rows: Row[]) => rows.filter((r) => journeyNames.has(r.name)).map((r) => [r.name, r.path]);

    // The journey, and every event the browser tried to send (offline or after) as the log saw it when D1 was read:
    // a batch written after the journey's last one (the queue does not keep the order of batches) is waited for too.
    const { rows, tried } = await waitFor(
      () => {
        const tried = sentEvents(log);
        return { rows: rowsOfVisitor(visitor), tried };
      },
      ({ rows, tried }) => journeyOf(rows).length >= expected.length && tried.every((e) => rows.some((r) => r.event_id === e.id)),
      {
        timeoutMs: 60_000,
        intervalMs: 1000,
        describe: ({ rows, tried }) =>
          `${JSON.stringify(journeyOf(rows))}; not in D1: ${tried
            .filter((e) => !rows.some((r) => r.event_id === e.id))
            .map((e) => e.name)
            .join(', ')}`,
      },
    );
    expect(journeyOf(rows)).toEqual(expected);
    // Exactly once: no event was captured twice under a new id (the table's key collapses same-id retries).
    const seqs = rows.map(seqOf);
    expect(new Set(seqs).size).toBe(seqs.length);
    expect(new Set(rows.map((r) => r.session_id)).size).toBe(1);
    // Every event the browser tried to send, while offline or after, is in D1.
    const stored = new Set(rows.map((r) => r.event_id));
    expect(tried.filter((e) => !stored.has(e.id))).toEqual([]);
    await context.close();
  });
});

describe('closing the tab', () => {
  it('still delivers the product page’s page_leave with engaged time and scroll depth', async () => {
    const clock = new DwellClock();
    clock.navigating();
    const { context, page, log } = await acceptedShopper('/p/ki-ember-stove');
    clock.enter('/p/ki-ember-stove');
    await stayActive(page, 1500);
    const seen = await scrollUntilSeen(page, 0.7);
    await stayActive(page, 1500);
    const pageId = (
      await waitFor(
        () => sentEvents(log),
        (sent) => sent.some((e) => e.name === 'page_view'),
      )
    ).find((e) => e.name === 'page_view')!.page_id;
    clock.leave();
    await page.close();
    clock.arrived();

    const leave = await waitFor(
      async () => (await forwardedRecords()).find((r) => r.name === 'page_leave' && r.page_id === pageId),
      (found) => found !== undefined,
      { describe: () => 'no page_leave for the closed tab reached the sink' },
    );
    const props = leave!.props as { engaged_ms: number; total_ms: number; max_scroll: number };
    const { ms: spent, maxMs: spentWithNavigations } = clock.visits[0]!;
    expect(
      withinBounds(props.engaged_ms, spent, spentWithNavigations, 0.2),
      `engaged ${props.engaged_ms} ms, spent ${Math.round(spent)}–${Math.round(spentWithNavigations)} ms`,
    ).toBe(true);
    expect(props.max_scroll).toBeCloseTo(seen, 1);
    expect(props.total_ms).toBeGreaterThanOrEqual(props.engaged_ms);
    await context.close();
  });
});

describe('collector answering 503', () => {
  it('keeps the events and delivers them once it recovers', async () => {
    const context = await newShopperContext(browser, stackInfo().origin);
    const log = recordCollectorRequests(context);
    const FAILURES = 3;
    let refused = 0;
    await context.route('**/v1/events', async (route) => {
      if (refused < FAILURES) {
        refused += 1;
        await route.fulfill({
          status: 503,
          headers: { 'content-type': 'application/json', 'retry-after': '1' },
          body: JSON.stringify({ error: 'unavailable', detail: 'collector down (e2e)' }),
        });
      } else {
        await route.continue();
      }
    });
    const page = await context.newPage();
    await page.goto('/c/kitchen');
    await chooseConsent(page, 'Accept');
    await page.locator('.grid .card').nth(2).click();
    await page.waitForURL('**/p/*');
    await page.getByRole('button', { name: 'Add to cart' }).click();

    const refusedIds = await waitFor(
      () =>
        log
          .slice(0, FAILURES)
          .flatMap((r) => r.batch?.events ?? [])
          .map((e) => e.id),
      () => refused === FAILURES,
      { describe: () => `only ${refused} requests were refused` },
    );
    expect(refusedIds.length).toBeGreaterThan(0);

    // After recovery, everything the browser ever tried to send arrives, once.
    const all = await waitFor(
      () => [...new Set(sentEvents(log).map((e) => e.id))],
      (ids) => log.length > FAILURES && ids.length > 0,
    );
    const records = await waitForRecords(all, 40_000);
    expect(records.map((r) => r.event_id).sort()).toEqual([...all].sort());
    expect(records.map((r) => r.name)).toEqual(expect.arrayContaining(['page_view', 'view_item', 'add_to_cart']));
    const rows = d1Events(`event_id IN (${all.map(sqlString).join(',')})`);
    expect(rows).toHaveLength(all.length);
    await context.close();
  });
});

describe('a page left before pathmark-delivery.js has loaded', () => {
  it('anonymous: its page view and page leave reach the collector once, in a beacon the collector accepts', async () => {
    const context = await newShopperContext(browser, stackInfo().origin);
    // The delivery chunk is asked for and never answered (a slow network): the visitor leaves before it arrives.
    let asked = 0;
    await context.route('**/pathmark-delivery.js', () => void asked++);
    const page = await context.newPage();
    // A query parameter of its own finds this page's batches among the other tests' (the inspector keeps them raw).
    const mark = `left-${Date.now()}-${Math.random().toString(36).slice(2)}`;
    await page.goto(`/blog/?e2e=${mark}`);
    await chooseConsent(page, 'Anonymous only');
    await page.waitForFunction(
      () => (window as { pathmark?: { consent: { get(): string } } }).pathmark?.consent.get() === 'anonymous',
    );
    await waitFor(
      () => asked,
      (n) => n > 0,
      { describe: () => 'pathmark-delivery.js was never asked for' },
    );
    const stored = await deviceStorage(page);
    // Leaving: the page's beacons (Playwright does not report them; the collector's inspector shows what arrived).
    await page.goto('about:blank');

    type RawEvent = { id: string; name: string; url: string; page_id: string; seq: number } & Record<string, unknown>;
    const ours = (batches: Awaited<ReturnType<typeof inspect>>['batches']) =>
      batches.filter((b) => (b.raw as { events?: RawEvent[] }).events?.some((e) => e.url.includes(mark)));
    const batches = await waitFor(
      async () => ours((await inspect()).batches),
      (found) => found.some((b) => (b.raw as { events: RawEvent[] }).events.some((e) => e.name === 'page_leave')),
      { describe: () => 'nothing the page captured reached the collector' },
    );
    // Each accepted whole, in anonymous mode, with no identifier from the device.
    for (const batch of batches) {
      expect(batch.rejected).toEqual([]);
      expect(batch.effective_consent).toBe('anonymous');
      expect(batch.raw).toMatchObject({ v: 1, site: 'demo', consent: 'anonymous', sdk: expect.stringMatching(/^pathmark-js\//) });
    }
    const sent = batches.flatMap((b) => (b.raw as { events: RawEvent[] }).events);
    expect(new Set(sent.map((e) => e.id)).size).toBe(sent.length);
    for (const event of sent) {
      expect(event).not.toHaveProperty('anonymous_id');
      expect(event).not.toHaveProperty('session_id');
    }
    expect(sent.filter((e) => e.name === 'page_view')).toHaveLength(1);
    expect(sent.filter((e) => e.name === 'page_leave')).toHaveLength(1);
    expect(sent.filter((e) => e.name === 'consent')).toHaveLength(1);
    const pageId = sent.find((e) => e.name === 'page_view')!.page_id;
    expect(sent.every((e) => e.page_id === pageId)).toBe(true);
    // Numbered as delivery numbers them: one sequence from 1.
    expect(sent.map((e) => e.seq).sort((a, b) => a - b)).toEqual(sent.map((_, i) => i + 1));

    // Forwarded to the sinks, and kept once.
    const records = await waitForRecords(sent.map((e) => e.id));
    expect(records.find((r) => r.name === 'page_view')).toMatchObject({ path: '/blog/', props: { page_index: 1 } });
    expect(d1Events(`page_id = ${sqlString(pageId)} AND name = 'page_view'`)).toHaveLength(1);
    expect(d1Events(`page_id = ${sqlString(pageId)} AND name = 'page_leave'`)).toHaveLength(1);
    expect(asked).toBeGreaterThan(0);
    expect(stored.indexedDb).toEqual([]);
    expect(stored.localStorage).toEqual([]);
    await context.close();
  });
});
