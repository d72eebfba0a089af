/// <reference types="node" />
import { mkdirSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { buildScriptFiles } from '../build.mjs';
import type { Tracker } from '../src/index.ts';
import { collector, drain, expectEvents, names, settle, useFakeTime } from './support.ts';

/** The script-tag build as shipped (minified, props mangled), built in memory from the current source. */
let bundle = '';
/** Its lazily loaded chunks, written where the harness's import() finds them. */
let chunks = '';
const snippet = readFileSync(fileURLToPath(import.meta.url).replace(/test\/[^/]*$/, 'snippet.js'), 'utf8');
beforeAll(async () => {
  const files = await buildScriptFiles();
  bundle = files['pathmark.js']!;
  // Inside the repository (tmp/ is ignored): the test runner only imports files under its root.
  const tmp = fileURLToPath(import.meta.url).replace(/sdk\/test\/[^/]*$/, 'tmp/');
  mkdirSync(tmp, { recursive: true });
  chunks = mkdtempSync(`${tmp}tag-`);
  for (const [name, code] of Object.entries(files)) writeFileSync(join(chunks, name), code);
  // esbuild bundles and minifies every script-tag file: seconds on a loaded machine, past the 10 s hook default.
}, 60_000);
afterAll(() => rmSync(chunks, { recursive: true, force: true }));

/**
 * What the page's `import()` does in a browser: the chunk beside the script (pathmark-delivery.js); web vitals stay
 * out of these tests (happy-dom has no performance entries to observe).
 */
const importChunk = (url: string) =>
  url.endsWith('/pathmark-delivery.js')
    ? import(/* @vite-ignore */ join(chunks, 'pathmark-delivery.js'))
    : Promise.reject(new Error(`not loaded in this test: ${url}`));

/** Runs code the way a classic <script> would; `currentScript` is the tag with its data attributes. */
function runScript(code: string, script?: HTMLScriptElement) {
  Object.defineProperty(document, 'currentScript', { configurable: true, get: () => script ?? null });
  try {
    // The test harness evaluates the file; the SDK itself uses no eval. Code evaluated this way cannot import()
    // here: the harness hands it the loader a browser would use.
    new Function('importChunk', code.replace(/\bimport\(/g, 'importChunk('))(importChunk);
  } finally {
    Object.defineProperty(document, 'currentScript', { configurable: true, get: () => null });
  }
}

function scriptTag(attributes: Record<string, string>) {
  const script = document.createElement('script');
  script.src = 'http://localhost:3000/pathmark.js';
  for (const [name, value] of Object.entries(attributes)) script.setAttribute(name, value);
  return script;
}

const win = window as unknown as { pathmark?: Tracker & { q?: unknown } };

describe('script tag', () => {
  it('creates the tracker from data-* attributes, exposes window.pathmark and nothing else', async () => {
    useFakeTime();
    const c = collector();
    const before = new Set(Object.keys(window));
    runScript(bundle, scriptTag({ 'data-site': 'demo', 'data-endpoint': '/v1/events', 'data-consent': 'anonymous' }));
    expect(Object.keys(window).filter((k) => !before.has(k))).toEqual(['pathmark']);
    await settle();
    win.pathmark!.track('from_tag');
    await win.pathmark!.flush();
    expectEvents(c.events(), { expected: [{ name: 'page_view', props: { navigation: 'load' } }, { name: 'from_tag' }] });
    expect(c.batches[0]).toMatchObject({ site: 'demo', consent: 'anonymous' });
    win.pathmark!.destroy();
    delete win.pathmark;
  });

  it('replays calls the inline snippet queued before the script loaded, in order', async () => {
    useFakeTime();
    const c = collector();
    runScript(snippet);
    const early = win.pathmark!;
    early.search('early search');
    early.cart.add({ item_id: 'E1', price: 5 });
    early.consent.set('granted');
    early.track('queued_custom', { n: 1 });
    runScript(bundle, scriptTag({ 'data-site': 'demo', 'data-endpoint': '/v1/events', 'data-consent': 'pending' }));
    expect(win.pathmark).not.toBe(early);
    // Code that kept the stub keeps working after load.
    early.track('through_old_reference');
    await settle();
    await drain();
    await win.pathmark!.flush();
    // The page view first: events captured while it waits for its title follow it.
    expect(names(c.events())).toEqual([
      'page_view',
      'search',
      'add_to_cart',
      'consent',
      'queued_custom',
      'through_old_reference',
    ]);
    expect(c.events().every((e) => e.anonymous_id)).toBe(true);
    expect(win.pathmark!.consent.get()).toBe('granted');
    win.pathmark!.destroy();
    delete win.pathmark;
  });

  it('does not start twice when the tag is included twice', () => {
    collector();
    runScript(bundle, scriptTag({ 'data-site': 'demo', 'data-consent': 'pending' }));
    const first = win.pathmark;
    const { pushState } = history;
    runScript(bundle, scriptTag({ 'data-site': 'demo', 'data-consent': 'pending' }));
    expect(win.pathmark).toBe(first);
    expect(history.pushState).toBe(pushState);
    win.pathmark!.destroy();
    delete win.pathmark;
  });

  it('reads declarative cart markup through the shipped bundle', async () => {
    useFakeTime();
    const c = collector();
    document.body.innerHTML = '<button data-pm-cart="add" data-pm-item-id="B1" data-pm-item-price="12.5">Add</button>';
    runScript(bundle, scriptTag({ 'data-site': 'demo', 'data-consent': 'anonymous', 'data-auto-pageviews': 'false' }));
    document.querySelector('button')!.click();
    await win.pathmark!.flush();
    expect(names(c.events())).toEqual(['add_to_cart']);
    expectEvents(c.events(), {
      expected: [{ name: 'add_to_cart', props: { value: 12.5, items: [{ item_id: 'B1', price: 12.5 }] } }],
    });
    win.pathmark!.destroy();
    delete win.pathmark;
  });

  it('labels page views with the experiment from data-experiment and data-variant', async () => {
    useFakeTime();
    const c = collector();
    runScript(
      bundle,
      scriptTag({ 'data-site': 'demo', 'data-consent': 'anonymous', 'data-experiment': 'hero', 'data-variant': 'b' }),
    );
    await settle();
    await win.pathmark!.flush();
    expectEvents(c.events(), { expected: [{ name: 'page_view', props: { experiment: 'hero', variant: 'b' } }] });
    win.pathmark!.destroy();
    delete win.pathmark;
  });

  it('the snippet in docs/quickstart.md is the tested one', () => {
    const quickstart = readFileSync(fileURLToPath(import.meta.url).replace(/sdk\/test\/[^/]*$/, 'docs/quickstart.md'), 'utf8');
    expect(quickstart).toContain(snippet.trim());
  });

  it('contains no eval and no Function constructor (strict CSP)', () => {
    expect(bundle).not.toMatch(/\beval\(|new Function|Function\(/);
  });
});
