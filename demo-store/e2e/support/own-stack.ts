import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { applyMigrations, startWranglerOnFreePorts, waitForHealthy } from '../../stack.mjs';

export interface OwnStack {
  origin: string;
  persistTo: string;
  /** What wrangler dev printed so far. */
  output(): string;
  stop(): Promise<void>;
}

/**
 * A `wrangler dev` of its own, with its own state and variables, for tests that need
 * another configuration than the shared stack's (a webhook sink, short retries). The
 * SDK and store are already built by the global setup.
 */
export async function startOwnStack(vars: Record<string, string>, { waitForHealth = true } = {}): Promise<OwnStack> {
  const persistTo = await mkdtemp(join(tmpdir(), 'pathmark-e2e-own-'));
  applyMigrations({ persistTo, quiet: true });
  let stack: Awaited<ReturnType<typeof startWranglerOnFreePorts>> | undefined;
  const stop = async () => {
    await stack?.stop();
    await rm(persistTo, { recursive: true, force: true });
  };
  try {
    stack = await startWranglerOnFreePorts({
      ip: '127.0.0.1',
      persistTo,
      vars: (port) => ({
        PATHMARK_INSPECTOR: '1',
        DEV_ALLOWED_ORIGINS: `http://localhost:${port},http://127.0.0.1:${port}`,
        ...vars,
      }),
      log: (chunk) => {
        if (process.env.PATHMARK_E2E_LOG) process.stderr.write(chunk);
      },
    });
    if (waitForHealth) await waitForHealthy(stack.origin, { isAlive: stack.isAlive });
  } catch (error) {
    const output = stack?.output().slice(-5000);
    await stop();
    throw output
      ? new Error(`${error instanceof Error ? error.message : error}\n--- wrangler dev output ---\n${output}`, { cause: error })
      : error;
  }
  return { origin: stack.origin, persistTo, output: stack.output, stop };
}
