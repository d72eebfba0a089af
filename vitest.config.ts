import { defineConfig } from 'vitest/config';

// Three levels, each in its own project: SDK units (happy-dom), the collector
// inside workerd, and the whole stack in a real Chromium.
export default defineConfig({
  test: {
    projects: ['sdk/vitest.config.ts', 'collector/vitest.config.ts', 'demo-store/vitest.config.ts'],
  },
});
