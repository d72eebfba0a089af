import type { Env } from './env.ts';
import { PseudonymKeys } from './keys.ts';
import { AllowedOrigins } from './origins.ts';
import type { SitePolicies } from './policy.ts';
import { SaltStore } from './salts.ts';
import { loadSitePolicies } from './sites.ts';

/** What the routes need besides bindings; created once per isolate by the Worker entry. */
export interface CollectorDeps {
  policies: SitePolicies;
  /** Built from `policies`. */
  origins: AllowedOrigins;
  salts: SaltStore;
  pseudonymKeys: PseudonymKeys;
  now: () => number;
}

export interface AppEnv {
  Bindings: Env;
}

export function createDeps(overrides: Partial<CollectorDeps> = {}): CollectorDeps {
  const policies = overrides.policies ?? loadSitePolicies();
  return {
    policies,
    origins: overrides.origins ?? new AllowedOrigins(policies),
    salts: overrides.salts ?? new SaltStore(),
    pseudonymKeys: overrides.pseudonymKeys ?? new PseudonymKeys(),
    now: overrides.now ?? Date.now,
  };
}
