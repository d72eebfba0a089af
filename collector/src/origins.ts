import type { Env } from './env.ts';
import type { SitePolicies, SitePolicy } from './core/policy.ts';
import { devOrigins } from './sites.ts';

/**
 * The origins each site accepts, plus the DEV_ALLOWED_ORIGINS ones. Every request asks
 * (CORS, then the site check), so the sets are built once per isolate, and again only if
 * DEV_ALLOWED_ORIGINS changes (tests pass other bindings).
 */
export class AllowedOrigins {
  readonly #policies: SitePolicies;
  #devValue: string | undefined;
  #bySite = new Map<SitePolicy | undefined, ReadonlySet<string>>();
  #anySite: ReadonlySet<string> | undefined;

  constructor(policies: SitePolicies) {
    this.#policies = policies;
  }

  /** A site's allowed origins; for an unknown site (undefined), the DEV_ALLOWED_ORIGINS ones alone. */
  of(policy: SitePolicy | undefined, env: Env): ReadonlySet<string> {
    this.#follow(env.DEV_ALLOWED_ORIGINS);
    let origins = this.#bySite.get(policy);
    if (!origins) {
      origins = new Set([...(policy?.allowed_origins ?? []), ...devOrigins(this.#devValue)]);
      this.#bySite.set(policy, origins);
    }
    return origins;
  }

  /** Every origin allowed for some site (preflights do not say which site they are for). */
  anySite(env: Env): ReadonlySet<string> {
    this.#follow(env.DEV_ALLOWED_ORIGINS);
    this.#anySite ??= new Set([
      ...[...this.#policies.values()].flatMap((policy) => policy.allowed_origins),
      ...devOrigins(this.#devValue),
    ]);
    return this.#anySite;
  }

  #follow(devValue: string | undefined): void {
    if (devValue === this.#devValue) return;
    this.#devValue = devValue;
    this.#bySite.clear();
    this.#anySite = undefined;
  }
}
