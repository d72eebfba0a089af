import { build, transform } from 'esbuild';
import { gzipSync, brotliCompressSync, constants } from 'node:zlib';
import { fileURLToPath } from 'node:url';

const benchDir = fileURLToPath(new URL('..', import.meta.url));

/** Every bundle in the comparison is built this one way. */
export const BUNDLE_OPTIONS = Object.freeze({
  bundle: true,
  minify: true,
  format: 'iife',
  platform: 'browser',
  target: 'es2020',
  write: false,
  define: { 'process.env.NODE_ENV': '"production"' },
  logLevel: 'silent',
});

/** Bundles `bench/entries/<name>.js` and returns the minified code. */
export async function bundleEntry(name) {
  const result = await build({ ...BUNDLE_OPTIONS, entryPoints: [`${benchDir}entries/${name}.js`] });
  return result.outputFiles[0].text;
}

/** Minifies a shipped file the way a bundler would, keeping its module format. */
export async function minify(code, format) {
  return (await transform(code, { minify: true, format, target: 'es2020' })).code;
}

/** Compressed sizes as a CDN would serve them: gzip -9 and brotli -11. */
export function sizes(code) {
  const bytes = Buffer.from(code);
  return {
    min: bytes.length,
    gzip: gzipSync(bytes, { level: 9 }).length,
    brotli: brotliCompressSync(bytes, {
      params: { [constants.BROTLI_PARAM_QUALITY]: 11, [constants.BROTLI_PARAM_SIZE_HINT]: bytes.length },
    }).length,
  };
}
