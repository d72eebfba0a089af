import { readFileSync } from 'node:fs';
import { execFileSync } from 'node:child_process';
import os from 'node:os';

function version(command, args) {
  try {
    return execFileSync(command, args, { encoding: 'utf8', stdio: ['ignore', 'pipe', 'ignore'], timeout: 30_000 })
      .trim()
      .split('\n')[0];
  } catch {
    return 'unavailable';
  }
}

/** The machine a bench run happened on, as printed at the top of docs/benchmarks.md. */
export function describeMachine() {
  const cpuinfo = readFileSync('/proc/cpuinfo', 'utf8');
  const cpu = /^model name\s*:\s*(.+)$/m.exec(cpuinfo)?.[1] ?? os.cpus()[0]?.model ?? 'unknown';
  const chromium = process.env.CHROME_PATH || '/usr/bin/chromium';
  return {
    cpu,
    cores: os.cpus().length,
    memoryGiB: Math.round((os.totalmem() / 2 ** 30) * 10) / 10,
    os: `${os.type()} ${os.release()} ${os.arch()}`,
    node: process.version,
    chromium: version(chromium, ['--version']),
    wrangler: version('node', ['node_modules/wrangler/bin/wrangler.js', '--version']),
    loadAverage: os
      .loadavg()
      .map((l) => l.toFixed(2))
      .join(', '),
    date: new Date().toISOString(),
  };
}
