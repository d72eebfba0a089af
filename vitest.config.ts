import { defineConfig } from 'vitest/config';

// Each level in its own project: SDK units (happy-dom), the collector's pure core in
// plain Node, the collector inside workerd, and the whole stack in a real Chromium.
export default defineConfig({
  test: {
    projects: [
      'sdk/vitest.config.ts',
      'collector/vitest.core.config.ts',
      'collector/vitest.config.ts',
      'warehouse/vitest.config.ts',
      'demo-store/vitest.config.ts',
    ],
  },
});
