import { defineConfig } from 'vitest/config';

export default defineConfig({
  test: {
    name: 'sdk',
    root: new URL('.', import.meta.url).pathname,
    environment: 'happy-dom',
    include: ['test/**/*.test.ts'],
    setupFiles: ['test/setup.ts'],
  },
});
