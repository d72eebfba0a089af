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

/**
 * A page the Worker serves itself from one file (the inspector, only when PATHMARK_INSPECTOR=1;
 * the insights page, behind its access check): its script and styles are inlined rather than
 * left as separate public assets. `marker` names its placeholders, e.g. INSPECTOR_STYLES.
 */
async function buildPage(name, marker) {
  const bundle = await build({
    ...shared,
    sourcemap: false,
    entryPoints: [join(src, name, `${name}.ts`)],
    format: 'iife',
    write: false,
  });
  const page = await readFile(join(src, name, 'index.html'), 'utf8');
  const css = await readFile(join(src, name, `${name}.css`), 'utf8');
  const script = bundle.outputFiles[0]?.text ?? '';
  await writeOut(
    `${name}/index.html`,
    page
      .replace(`<!-- ${marker}_STYLES -->`, () => `<style>\n${css}</style>`)
      .replace(`<!-- ${marker}_SCRIPT -->`, () => `<script>${script.replaceAll('</script', '<\\/script')}</script>`),
  );
}
await buildPage('inspector', 'INSPECTOR');
await buildPage('insights', 'INSIGHTS');

console.log(`demo-store: built ${catalog.products.length} products, the inspector and the insights page into ${dist}`);
