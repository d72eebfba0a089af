import { defineConfig } from 'vitest/config';

// The collector's pure core (collector/src/core) in plain Node: validation, policy, redaction,
// anonymization and the pipeline, and the insights SQL on better-sqlite3 (the SQLite D1 runs).
// Fast, no workerd; that they run here at all shows the core needs no Workers runtime.
export default defineConfig({
  test: {
    name: 'collector-core',
    root: new URL('.', import.meta.url).pathname,
    environment: 'node',
    include: ['test-core/**/*.test.ts'],
    testTimeout: 30_000,
  },
});
