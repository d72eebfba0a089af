import {
  CONSENT_MODES,
  stricterConsent,
  type ConsentMode,
  type ConsentSource,
  type PrivacySignalCap,
  type SiteConfigResponse,
} from './protocol.ts';
import type { TrackerQueue } from './trackerQueue.ts';
import type { DeliveryModule } from './lib/loadDelivery.ts';
import type { Session } from './session.ts';
import type { TrackerConfig, TrackerContext, TrackerDeps, TrackerState } from './types.ts';
import { deviceKey } from './lib/deviceKey.ts';
import { safely, type Disposer } from './lib/listen.ts';
import { watchGlobal } from './lib/watchGlobal.ts';

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
    const rank = !region
      ? -0.5
      : location
        ? Math.max(...([] as string[]).concat(region).map((code) => location.indexOf(code)))
        : storage == 'denied'
          ? 9
          : -1;
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

export interface Consent {
  /** A decision (`consent.set()`, a Consent Mode `update`): from now on defaults no longer apply. */
  decide(requested: ConsentMode, source: ConsentSource): void;
  /** Deletes the identifiers and the stored queue from the device; in `granted`, starts a new stored queue. */
  forgetDevice(): Promise<void>;
}

/**
 * How a tracker's consent mode changes, and what each change does to the device: `granted` persists the identifiers
 * and the queue, `denied` deletes them, `anonymous` deletes the identifiers (and strips them from queued events).
 * Every way in (the configured starting mode, the collector's default, the API, Google Consent Mode) goes through
 * `apply`. The mode lives in the tracker's `state`, which this sets; `changed` then lets the tracker move the events
 * it buffered (`stored` settles once the device holds what the new mode allows). Applies the starting mode at once,
 * then follows Google Consent Mode on `dataLayer`, and asks the collector where the configuration or a regional
 * default needs it. Nothing changes once the tracker is destroyed.
 */
export function watchConsent(
  ctx: TrackerContext,
  config: TrackerConfig,
  deps: TrackerDeps,
  endpoint: URL,
  session: Session,
  queue: () => TrackerQueue | undefined,
  state: TrackerState,
  changed: (next: ConsentMode, previous: ConsentMode, source: ConsentSource, stored?: Promise<void>) => void,
  delivery: () => Promise<DeliveryModule>,
): Consent {
  const { site, gpc = 'anonymous', consent: startingMode = 'pending' } = config;

  /** Removes identifiers, the search link and the stored queue from the device. */
  const purgeDevice = async () => {
    session.persist(false);
    await queue()?.persist(false);
    try {
      // Deleting (rather than opening and clearing) creates nothing where there was nothing.
      indexedDB.deleteDatabase(deviceKey(site));
    } catch {
      /* no IndexedDB: nothing stored there */
    }
  };

  const enterGranted = async () => {
    session.persist(true);
    try {
      // The queue and the IndexedDB store are part of delivery, loaded on the way into granted: still granted then?
      await delivery();
      if (state.current == 'granted') await queue()?.persist(true);
    } catch (error) {
      ctx.warn(error);
    }
  };

  /** Every way in (configuration, collector, API, Google Consent Mode) is checked here: a typo must not become a mode. */
  const apply = (requested: ConsentMode, source: ConsentSource) => {
    if (!CONSENT_MODES.includes(requested)) return ctx.warn('invalid consent', requested);
    const next = effectiveConsent(requested, gpc, navigator);
    const previous = state.current;
    if (next == previous || state.destroyed) return;
    // What was captured under the previous mode is processed under it (identifiers, buffering).
    ctx.drain();
    state.current = next;
    // Only a withdrawal (denied) purges; leaving granted for pending keeps what is stored until a decision,
    // leaving it for anonymous removes the identifiers (session ids exist only while they are stored).
    const stored =
      next == 'granted'
        ? enterGranted()
        : next == 'denied' || (next == 'anonymous' && session.ids().session_id)
          ? purgeDevice()
          : undefined;
    if (next == 'anonymous') queue()?.stripIds();
    if (next == 'denied') queue()?.clear();
    changed(next, previous, source, stored);
  };

  /** Consent Mode `default` commands, in order: what the page assumes until the visitor decides. */
  const consentDefaults: ConsentDefault[] = [];
  /** Where the visitor is (`['FR', 'FR-IDF']`), once the collector told. */
  let whereabouts: string[] | null | undefined;
  let siteDefault: ConsentMode | undefined;
  /** A mode was chosen (`consent.set()`, a Consent Mode `update`, or a starting mode other than pending): defaults no longer apply. */
  let decided = false;
  let siteConfig: Promise<void> | undefined;
  /** `GET config/<site>`: the mode the site's policy gives this visitor, and where the visitor is. Never in denied. */
  const askCollector = () =>
    state.current == 'denied' ||
    (siteConfig ??= (deps.fetch ?? fetch)(new URL('config/' + site, endpoint))
      .then((response) => response.json() as Promise<SiteConfigResponse>)
      .then((answer) => {
        siteDefault = answer.default_consent;
        whereabouts = answer.regions;
        applyDefault();
      })
      .catch(ctx.warn));
  /**
   * Until a decision: the page's Consent Mode default for this visitor (`denied` is not a decision: pending), else
   * the collector's (`site`). Whether a region-scoped default applies where the visitor is only the collector
   * knows: it is asked, and until it answers a region-scoped denial stands.
   */
  const applyDefault = () => {
    if (decided) return;
    const storage = consentDefault(consentDefaults, whereabouts);
    if (startingMode == 'site' || (!whereabouts && consentDefaults.some(([, region]) => region))) askCollector();
    const next = storage ? (storage == 'granted' ? storage : 'pending') : siteDefault;
    if (next) apply(next, storage ? 'gcm' : 'config');
  };
  const decide = (requested: ConsentMode, source: ConsentSource) => {
    decided = true;
    apply(requested, source);
  };

  apply(startingMode == 'site' ? 'pending' : startingMode, 'config');
  decided = state.current != 'pending';
  // A denied visitor's earlier data goes too, even though nothing changed in this page.
  if (state.current == 'denied') void purgeDevice();
  if (config.googleConsentMode != false) {
    ctx.cleanup(
      bridgeGoogleConsentMode(window, (update, storage, region) => {
        if (update) decide(storage, 'gcm');
        // Defaults pushed together (one per region, then a global one) are resolved together, once they are all in.
        else consentDefaults.push([storage, region]) && Promise.resolve().then(applyDefault);
      }),
    );
  }
  // Once the page's own signals read at start are in: they win over the collector's default.
  void Promise.resolve().then(applyDefault);
  return {
    decide,
    forgetDevice: () => purgeDevice().then(() => (state.current == 'granted' ? enterGranted() : undefined)),
  };
}
