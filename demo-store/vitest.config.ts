import { dirname } from 'node:path';
import { fileURLToPath } from 'node:url';
import { defineConfig } from 'vitest/config';

// The whole stack in a real Chromium. One `wrangler dev` serves every file
// (started by the global setup); files run one after another so that timing
// scenarios do not compete for the two cores with each other.
export default defineConfig({
  test: {
    name: 'e2e',
    root: dirname(fileURLToPath(import.meta.url)),
    include: ['e2e/**/*.test.ts'],
    environment: 'node',
    globalSetup: ['e2e/support/global-setup.ts'],
    fileParallelism: false,
    testTimeout: 120_000,
    hookTimeout: 180_000,
  },
});
