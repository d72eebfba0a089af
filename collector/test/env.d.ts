// Types for `env` and `exports` from 'cloudflare:workers' inside the tests: the Worker's own (collector/src/env.ts),
// and what collector/vitest.config.ts adds.
declare namespace Cloudflare {
  interface Env {
    TEST_MIGRATIONS: import('cloudflare:test').D1Migration[];
  }
}
