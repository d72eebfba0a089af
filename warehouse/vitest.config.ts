import { defineConfig } from 'vitest/config';

// The warehouse in plain Node: the collector's insights SQL on an embedded DuckDB over archive
// files, against the same SQL on SQLite (what D1 runs).
export default defineConfig({
  test: {
    name: 'warehouse',
    root: new URL('.', import.meta.url).pathname,
    environment: 'node',
    include: ['test/**/*.test.ts'],
    testTimeout: 60_000,
  },
});
