import { stricterConsent, type ConsentMode, type PrivacySignalCap } from './protocol.js';
import { safely, type Disposer } from './lib/listen.js';
import { watchGlobal } from './lib/watchGlobal.js';

/** The mode the SDK actually uses: the requested one, capped by Global Privacy Control. */
export function effectiveConsent(requested: ConsentMode, gpcCap: PrivacySignalCap, nav?: Navigator): ConsentMode {
  const gpc = (nav as { globalPrivacyControl?: boolean } | undefined)?.globalPrivacyControl === true;
  return gpc && gpcCap != 'ignore' ? stricterConsent(requested, gpcCap) : requested;
}

/** Consent state changes allowed to leave the device as a `consent` event. */
export const allowsSending = (mode: ConsentMode) => mode == 'anonymous' || mode == 'granted';

export type StorageConsent = 'granted' | 'denied';
/** A Consent Mode `default` command: its `analytics_storage`, and the regions it is limited to (ISO 3166-2: `FR`, `US-CA`). */
export type ConsentDefault = [storage: StorageConsent, region?: string[] | string];

/**
 * The `default` that applies to a visitor at `location` (`[country, subdivision]`, e.g. `['US', 'US-CA']`).
 * As in Google's tags, the most specific one wins (a subdivision over a country over no region; the later of
 * equals). Without the location, a region-scoped default that denies may apply, so it wins: failing closed.
 * https://developers.google.com/tag-platform/security/guides/consent#region-specific-behavior
 */
export function consentDefault(defaults: ConsentDefault[], location?: string[] | null): StorageConsent | undefined {
  let found: StorageConsent | undefined;
  let best = -0.5;
  for (const [storage, region] of defaults) {
    // Where it applies: everywhere (-0.5), the visitor's country (0) or subdivision (1), not here (-1 or less).
    // Where the visitor is unknown, a region-scoped denial may apply, and wins (9); a region-scoped grant does not
    // count. A region given as one string is still a region: read as global, it would fail open.
    const rank = !region ? -0.5 : location ? Math.max(...([] as string[]).concat(region).map((code) => location.indexOf(code))) : storage == 'denied' ? 9 : -1;
    if (rank >= best) {
      best = rank;
      found = storage;
    }
  }
  return found;
}

/**
 * Google Consent Mode v2 bridge: `gtag('consent', 'default' | 'update', { analytics_storage, region })` pushes
 * its `arguments` onto `window.dataLayer`. Entries already there are read at once, later ones as they are pushed,
 * also when the page creates `dataLayer` after the SDK started (consent managers load deferred, or create it in
 * their `onInit`) or replaces it. Other wrappers of `dataLayer.push` (Google Tag Manager, gtag.js, Google's
 * data-layer-helper) may come before ours or after: they call the push they replaced, so every wrapper sees every
 * push. The disposer undoes all of it.
 * https://developers.google.com/tag-platform/security/guides/consent
 */
export function bridgeGoogleConsentMode(
  win: Window,
  onCommand: (update: boolean, storage: StorageConsent, region?: string[] | string) => void,
): Disposer {
  // `consent` commands are `default` and `update`; anything malformed is ignored (safely).
  const read = safely((entry: unknown) => {
    // Indexed, not destructured: an `arguments` object is iterable, other array-likes may not be.
    const args = entry as [string, string, { analytics_storage?: string; region?: string[] | string }];
    const storage = args[0] == 'consent' && args[2].analytics_storage;
    if (storage == 'granted' || storage == 'denied') {
      onCommand(args[1] == 'update', storage, args[2].region);
    }
  });
  let layer: unknown[] | undefined;
  let original: unknown[]['push'];
  const observed = function (this: unknown[], ...entries: unknown[]) {
    entries.forEach(read);
    return original.apply(this, entries);
  };
  const unfollow = () => {
    if (layer?.push == observed) layer.push = original;
  };
  const follow = (next: unknown) => {
    // `window.dataLayer = window.dataLayer || []` assigns the same array again: nothing new to read.
    if (next == layer) return;
    unfollow();
    layer = next as unknown[];
    if (!Array.isArray(next)) return;
    next.forEach(read);
    original = next.push;
    next.push = observed;
  };
  const unwatch = watchGlobal(win, 'dataLayer', follow);
  return () => {
    unwatch();
    unfollow();
  };
}
