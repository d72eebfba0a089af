import type { Env } from './env.ts';
import { PseudonymKeys } from './keys.ts';
import type { SitePolicies, SitePolicy } from './policy.ts';
import { SaltStore } from './salts.ts';
import { devOrigins, loadSitePolicies } from './sites.ts';

/** What the routes need besides bindings; created once per isolate by the Worker entry. */
export interface CollectorDeps {
  policies: SitePolicies;
  salts: SaltStore;
  pseudonymKeys: PseudonymKeys;
  now: () => number;
}

export interface AppEnv {
  Bindings: Env;
}

export function createDeps(overrides: Partial<CollectorDeps> = {}): CollectorDeps {
  return {
    policies: overrides.policies ?? loadSitePolicies(),
    salts: overrides.salts ?? new SaltStore(),
    pseudonymKeys: overrides.pseudonymKeys ?? new PseudonymKeys(),
    now: overrides.now ?? Date.now,
  };
}

/** A site's allowed origins plus the DEV_ALLOWED_ORIGINS ones. */
export function originsOf(policy: SitePolicy | undefined, env: Env): Set<string> {
  return new Set([...(policy?.allowed_origins ?? []), ...devOrigins(env.DEV_ALLOWED_ORIGINS)]);
}

/** Every origin allowed for some site (preflights do not say which site they are for). */
export function anySiteOrigins(policies: SitePolicies, env: Env): Set<string> {
  return new Set([...[...policies.values()].flatMap((policy) => policy.allowed_origins), ...devOrigins(env.DEV_ALLOWED_ORIGINS)]);
}
