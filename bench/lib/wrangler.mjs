import { spawn, execFile } from 'node:child_process';
import { readdirSync, readFileSync } from 'node:fs';
import { createServer } from 'node:net';
import { fileURLToPath } from 'node:url';
import { promisify } from 'node:util';

const root = fileURLToPath(new URL('../..', import.meta.url));
const WRANGLER = `${root}node_modules/wrangler/bin/wrangler.js`;
const quietEnv = { ...process.env, WRANGLER_SEND_METRICS: 'false', CI: '1', NO_COLOR: '1', FORCE_COLOR: '0' };

const CLOCK_TICKS_PER_SECOND = 100;

/**
 * CPU seconds (user + system) used so far by every live process in a process
 * group, from /proc: `wrangler dev` and the workerd it starts share one group.
 */
export function processGroupCpuSeconds(pgid) {
  let ticks = 0;
  for (const entry of readdirSync('/proc')) {
    if (!/^\d+$/.test(entry)) continue;
    try {
      const stat = readFileSync(`/proc/${entry}/stat`, 'utf8');
      const fields = stat.slice(stat.lastIndexOf(')') + 2).split(' ');
      // After "pid (comm) ": state ppid pgrp session … utime is field 14 of stat, i.e. index 11 here.
      if (Number(fields[2]) === pgid) ticks += Number(fields[11]) + Number(fields[12]);
    } catch {
      /* the process ended meanwhile */
    }
  }
  return ticks / CLOCK_TICKS_PER_SECOND;
}

/** `count` distinct free loopback ports (held open together, so they differ). */
export async function freePorts(count) {
  const servers = [];
  try {
    for (let i = 0; i < count; i++) {
      const server = createServer();
      await new Promise((resolve, reject) => {
        server.once('error', reject);
        server.listen(0, '127.0.0.1', resolve);
      });
      servers.push(server);
    }
    return servers.map((server) => server.address().port);
  } finally {
    await Promise.all(servers.map((server) => new Promise((resolve) => server.close(resolve))));
  }
}

/**
 * `wrangler dev` on loopback with its own persistence directory. Resolves once
 * `readyPath` answers (any status), with the origin and a `stop()` that ends
 * this process group only.
 */
export async function startWranglerDev(options) {
  // A port found free can be taken by another process before wrangler binds it, and workerd picks its own
  // internal ports the same way (then it only says that it "failed to start"): try again with new ports.
  for (let attempt = 1; ; attempt++) {
    try {
      return await startOnce(options);
    } catch (error) {
      if (attempt >= 3 || !/already in use|EADDRINUSE|runtime failed to start/i.test(error.message)) throw error;
    }
  }
}

async function startOnce({ config, persistTo, vars = {}, readyPath = '/', timeoutMs = 90_000 }) {
  const [port, inspectorPort] = await freePorts(2);
  const args = [
    WRANGLER,
    'dev',
    '--config',
    config,
    '--ip',
    '127.0.0.1',
    '--port',
    String(port),
    '--inspector-port',
    String(inspectorPort),
    '--persist-to',
    persistTo,
    '--show-interactive-dev-session=false',
    '--log-level',
    'warn',
    ...Object.entries(vars).flatMap(([key, value]) => ['--var', `${key}:${value}`]),
  ];
  const child = spawn(process.execPath, args, { cwd: root, env: quietEnv, stdio: ['ignore', 'pipe', 'pipe'], detached: true });
  let output = '';
  child.stdout.on('data', (d) => {
    output += d;
  });
  child.stderr.on('data', (d) => {
    output += d;
  });
  let exited = false;
  child.on('exit', () => {
    exited = true;
  });
  const origin = `http://127.0.0.1:${port}`;
  const stop = () =>
    new Promise((resolve) => {
      if (exited) return resolve();
      child.once('exit', () => resolve());
      try {
        process.kill(-child.pid, 'SIGTERM');
      } catch {
        resolve();
      }
      setTimeout(() => {
        try {
          process.kill(-child.pid, 'SIGKILL');
        } catch {
          /* gone */
        }
      }, 5000).unref();
    });
  const deadline = Date.now() + timeoutMs;
  while (Date.now() < deadline) {
    if (exited) throw new Error(`wrangler dev exited before it was ready${firstError(output)}:\n${output.slice(-3000)}`);
    try {
      await fetch(origin + readyPath, { signal: AbortSignal.timeout(2000) });
      return { origin, port, inspectorPort, stop, output: () => output, cpuSeconds: () => processGroupCpuSeconds(child.pid) };
    } catch {
      await new Promise((r) => setTimeout(r, 250));
    }
  }
  await stop();
  throw new Error(`wrangler dev was not ready after ${timeoutMs / 1000} s${firstError(output)}:\n${output.slice(-3000)}`);
}

/** The first error wrangler printed, for a one-line reason. */
function firstError(output) {
  const line = output
    // eslint-disable-next-line no-control-regex -- ANSI colour codes start with ESC
    .replace(/\x1b\[[0-9;]*m/g, '')
    .split('\n')
    .find((l) => /✘|\bERROR\b/.test(l));
  return line ? ` (${line.replace(/^.*?\[ERROR\]\s*/, '').trim()})` : '';
}

const run = promisify(execFile);

export async function applyD1Migrations({ config, persistTo, database = 'pathmark' }) {
  await run(
    process.execPath,
    [WRANGLER, 'd1', 'migrations', 'apply', database, '--local', '--config', config, '--persist-to', persistTo],
    { cwd: root, env: quietEnv, timeout: 120_000 },
  );
}

/** Runs one SQL statement on the local D1 database; returns its rows. */
export async function queryD1({ config, persistTo, sql, database = 'pathmark' }) {
  const { stdout } = await run(
    process.execPath,
    [WRANGLER, 'd1', 'execute', database, '--local', '--config', config, '--persist-to', persistTo, '--json', '--command', sql],
    { cwd: root, env: quietEnv, timeout: 120_000, maxBuffer: 256 * 1024 * 1024 },
  );
  const parsed = JSON.parse(stdout.slice(stdout.indexOf('[')));
  return parsed[0]?.results ?? [];
}
