// Proves the Worker bundles for production: `wrangler deploy --dry-run` builds exactly what `wrangler deploy` would
// upload (esbuild, the Text rule for the SDK files, every binding of wrangler.toml) without an account or network,
// then this checks that every binding and variable of the generated Env (collector/worker-configuration.d.ts) is
// announced, and reports the bundle's size. Part of `npm test`; needs sdk/dist and demo-store/dist (npm run build).
import { execFileSync } from 'node:child_process';
import { mkdtempSync, readdirSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join, resolve } from 'node:path';
import { gzipSync } from 'node:zlib';

const root = resolve(import.meta.dirname, '..');
/** Workers Free plan's limit on a Worker's compressed size (the paid plans allow 10 MB). */
const MAX_GZIP_BYTES = 3 * 1024 * 1024;

const generated = readFileSync(join(root, 'collector/worker-configuration.d.ts'), 'utf8');
const envBody = generated.match(/interface Env \{([^}]*)\}/)?.[1] ?? '';
const bindings = [...envBody.matchAll(/^\s*(\w+):/gm)].map(([, name]) => name);

const outdir = mkdtempSync(join(tmpdir(), 'pathmark-bundle-'));
try {
  const output = execFileSync(
    process.execPath,
    [join(root, 'node_modules/wrangler/bin/wrangler.js'), 'deploy', '--dry-run', '--outdir', outdir],
    {
      cwd: root,
      encoding: 'utf8',
      stdio: ['ignore', 'pipe', 'pipe'],
      env: { ...process.env, WRANGLER_SEND_METRICS: 'false', NO_COLOR: '1' },
    },
  );
  const missing = bindings.filter((name) => !output.includes(`env.${name} `) && !output.includes(`env.${name}\n`));
  if (bindings.length === 0 || missing.length > 0) {
    throw new Error(`the dry run does not announce ${missing.join(', ') || 'any binding'}:\n${output}`);
  }
  const files = readdirSync(outdir).filter((name) => name.endsWith('.js'));
  const code = Buffer.concat(files.map((name) => readFileSync(join(outdir, name))));
  const gzip = gzipSync(code, { level: 9 }).length;
  const kib = (bytes) => `${(bytes / 1024).toFixed(1)} KiB`;
  console.log(
    `worker bundle (wrangler deploy --dry-run): ${kib(code.length)}, ${kib(gzip)} gzip, ${bindings.length} bindings and variables`,
  );
  if (gzip > MAX_GZIP_BYTES) throw new Error(`the Worker is ${kib(gzip)} gzip, over the ${kib(MAX_GZIP_BYTES)} a Worker may be`);
} catch (error) {
  console.error(`worker bundle: ${error.stderr ?? error.message}`);
  process.exitCode = 1;
} finally {
  rmSync(outdir, { recursive: true, force: true });
}
