// Builds the SDK: ESM for bundlers (web-vitals split into its own chunk), the
// script-tag IIFE with its lazily loaded vitals file, and .d.ts via tsc.
// `node sdk/build.mjs` builds; tests import the options to build in memory.
import { build } from 'esbuild';
import { execFileSync } from 'node:child_process';
import { mkdirSync, readFileSync, readdirSync, rmSync, writeFileSync } from 'node:fs';
import { fileURLToPath, pathToFileURL } from 'node:url';
import { gzipSync } from 'node:zlib';
import { minify } from 'terser';

// A string URL: under a DOM test environment `URL` is not Node's.
const root = fileURLToPath(import.meta.url).replace(/[^/]*$/, '');
const dist = `${root}dist`;
const common = { bundle: true, target: 'es2021', logLevel: 'warning', legalComments: 'none' };

/** The script-tag build, `dist/pathmark.js`. */
export const tagBuildOptions = {
  ...common,
  entryPoints: [`${root}src/tag.ts`],
  outfile: `${dist}/pathmark.js`,
  format: 'iife',
  minify: true,
  // No "use strict" prologue (tsconfig's strict mode would add one): nothing here relies on it, and the
  // bytes count against the budget. The module build is strict anyway, as every ES module.
  tsconfigRaw: { compilerOptions: { alwaysStrict: false } },
  // Property names only ever used inside this bundle (neither the tracker's
  // public methods, nor DOM properties, nor the stored queue's fields, nor fields read from JSON).
  // esbuild never mangles a quoted name: the tracker's public methods that share a name with an
  // internal one (flush, destroy, purchase, viewItem) are written quoted in createTracker.ts, and
  // the dataset reads in tag.ts are quoted, so the config fields of the same name can be mangled.
  mangleProps: new RegExp(
    '^(' +
      'leaveProps|pageStarted|searchId|destroyed|cleanup|envelope|useStore|selectItem|beginCheckout|lockName|' +
      'persist|restore|touch|ids|current|started|retryAfter|transport|batchSize|flushIntervalMs|maxQueue|' +
      'sessionTimeoutMs|idleTimeoutMs|googleConsentMode|loadVitals|online|left|unloaded|path|' +
      'emit|enqueue|rewrite|on|reset|read|leave|update|code|clear|vitals|debug|store|navigate|settle|opened|' +
      'decide|forgetDevice|deepest|viewProps|erase|flush|destroy|purchase|viewItem|endpoint|autoPageviews|gpc' +
      ')$',
  ),
  // The tag loads web-vitals from pathmark-vitals.js (tag.ts passes the loader),
  // so the module build's default loader is left out rather than bundled.
  plugins: [
    {
      name: 'vitals-loaded-by-tag',
      setup(b) {
        b.onResolve({ filter: /\/loadWebVitals(\.[jt]s)?$/ }, () => ({ path: 'loadWebVitals', namespace: 'tag' }));
        b.onLoad({ filter: /.*/, namespace: 'tag' }, () => ({ contents: 'export const loadWebVitals = undefined;' }));
      },
    },
  ],
};

/** `dist/pathmark-vitals.js`: web-vitals as an ES module, imported by pathmark.js from its own directory. */
export const vitalsBuildOptions = {
  ...common,
  entryPoints: [`${root}src/vitals-entry.ts`],
  outfile: `${dist}/pathmark-vitals.js`,
  format: 'esm',
  minify: true,
};

/**
 * `dist/pathmark.js` as shipped, built in memory: esbuild bundles (and mangles the properties above), then terser
 * compresses further (about 4 % fewer gzip bytes than esbuild's minifier alone).
 */
export async function buildTag() {
  const result = await build({ ...tagBuildOptions, write: false });
  // Settings measured for the smallest gzip (hoisting function declarations is safe: they are hoisted anyway;
  // pure_getters lets terser inline a property read used once: nothing here reads a property for a side effect;
  // sequences and lhs_constants only switch two rewrites off, which here cost more gzip bytes than they save).
  const { code } = await minify(result.outputFiles[0].text, {
    ecma: 2021,
    compress: { passes: 2, hoist_funs: true, pure_getters: true, sequences: false, lhs_constants: false },
    format: { comments: false },
  });
  return code;
}

/**
 * The budget for gzip(pathmark.js), web vitals excluded. Raised from 6,144 for issue 9 (Consent Mode and SPA fixes);
 * to 7,000 while experiments and visitor rights land, before issue 16 lowers it.
 */
export const TAG_GZIP_BUDGET = 7000;
export const gzipSize = (code) => gzipSync(code, { level: 9 }).length;

async function main() {
  rmSync(dist, { recursive: true, force: true });
  await Promise.all([
    build({
      ...common,
      entryPoints: { index: `${root}src/index.ts`, protocol: `${root}src/protocol.ts` },
      outdir: dist,
      format: 'esm',
      splitting: true,
      chunkNames: 'chunks/[name]-[hash]',
    }),
    buildTag().then((code) => (mkdirSync(dist, { recursive: true }), writeFileSync(`${dist}/pathmark.js`, code))),
    build(vitalsBuildOptions),
  ]);
  execFileSync(process.execPath, [`${root}../node_modules/typescript/bin/tsc`, '-p', `${root}tsconfig.build.json`], {
    stdio: 'inherit',
  });
  // The sources import each other as `./x.ts` (the repository's one style); tsc keeps that in declarations, where
  // the files are `./x.js` and `./x.d.ts`: written as a published package's types are.
  for (const file of readdirSync(dist, { recursive: true, encoding: 'utf8' }).filter((name) => name.endsWith('.d.ts'))) {
    const path = `${dist}/${file}`;
    writeFileSync(path, readFileSync(path, 'utf8').replace(/((?:from|import)\s*\(?\s*'\.{1,2}\/[^']*)\.ts'/g, "$1.js'"));
  }
  const size = gzipSize(readFileSync(`${dist}/pathmark.js`));
  console.log(`sdk/dist/pathmark.js: ${size} bytes gzip (budget ${TAG_GZIP_BUDGET})`);
}

if (import.meta.url == pathToFileURL(process.argv[1] ?? '').href) await main();
