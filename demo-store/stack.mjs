// The local Pathmark stack (the Worker with the store's assets, Queue, R2, D1 and
// rate limiter under `wrangler dev`), shared by `npm start` and the e2e tests.
import { spawn, spawnSync } from 'node:child_process';
import { createServer } from 'node:net';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';

export const repoRoot = join(dirname(fileURLToPath(import.meta.url)), '..');
const wranglerBin = join(repoRoot, 'node_modules', '.bin', 'wrangler');

/** Keeps wrangler off the network and out of interactive prompts. */
const quietEnv = { ...process.env, WRANGLER_SEND_METRICS: 'false', CI: '1', NO_COLOR: '1' };

/**
 * Runs a command in the repository and fails with its output when it fails.
 * @param {string} command
 * @param {string[]} args
 * @param {{ quiet?: boolean }} [options]
 * @returns {string} standard output
 */
export function run(command, args, options = {}) {
  const result = spawnSync(command, args, {
    cwd: repoRoot,
    env: quietEnv,
    encoding: 'utf8',
    stdio: options.quiet ? 'pipe' : ['ignore', 'inherit', 'inherit'],
    maxBuffer: 64 * 1024 * 1024,
  });
  if (result.status !== 0) {
    throw new Error(`${command} ${args.join(' ')} exited with ${result.status}\n${result.stdout ?? ''}${result.stderr ?? ''}`);
  }
  return result.stdout ?? '';
}

/** Builds the SDK (script-tag files served by the Worker) and the store. */
export function buildAll({ quiet = false } = {}) {
  run(process.execPath, ['sdk/build.mjs'], { quiet });
  run(process.execPath, ['demo-store/build.mjs'], { quiet });
}

/**
 * Applies the collector's D1 migrations to the local database.
 * @param {{ persistTo?: string, quiet?: boolean }} [options]
 */
export function applyMigrations({ persistTo, quiet = false } = {}) {
  const args = ['d1', 'migrations', 'apply', 'pathmark', '--local'];
  if (persistTo) args.push('--persist-to', persistTo);
  run(wranglerBin, args, { quiet });
}

/**
 * Runs one SQL statement against the local D1 database and returns its rows.
 * @param {string} persistTo
 * @param {string} sql
 * @returns {Record<string, unknown>[]}
 */
export function queryD1(persistTo, sql) {
  const out = run(wranglerBin, ['d1', 'execute', 'pathmark', '--local', '--persist-to', persistTo, '--json', '--command', sql], {
    quiet: true,
  });
  const parsed = JSON.parse(out.slice(out.indexOf('[')));
  return parsed.flatMap((statement) => statement.results ?? []);
}

/** @returns {Promise<number>} a TCP port nobody listens on right now */
export function freePort() {
  return new Promise((resolve, reject) => {
    const server = createServer();
    server.unref();
    server.on('error', reject);
    server.listen(0, '127.0.0.1', () => {
      const address = server.address();
      server.close(() => (typeof address === 'object' && address ? resolve(address.port) : reject(new Error('no port'))));
    });
  });
}

/**
 * Polls `/healthz` until the Worker answers: 200, or 503 `misconfigured` (the Worker runs,
 * but some sink cannot deliver; the caller shows `problems`). Resolves with the answer.
 * @param {string} origin
 * @param {{ timeoutMs?: number, isAlive?: () => boolean }} [options]
 * @returns {Promise<{ status: string, sinks: Record<string, unknown>, problems?: string[] }>}
 */
export async function waitForHealthy(origin, { timeoutMs = 90_000, isAlive = () => true } = {}) {
  const deadline = Date.now() + timeoutMs;
  let lastError = 'no answer';
  while (Date.now() < deadline) {
    if (!isAlive()) throw new Error('wrangler dev exited before the Worker answered /healthz');
    try {
      const response = await fetch(`${origin}/healthz`);
      const body = await response.json().catch(() => null);
      if (response.ok || (response.status === 503 && body?.status === 'misconfigured')) return body;
      lastError = `status ${response.status}`;
    } catch (error) {
      lastError = error instanceof Error ? error.message : String(error);
    }
    await new Promise((resolve) => setTimeout(resolve, 300));
  }
  throw new Error(`${origin}/healthz did not answer within ${timeoutMs} ms (${lastError})`);
}

/**
 * Starts `wrangler dev` in its own process group, so stopping it also stops workerd.
 * `cfPath`: a JSON file Miniflare reads as every request's `request.cf` (the visitor's country and region), instead
 * of fetching Cloudflare's sample (there is no network here, and tests inject where the visitor is).
 * @param {{ port: number, ip?: string, inspectorPort?: number, persistTo?: string, vars?: Record<string, string>, cfPath?: string, log?: (chunk: string) => void }} options
 */
export function startWrangler({ port, ip, inspectorPort, persistTo, vars = {}, cfPath, log }) {
  const args = ['dev', '--port', String(port), '--show-interactive-dev-session=false'];
  if (ip) args.push('--ip', ip);
  if (inspectorPort) args.push('--inspector-port', String(inspectorPort));
  if (persistTo) args.push('--persist-to', persistTo);
  for (const [key, value] of Object.entries(vars)) args.push('--var', `${key}:${value}`);
  const child = spawn(wranglerBin, args, {
    cwd: repoRoot,
    env: cfPath ? { ...quietEnv, CLOUDFLARE_CF_FETCH_PATH: cfPath } : quietEnv,
    detached: true,
    stdio: log ? ['ignore', 'pipe', 'pipe'] : ['ignore', 'inherit', 'inherit'],
  });
  if (log) {
    child.stdout?.on('data', (chunk) => log(String(chunk)));
    child.stderr?.on('data', (chunk) => log(String(chunk)));
  }
  let exited = false;
  const exit = new Promise((resolve) => child.once('exit', () => resolve((exited = true))));

  /** Sends `signal` to the whole process group, then SIGKILL if it lingers. */
  async function stop(signal = 'SIGINT') {
    if (exited || child.pid === undefined) return;
    try {
      process.kill(-child.pid, signal);
    } catch {
      return;
    }
    const timer = setTimeout(() => {
      try {
        if (child.pid !== undefined) process.kill(-child.pid, 'SIGKILL');
      } catch {
        // already gone
      }
    }, 5000);
    await exit;
    clearTimeout(timer);
  }

  return { child, origin: `http://${ip ?? 'localhost'}:${port}`, isAlive: () => !exited, exit, stop };
}

/**
 * Starts `wrangler dev` on free ports and resolves once it said it is ready on them. `freePort()` only tells that a port
 * was free a moment ago: on a shared machine another process may bind it while wrangler starts, and wrangler then exits
 * with "Address already in use" a few seconds later, while `/healthz` on that port answers for whoever holds it (another
 * engineer's stack, say). So readiness is wrangler's own "Ready on" line for this port, and a port taken meanwhile is
 * retried on new ones.
 * @param {Omit<Parameters<typeof startWrangler>[0], 'port' | 'inspectorPort' | 'vars' | 'log'> & { vars?: (port: number) => Record<string, string>, log?: (chunk: string) => void }} options
 * @param {{ attempts?: number, timeoutMs?: number }} [limits]
 * @returns {Promise<ReturnType<typeof startWrangler> & { output: () => string }>}
 */
export async function startWranglerOnFreePorts({ vars, log, ...options }, { attempts = 3, timeoutMs = 90_000 } = {}) {
  for (let attempt = 1; ; attempt += 1) {
    const port = await freePort();
    let output = '';
    const stack = startWrangler({
      ...options,
      port,
      inspectorPort: await freePort(),
      vars: vars?.(port),
      log: (chunk) => {
        output += chunk;
        log?.(chunk);
      },
    });
    const ready = `Ready on ${stack.origin}`;
    const deadline = Date.now() + timeoutMs;
    while (!output.includes(ready) && stack.isAlive() && Date.now() < deadline) {
      await new Promise((resolve) => setTimeout(resolve, 200));
    }
    if (output.includes(ready)) return { ...stack, output: () => output };
    const why = stack.isAlive() ? `did not get ready within ${timeoutMs} ms` : 'exited before it was ready';
    await stack.stop();
    if (attempt < attempts && /Address already in use/.test(output)) continue;
    throw new Error(`wrangler dev ${why}\n--- wrangler dev output ---\n${output.slice(-5000)}`);
  }
}
