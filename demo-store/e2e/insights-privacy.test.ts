import type { Browser, Page } from 'playwright-core';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { seededRandom } from '../../collector/src/core/insights/privacy.ts';
import { buildPopulation, POPULATION_SITE } from '../../collector/test-core/support/population.ts';
import { allReports, populatedEngine } from '../../collector/test-core/support/run.ts';
import { launchBrowser } from './support/browser.ts';
import { stackInfo } from './support/stack-info.ts';

/**
 * What the insights page says about privacy: the k-anonymity "(other)" rows and the note when
 * differential-privacy noise is on. The demo site has no `epsilon`, so here the page (served by the
 * real Worker) gets its reports from the core itself, run over the core tests' scripted population
 * (better-sqlite3), with and without noise: the page's requests to /v1/insights are answered with them.
 */

const population = buildPopulation('2026-03-02');
const [FROM, TO] = [population.days[0]!, population.days.at(-1)!];

describe('the insights page under k-anonymity and noise', () => {
  let browser: Browser;
  let exact: Record<string, unknown>;
  let noisy: Record<string, unknown>;
  /** With k = 4 (a site policy's k_anonymity), two rare paths merge into an "(other)" row that reaches k. */
  let kFour: Record<string, unknown>;

  async function open(reports: Record<string, unknown>): Promise<Page> {
    const page = await browser.newPage({ baseURL: stackInfo().origin, viewport: { width: 1440, height: 900 } });
    await page.route(`**/v1/insights/${POPULATION_SITE}/*`, (route) => {
      const name = new URL(route.request().url()).pathname.split('/').at(-1)!;
      return route.fulfill({ contentType: 'application/json', body: JSON.stringify(reports[name]) });
    });
    await page.goto(`/insights?site=${POPULATION_SITE}&from=${FROM}&to=${TO}&mode=granted`);
    await page.waitForSelector('body[data-loaded="true"]');
    return page;
  }

  beforeAll(async () => {
    const engine = await populatedEngine(population.records);
    [exact, noisy, kFour, browser] = await Promise.all([
      allReports(engine, POPULATION_SITE, FROM, TO),
      allReports(engine, POPULATION_SITE, FROM, TO, { epsilon: 1, random: seededRandom(7) }),
      allReports(engine, POPULATION_SITE, FROM, TO, { k: 4 }),
      launchBrowser(),
    ]);
    engine.close();
  });

  afterAll(async () => {
    await browser?.close();
  });

  it('says nothing of noise when there is none, and shows revenue', async () => {
    const page = await open(exact);
    expect(await page.locator('[data-noise]').count()).toBe(0);
    expect(await page.locator('[data-k]').innerText()).toContain('fewer than 5 visits');
    const revenue = page.locator('[data-section="search"] [data-mode="granted"] [data-term-total] [data-revenue]');
    expect(await revenue.innerText()).toMatch(/^\d[\d,]*\.\d\d$/);
    await page.close();
  });

  it('says that every count carries Laplace noise, with its scale, and withholds revenue', async () => {
    const page = await open(noisy);
    expect(await page.locator('[data-noise]').innerText()).toContain('Laplace noise of scale 1 (ε = 1)');
    const revenue = page.locator('[data-section="search"] [data-mode="granted"] [data-term-total] [data-revenue]');
    expect(await revenue.innerText()).toBe('—');
    await page.close();
  });

  it('marks the "(other)" row of rows below k and says how many were folded', async () => {
    const page = await open(kFour);
    expect(await page.locator('[data-k]').innerText()).toContain('fewer than 4 visits');
    const panel = page.locator('[data-section="dwell"] [data-mode="granted"]');
    await panel.locator('details.more summary').click();
    expect(await panel.locator('[data-row="(other)"] .other').innerText()).toBe('(other)');
    expect(await panel.locator('.fold-note').innerText()).toMatch(
      /^\d+ paths seen in fewer than 4 visits are folded into “\(other\)”/,
    );
    await page.close();
  });
});
