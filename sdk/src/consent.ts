import { stricterConsent, type ConsentMode, type ConsentSource, type PrivacySignalCap } from './protocol';
import type { Disposer } from './lib/listen';

/** The mode the SDK actually uses: the requested one, capped by Global Privacy Control. */
export function effectiveConsent(requested: ConsentMode, gpcCap: PrivacySignalCap, nav?: Navigator): ConsentMode {
  const gpc = (nav as { globalPrivacyControl?: boolean } | undefined)?.globalPrivacyControl === true;
  return gpc && gpcCap != 'ignore' ? stricterConsent(requested, gpcCap) : requested;
}

/** Consent state changes allowed to leave the device as a `consent` event. */
export const allowsSending = (mode: ConsentMode) => mode == 'anonymous' || mode == 'granted';

/**
 * Google Consent Mode v2 bridge: `gtag('consent', 'default' | 'update',
 * { analytics_storage })` pushes an `arguments` object onto `dataLayer`.
 * Entries already there are read once; later pushes are observed by wrapping
 * `dataLayer.push`, which the returned disposer restores.
 * https://developers.google.com/tag-platform/security/guides/consent
 */
export function bridgeGoogleConsentMode(
  win: Window,
  onMode: (mode: ConsentMode, source: ConsentSource) => void,
): Disposer {
  const dataLayer = (win as { dataLayer?: unknown[] }).dataLayer;
  if (!Array.isArray(dataLayer)) return () => {};
  const read = (entry: unknown) => {
    const args = entry as ArrayLike<unknown> | undefined;
    const settings = args?.[2] as { analytics_storage?: string } | undefined;
    if (args?.[0] == 'consent' && (args[1] == 'default' || args[1] == 'update') && settings) {
      const storage = settings.analytics_storage;
      if (storage == 'granted' || storage == 'denied') onMode(storage, 'gcm');
    }
  };
  dataLayer.forEach(read);
  const original = dataLayer.push;
  const observed = function (this: unknown[], ...entries: unknown[]) {
    const length = original.apply(this, entries);
    try {
      entries.forEach(read);
    } catch {
      /* the page's own dataLayer.push must not fail because of us */
    }
    return length;
  };
  dataLayer.push = observed;
  return () => {
    if (dataLayer.push === observed) dataLayer.push = original;
  };
}
