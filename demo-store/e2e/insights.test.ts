import { mkdir } from 'node:fs/promises';
import { join } from 'node:path';
import type { Browser, BrowserContext, Page } from 'playwright-core';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { FunnelReport } from '../../collector/src/core/insights/reports/funnel.ts';
import type { SearchReport } from '../../collector/src/core/insights/reports/search.ts';
import { repoRoot } from '../stack.mjs';
import { chooseConsent, launchBrowser } from './support/browser.ts';
import { startOwnStack, type OwnStack } from './support/own-stack.ts';
import { waitFor } from './support/sink.ts';

/**
 * Shoppers in both consent modes search the store, open a result, and most of them buy it; the
 * insights page then shows that term's conversion and the funnel's step counts, per mode, exactly.
 * The stack is this file's own (fresh D1), so the figures are only these shoppers'.
 */

const TERM = 'lantern';
const MODES = ['granted', 'anonymous'] as const;
type Mode = (typeof MODES)[number];
/**
 * Per mode: every shopper searches and opens the first result; the first `buyers` also add it to
 * the cart and buy. The modes differ, so a figure shown under the wrong mode fails; each has at
 * least k = 5 (the demo site's k_anonymity) visits searching the term, so its row is not folded.
 */
const DESIGN: Record<Mode, { shoppers: number; buyers: number; conversion: string }> = {
  granted: { shoppers: 6, buyers: 5, conversion: '83.3 %' },
  anonymous: { shoppers: 5, buyers: 3, conversion: '60 %' },
};
/** Shoppers walking the store at once (the machine is shared: a few, not all twelve). */
const AT_ONCE = 3;

const utcDay = (time: number) => new Date(time).toISOString().slice(0, 10);

interface Shopper {
  mode: Mode;
  index: number;
  buys: boolean;
}

describe('the insights page after real shoppers in both consent modes', () => {
  let stack: OwnStack;
  let browser: Browser;
  const contexts: BrowserContext[] = [];
  let page: Page;
  let price = 0;
  // Through tomorrow: a run that crosses midnight UTC still finds the shoppers' events of the new day.
  const range = { from: utcDay(Date.now() - 86_400_000), to: utcDay(Date.now() + 86_400_000) };

  /**
   * One shopper in a browser context of their own. Each has another user agent: in anonymous mode
   * a visitor is the daily hash of address and browser, and every shopper here comes from 127.0.0.1.
   */
  async function shop({ mode, index, buys }: Shopper, chromeVersion: string): Promise<void> {
    const [major] = chromeVersion.split('.');
    const context = await browser.newContext({
      baseURL: stack.origin,
      viewport: { width: 1280, height: 800 },
      userAgent: `Mozilla/5.0 (X11; Linux x86_64) AppleWebKit/537.36 (KHTML, like Gecko) Chrome/${major}.0.${7000 + index}.${mode === 'granted' ? 1 : 2} Safari/537.36`,
    });
    contexts.push(context);
    const tab = await context.newPage();
    await tab.goto('/');
    await chooseConsent(tab, mode === 'granted' ? 'Accept' : 'Anonymous only');
    await tab.getByRole('searchbox', { name: 'Search gear' }).fill(TERM);
    await tab.keyboard.press('Enter');
    await tab.waitForURL(`**/search?q=${TERM}`);
    const result = tab.locator('[data-pm-result]').first();
    const id = await result.getAttribute('data-pm-item-id');
    price = Number(await result.getAttribute('data-pm-item-price'));
    await result.click();
    await tab.waitForURL(`**/p/${id}`);
    if (!buys) return;
    await tab.getByRole('button', { name: 'Add to cart' }).click();
    await tab.locator('.site-header .cart-link').click();
    await tab.waitForURL('**/cart');
    await tab.getByRole('link', { name: 'Check out' }).click();
    await tab.waitForURL('**/checkout');
    await tab.getByRole('button', { name: /Place order/ }).click();
    await tab.waitForURL('**/order/*');
  }

  const report = async <R>(name: string): Promise<R> => {
    const response = await fetch(`${stack.origin}/v1/insights/demo/${name}?${new URLSearchParams(range)}`);
    if (!response.ok) throw new Error(`GET /v1/insights/demo/${name} answered ${response.status}: ${await response.text()}`);
    return (await response.json()) as R;
  };

  beforeAll(async () => {
    [stack, browser] = await Promise.all([startOwnStack({}), launchBrowser()]);
    const shoppers: Shopper[] = MODES.flatMap((mode) =>
      Array.from({ length: DESIGN[mode].shoppers }, (_, index) => ({ mode, index, buys: index < DESIGN[mode].buyers })),
    );
    for (let i = 0; i < shoppers.length; i += AT_ONCE) {
      await Promise.all(shoppers.slice(i, i + AT_ONCE).map((shopper) => shop(shopper, browser.version())));
    }
    // Every shopper's events have gone through the queue into the insights tables (the SDK sends on its own timer;
    // a shopper who stops on the product page sends its view there too).
    await waitFor(
      () => Promise.all([report<FunnelReport>('funnel'), report<SearchReport>('search')]),
      ([funnel, search]) =>
        MODES.every(
          (mode) =>
            funnel.modes[mode].steps[0]?.visits === DESIGN[mode].shoppers &&
            search.modes[mode].totals.with_purchase === DESIGN[mode].buyers,
        ),
      {
        timeoutMs: 60_000,
        describe: ([funnel, search]) =>
          JSON.stringify(MODES.map((mode) => [funnel.modes[mode].steps, search.modes[mode].totals])),
      },
    );

    page = await browser.newPage({ baseURL: stack.origin, viewport: { width: 1440, height: 1200 } });
    await page.goto(`/insights?site=demo&from=${range.from}&to=${range.to}`);
    await page.waitForSelector('body[data-loaded="true"]');
  }, 240_000);

  afterAll(async () => {
    await browser?.close();
    await stack?.stop();
  });

  it('the API has exactly the designed figures in each mode', async () => {
    const [funnel, search] = await Promise.all([report<FunnelReport>('funnel'), report<SearchReport>('search')]);
    for (const mode of MODES) {
      const { shoppers, buyers } = DESIGN[mode];
      expect(funnel.modes[mode].steps.map((s) => [s.step, s.visits, s.drop_off])).toEqual([
        ['view_item', shoppers, null],
        ['add_to_cart', buyers, shoppers - buyers],
        ['begin_checkout', buyers, 0],
        ['purchase', buyers, 0],
      ]);
      const term = search.modes[mode].terms.rows.find((row) => row.term === TERM);
      expect(term).toMatchObject({
        searches: shoppers,
        visits: shoppers,
        clicked: shoppers,
        with_view: shoppers,
        with_add: buyers,
        with_purchase: buyers,
        revenue: buyers * price,
      });
    }
  });

  for (const mode of MODES) {
    it(`shows the funnel's step counts and the term's conversion with consent ${mode}`, async () => {
      const { shoppers, buyers, conversion } = DESIGN[mode];
      if (mode !== 'granted') await page.locator('[data-section="funnel"] [data-mode-tab="anonymous"]').click();
      const panel = (section: string) => page.locator(`[data-section="${section}"] [role="tabpanel"][data-mode="${mode}"]`);
      // One choice shows the same mode in every section, and each says which mode it is.
      for (const section of ['funnel', 'search', 'cart', 'browse-paths']) {
        expect(await panel(section).isVisible(), section).toBe(true);
        expect(await page.locator(`[data-section="${section}"] [data-mode-tab="${mode}"]`).getAttribute('aria-selected')).toBe(
          'true',
        );
      }
      expect(await panel('funnel').locator('[data-coverage] summary').innerText()).toContain(
        mode === 'granted' ? 'consent granted' : 'anonymous measurement',
      );

      const step = (name: string, cell: string) => panel('funnel').locator(`[data-step="${name}"] [${cell}]`).innerText();
      expect(
        await Promise.all(['view_item', 'add_to_cart', 'begin_checkout', 'purchase'].map((s) => step(s, 'data-visits'))),
      ).toEqual([String(shoppers), String(buyers), String(buyers), String(buyers)]);
      expect(await Promise.all(['add_to_cart', 'begin_checkout', 'purchase'].map((s) => step(s, 'data-drop-off')))).toEqual([
        String(shoppers - buyers),
        '0',
        '0',
      ]);

      const term = panel('search').locator(`[data-term="${TERM}"]`);
      expect(await term.locator('th').innerText()).toBe(TERM);
      expect(await term.locator('[data-searches]').innerText()).toBe(String(shoppers));
      expect(await term.locator('[data-ctr]').innerText()).toBe('100 %');
      expect(await term.locator('[data-purchases]').innerText()).toBe(String(buyers));
      expect(await term.locator('[data-conversion]').innerText()).toBe(conversion);
      expect(await term.locator('[data-revenue]').innerText()).toBe((buyers * price).toFixed(2));
    });
  }

  // docs/insights.png for the README, only on demand (`npm run screenshots`), like store.png and inspector.png.
  it('takes a screenshot of the page (into docs/ with PATHMARK_SCREENSHOTS=1)', async () => {
    await page.locator('[data-section="funnel"] [data-mode-tab="granted"]').click();
    const docs = process.env.PATHMARK_SCREENSHOTS === '1' ? join(repoRoot, 'docs') : undefined;
    if (docs) await mkdir(docs, { recursive: true });
    const shot = await page.screenshot(docs ? { path: join(docs, 'insights.png') } : {});
    expect(shot.byteLength).toBeGreaterThan(0);
  });
});
