// Builds the demo store into demo-store/dist, which the Worker serves as static
// assets: the SPA (app.js, importing the SDK from source as `pathmark`), the
// journal's consent manager (consent.js), the plain-HTML journal, product
// pictures, and the live inspector as one self-contained page.
import { build } from 'esbuild';
import { cp, mkdir, readFile, rm, writeFile } from 'node:fs/promises';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { logoSvg, productSvg } from './art.mjs';
import { journalPages } from './journal.mjs';

const here = dirname(fileURLToPath(import.meta.url));
const dist = join(here, 'dist');
const src = join(here, 'src');
const sdkSource = join(here, '..', 'sdk', 'src');

const catalog = JSON.parse(await readFile(join(src, 'catalog.json'), 'utf8'));

const shared = {
  bundle: true,
  minify: true,
  sourcemap: true,
  target: 'es2022',
  logLevel: 'warning',
  // The store uses the SDK the way an SPA would (`import { createTracker } from 'pathmark'`),
  // bundled from the SDK's source so the store always matches the code under test.
  alias: { pathmark: join(sdkSource, 'index.ts'), 'pathmark/protocol': join(sdkSource, 'protocol.ts') },
};

async function writeOut(path, contents) {
  await mkdir(dirname(join(dist, path)), { recursive: true });
  await writeFile(join(dist, path), contents);
}

await rm(dist, { recursive: true, force: true });
await cp(join(here, 'public'), dist, { recursive: true });
await writeOut('favicon.svg', logoSvg);
await Promise.all(catalog.products.map((p) => writeOut(`img/${p.id}.svg`, productSvg(p))));
await Promise.all(Object.entries(journalPages(catalog)).map(([path, doc]) => writeOut(path, doc)));

await build({
  ...shared,
  entryPoints: { app: join(src, 'app.ts') },
  outdir: dist,
  format: 'esm',
  splitting: true,
  chunkNames: 'chunks/[name]-[hash]',
});
await build({ ...shared, entryPoints: { consent: join(src, 'cmp.ts') }, outdir: dist, format: 'iife' });

// The Worker serves /inspector from this one file (only when PATHMARK_INSPECTOR=1),
// so its script and styles are inlined rather than left as separate public assets.
const inspector = await build({
  ...shared,
  sourcemap: false,
  entryPoints: [join(src, 'inspector', 'inspector.ts')],
  format: 'iife',
  write: false,
});
const inspectorHtml = await readFile(join(src, 'inspector', 'index.html'), 'utf8');
const css = await readFile(join(src, 'inspector', 'inspector.css'), 'utf8');
const script = inspector.outputFiles[0]?.text ?? '';
await writeOut(
  'inspector/index.html',
  inspectorHtml
    .replace('<!-- INSPECTOR_STYLES -->', () => `<style>\n${css}</style>`)
    .replace('<!-- INSPECTOR_SCRIPT -->', () => `<script>${script.replaceAll('</script', '<\\/script')}</script>`),
);

console.log(`demo-store: built ${catalog.products.length} products and the inspector into ${dist}`);
