// Google Consent Mode v2 as real consent managers drive it (vanilla-cookieconsent, Klaro, Google's data-layer-helper,
// all from npm), with the script tag the Worker serves and the real collector. The pages are apps/consent/*.
import { readdirSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import type { Browser, BrowserContext, Page } from 'playwright-core';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { pathAndQuery } from '../src/inspector/page-views.ts';
import { APPS, gotoNaming, packageFile, serveApp, type Files } from './support/apps.ts';
import {
  deviceStorage,
  launchBrowser,
  newShopperContext,
  recordCollectorRequests,
  sentEvents,
  stayActive,
  type CollectorRequest,
} from './support/browser.ts';
import { batchesSince, recordsOfVisitor, visitorOf, waitFor } from './support/sink.ts';
import { stackInfo, VISITOR_REGIONS } from './support/stack-info.ts';

const pages: Files = new Map(
  readdirSync(join(APPS, 'consent')).map((name) => [name, readFileSync(join(APPS, 'consent', name), 'utf8')]),
);
const libraries: Files = new Map([
  ['cookieconsent.esm.js', packageFile('vanilla-cookieconsent/dist/cookieconsent.esm.js')],
  ['cookieconsent.css', packageFile('vanilla-cookieconsent/dist/cookieconsent.css')],
  ['klaro.js', packageFile('klaro/dist/klaro.js')],
  ['data-layer-helper.js', packageFile('data-layer-helper/dist/data-layer-helper.js')],
]);

let browser: Browser;
beforeAll(async () => {
  browser = await launchBrowser();
});
afterAll(async () => {
  await browser?.close();
});

interface Visitor {
  context: BrowserContext;
  page: Page;
  /** Requests to the collector (`/v1/…`). */
  log: CollectorRequest[];
  /** Requests for the web-vitals part. */
  vitals: string[];
}

async function visitor(): Promise<Visitor> {
  const context = await newShopperContext(browser, stackInfo().origin);
  await serveApp(context, '/e2e/consent', pages);
  await serveApp(context, '/e2e/lib', libraries);
  const log = recordCollectorRequests(context);
  const vitals: string[] = [];
  context.on('request', (request) => void (request.url().endsWith('/pathmark-vitals.js') && vitals.push(request.url())));
  return { context, page: await context.newPage(), log, vitals };
}

const modeOf = (page: Page) =>
  page.evaluate(() => (window as { pathmark?: { consent?: { get(): string } } }).pathmark?.consent?.get());
/** Page views as sent, once each: a request cut short by the next page load is retried from there (same id). */
const sentViews = (log: CollectorRequest[]) => [
  ...new Map(
    sentEvents(log)
      .filter((e) => e.name == 'page_view')
      .map((e) => [e.id, e]),
  ).values(),
];
/** Keys the SDK could have left on the device: everything but the consent managers' own cookies. */
async function pathmarkStorage(page: Page) {
  const stored = await deviceStorage(page);
  return { ...stored, cookies: stored.cookies.filter((name) => !/^(cc_cookie|klaro)$/.test(name)) };
}
const NOTHING_STORED = { indexedDb: [], cookies: [], localStorage: [], sessionStorage: [] };

describe('vanilla-cookieconsent (its Consent Mode guide: default in a deferred module script)', () => {
  it('sends nothing and loads nothing before the choice; then web vitals measured late, and one identity across pages', async () => {
    const { context, page, log, vitals } = await visitor();
    await gotoNaming(page, '/e2e/consent/cookieconsent.html');
    const accept = page.locator('#cc-main .cm').getByRole('button', { name: 'Accept all' });
    await accept.waitFor();
    await stayActive(page, 1500);
    expect(await modeOf(page)).toBe('pending');
    expect(log.map((r) => r.url)).toEqual([]);
    expect(vitals).toEqual([]);
    expect(await pathmarkStorage(page)).toEqual(NOTHING_STORED);

    await accept.click();
    await waitFor(
      () => vitals.length,
      (n) => n > 0,
      { describe: () => 'pathmark-vitals.js was never requested after Accept' },
    );
    // web-vitals reads the buffered entries: FCP and TTFB at once, LCP at the next input.
    await page.locator('h1').click();
    const metrics = await waitFor(
      () =>
        sentEvents(log)
          .filter((e) => e.name == 'web_vitals')
          .map((e) => e.props?.metric),
      (found) => ['LCP', 'FCP', 'TTFB'].every((metric) => found.includes(metric)),
      { timeoutMs: 20_000, describe: (found) => `web vitals sent: ${found.join(', ')}` },
    );
    expect(metrics).toEqual(expect.arrayContaining(['LCP', 'FCP', 'TTFB']));

    // A returning visitor: the consent manager restores the choice on each page (default denied, then update).
    // Until it has, the page is pending: a visitor gone before that leaves nothing to send, by design.
    const restored = () =>
      waitFor(
        () => modeOf(page),
        (mode) => mode == 'granted',
        { describe: (mode) => `mode ${mode}` },
      );
    await page.getByRole('link', { name: 'Next page' }).click();
    await page.waitForURL('**?page=2');
    await restored();
    await page.goto('/e2e/consent/cookieconsent.html?page=3');
    await restored();
    // The visitor stays until the page's first request is answered (closing during one would leave its events in
    // the device's queue for the next visit).
    await waitFor(
      () => log.filter((r) => r.status == 202 && r.batch?.events.some((e) => e.name == 'page_view' && e.url.endsWith('?page=3'))),
      (answered) => answered.length > 0,
      { describe: () => 'page 3’s page view was not sent' },
    );
    await page.close({ runBeforeUnload: true });
    // What arrived, from the collector (a page's last keepalive request can escape Playwright's log): one
    // visitor, one session, a page view for every page.
    const visitorId = await visitorOf(log);
    const records = await waitFor(
      () => recordsOfVisitor(visitorId),
      (found) => found.filter((r) => r.name == 'page_view').length >= 3,
      {
        describe: (found) =>
          `page views of the visitor: ${found
            .filter((r) => r.name == 'page_view')
            .map((r) => r.url)
            .join(', ')}`,
      },
    );
    expect(records.filter((r) => r.name == 'page_view').map((r) => pathAndQuery(r.url))).toEqual([
      '/e2e/consent/cookieconsent.html',
      '/e2e/consent/cookieconsent.html?page=2',
      '/e2e/consent/cookieconsent.html?page=3',
    ]);
    expect(new Set(records.map((r) => r.session_id)).size).toBe(1);
    expect(records.every((r) => r.consent == 'granted')).toBe(true);
    expect(new Set(sentEvents(log).map((e) => e.anonymous_id)).size).toBe(1);
    await context.close();
  });
});

describe('Klaro (dataLayer created in a service’s onInit, after the SDK started)', () => {
  const klaroButton = (page: Page, name: RegExp) => page.locator('.klaro .cookie-notice').getByRole('button', { name });

  it('follows the choice made in its notice, and restores it on the next page', async () => {
    const { context, page, log } = await visitor();
    await page.goto('/e2e/consent/klaro.html');
    await klaroButton(page, /accept all|that.s ok/i).click();
    await page.getByRole('link', { name: 'Next page' }).click();
    await page.waitForURL('**?page=2');
    await waitFor(
      () => modeOf(page),
      (mode) => mode == 'granted',
      { describe: (mode) => `mode ${mode}` },
    );
    // From the collector: the first page's view may go out with keepalive as the visitor clicks on, unseen by
    // Playwright. One visitor (one anonymous_id, pseudonymized) with a page view of each page.
    const visitorId = await visitorOf(log);
    const views = await waitFor(
      async () => (await recordsOfVisitor(visitorId)).filter((r) => r.name == 'page_view'),
      (found) => found.length >= 2,
      { describe: (found) => `page views of the visitor: ${found.map((r) => r.url).join(', ')}` },
    );
    expect(views.map((r) => pathAndQuery(r.url))).toEqual(['/e2e/consent/klaro.html', '/e2e/consent/klaro.html?page=2']);
    expect(new Set(sentEvents(log).map((e) => e.anonymous_id)).size).toBe(1);
    await context.close();
  });

  it('a returning visitor who rejected causes no request at all, and nothing is stored', async () => {
    const { context, page, log, vitals } = await visitor();
    const start = Date.now();
    // Marks this visit's pages, to tell them from other tests' in what the collector received.
    const visit = crypto.randomUUID();
    await page.goto(`/e2e/consent/klaro.html?visit=${visit}`);
    await klaroButton(page, /decline/i).click();
    expect(await modeOf(page)).toBe('denied');
    // The next page, and a reload: Klaro restores the rejection however late it runs.
    await page.goto(`/e2e/consent/klaro.html?page=2&visit=${visit}`);
    await page.reload();
    await waitFor(
      () => modeOf(page),
      (mode) => mode == 'denied',
      { describe: (mode) => `mode ${mode}` },
    );
    await stayActive(page, 2000);
    const stored = await pathmarkStorage(page);
    await page.close({ runBeforeUnload: true });
    expect(log.map((r) => `${r.method} ${r.url}`)).toEqual([]);
    expect(vitals).toEqual([]);
    // A keepalive request outliving its page escapes Playwright's log: ask the collector too.
    expect((await batchesSince(start)).filter((b) => JSON.stringify(b).includes(visit))).toEqual([]);
    expect(stored).toEqual(NOTHING_STORED);
    await context.close();
  });
});

describe('Google’s data-layer-helper wrapping dataLayer.push', () => {
  it.each(['helper-first', 'sdk-first'])('is no obstacle, whichever comes first (%s)', async (order) => {
    const { context, page, log } = await visitor();
    await page.goto(`/e2e/consent/data-layer-helper.html?order=${order}`);
    await waitFor(
      () => page.evaluate(() => (window as { helperMessages?: unknown[] }).helperMessages?.length ?? 0),
      (n) => n > 0,
    );
    expect(await modeOf(page)).toBe('pending');
    await page.getByRole('button', { name: 'Accept' }).click();
    const views = await waitFor(
      () => sentViews(log),
      (found) => found.length > 0,
      { describe: () => 'no page view sent' },
    );
    expect(views[0]!.anonymous_id).toEqual(expect.any(String));
    // The helper still sees every message, the update included.
    expect(await page.evaluate(() => (window as { helperMessages?: unknown[] }).helperMessages?.length)).toBeGreaterThanOrEqual(
      2,
    );
    await context.close();
  });
});

describe('region-scoped Consent Mode defaults, placed by the collector', () => {
  it('grants outside the listed regions: the collector says where the visitor is', async () => {
    const { context, page, log } = await visitor();
    await page.goto('/e2e/consent/regions.html?regions=AT,BE,DE,FR,GB');
    const views = await waitFor(
      () => sentViews(log),
      (found) => found.length > 0,
      { describe: () => 'no page view sent' },
    );
    const config = log.filter((r) => r.method == 'GET');
    expect(config.map((r) => new URL(r.url).pathname)).toEqual(['/v1/config/demo']);
    expect(views[0]!.anonymous_id).toEqual(expect.any(String));
    expect(await modeOf(page)).toBe('granted');
    await context.close();
  });

  it.each([VISITOR_REGIONS[0]!, VISITOR_REGIONS[1]!])(
    'stays pending, sending nothing, for a visitor inside them (%s)',
    async (region) => {
      const { context, page, log } = await visitor();
      await page.goto(`/e2e/consent/regions.html?regions=FR,${region}`);
      await waitFor(
        () => log.filter((r) => r.status !== undefined),
        (answered) => answered.length > 0,
        { describe: () => 'the collector was not asked' },
      );
      await stayActive(page, 1500);
      expect(await modeOf(page)).toBe('pending');
      expect(log.map((r) => `${r.method} ${new URL(r.url).pathname}`)).toEqual(['GET /v1/config/demo']);
      await context.close();
    },
  );
});
