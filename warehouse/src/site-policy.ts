import { existsSync, readFileSync } from 'node:fs';
import { fileURLToPath } from 'node:url';
import { checkPageTypePatterns, type PageTypePatterns } from '../../collector/src/core/insights/page-types.ts';

/**
 * What the warehouse takes from a site's policy (the collector's sites.json): the `page_types`
 * patterns for records archived before the collector classified pages, and the report settings
 * `k_anonymity` and `epsilon` — so the warehouse folds and adds noise as the Worker does.
 */

export const DEFAULT_SITES_FILE = fileURLToPath(new URL('../../collector/sites.json', import.meta.url));

export interface WarehousePolicy {
  pageTypes?: PageTypePatterns;
  k?: number;
  epsilon?: number | null;
}

export function readSitePolicy(file: string, site: string): WarehousePolicy {
  if (!existsSync(file)) throw new Error(`--sites: ${file} does not exist`);
  const sites = (JSON.parse(readFileSync(file, 'utf8')) as { sites?: Record<string, Record<string, unknown>> }).sites ?? {};
  const policy = sites[site];
  if (!policy) return {};
  const out: WarehousePolicy = {};
  if (policy.page_types !== undefined) {
    const error = checkPageTypePatterns(policy.page_types);
    if (error) throw new Error(`${file}: sites.${site}.${error}`);
    out.pageTypes = policy.page_types as PageTypePatterns;
  }
  if (typeof policy.k_anonymity === 'number') out.k = policy.k_anonymity;
  if (typeof policy.epsilon === 'number') out.epsilon = policy.epsilon;
  return out;
}
