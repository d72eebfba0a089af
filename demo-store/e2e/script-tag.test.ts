import type { Browser, Page } from 'playwright-core';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { ForwardedRecord } from '../../collector/src/core/record.ts';
import { pathAndQuery } from '../src/inspector/page-views.ts';
import {
  chooseConsent,
  launchBrowser,
  newShopperContext,
  recordCollectorRequests,
  type CollectorRequest,
} from './support/browser.ts';
import { recordsOfVisitor, visitorOf, waitFor } from './support/sink.ts';
import { stackInfo } from './support/stack-info.ts';

const props = (record: ForwardedRecord) => record.props as Record<string, unknown>;
const firstItem = (record: ForwardedRecord) => (props(record).items as Record<string, unknown>[])[0];
const lantern = { item_id: 'li-glow-lantern', item_name: 'Glow Lantern', price: 36, currency: 'EUR' };

describe('the plain-HTML journal, tracked by the script tag and data-pm-* attributes alone', () => {
  let browser: Browser;
  let page: Page;
  let log: CollectorRequest[];
  let scripts: { src: string; inline: boolean }[] = [];
  let cartAfterAdd = '';
  let records: ForwardedRecord[] = [];

  beforeAll(async () => {
    browser = await launchBrowser();
    const context = await newShopperContext(browser, stackInfo().origin);
    log = recordCollectorRequests(context);
    page = await context.newPage();

    await page.goto('/blog/');
    scripts = await page.evaluate(() =>
      Array.from(document.scripts, (s) => ({ src: s.getAttribute('src') ?? '', inline: !s.src && s.text.trim() !== '' })),
    );
    await chooseConsent(page, 'Accept');
    await page.waitForFunction(
      () => (window as { pathmark?: { consent: { get(): string } } }).pathmark?.consent.get() === 'granted',
    );

    await page.getByRole('searchbox', { name: 'Search the journal' }).fill('lantern');
    await page.keyboard.press('Enter');
    await page.waitForURL('**/blog/search/?q=lantern');

    await page.locator('[data-pm-result]').nth(1).click();
    await page.waitForURL('**/blog/light-at-camp/');

    await page.getByRole('link', { name: 'Add to cart' }).click();
    await page.waitForURL('**/cart');
    cartAfterAdd = (await page.locator('.cart-table').textContent()) ?? '';

    await page.goBack();
    await page.waitForURL('**/blog/light-at-camp/');
    await page.getByRole('link', { name: 'Remove from cart' }).click();
    await page.waitForURL('**/cart');

    const wanted = ['search', 'select_item', 'view_item', 'add_to_cart', 'remove_from_cart'];
    const visitor = await visitorOf(log);
    records = await waitFor(
      async () => (await recordsOfVisitor(visitor)).filter((r) => r.path.startsWith('/blog/')),
      (found) => wanted.every((name) => found.some((r) => r.name === name)),
      { describe: (found) => `journal events in the sink: ${found.map((r) => r.name).join(', ')}` },
    );
  });

  afterAll(async () => {
    await browser?.close();
  });

  it('has no code of its own: only the Pathmark script tag and the demo’s consent banner', () => {
    expect(scripts).toEqual([
      { src: '/pathmark.js', inline: false },
      { src: '/consent.js', inline: false },
    ]);
  });

  it('records page views of the static pages', () => {
    const views = records.filter((r) => r.name === 'page_view').map((r) => pathAndQuery(r.url));
    expect(views.slice(0, 3)).toEqual(['/blog/', '/blog/search/?q=lantern', '/blog/light-at-camp/']);
  });

  it('links the form search (data-pm-search) to the result click (data-pm-result)', () => {
    const searches = records.filter((r) => r.name === 'search');
    expect(searches.length).toBeGreaterThan(0);
    for (const search of searches) expect(props(search).search_term).toBe('lantern');
    const click = records.find((r) => r.name === 'select_item')!;
    expect(click.path).toBe('/blog/search/');
    expect(props(click).index).toBe(1);
    expect(firstItem(click)).toMatchObject(lantern);
    expect(searches.map((s) => props(s).search_id)).toContain(props(click).search_id);
  });

  it('reports the featured product (data-pm-view-item) and the cart links (data-pm-cart)', () => {
    const onGuide = records.filter((r) => r.path === '/blog/light-at-camp/');
    const named = (name: string) => onGuide.filter((r) => r.name === name);
    expect(named('view_item').length).toBeGreaterThan(0);
    expect(firstItem(named('view_item')[0]!)).toMatchObject(lantern);
    expect(named('add_to_cart')).toHaveLength(1);
    expect(firstItem(named('add_to_cart')[0]!)).toMatchObject({ ...lantern, quantity: 1 });
    expect(named('remove_from_cart')).toHaveLength(1);
    expect(firstItem(named('remove_from_cart')[0]!)).toMatchObject({ ...lantern, quantity: 1 });
  });

  it('hands the visitor to the SPA cart, which holds what the journal link added', () => {
    expect(cartAfterAdd).toContain('Glow Lantern');
  });
});
