import { fileURLToPath } from 'node:url';
import { cloudflareTest, readD1Migrations } from '@cloudflare/vitest-pool-workers';
import { defineConfig } from 'vitest/config';

const root = fileURLToPath(new URL('..', import.meta.url));

export default defineConfig(async () => ({
  // The repository root, so the Worker can import files outside collector/: the pool
  // applies wrangler.toml's Text rule to sdk/dist only inside the Vite root.
  root,
  plugins: [
    cloudflareTest({
      wrangler: { configPath: `${root}wrangler.toml` },
      miniflare: {
        bindings: {
          TEST_MIGRATIONS: await readD1Migrations(`${root}collector/migrations`),
          PATHMARK_INSPECTOR: '1',
          PSEUDONYM_KEY_DEMO: 'test-only-pseudonym-secret',
          WEBHOOK_SECRET: 'test-only-webhook-secret',
          FORWARD_URL: 'https://webhook.pathmark.test/ingest',
          // Queue retries back off by 0 s in tests, so retry → dead letter runs in seconds.
          RETRY_BASE_SECONDS: '0',
        },
      },
    }),
  ],
  test: {
    name: 'collector',
    root,
    include: ['collector/test/**/*.test.ts'],
    setupFiles: ['./collector/test/setup.ts'],
    // The warehouse (DuckDB, Node only) behind a loopback server, for the agreement test.
    globalSetup: ['./warehouse/test/support/duckdb-bridge.ts'],
    testTimeout: 30_000,
  },
}));
