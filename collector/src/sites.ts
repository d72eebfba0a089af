import sitesFile from '../sites.json';
import { parseSitePolicies, type SitePolicies } from './core/policy.ts';

/** Parses the reviewed sites file (collector/sites.json). Throws on a malformed file. */
export function loadSitePolicies(): SitePolicies {
  return parseSitePolicies(sitesFile);
}

let parsed: SitePolicies | undefined;

/** The sites file parsed once per isolate, for the queue consumers and the scheduled jobs (the app has its own in deps). */
export function sitePolicies(): SitePolicies {
  return (parsed ??= loadSitePolicies());
}

/** Origins from DEV_ALLOWED_ORIGINS (comma-separated), allowed for every site. */
export function devOrigins(value: string | undefined): string[] {
  return (value ?? '')
    .split(',')
    .map((origin) => origin.trim())
    .filter(Boolean);
}
