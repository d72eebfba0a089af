import { execFileSync } from 'node:child_process';
import { existsSync } from 'node:fs';
import { chromium, type Browser, type BrowserContext, type Page } from 'playwright-core';

export const chromePath = process.env.CHROME_PATH || '/usr/bin/chromium';

/** Debian's Chromium, headless. A missing browser fails the run: e2e tests never skip. */
export async function launchBrowser(): Promise<Browser> {
  if (!existsSync(chromePath)) {
    throw new Error(
      `Chromium not found at ${chromePath}. The end-to-end tests need a real browser: ` +
        'install it with `apt-get update && apt-get install -y chromium`, or point CHROME_PATH at a Chromium binary.',
    );
  }
  return chromium.launch({
    executablePath: chromePath,
    headless: true,
    args: [
      // Headless Chromium says `HeadlessChrome` in its user agent, which the collector rightly
      // drops as a bot. Set for the whole browser (not per context) so that keepalive requests
      // finishing after their page is gone carry it too.
      `--user-agent=${desktopChromeUserAgent()}`,
      '--no-sandbox',
      '--disable-gpu',
      '--disable-background-networking',
      '--disable-component-update',
      '--disable-sync',
      '--no-first-run',
    ],
  });
}

/** The user agent of a desktop Chrome of the installed Chromium's version. */
function desktopChromeUserAgent(): string {
  const version = /\d+(\.\d+)+/.exec(execFileSync(chromePath, ['--version'], { encoding: 'utf8' }))?.[0] ?? '130.0.0.0';
  return `Mozilla/5.0 (X11; Linux x86_64) AppleWebKit/537.36 (KHTML, like Gecko) Chrome/${version} Safari/537.36`;
}

export async function newShopperContext(browser: Browser, origin: string): Promise<BrowserContext> {
  return browser.newContext({ baseURL: origin, viewport: { width: 1280, height: 800 } });
}

/** Everything the pages of one context sent to the collector (`/v1/…`), as the browser sent it. */
export interface CollectorRequest {
  url: string;
  method: string;
  body: string | null;
  /** HTTP status of the answer, or 0 when the request failed; undefined while pending or unseen. */
  status?: number;
  /** The parsed batch, for POST /v1/events. */
  batch?: { consent: string; events: SentEvent[] } & Record<string, unknown>;
}

/** An event as the SDK put it on the wire (raw identifiers included). */
export interface SentEvent {
  id: string;
  name: string;
  page_id: string;
  url: string;
  seq: number;
  anonymous_id?: string;
  session_id?: string;
  props?: Record<string, unknown>;
}

/** Records every request to `/v1/` made by any page of the context, beacons included. */
export function recordCollectorRequests(context: BrowserContext): CollectorRequest[] {
  const log: CollectorRequest[] = [];
  context.on('request', (request) => {
    const url = new URL(request.url());
    if (!url.pathname.startsWith('/v1/')) return;
    const body = request.postData();
    const entry: CollectorRequest = { url: request.url(), method: request.method(), body };
    if (url.pathname === '/v1/events' && body) {
      try {
        entry.batch = JSON.parse(body);
      } catch {
        // left unparsed: the test asserting on it will say so
      }
    }
    log.push(entry);
    // Pages that closed before the answer leave `status` undefined.
    request.response().then(
      (response) => (entry.status = response?.status() ?? 0),
      () => (entry.status = 0),
    );
  });
  return log;
}

export function sentEvents(log: readonly CollectorRequest[]): SentEvent[] {
  return log.flatMap((r) => r.batch?.events ?? []);
}

/**
 * Events of the requests the collector answered 2xx, once each. A request cut off (the context closed, the network
 * went offline) may never have reached the collector, and its events may never be sent again (purged, or their page
 * gone): a test that waits for every *sent* event downstream would then wait for one that cannot arrive.
 */
export function acceptedEvents(log: readonly CollectorRequest[]): SentEvent[] {
  const accepted = log.filter((r) => r.status !== undefined && r.status >= 200 && r.status < 300);
  return [...new Map(sentEvents(accepted).map((e) => [e.id, e])).values()];
}

/** Moves the mouse in small steps for `ms`, so the page counts the visitor as active. */
export async function stayActive(page: Page, ms: number): Promise<void> {
  const deadline = Date.now() + ms;
  let step = 0;
  while (Date.now() < deadline) {
    step += 1;
    await page.mouse.move(400 + (step % 2) * 12, 300 + (step % 3) * 8);
    await page.waitForTimeout(Math.min(200, Math.max(0, deadline - Date.now())));
  }
}

/** Fraction of the page seen so far: bottom of the viewport over the document height. */
export function seenFraction(page: Page): Promise<number> {
  return page.evaluate(() => Math.min(1, (scrollY + innerHeight) / document.documentElement.scrollHeight));
}

/** Scrolls with the mouse wheel, like a reader, until `fraction` of the page has been seen. */
export async function scrollUntilSeen(page: Page, fraction: number): Promise<number> {
  await page.mouse.move(640, 400);
  for (let i = 0; i < 200; i += 1) {
    const seen = await seenFraction(page);
    if (seen >= fraction - 0.005) return seen;
    const height = await page.evaluate(() => document.documentElement.scrollHeight);
    const remaining = (fraction - seen) * height;
    await page.mouse.wheel(0, Math.max(20, Math.min(240, remaining)));
    await page.waitForTimeout(120);
  }
  return seenFraction(page);
}

/** What the device holds for this origin: IndexedDB databases with their record counts, cookies, localStorage keys. */
export async function deviceStorage(page: Page): Promise<{
  indexedDb: { name: string; records: number }[];
  cookies: string[];
  localStorage: string[];
  sessionStorage: string[];
}> {
  const inPage = await page.evaluate(async () => {
    const databases = await indexedDB.databases();
    const indexedDb = [];
    for (const info of databases) {
      if (!info.name) continue;
      const db = await new Promise<IDBDatabase>((resolve, reject) => {
        const request = indexedDB.open(info.name as string);
        request.onsuccess = () => resolve(request.result);
        request.onerror = () => reject(request.error);
      });
      let records = 0;
      for (const storeName of Array.from(db.objectStoreNames)) {
        records += await new Promise<number>((resolve, reject) => {
          const request = db.transaction(storeName).objectStore(storeName).count();
          request.onsuccess = () => resolve(request.result);
          request.onerror = () => reject(request.error);
        });
      }
      db.close();
      indexedDb.push({ name: info.name, records });
    }
    return {
      indexedDb,
      localStorage: Object.keys(localStorage),
      sessionStorage: Object.keys(sessionStorage),
      documentCookie: document.cookie,
    };
  });
  const cookies = (await page.context().cookies()).map((c) => c.name);
  if (inPage.documentCookie) cookies.push(...inPage.documentCookie.split(';').map((c) => c.split('=')[0]!.trim()));
  return { indexedDb: inPage.indexedDb, cookies, localStorage: inPage.localStorage, sessionStorage: inPage.sessionStorage };
}

/** Answers the consent banner (`Accept`, `Anonymous only` or `Reject`). */
export async function chooseConsent(page: Page, label: 'Accept' | 'Anonymous only' | 'Reject'): Promise<void> {
  await page.locator('.consent-banner').getByRole('button', { name: label, exact: true }).click();
}
