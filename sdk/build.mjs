// Builds the SDK: ESM for bundlers (web-vitals split into its own chunk),
// the script-tag IIFE with its lazily loaded vitals file, and .d.ts via tsc.
import { build } from 'esbuild';
import { execFileSync } from 'node:child_process';
import { rmSync } from 'node:fs';
import { gzipSync } from 'node:zlib';
import { readFileSync } from 'node:fs';
import { fileURLToPath } from 'node:url';

const root = fileURLToPath(new URL('.', import.meta.url));
const dist = `${root}dist`;
rmSync(dist, { recursive: true, force: true });

const common = { bundle: true, target: 'es2020', logLevel: 'warning', legalComments: 'none' };

await Promise.all([
  build({
    ...common,
    entryPoints: { index: `${root}src/index.ts`, protocol: `${root}src/protocol.ts` },
    outdir: dist,
    format: 'esm',
    splitting: true,
    chunkNames: 'chunks/[name]-[hash]',
  }),
  build({
    ...common,
    entryPoints: [`${root}src/tag.ts`],
    outfile: `${dist}/pathmark.js`,
    format: 'iife',
    minify: true,
    // Property names only ever used inside this bundle (the tracker's public
    // methods and the stored queue's fields are not among them).
    mangleProps: new RegExp(
      '^(' +
        'leaveProps|pageStarted|searchId|destroyed|cleanup|envelope|useStore|selectItem|beginCheckout|lockName|listeners|' +
        'persist|restore|touch|ids|current|started|retryAfter|transport|batchSize|flushIntervalMs|maxQueue|' +
        'sessionTimeoutMs|idleTimeoutMs|googleConsentMode|loadVitals|online|left|path' +
        ')$',
    ),
    // The tag loads web-vitals from pathmark-vitals.js (tag.ts passes the loader),
    // so the module build's default loader is left out rather than bundled.
    plugins: [
      {
        name: 'vitals-loaded-by-tag',
        setup(b) {
          b.onResolve({ filter: /\/loadWebVitals$/ }, () => ({ path: 'loadWebVitals', namespace: 'tag' }));
          b.onLoad({ filter: /.*/, namespace: 'tag' }, () => ({ contents: 'export const loadWebVitals = undefined;' }));
        },
      },
    ],
  }),
  build({
    ...common,
    entryPoints: [`${root}src/vitals-entry.ts`],
    outfile: `${dist}/pathmark-vitals.js`,
    format: 'esm',
    minify: true,
  }),
]);

execFileSync(process.execPath, [`${root}../node_modules/typescript/bin/tsc`, '-p', `${root}tsconfig.build.json`], { stdio: 'inherit' });

const gzip = gzipSync(readFileSync(`${dist}/pathmark.js`), { level: 9 }).length;
console.log(`sdk/dist/pathmark.js: ${gzip} bytes gzip`);
