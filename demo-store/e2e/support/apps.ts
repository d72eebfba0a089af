import { build } from 'esbuild';
import { existsSync, readFileSync, statSync } from 'node:fs';
import { dirname, extname, join } from 'node:path';
import { fileURLToPath } from 'node:url';
import type { BrowserContext, Page, Request } from 'playwright-core';
import { repoRoot } from '../../stack.mjs';

/** Sources of the test apps (real routers, real consent managers), next to the tests. */
export const APPS = join(dirname(fileURLToPath(import.meta.url)), '..', 'apps');

const TYPES: Record<string, string> = {
  '.html': 'text/html; charset=utf-8',
  '.js': 'text/javascript; charset=utf-8',
  '.mjs': 'text/javascript; charset=utf-8',
  '.css': 'text/css; charset=utf-8',
  '.json': 'application/json',
  '.txt': 'text/plain; charset=utf-8',
  '.svg': 'image/svg+xml',
  '.ico': 'image/x-icon',
  '.woff2': 'font/woff2',
};

export type Files = Map<string, string | Buffer>;

/** A file of an npm package installed as a devDependency, e.g. `klaro/dist/klaro.js` (not all export their dist). */
export const packageFile = (path: string): string => readFileSync(join(repoRoot, 'node_modules', path), 'utf8');

/**
 * Bundles app entries with esbuild, in memory, as ES modules (lazy routes become chunks). `pathmark` is the SDK's
 * source, as in the demo store: the code under test.
 */
export async function bundle(entries: Record<string, string>): Promise<Files> {
  const result = await build({
    entryPoints: Object.fromEntries(Object.entries(entries).map(([name, file]) => [name, join(APPS, file)])),
    outdir: '/bundle',
    bundle: true,
    write: false,
    format: 'esm',
    splitting: true,
    minify: true,
    target: 'es2022',
    jsx: 'automatic',
    logLevel: 'warning',
    absWorkingDir: repoRoot,
    alias: { pathmark: join(repoRoot, 'sdk', 'src', 'index.ts') },
    define: {
      'process.env.NODE_ENV': '"production"',
      __VUE_OPTIONS_API__: 'false',
      __VUE_PROD_DEVTOOLS__: 'false',
      __VUE_PROD_HYDRATION_MISMATCH_DETAILS__: 'false',
    },
  });
  return new Map(result.outputFiles.map((file) => [file.path.replace('/bundle/', ''), file.text]));
}

/**
 * Serves an app from the stack's origin (so that its SDK talks to the real collector, same origin) under `prefix`:
 * `files` by path, and `shell` (the app's HTML) for every other path, as a single-page app's server would.
 */
export async function serveApp(context: BrowserContext, prefix: string, files: Files, shell?: string): Promise<void> {
  await context.route(`**${prefix}/**`, (route) => {
    const path = decodeURIComponent(new URL(route.request().url()).pathname.slice(prefix.length + 1));
    const body = files.get(path) ?? shell;
    if (body === undefined) return route.fulfill({ status: 404, body: 'not found' });
    return route.fulfill({
      contentType: files.has(path) ? (TYPES[extname(path)] ?? 'application/octet-stream') : TYPES['.html'],
      body,
    });
  });
}

/**
 * Serves a built static site (Vite's or Next.js's output) from the stack's origin under `prefix`: a path is the file,
 * or that path plus `.html`, or its `index.html`.
 */
export async function serveDirectory(context: BrowserContext, prefix: string, dir: string): Promise<void> {
  await context.route(`**${prefix}/**`, (route) => {
    const path = decodeURIComponent(new URL(route.request().url()).pathname.slice(prefix.length)).replace(/\/$/, '');
    const file = [path, `${path}.html`, `${path}/index.html`]
      .map((candidate) => join(dir, candidate))
      .find((f) => existsSync(f) && statSync(f).isFile());
    if (!file) return route.fulfill({ status: 404, body: 'not found' });
    return route.fulfill({ contentType: TYPES[extname(file)] ?? 'application/octet-stream', body: readFileSync(file) });
  });
  // `${prefix}` itself, without the slash.
  await context.route(`**${prefix}`, (route) =>
    route.fulfill({ contentType: TYPES['.html'], body: readFileSync(join(dir, 'index.html')) }),
  );
}

/**
 * `page.goto` that, when the page does not load, names the requests still waiting for an answer (a stalled
 * request is otherwise invisible in a timeout).
 */
export async function gotoNaming(page: Page, url: string): Promise<void> {
  const pending = new Set<string>();
  const started = (request: Request) => void pending.add(request.url());
  const ended = (request: Request) => void pending.delete(request.url());
  page.on('request', started);
  page.on('requestfinished', ended);
  page.on('requestfailed', ended);
  try {
    await page.goto(url);
  } catch (error) {
    throw new Error(
      `${error instanceof Error ? error.message : error}\nstill waiting for: ${[...pending].join(', ') || 'nothing'}`,
      { cause: error },
    );
  } finally {
    page.off('request', started);
    page.off('requestfinished', ended);
    page.off('requestfailed', ended);
  }
}
