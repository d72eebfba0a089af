// @vitest-environment node
/// <reference types="node" />
/**
 * The shipped script-tag build in a real Chromium: a strict CSP, real
 * IndexedDB, real Web Locks across two tabs, keepalive on page exit, and the
 * lazily loaded vitals file. happy-dom has none of these for real.
 */
import { createHash } from 'node:crypto';
import { existsSync, readFileSync } from 'node:fs';
import http from 'node:http';
import type { AddressInfo } from 'node:net';
import { fileURLToPath } from 'node:url';
import { chromium, type Browser } from 'playwright-core';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { buildScriptFiles } from '../build.mjs';
import type { Batch } from '../src/protocol.ts';

const executablePath = process.env.CHROME_PATH ?? '/usr/bin/chromium';
const sdkDir = fileURLToPath(import.meta.url).replace(/test\/[^/]*$/, '');
const snippet = readFileSync(`${sdkDir}snippet.js`, 'utf8').trim();
const snippetHash = createHash('sha256').update(snippet).digest('base64');

const page = (body: string) => `<!doctype html><html><head><title>Home</title>
<meta http-equiv="Content-Security-Policy" content="default-src 'self'; script-src 'self' 'sha256-${snippetHash}'; connect-src 'self'">
<link rel="stylesheet" href="/tall.css">
<script>${snippet}</script>
<script async src="/pathmark.js" data-site="demo" data-endpoint="/v1/events" data-consent="pending"></script>
</head><body>${body}<script src="/page.js"></script></body></html>`;

let server: http.Server;
let origin = '';
let browser: Browser;
const batches: Batch[] = [];
const files: Record<string, [string, string]> = {};

beforeAll(async () => {
  for (const [name, code] of Object.entries(await buildScriptFiles())) files[`/${name}`] = ['text/javascript', code];
  files['/tall.css'] = ['text/css', 'body { height: 4000px }'];
  files['/page.js'] = ['text/javascript', "pathmark.consent.set('granted'); pathmark.search('boots', { results: 3 });"];
  files['/'] = [
    'text/html',
    page(
      '<button id="add" data-pm-cart="add" data-pm-item-id="S1" data-pm-item-price="9.5" data-pm-item-currency="EUR">Add</button>',
    ),
  ];
  server = http.createServer((req, res) => {
    if (req.method == 'POST' && req.url == '/v1/events') {
      let body = '';
      req.on('data', (chunk) => (body += chunk));
      req.on('end', () => {
        batches.push(JSON.parse(body));
        res.writeHead(202, { 'content-type': 'application/json' }).end('{"accepted":1,"rejected":[]}');
      });
      return;
    }
    const file = files[req.url!.split('?')[0]!] ?? files['/']!;
    res.writeHead(200, { 'content-type': file[0] }).end(file[1]);
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  origin = `http://127.0.0.1:${(server.address() as AddressInfo).port}`;
  if (existsSync(executablePath)) {
    browser = await chromium.launch({
      executablePath,
      headless: true,
      args: [
        '--no-sandbox',
        '--disable-gpu',
        '--disable-background-networking',
        '--disable-component-update',
        '--disable-sync',
        '--no-first-run',
      ],
    });
  }
}, 60_000);

afterAll(async () => {
  await browser?.close();
  server?.close();
});

const events = () => batches.flatMap((b) => b.events);
/**
 * Waits for the collector to have received what `done` looks for: no fixed sleeps. Fails when it does not, naming what
 * arrived; the deadline is generous, as a loaded machine may take seconds for a page exit's keepalive requests.
 */
async function until(done: () => boolean) {
  const deadline = Date.now() + 30_000;
  while (!done()) {
    if (Date.now() > deadline)
      throw new Error(
        `not received within 30 s; received: ${events()
          .map((e) => e.name)
          .join(', ')}`,
      );
    await new Promise((resolve) => setTimeout(resolve, 50));
  }
}
const count = (name: string) => events().filter((e) => e.name == name).length;

// A real browser on a shared machine: a page load, a navigation and a page exit take seconds under load, well past
// vitest's 5 s default; the waits inside fail on their own conditions first.
describe.runIf(existsSync(executablePath))('in Chromium', { timeout: 60_000 }, () => {
  it('captures the journey under a strict CSP and delivers it once, the last events on page exit', async () => {
    batches.length = 0;
    const context = await browser.newContext();
    const tab = await context.newPage();
    const problems: string[] = [];
    tab.on('pageerror', (e) => problems.push(e.message));
    tab.on('console', (m) => m.type() == 'error' && problems.push(m.text()));
    await tab.goto(`${origin}/`);
    await tab.waitForFunction(() => window.pathmark && 'destroy' in window.pathmark);
    await tab.click('#add');
    await tab.evaluate(() => {
      history.pushState(null, '', '/search?q=red+boots');
      document.title = 'Search: red boots';
    });
    await tab.evaluate(() => new Promise((resolve) => setTimeout(resolve, 400))); // the page view settles
    await tab.mouse.wheel(0, 2000);
    await tab.evaluate(() => new Promise(requestAnimationFrame));
    const device = await tab.evaluate(async () => ({
      databases: (await indexedDB.databases()).map((d) => d.name),
      storage: Object.keys(localStorage),
      globals: Object.keys(window).filter((k) => k.includes('pathmark')),
      locks: typeof navigator.locks?.request,
    }));
    await tab.goto('about:blank'); // pagehide: the rest goes out with keepalive
    await until(() => count('page_leave') >= 2 && count('scroll') > 0 && count('web_vitals') > 0);
    await context.close();

    expect(problems).toEqual([]);
    expect(device).toEqual({
      databases: ['pathmark:demo'],
      storage: ['pathmark:demo'],
      globals: ['pathmark'],
      locks: 'function',
    });
    const names = events().map((e) => e.name);
    for (const name of ['consent', 'search', 'page_view', 'add_to_cart', 'page_leave', 'scroll', 'web_vitals'])
      expect(names).toContain(name);
    const views = events().filter((e) => e.name == 'page_view');
    expect(views.map((e) => [(e.props as { navigation: string }).navigation, e.title])).toEqual([
      ['load', 'Home'],
      ['push', 'Search: red boots'],
    ]);
    expect(events().filter((e) => e.name == 'page_leave')).toHaveLength(2);
    expect(
      events()
        .filter((e) => e.name == 'search')
        .map((e) => (e.props as { source: string }).source),
    ).toEqual(['api', 'url']);
    expect(new Set(events().map((e) => e.id)).size).toBe(events().length);
    expect(events().every((e) => e.anonymous_id && e.session_id)).toBe(true);
  });

  it('a page left before pathmark-delivery.js arrives: the next page sends what it captured, once', async () => {
    batches.length = 0;
    const context = await browser.newContext();
    // The first page's delivery chunk never arrives (a slow network): the visitor consents, adds to cart and moves on.
    let held = false;
    await context.route('**/pathmark-delivery.js', (route) => (held ? route.continue() : void (held = true)));
    const tab = await context.newPage();
    await tab.goto(`${origin}/`);
    await tab.waitForFunction(() => window.pathmark?.consent.get() == 'granted');
    await tab.click('#add');
    await tab.goto(`${origin}/next`);
    await until(() => count('page_view') >= 2 && count('add_to_cart') >= 1);
    await tab.evaluate(() => window.pathmark!.flush());
    const kept = await tab.evaluate(() => Object.keys(localStorage));
    await context.close();

    expect(held).toBe(true);
    const sent = events();
    expect(
      sent.filter((e) => e.name == 'page_view').map((e) => new URL(e.url).pathname),
      'page 1, kept, is sent first',
    ).toEqual(['/', '/next']);
    expect(sent.filter((e) => e.name == 'add_to_cart').map((e) => new URL(e.url).pathname)).toEqual(['/']);
    expect(sent.filter((e) => e.name == 'search')).toHaveLength(2);
    expect(new Set(sent.map((e) => e.id)).size).toBe(sent.length);
    expect(new Set(sent.map((e) => e.anonymous_id)).size).toBe(1);
    expect(kept).toEqual(['pathmark:demo']);
  });

  it('two tabs of a site share the stored queue and never post the same event (real Web Locks)', async () => {
    const context = await browser.newContext();
    const [a, b] = await Promise.all([context.newPage(), context.newPage()]);
    await Promise.all([a.goto(`${origin}/`), b.goto(`${origin}/`)]);
    const ready = () => window.pathmark && 'destroy' in window.pathmark;
    await Promise.all([a.waitForFunction(ready), b.waitForFunction(ready)]);
    await new Promise((resolve) => setTimeout(resolve, 500));
    batches.length = 0;
    const burst = (tab: typeof a, label: string) =>
      tab.evaluate((label) => {
        for (let i = 0; i < 15; i++) window.pathmark!.track('tick', { label, i });
        return Promise.all([window.pathmark!.flush(), window.pathmark!.flush()]);
      }, label);
    await Promise.all([burst(a, 'a'), burst(b, 'b')]);
    await Promise.all([a.evaluate(() => window.pathmark!.flush()), b.evaluate(() => window.pathmark!.flush())]);
    await until(() => count('tick') >= 30);
    await context.close();
    await new Promise((resolve) => setTimeout(resolve, 300)); // anything sent on close
    const ticks = events().filter((e) => e.name == 'tick');
    expect(ticks).toHaveLength(30);
    expect(new Set(ticks.map((e) => e.id)).size).toBe(30);
  });

  it('a 1,000-call burst with the CPU throttled 4×: processed over several tasks, stored without rewriting the queue, delivered once', async () => {
    const context = await browser.newContext();
    const tab = await context.newPage();
    await (await context.newCDPSession(tab)).send('Emulation.setCPUThrottlingRate', { rate: 4 });
    // What the page writes to IndexedDB: the number of events in each record of events put (the head is no array).
    await tab.addInitScript(() => {
      const put = IDBObjectStore.prototype.put;
      const sizes: number[] = ((window as unknown as { eventRecords: number[] }).eventRecords = []);
      IDBObjectStore.prototype.put = function (this: IDBObjectStore, value: unknown, key?: IDBValidKey) {
        if (Array.isArray(value)) sizes.push(value.length);
        else if ((value as { events?: unknown[] }).events?.length) sizes.push(-1);
        return put.call(this, value, key);
      };
    });
    await tab.goto(`${origin}/`);
    await tab.waitForFunction(() => window.pathmark && 'destroy' in window.pathmark);
    await until(() => count('search') >= 1);
    batches.length = 0;
    await tab.evaluate(async () => {
      (window as unknown as { eventRecords: number[] }).eventRecords.length = 0;
      // In a task of the page (a task started by the DevTools protocol is not one), as a page's own code would.
      await new Promise((resolve) => setTimeout(resolve));
      for (let i = 0; i < 1000; i++) window.pathmark!.track('burst', { i });
    });
    await until(() => count('burst') >= 1000);
    const written = await tab.evaluate(() => (window as unknown as { eventRecords: number[] }).eventRecords);
    await context.close();
    const burst = events().filter((e) => e.name == 'burst');
    expect(burst).toHaveLength(1000);
    expect(new Set(burst.map((e) => e.id)).size).toBe(1000);
    expect(burst.map((e) => (e.props as { i: number }).i)).toEqual(Array.from({ length: 1000 }, (_, i) => i));
    // Processing went on over several tasks (each stores what it processed as one record of events), and no write
    // carried the whole queue (-1: the layout before) or all of the burst at once.
    expect(written).not.toContain(-1);
    expect(written.filter((size) => size > 0).length).toBeGreaterThan(1);
    expect(Math.max(...written)).toBeLessThan(1000);
  }, 60_000);
});

declare global {
  interface Window {
    pathmark?: import('../src/index.ts').Tracker;
  }
}
