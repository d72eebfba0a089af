// Builds the SDK: ESM for bundlers (web-vitals split into its own chunk), the
// script-tag IIFE with its lazily loaded parts (pathmark-<chunk>.js), and .d.ts via tsc.
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

/**
 * The script tag's lazily loaded parts: `dist/pathmark-<name>.js`, ES modules imported from the tag's own directory
 * (the collector serves each, collector/src/routes/script.ts). `loader` names the module build's loader it replaces.
 */
export const TAG_CHUNKS = {
  // web-vitals, once the mode allows sending.
  vitals: { entry: 'vitals-entry.ts', loader: 'loadWebVitals' },
  // The queue, its IndexedDB store and transport, the visitor-rights requests: once the mode first allows sending.
  // `shared`: objects cross between it and the tag, so it mangles their property names the tag's way.
  delivery: { entry: 'delivery.ts', loader: 'loadDelivery', shared: true },
};

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
  // internal one (flush, destroy) are written quoted in createTracker.ts, and
  // the dataset reads in tag.ts are quoted, so the config fields of the same name can be mangled.
  mangleProps: new RegExp(
    '^(' +
      'leaveProps|pageStarted|destroyed|cleanup|envelope|useStore|lockName|' +
      'persist|restore|ids|state|persistent|synced|clock|loadState|saveState|session|callLater|drain|current|started|retryAfter|transport|batchSize|flushIntervalMs|maxQueue|' +
      'sessionTimeoutMs|idleTimeoutMs|googleConsentMode|loadVitals|online|left|unloaded|path|' +
      'emit|enqueue|stripIds|on|reset|read|leave|update|code|clear|vitals|debug|store|navigate|settle|opened|' +
      'decide|forgetDevice|deepest|viewProps|erase|flush|destroy|endpoint|autoPageviews|gpc' +
      ')$',
  ),
  // The tag loads its lazy parts from pathmark-<chunk>.js beside itself: each module build loader
  // (src/lib/load<Part>.ts) is replaced by an import() of that file.
  plugins: [
    {
      name: 'chunks-loaded-by-tag',
      setup(b) {
        const loaders = Object.keys(TAG_CHUNKS)
          .map((chunk) => TAG_CHUNKS[chunk].loader)
          .join('|');
        b.onResolve({ filter: new RegExp(`/(${loaders})(\\.[jt]s)?$`) }, (args) => ({
          path: args.path.replace(/.*\/|\.[jt]s$/g, ''),
          namespace: 'tag',
        }));
        b.onResolve({ filter: /^tag:chunk$/ }, () => ({ path: 'chunk', namespace: 'tag' }));
        b.onLoad({ filter: /.*/, namespace: 'tag' }, ({ path }) => ({
          contents:
            path == 'chunk'
              ? // Read as the tag runs (later, currentScript is gone). Async: no src (an inline copy) is a rejection.
                `const src = document.currentScript?.src;
                 export const chunk = async (name) => import(/* @vite-ignore */ new URL('pathmark-' + name + '.js', src).href);`
              : `import { chunk } from 'tag:chunk'; export const ${path} = () => chunk('${Object.keys(TAG_CHUNKS).find((c) => TAG_CHUNKS[c].loader == path)}');`,
        }));
      },
    },
  ],
};

/**
 * `dist/pathmark.js` and its chunks as shipped, built in memory: `{ 'pathmark.js': code, 'pathmark-vitals.js': code, … }`.
 * The chunks share the tag's mangled property names (esbuild's mangle cache): objects cross between them.
 */
export async function buildScriptFiles() {
  const { code, mangleCache } = await buildTagWithCache();
  const files = { 'pathmark.js': code };
  for (const [name, { entry, shared }] of Object.entries(TAG_CHUNKS)) {
    const chunk = await build({
      ...common,
      entryPoints: [`${root}src/${entry}`],
      format: 'esm',
      minify: true,
      write: false,
      ...(shared && { mangleProps: tagBuildOptions.mangleProps, mangleCache }),
    });
    files[`pathmark-${name}.js`] = chunk.outputFiles[0].text;
  }
  return files;
}

/**
 * `dist/pathmark.js` as shipped, built in memory: esbuild bundles (and mangles the properties above), then terser
 * compresses further (about 4 % fewer gzip bytes than esbuild's minifier alone).
 */
export async function buildTag() {
  return (await buildTagWithCache()).code;
}

async function buildTagWithCache() {
  const result = await build({ ...tagBuildOptions, write: false, mangleCache: {} });
  // Settings measured for the smallest gzip (a third pass saves a few bytes more; hoisting function declarations is safe: they are hoisted anyway;
  // pure_getters lets terser inline a property read used once: nothing here reads a property for a side effect;
  // sequences and lhs_constants only switch two rewrites off, which here cost more gzip bytes than they save).
  const { code } = await minify(result.outputFiles[0].text, {
    ecma: 2021,
    compress: { passes: 3, hoist_funs: true, pure_getters: true, sequences: false, lhs_constants: false },
    format: { comments: false },
  });
  return { code, mangleCache: result.mangleCache };
}

/**
 * The budget for gzip(pathmark.js): everything a page loads before consent allows sending (issue 16: at most 5,120 B,
 * from 6,394 B; 5,070 B once advancing the session and processing captures moved into delivery; 5,099 B with the
 * anonymous-mode beacon of a page left before delivery loaded, unsent.ts); the budget is the target itself. Web vitals and
 * delivery (pathmark-delivery.js) load only once a mode may send.
 */
export const TAG_GZIP_BUDGET = 5120;
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
    buildScriptFiles().then((files) => {
      mkdirSync(dist, { recursive: true });
      for (const [name, code] of Object.entries(files)) writeFileSync(`${dist}/${name}`, code);
    }),
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
