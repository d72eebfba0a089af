import { mkdtemp, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import type { TestProject } from 'vitest/node';
import { applyMigrations, buildAll, startWranglerOnFreePorts, waitForHealthy } from '../../stack.mjs';
import { VISITOR_CF, type StackInfo } from './stack-info.ts';

/** Starts one stack for every e2e file: fresh state in a temp dir, a free port, inspector on. */
export default async function setup(project: TestProject): Promise<() => Promise<void>> {
  // To iterate on the tests against a stack you already run (state in PATHMARK_E2E_PERSIST_TO).
  const reuse = process.env.PATHMARK_E2E_ORIGIN;
  if (reuse) {
    const info: StackInfo = { origin: reuse, persistTo: process.env.PATHMARK_E2E_PERSIST_TO ?? '' };
    project.provide('stack', info);
    return async () => {};
  }

  buildAll({ quiet: true });
  const persistTo = await mkdtemp(join(tmpdir(), 'pathmark-e2e-'));
  applyMigrations({ persistTo, quiet: true });

  // The visitor's location, injected rather than left to whatever Miniflare would make up.
  const cfPath = join(persistTo, 'cf.json');
  await writeFile(cfPath, JSON.stringify({ ...VISITOR_CF, colo: 'DFW', asn: 0, httpProtocol: 'HTTP/1.1', clientTcpRtt: 0 }));

  let log = '';
  let stack: Awaited<ReturnType<typeof startWranglerOnFreePorts>> | undefined;
  try {
    stack = await startWranglerOnFreePorts({
      ip: '127.0.0.1',
      persistTo,
      cfPath,
      vars: (port) => ({
        PATHMARK_INSPECTOR: '1',
        DEV_ALLOWED_ORIGINS: `http://localhost:${port},http://127.0.0.1:${port}`,
      }),
      log: (chunk) => {
        log = (log + chunk).slice(-20_000);
        if (process.env.PATHMARK_E2E_LOG) process.stderr.write(chunk);
      },
    });
    await waitForHealthy(stack.origin, { isAlive: stack.isAlive });
  } catch (error) {
    await stack?.stop();
    throw new Error(`${error instanceof Error ? error.message : error}\n--- wrangler dev output ---\n${log}`, { cause: error });
  }
  const info: StackInfo = { origin: stack.origin, persistTo };
  project.provide('stack', info);

  return async () => {
    await stack.stop();
    await rm(persistTo, { recursive: true, force: true });
  };
}
