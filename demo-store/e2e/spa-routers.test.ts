// Page views of single-page apps built on the real routers from npm (React Router 7 with React 19, Vue Router 4,
// and the plain History API), automatic and with the recipes of docs/spa.md: each page view carries its own
// route's title. The apps are apps/react-router, apps/vue-router and apps/plain, bundled here with esbuild.
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import type { Browser, BrowserContext, Page } from 'playwright-core';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { pathAndQuery } from '../src/inspector/page-views.ts';
import { APPS, bundle, serveApp, type Files } from './support/apps.ts';
import {
  launchBrowser,
  newShopperContext,
  recordCollectorRequests,
  sentEvents,
  type CollectorRequest,
} from './support/browser.ts';
import { recordsOfVisitor, visitorOf, waitFor } from './support/sink.ts';
import { stackInfo } from './support/stack-info.ts';

let browser: Browser;
let react: Files;
let vue: Files;
let plain: Files;
beforeAll(async () => {
  [browser, react, vue, plain] = await Promise.all([
    launchBrowser(),
    bundle({ auto: 'react-router/auto.tsx', manual: 'react-router/manual.tsx' }),
    bundle({ auto: 'vue-router/auto.ts', manual: 'vue-router/manual.ts' }),
    bundle({ app: 'plain/app.ts' }),
  ]);
});
afterAll(async () => {
  await browser?.close();
});

const shell = (title: string, script: string, order = 'after') =>
  `<!doctype html><html lang="en" data-order="${order}"><head><meta charset="utf-8"><title>${title}</title></head>` +
  `<body><div id="root"></div><script type="module" src="${script}"></script></body></html>`;

async function shopper(): Promise<{ context: BrowserContext; page: Page; log: CollectorRequest[] }> {
  const context = await newShopperContext(browser, stackInfo().origin);
  const log = recordCollectorRequests(context);
  return { context, page: await context.newPage(), log };
}

/** Waits until the app shows `title` (its route rendered), as a visitor would before clicking on. */
const titled = (page: Page, title: string) => page.waitForFunction((expected) => document.title == expected, title);

/** The page views the tracker sent, once each, after a final flush (through the app's `window.tracker`). */
async function pageViews(page: Page, log: CollectorRequest[], count: number): Promise<string[][]> {
  await page.evaluate(() => (window as unknown as { tracker: { flush(): Promise<void> } }).tracker.flush());
  const views = await waitFor(
    () => [
      ...new Map(
        sentEvents(log)
          .filter((e) => e.name == 'page_view')
          .map((e) => [e.id, e]),
      ).values(),
    ],
    (found) => found.length >= count,
    { describe: (found) => `${found.length} page views sent` },
  );
  return views.map((e) => [String(e.props?.navigation), new URL(e.url).pathname, String((e as { title?: string }).title)]);
}

describe('React Router 7 with React 19 (<BrowserRouter>, navigations in transitions, titles set in effects)', () => {
  /** Home → Shoes → Red shoe → Buy now (navigate with replace, to a lazily loaded route) → Back. */
  async function browse(page: Page, base: string) {
    await page.goto(`${base}/`);
    await titled(page, 'Home · React shop');
    await page.getByRole('link', { name: 'Shoes' }).click();
    await titled(page, 'Shoes · React shop');
    await page.getByRole('link', { name: 'Red shoe' }).click();
    await titled(page, 'Red shoe · React shop');
    await page.getByRole('button', { name: 'Buy now' }).click();
    await titled(page, 'Cart · React shop');
    await page.goBack();
    await titled(page, 'Shoes · React shop');
  }
  const journey = (base: string, navigations: string[]) =>
    [
      ['/', 'Home'],
      ['/shoes', 'Shoes'],
      ['/shoes/red', 'Red shoe'],
      ['/cart', 'Cart'],
      ['/shoes', 'Shoes'],
    ].map(([path, title], i) => [navigations[i]!, `${base}${path}`, `${title} · React shop`]);

  it('automatic page views: each carries its own route’s title', async () => {
    const { context, page, log } = await shopper();
    await serveApp(context, '/e2e/react-auto', react, shell('React shop', '/e2e/react-auto/auto.js'));
    await browse(page, '/e2e/react-auto');
    expect(await pageViews(page, log, 5)).toEqual(journey('/e2e/react-auto', ['load', 'push', 'push', 'replace', 'pop']));
    await context.close();
  });

  it.each([
    ['after the routes (the recipe)', 'after', '/e2e/react-manual'],
    ['before the routes (the old recipe: pageview() waits for the title)', 'before', '/e2e/react-before'],
  ])('the docs/spa.md recipe, <PageViews /> %s', async (_, order, base) => {
    const { context, page, log } = await shopper();
    await serveApp(context, base, react, shell('React shop', `${base}/manual.js`, order));
    await browse(page, base);
    expect(await pageViews(page, log, 5)).toEqual(journey(base, ['manual', 'manual', 'manual', 'manual', 'manual']));
    await context.close();
  });
});

describe('Vue Router 4 (titles from an afterEach hook, or set once a page’s data arrived)', () => {
  /** Home → Shoes → Red shoe (title after an await) → Home (RouterLink replace) → Back. */
  async function browse(page: Page, base: string) {
    await page.goto(`${base}/`);
    await titled(page, 'Home · Vue shop');
    await page.getByRole('link', { name: 'Shoes' }).click();
    await titled(page, 'Shoes · Vue shop');
    await page.getByRole('link', { name: 'Red shoe' }).click();
    await titled(page, 'Red shoe · Vue shop');
    await page.getByRole('link', { name: 'Home (replace)' }).click();
    await titled(page, 'Home · Vue shop');
    await page.goBack();
    await titled(page, 'Shoes · Vue shop');
  }
  const journey = (base: string, navigations: string[]) =>
    [
      ['/', 'Home'],
      ['/shoes', 'Shoes'],
      ['/shoes/red', 'Red shoe'],
      ['/', 'Home'],
      ['/shoes', 'Shoes'],
    ].map(([path, title], i) => [navigations[i]!, `${base}${path}`, `${title} · Vue shop`]);

  it('automatic page views', async () => {
    const { context, page, log } = await shopper();
    await serveApp(context, '/e2e/vue-auto', vue, shell('Vue shop', '/e2e/vue-auto/auto.js'));
    await browse(page, '/e2e/vue-auto');
    expect(await pageViews(page, log, 5)).toEqual(journey('/e2e/vue-auto', ['load', 'push', 'push', 'replace', 'pop']));
    await context.close();
  });

  it('the docs/spa.md recipe (afterEach, then nextTick → pageview())', async () => {
    const { context, page, log } = await shopper();
    await serveApp(context, '/e2e/vue-manual', vue, shell('Vue shop', '/e2e/vue-manual/manual.js'));
    await browse(page, '/e2e/vue-manual');
    expect(await pageViews(page, log, 5)).toEqual(journey('/e2e/vue-manual', ['manual', 'manual', 'manual', 'manual', 'manual']));
    await context.close();
  });
});

describe('a plain History API app with the script tag', () => {
  it('waits for a late title, loses no page view to a quick click or a page exit, and a jump to #results is no new search', async () => {
    const { context, page, log } = await shopper();
    const html = readFileSync(join(APPS, 'plain', 'index.html'), 'utf8');
    await serveApp(context, '/e2e/plain', new Map([...plain, ['index.html', html]]), html);
    const nav = (name: string) => page.locator('nav').getByRole('link', { name, exact: true });
    await page.goto('/e2e/plain/');
    await titled(page, 'Plain shop');
    await waitFor(
      () => sentEvents(log),
      (sent) => sent.length > 0,
      { describe: () => 'nothing sent after the first page view' },
    );
    // The title comes 200 ms after the route: the page view waits for it.
    await nav('About').click();
    await titled(page, 'About · Plain shop');
    // The FAQ keeps the title, and the visitor moves on at once: its page view is recorded then.
    await nav('FAQ').click();
    await nav('Home').click();
    await titled(page, 'Plain shop');
    // About, then a new document before About's title came (it would come a minute later): recorded on pagehide.
    await page.evaluate(() => Object.assign(window, { titleDelayMs: 60_000 }));
    await nav('About').click();
    await page.goto('/e2e/plain/search?q=red+shoes');
    await titled(page, 'Search · Plain shop');
    await page.getByRole('link', { name: 'Jump to the results' }).click();
    await page.waitForURL('**#results');
    await page.getByRole('button', { name: 'Add red shoe' }).click();
    await page.close({ runBeforeUnload: true });

    // From the collector: a page's last keepalive request can escape Playwright's log.
    const visitor = await visitorOf(log);
    const records = await waitFor(
      () => recordsOfVisitor(visitor),
      (found) => found.some((r) => r.name == 'add_to_cart'),
      { describe: (found) => `records: ${found.map((r) => `${r.name} ${r.path}`).join(', ')}` },
    );
    const views = records.filter((r) => r.name == 'page_view');
    expect(views.map((r) => [r.props.navigation, r.path, r.title])).toEqual([
      ['load', '/e2e/plain/', 'Plain shop'],
      ['push', '/e2e/plain/about', 'About · Plain shop'],
      ['push', '/e2e/plain/faq', 'About · Plain shop'],
      ['push', '/e2e/plain/', 'Plain shop'],
      ['push', '/e2e/plain/about', 'Plain shop'],
      ['load', '/e2e/plain/search', 'Plain shop'],
      ['hash', '/e2e/plain/search', 'Search · Plain shop'],
    ]);
    expect(pathAndQuery(views.at(-1)!.url)).toMatch(/^\/e2e\/plain\/search\?q=red(\+|%20)shoes$/);
    const searches = records.filter((r) => r.name == 'search');
    expect(searches.map((r) => r.props.search_term)).toEqual(['red shoes']);
    const cart = records.find((r) => r.name == 'add_to_cart')!;
    expect(cart.props.search_id).toBe(searches[0]!.props.search_id);
    await context.close();
  });
});
