import { mkdir } from 'node:fs/promises';
import { join } from 'node:path';
import type { Browser, BrowserContext, Page } from 'playwright-core';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { ForwardedRecord } from '../../collector/src/core/record.ts';
import { pathAndQuery } from '../src/inspector/page-views.ts';
import { repoRoot } from '../stack.mjs';
import {
  acceptedEvents,
  chooseConsent,
  launchBrowser,
  newShopperContext,
  recordCollectorRequests,
  scrollUntilSeen,
  stayActive,
  type CollectorRequest,
} from './support/browser.ts';
import { DwellClock, withinBounds } from './support/dwell.ts';
import { recordsOfVisitor, visitorOf, waitFor } from './support/sink.ts';
import { stackInfo } from './support/stack-info.ts';

/** Items as the records carry them in `props.items`. */
type RecordItem = { item_id?: string; price?: number; quantity?: number };
const props = (record: ForwardedRecord) => record.props as Record<string, unknown>;
const items = (record: ForwardedRecord) => (props(record).items ?? []) as RecordItem[];

describe('a shopper’s journey through the SPA store', () => {
  let browser: Browser;
  let context: BrowserContext;
  let page: Page;
  let log: CollectorRequest[];
  const clock = new DwellClock();
  const journey = {
    query: 'light',
    results: 0,
    firstProduct: '',
    secondProduct: '',
    firstPrice: 0,
    orderId: '',
    firstSeen: 0,
    secondSeen: 0,
  };
  let records: ForwardedRecord[] = [];

  beforeAll(async () => {
    browser = await launchBrowser();
    context = await newShopperContext(browser, stackInfo().origin);
    log = recordCollectorRequests(context);
    page = await context.newPage();

    // Land and accept.
    clock.navigating();
    await page.goto('/');
    clock.enter('/');
    await chooseConsent(page, 'Accept');
    await stayActive(page, 2000);

    // Search from the header.
    await page.getByRole('searchbox', { name: 'Search gear' }).fill(journey.query);
    clock.leave();
    await page.keyboard.press('Enter');
    await page.waitForURL(`**/search?q=${journey.query}`);
    clock.enter(`/search?q=${journey.query}`);
    const results = page.locator('[data-pm-result]');
    journey.results = await results.count();
    await stayActive(page, 2000);

    // Click the second result.
    const picked = results.nth(1);
    journey.firstProduct = (await picked.getAttribute('data-pm-item-id')) ?? '';
    journey.firstPrice = Number(await picked.getAttribute('data-pm-item-price'));
    clock.leave();
    await picked.click();
    await page.waitForURL(`**/p/${journey.firstProduct}`);
    clock.enter(`/p/${journey.firstProduct}`);

    // Read the whole product page, then add it to the cart.
    await stayActive(page, 1000);
    journey.firstSeen = await scrollUntilSeen(page, 1);
    await stayActive(page, 1000);
    await page.getByRole('button', { name: 'Add to cart' }).click();
    await stayActive(page, 500);

    // A related product, read half-way, also added.
    const related = page.locator('.grid .card').first();
    journey.secondProduct = ((await related.getAttribute('href')) ?? '').replace('/p/', '');
    clock.leave();
    await related.click();
    await page.waitForURL(`**/p/${journey.secondProduct}`);
    clock.enter(`/p/${journey.secondProduct}`);
    await stayActive(page, 800);
    await page.getByRole('button', { name: 'Add to cart' }).click();
    journey.secondSeen = await scrollUntilSeen(page, 0.6);
    await stayActive(page, 1200);

    // The cart: remove the second item.
    clock.leave();
    await page.locator('.site-header .cart-link').click();
    await page.waitForURL('**/cart');
    clock.enter('/cart');
    await stayActive(page, 1000);
    await page.locator(`[data-remove="${journey.secondProduct}"]`).click();
    await stayActive(page, 1000);

    // Check out and purchase.
    clock.leave();
    await page.getByRole('link', { name: 'Check out' }).click();
    await page.waitForURL('**/checkout');
    clock.enter('/checkout');
    await stayActive(page, 1500);
    clock.leave();
    await page.getByRole('button', { name: /Place order/ }).click();
    await page.waitForURL('**/order/*');
    journey.orderId = (await page.locator('[data-order-id]').textContent()) ?? '';
    clock.enter(`/order/${journey.orderId}`);
    await stayActive(page, 1500);
    clock.leave();
    await page.getByRole('link', { name: 'Back to the shop' }).click();
    await page.waitForURL(/\/$/);
    clock.arrived();

    // Everything the browser sent reaches the sink: the order page's page_leave, the home page's page_view (which may
    // come in a later batch, once its title is there), and every event of the requests the collector accepted.
    const visitor = await visitorOf(log);
    records = await waitFor(
      async () => {
        const accepted = acceptedEvents(log);
        return { found: await recordsOfVisitor(visitor), accepted };
      },
      ({ found, accepted }) =>
        found.filter((r) => r.name === 'page_leave').length >= clock.visits.length &&
        found.filter((r) => r.name === 'page_view').length >= clock.visits.length + 1 &&
        accepted.every((e) => found.some((r) => r.event_id === e.id)),
      {
        timeoutMs: 45_000,
        describe: ({ found }) =>
          `sink holds ${found.map((r) => r.name).join(', ')}; the browser sent ${log
            .map((r) => `[${r.status}] ${(r.batch?.events ?? []).map((e) => e.name).join(', ')}`)
            .join('; ')}`,
      },
    ).then(({ found }) => found);
  });

  afterAll(async () => {
    await browser?.close();
  });

  it('records page views in order, each with the previous path', () => {
    const views = records.filter((r) => r.name === 'page_view');
    const expected = [...clock.visits.map((v) => v.path), '/'];
    expect(views.map((r) => pathAndQuery(r.url))).toEqual(expected);
    views.forEach((view, i) => {
      if (i === 0) expect(props(view).previous_path).toBeUndefined();
      else expect(props(view).previous_path).toBe(expected[i - 1]);
    });
  });

  it('reports engaged time within ±20 % of the time spent on each page', () => {
    const views = records.filter((r) => r.name === 'page_view');
    const report = clock.visits.map((visit, i) => {
      const leave = records.find((r) => r.name === 'page_leave' && r.page_id === views[i]?.page_id);
      return {
        path: visit.path,
        spent: Math.round(visit.ms),
        spentWithNavigations: Math.round(visit.maxMs),
        engaged: props(leave ?? views[i]!).engaged_ms as number,
      };
    });
    for (const { spent, spentWithNavigations, engaged } of report) {
      expect(withinBounds(engaged, spent, spentWithNavigations, 0.2), JSON.stringify(report)).toBe(true);
    }
  });

  it('reports the scroll depth reached on each product page', () => {
    const views = records.filter((r) => r.name === 'page_view');
    const productPage = (id: string) => views.find((r) => r.path === `/p/${id}`)!.page_id;
    const leaveOf = (pageId: string) => records.find((r) => r.name === 'page_leave' && r.page_id === pageId)!;
    const depthsOf = (pageId: string) =>
      records.filter((r) => r.name === 'scroll' && r.page_id === pageId).map((r) => props(r).depth);

    const first = productPage(journey.firstProduct);
    expect(journey.firstSeen).toBeGreaterThan(0.99);
    expect(props(leaveOf(first)).max_scroll).toBeGreaterThanOrEqual(0.98);
    expect(depthsOf(first)).toEqual([25, 50, 75, 90, 100]);

    const second = productPage(journey.secondProduct);
    expect(props(leaveOf(second)).max_scroll).toBeCloseTo(journey.secondSeen, 1);
    expect(depthsOf(second)).toEqual([25, 50]);
  });

  it('links the search to the result click and to the purchase', () => {
    const search = records.filter((r) => r.name === 'search');
    expect(search).toHaveLength(1);
    expect(props(search[0]!)).toMatchObject({ search_term: journey.query, results: journey.results, source: 'api' });
    const searchId = props(search[0]!).search_id;
    // The SDK's UUID as sent: a redaction marker here would still be equal on every event.
    expect(searchId).toMatch(/^[0-9a-f]{8}-[0-9a-f]{4}-4[0-9a-f]{3}-[89ab][0-9a-f]{3}-[0-9a-f]{12}$/);

    const click = records.find((r) => r.name === 'select_item')!;
    expect(props(click)).toMatchObject({ index: 1, search_id: searchId });
    expect(items(click)[0]).toMatchObject({ item_id: journey.firstProduct, price: journey.firstPrice });

    const purchase = records.find((r) => r.name === 'purchase')!;
    expect(props(purchase).search_id).toBe(searchId);
  });

  it('reports the cart, checkout and purchase with their items', () => {
    const named = (name: string) => records.filter((r) => r.name === name);
    expect(named('view_item').map((r) => items(r)[0]?.item_id)).toEqual([journey.firstProduct, journey.secondProduct]);
    expect(named('add_to_cart').map((r) => items(r).map((i) => i.item_id))).toEqual([
      [journey.firstProduct],
      [journey.secondProduct],
    ]);
    expect(named('remove_from_cart').map((r) => items(r))).toEqual([
      [expect.objectContaining({ item_id: journey.secondProduct, quantity: 1 })],
    ]);
    expect(named('view_cart').map((r) => items(r).map((i) => i.item_id))).toEqual([
      [journey.firstProduct, journey.secondProduct],
    ]);
    expect(named('begin_checkout').map((r) => items(r).map((i) => i.item_id))).toEqual([[journey.firstProduct]]);
    const [purchase] = named('purchase');
    expect(props(purchase!)).toMatchObject({ transaction_id: journey.orderId, value: journey.firstPrice, currency: 'EUR' });
    expect(items(purchase!)).toEqual([
      expect.objectContaining({ item_id: journey.firstProduct, quantity: 1, price: journey.firstPrice }),
    ]);
  });

  it('keeps one pseudonymous visitor and session across the journey', () => {
    expect(new Set(records.map((r) => r.visitor_id)).size).toBe(1);
    expect(new Set(records.map((r) => r.session_id)).size).toBe(1);
    expect(records.every((r) => r.consent === 'granted')).toBe(true);
  });

  // Pictures of the store and of the live inspector: written to docs/ (store.png, inspector.png) only on demand,
  // `npm run screenshots` (PATHMARK_SCREENSHOTS=1), so that `npm test` leaves the tree as it found it.
  it('takes screenshots of the store and of the live inspector (into docs/ with PATHMARK_SCREENSHOTS=1)', async () => {
    const docs = process.env.PATHMARK_SCREENSHOTS === '1' ? join(repoRoot, 'docs') : undefined;
    if (docs) await mkdir(docs, { recursive: true });
    await page.goto('/');
    expect((await page.screenshot(docs ? { path: join(docs, 'store.png') } : {})).byteLength).toBeGreaterThan(0);

    const inspector = await context.newPage();
    await inspector.setViewportSize({ width: 1440, height: 900 });
    await inspector.goto('/inspector');
    await inspector.locator('[data-hide-vitals]').check();
    // Wait until the newest batch has gone through the queue, so the picture shows both sides. The batches first:
    // before the inspector has loaded any, the first batch's "dropped" count is 0 too.
    await inspector.locator('.batch').first().waitFor();
    await expect.poll(() => inspector.locator('.batch').first().locator('.dropped').count(), { timeout: 20_000 }).toBe(0);
    await expect.poll(() => inspector.locator('[data-pages] tr td.path').count(), { timeout: 20_000 }).toBeGreaterThan(3);
    expect((await inspector.screenshot(docs ? { path: join(docs, 'inspector.png') } : {})).byteLength).toBeGreaterThan(0);
  });
});
