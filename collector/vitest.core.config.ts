import { defineConfig } from 'vitest/config';

// The collector's pure core in plain Node: insights SQL on better-sqlite3 (the SQLite D1 runs),
// privacy and statistics. Fast, no workerd.
export default defineConfig({
  test: {
    name: 'collector-core',
    root: new URL('.', import.meta.url).pathname,
    environment: 'node',
    include: ['test-core/**/*.test.ts'],
    testTimeout: 30_000,
  },
});
