import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { applyMigrations, freePort, startWrangler, waitForHealthy } from '../../stack.mjs';

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
  const port = await freePort();
  let output = '';
  const stack = startWrangler({
    port,
    ip: '127.0.0.1',
    inspectorPort: await freePort(),
    persistTo,
    vars: { PATHMARK_INSPECTOR: '1', DEV_ALLOWED_ORIGINS: `http://localhost:${port},http://127.0.0.1:${port}`, ...vars },
    log: (chunk) => {
      output += chunk;
      if (process.env.PATHMARK_E2E_LOG) process.stderr.write(chunk);
    },
  });
  const stop = async () => {
    await stack.stop();
    await rm(persistTo, { recursive: true, force: true });
  };
  try {
    if (waitForHealth) await waitForHealthy(stack.origin, { isAlive: stack.isAlive });
    else {
      const deadline = Date.now() + 90_000;
      while (!/Ready on http/.test(output)) {
        if (!stack.isAlive() || Date.now() > deadline) throw new Error('wrangler dev did not get ready');
        await new Promise((resolve) => setTimeout(resolve, 200));
      }
    }
  } catch (error) {
    await stop();
    throw new Error(`${error instanceof Error ? error.message : error}\n--- wrangler dev output ---\n${output.slice(-5000)}`, {
      cause: error,
    });
  }
  return { origin: stack.origin, persistTo, output: () => output, stop };
}
