// The Worker's Env type, generated from wrangler.toml by `wrangler types` into collector/worker-configuration.d.ts
// (checked in). `node tools/worker-types.mjs` regenerates it (npm run types:worker); `--check` fails when it is out of
// date (npm test). Works offline. wrangler runs in a temporary directory holding a copy of wrangler.toml and links to
// the folders it names, so a developer's .dev.vars (secrets, which wrangler would add to Env) is never read: the
// file is the same on every machine.
import { execFileSync } from 'node:child_process';
import { copyFileSync, mkdtempSync, rmSync, symlinkSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join, resolve } from 'node:path';

const root = resolve(import.meta.dirname, '..');
const OUTPUT = 'collector/worker-configuration.d.ts';
// Runtime types come from @cloudflare/workers-types; vars are plain strings (tests and .dev.vars set other values).
const ARGS = ['types', OUTPUT, '--include-runtime=false', '--strict-vars=false'];

const check = process.argv.includes('--check');
const dir = mkdtempSync(join(tmpdir(), 'pathmark-types-'));
try {
  copyFileSync(join(root, 'wrangler.toml'), join(dir, 'wrangler.toml'));
  for (const folder of ['collector', 'demo-store', 'sdk']) symlinkSync(join(root, folder), join(dir, folder));
  execFileSync(process.execPath, [join(root, 'node_modules/wrangler/bin/wrangler.js'), ...ARGS, ...(check ? ['--check'] : [])], {
    cwd: dir,
    stdio: ['ignore', 'ignore', 'inherit'],
    env: { ...process.env, WRANGLER_SEND_METRICS: 'false', NO_COLOR: '1' },
  });
  console.log(check ? `${OUTPUT}: up to date with wrangler.toml` : `${OUTPUT}: written`);
} catch {
  console.error(check ? `${OUTPUT} is out of date with wrangler.toml: run npm run types:worker` : `wrangler types failed`);
  process.exitCode = 1;
} finally {
  rmSync(dir, { recursive: true, force: true });
}
