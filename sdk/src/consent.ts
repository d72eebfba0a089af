import { stricterConsent, type ConsentMode, type ConsentSource, type PrivacySignalCap } from './protocol.js';
import { safely, type Disposer } from './lib/listen.js';

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
  // `consent` commands are `default` and `update`; anything malformed is ignored (safely).
  const read = safely((entry: unknown) => {
    const args = entry as [string, string, { analytics_storage?: string }];
    const storage = args[0] == 'consent' && args[2].analytics_storage;
    if (storage == 'granted' || storage == 'denied') onMode(storage, 'gcm');
  });
  dataLayer.forEach(read);
  const original = dataLayer.push;
  const observed = function (this: unknown[], ...entries: unknown[]) {
    entries.forEach(read);
    return original.apply(this, entries);
  };
  dataLayer.push = observed;
  return () => {
    if (dataLayer.push == observed) dataLayer.push = original;
  };
}
