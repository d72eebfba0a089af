// Types for `env` and `exports` from 'cloudflare:workers' inside the tests.
declare namespace Cloudflare {
  type CollectorEnv = import('../src/env.ts').Env;
  interface Env extends CollectorEnv {
    TEST_MIGRATIONS: import('cloudflare:test').D1Migration[];
  }
  interface GlobalProps {
    mainModule: typeof import('../src/index.ts');
  }
}
