import sitesFile from '../sites.json';
import { parseSitePolicies, type SitePolicies } from './core/policy.ts';

/** Parses the reviewed sites file (collector/sites.json). Throws on a malformed file. */
export function loadSitePolicies(): SitePolicies {
  return parseSitePolicies(sitesFile);
}

/** Origins from DEV_ALLOWED_ORIGINS (comma-separated), allowed for every site. */
export function devOrigins(value: string | undefined): string[] {
  return (value ?? '')
    .split(',')
    .map((origin) => origin.trim())
    .filter(Boolean);
}
