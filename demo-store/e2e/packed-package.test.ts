// The package as users get it: `npm pack`, installed from the tarball into a fresh app (offline, from npm's cache),
// type-checked against its .d.ts and bundled by Vite; and the Next.js App Router recipe of docs/spa.md, built by
// `next build` (a static export) on the same install. Both then run in Chromium against the real collector.
import { execFile } from 'node:child_process';
import { cp, mkdir, mkdtemp, readdir, rm } from 'node:fs/promises';
import { join } from 'node:path';
import { promisify } from 'node:util';
import type { Browser, Page } from 'playwright-core';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { repoRoot } from '../stack.mjs';
import { APPS, serveDirectory } from './support/apps.ts';
import { launchBrowser, newShopperContext, recordCollectorRequests, sentEvents } from './support/browser.ts';
import { recordsOfVisitor, visitorOf, waitFor } from './support/sink.ts';
import { stackInfo } from './support/stack-info.ts';

const exec = promisify(execFile);
const bin = (path: string) => join(repoRoot, 'node_modules', path);
const quiet = { ...process.env, NEXT_TELEMETRY_DISABLED: '1', NO_COLOR: '1', npm_config_update_notifier: 'false' };

/** Runs a command and fails with its output. */
async function run(command: string, args: string[], cwd: string): Promise<string> {
  try {
    const { stdout } = await exec(command, args, { cwd, env: quiet, maxBuffer: 32 * 1024 * 1024 });
    return stdout;
  } catch (error) {
    const { stdout = '', stderr = '' } = error as { stdout?: string; stderr?: string };
    throw new Error(`${command} ${args.join(' ')} failed in ${cwd}\n${stdout}\n${stderr}`, { cause: error });
  }
}

let dir = '';
let browser: Browser;
const typecheck: { output?: string } = {};

beforeAll(async () => {
  // Inside the repository (its /tmp/ is ignored), so that the Next.js app finds next and react in its node_modules,
  // as a project's own would, while pathmark comes from the app's own install of the tarball.
  await mkdir(join(repoRoot, 'tmp'), { recursive: true });
  dir = await mkdtemp(join(repoRoot, 'tmp', 'consumer-'));
  await cp(join(APPS, 'consumer'), dir, { recursive: true });
  await cp(join(APPS, 'next'), join(dir, 'next-app'), { recursive: true });
  browser = await launchBrowser();

  // sdk/dist was built by the global setup; `files` in package.json decides what the tarball holds.
  const [packed] = JSON.parse(await run('npm', ['pack', '--json', '--pack-destination', dir], repoRoot)) as {
    filename: string;
  }[];
  // No lockfile: Next.js would take the app for the workspace root, and the repository's packages for outsiders.
  await run('npm', ['install', '--prefer-offline', '--no-audit', '--no-fund', '--no-package-lock', `./${packed!.filename}`], dir);

  await Promise.all([
    run(process.execPath, [bin('typescript/bin/tsc'), '-p', 'tsconfig.json'], dir).then((output) => (typecheck.output = output)),
    run(
      process.execPath,
      [bin('vite/bin/vite.js'), 'build', '--base', '/e2e/consumer/', '--outDir', 'dist', '--logLevel', 'warn'],
      dir,
    ),
    run(process.execPath, [bin('next/dist/bin/next'), 'build'], join(dir, 'next-app')),
  ]);
}, 300_000);

afterAll(async () => {
  await browser?.close();
  if (dir) await rm(dir, { recursive: true, force: true });
});

describe('the packed package in a Vite app', () => {
  it('installs from the tarball and type-checks with its own .d.ts (the @ts-expect-error lines prove they are not any)', async () => {
    expect(typecheck.output).toBe('');
    const installed = await readdir(join(dir, 'node_modules', 'pathmark', 'sdk', 'dist'));
    expect(installed).toEqual(
      expect.arrayContaining([
        'index.js',
        'index.d.ts',
        'protocol.js',
        'pathmark.js',
        'pathmark-vitals.js',
        'pathmark-delivery.js',
      ]),
    );
    // Nothing of the repository came along: no sources, no tests.
    expect(await readdir(join(dir, 'node_modules', 'pathmark'))).toEqual(expect.arrayContaining(['package.json', 'sdk']));
    expect(await readdir(join(dir, 'node_modules', 'pathmark', 'sdk'))).toEqual(['dist']);
  });

  it('bundles with Vite, web vitals in a chunk of their own, and sends to the collector', async () => {
    const assets = await readdir(join(dir, 'dist', 'assets'));
    expect(assets.filter((name) => name.endsWith('.js')).length).toBeGreaterThanOrEqual(2);
    const context = await newShopperContext(browser, stackInfo().origin);
    await serveDirectory(context, '/e2e/consumer', join(dir, 'dist'));
    const log = recordCollectorRequests(context);
    const scripts: string[] = [];
    context.on('request', (request) => void (request.url().includes('/e2e/consumer/assets/') && scripts.push(request.url())));
    const page = await context.newPage();
    await page.goto('/e2e/consumer/');
    const sent = await waitFor(
      () => sentEvents(log),
      (events) => ['page_view', 'view_item', 'consumer_ready'].every((name) => events.some((e) => e.name == name)),
      { describe: (events) => `sent: ${events.map((e) => e.name).join(', ')}` },
    );
    expect(sent.map((e) => e.name).slice(0, 3)).toEqual(['page_view', 'view_item', 'consumer_ready']);
    expect(log.filter((r) => r.batch).every((r) => r.status === undefined || r.status == 202)).toBe(true);
    // The vitals chunk, loaded after start-up since anonymous mode may send.
    await waitFor(
      () => scripts.length,
      (n) => n >= 2,
      { describe: () => `scripts: ${scripts.join(', ')}` },
    );
    await context.close();
  });
});

describe('the Next.js App Router recipe (next build, static export)', () => {
  async function titled(page: Page, title: string) {
    await page.waitForFunction((expected) => document.title == expected, title);
  }

  it('records each route with its own title through client-side navigations', async () => {
    const context = await newShopperContext(browser, stackInfo().origin);
    await serveDirectory(context, '/e2e/next', join(dir, 'next-app', 'out'));
    const log = recordCollectorRequests(context);
    const page = await context.newPage();
    await page.goto('/e2e/next');
    await titled(page, 'Home · Next shop');
    await waitFor(
      () => sentEvents(log),
      (events) => events.length > 0,
      { describe: () => 'nothing sent' },
    );
    await page.getByRole('link', { name: 'Shoes' }).click();
    await titled(page, 'Shoes · Next shop');
    await page.getByRole('link', { name: 'Red shoe' }).click();
    await titled(page, 'Red shoe · Next shop');
    // Client-side navigations, not document loads: the one document stays.
    expect(await page.evaluate(() => performance.getEntriesByType('navigation').length)).toBe(1);
    await page.close({ runBeforeUnload: true });

    const visitor = await visitorOf(log);
    const views = await waitFor(
      async () => (await recordsOfVisitor(visitor)).filter((r) => r.name == 'page_view'),
      (found) => found.length >= 3,
      { describe: (found) => `page views: ${found.map((r) => r.path).join(', ')}` },
    );
    expect(views.map((r) => [r.path, r.title])).toEqual([
      ['/e2e/next', 'Home · Next shop'],
      ['/e2e/next/shoes', 'Shoes · Next shop'],
      ['/e2e/next/shoes/red', 'Red shoe · Next shop'],
    ]);
    await context.close();
  });
});
