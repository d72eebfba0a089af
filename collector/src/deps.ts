import { createPipelineMemos } from './core/anonymize.ts';
import type { Env } from './env.ts';
import { PseudonymKeys } from './keys.ts';
import { AllowedOrigins } from './origins.ts';
import { createPipeline, type Pipeline } from './core/pipeline.ts';
import type { SitePolicies } from './core/policy.ts';
import { createValidator } from './core/validate.ts';
import { SaltStore } from './salts.ts';
import { sitePolicies } from './sites.ts';

/** What the routes need besides bindings; created once per isolate by the Worker entry. */
export interface CollectorDeps {
  policies: SitePolicies;
  /** Built from `policies`. */
  origins: AllowedOrigins;
  salts: SaltStore;
  pseudonymKeys: PseudonymKeys;
  /** Its memos (createPipelineMemos) live as long as the isolate; batch ids from `crypto.randomUUID`. */
  pipeline: Pipeline;
  now: () => number;
}

export interface AppEnv {
  Bindings: Env;
}

export function createDeps(overrides: Partial<CollectorDeps> = {}): CollectorDeps {
  const policies = overrides.policies ?? sitePolicies();
  return {
    policies,
    origins: overrides.origins ?? new AllowedOrigins(policies),
    salts: overrides.salts ?? new SaltStore(),
    pseudonymKeys: overrides.pseudonymKeys ?? new PseudonymKeys(),
    pipeline:
      overrides.pipeline ??
      createPipeline({ validator: createValidator(), memos: createPipelineMemos(), newBatchId: () => crypto.randomUUID() }),
    now: overrides.now ?? Date.now,
  };
}
