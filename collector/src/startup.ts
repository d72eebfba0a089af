import type { Env } from './env.ts';
import { configurationProblems } from './sinks/configured.ts';

/**
 * Logs each configuration problem as an error (wrangler dev shows them in red as it
 * starts; on Cloudflare they are in the Worker's logs). Returns them, for tests.
 */
export function reportConfiguration(env: Env, log: (message: string) => void = console.error): string[] {
  const problems = configurationProblems(env);
  for (const problem of problems) log(`pathmark: misconfigured: ${problem}. GET /healthz lists what is wrong.`);
  return problems;
}
