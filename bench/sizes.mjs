// Bundle size: every shipped Pathmark artefact beside bundles doing the same
// job with the alternatives, all built the same way (bench/lib/bundle.mjs).
import { existsSync, readFileSync } from 'node:fs';
import { fileURLToPath } from 'node:url';
import { bundleEntry, minify, sizes } from './lib/bundle.mjs';
import { runSection, notMeasured, log } from './lib/section.mjs';

const root = fileURLToPath(new URL('..', import.meta.url));
const dist = `${root}sdk/dist/`;
const missing = (file) => `${file} not built (run \`node sdk/build.mjs\`)`;

async function shipped(file, format, { minifyFirst, dir = dist }) {
  if (!existsSync(dir + file)) return { notMeasured: missing(`${dir.slice(root.length)}${file}`) };
  const code = readFileSync(dir + file, 'utf8');
  return sizes(minifyFirst ? await minify(code, format) : code);
}

async function bundled(entry) {
  try {
    return sizes(await bundleEntry(entry));
  } catch (error) {
    log(`bundling ${entry} failed:`, error.message);
    return notMeasured(`bundle of bench/entries/${entry}.js failed: ${error.errors?.[0]?.text ?? error.message}`);
  }
}

function sum(a, b) {
  if (a.notMeasured || b.notMeasured) return a.notMeasured ? a : b;
  return { min: a.min + b.min, gzip: a.gzip + b.gzip, brotli: a.brotli + b.brotli };
}

runSection(async () => {
  const script = await shipped('pathmark.js', 'iife', { minifyFirst: false });
  const vitals = await shipped('pathmark-vitals.js', 'esm', { minifyFirst: false });
  const delivery = await shipped('pathmark-delivery.js', 'esm', { minifyFirst: false });
  const pathmark = [
    { name: 'Pathmark `sdk/dist/pathmark.js` (script tag, as shipped)', kind: 'pathmark', size: script },
    {
      name: 'Pathmark `sdk/dist/index.js` (ES module entry, minified)',
      kind: 'pathmark',
      size: await shipped('index.js', 'esm', { minifyFirst: true }),
    },
    { name: 'Pathmark `sdk/dist/pathmark-vitals.js` (lazy web-vitals part, as shipped)', kind: 'pathmark', size: vitals },
    {
      name: 'Pathmark `sdk/dist/pathmark-delivery.js` (lazy delivery part, once a mode may send, as shipped)',
      kind: 'pathmark',
      size: delivery,
    },
    {
      name: 'Pathmark script tag + delivery + vitals (all a consented page downloads)',
      kind: 'pathmark',
      size: sum(sum(script, delivery), vitals),
    },
    {
      name: 'Pathmark baseline `bench/baseline/pathmark.js` (script tag before issue 16)',
      kind: 'pathmark',
      size: await shipped('pathmark.js', 'iife', { minifyFirst: false, dir: `${root}bench/baseline/` }),
    },
    {
      name: 'Pathmark ES module bundled into an app (`entries/pathmark-module.js`)',
      kind: 'pathmark',
      size: await bundled('pathmark-module'),
    },
  ];
  const alternatives = [
    { name: 'Snowplow browser-tracker + site-tracking + snowplow-ecommerce', entry: 'snowplow', short: 'Snowplow' },
    { name: 'PostHog `posthog-js`', entry: 'posthog', short: 'PostHog' },
    { name: 'Segment `@segment/analytics-next`', entry: 'segment', short: 'Segment' },
    { name: 'Plausible `@plausible-analytics/tracker`', entry: 'plausible', short: 'Plausible' },
  ];
  for (const alt of alternatives) {
    log('bundling', alt.entry);
    alt.size = await bundled(alt.entry);
    alt.kind = 'alternative';
  }
  const reference = script.notMeasured ? null : script.gzip;
  const ratio = (size) =>
    reference && !size.notMeasured
      ? size.gzip / reference
      : notMeasured(reference ? size.notMeasured : missing('sdk/dist/pathmark.js'));
  const cells = (size) => (size.notMeasured ? [size, size, size] : [size.min, size.gzip, size.brotli]);
  const rows = [...pathmark, ...alternatives].map((r) => [r.name, ...cells(r.size), r.kind === 'pathmark' ? '' : ratio(r.size)]);

  return {
    id: 'sizes',
    title: 'Bundle size',
    command: 'node bench/sizes.mjs',
    tables: [
      {
        columns: ['Artefact', 'Minified (B)', 'gzip -9 (B)', 'brotli -11 (B)', 'gzip × pathmark.js'],
        formats: ['text', 'bytes', 'bytes', 'bytes', 'ratio'],
        rows,
      },
    ],
    chart: {
      title: 'Bundle size, gzip -9 (bytes)',
      bars: [pathmark[0], pathmark[6], ...alternatives].map((r) => ({
        label: r.short ?? (r === pathmark[0] ? 'Pathmark script tag' : 'Pathmark module bundle'),
        value: r.size.notMeasured ? null : r.size.gzip,
        highlight: r.kind === 'pathmark',
      })),
    },
    notes: [
      'Alternatives: esbuild `bundle, minify, format: iife, platform: browser, target: es2020` from the entry files in `bench/entries/`, each a small `window.benchTracker` adapter (page view, track, cart add/remove, view item, search, purchase) of a few hundred bytes.',
      '`pathmark.js` is what a page loads before consent allows sending; `pathmark-delivery.js` and `pathmark-vitals.js` come once a mode may send. All three are measured byte for byte as the Worker serves them; `index.js` is an ES module a bundler consumes, so it is minified (esbuild, ESM) before compressing, without its imports.',
      "The last column is the alternative's gzip size divided by `pathmark.js`'s: how many times larger it is.",
    ],
  };
});
