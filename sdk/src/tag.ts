/**
 * The script-tag entry, and the only module with side effects: reads the
 * `<script data-*>` attributes, creates the tracker, exposes it as
 * `window.pathmark` and replays the calls the inline snippet queued.
 */
import { createBrowserTracker } from './createTracker.ts';
import type { Tracker, TrackerConfig } from './types.ts';
import { EVENTS_PATH, type PrivacySignalCap } from './protocol.ts';

/** What the inline snippet leaves on `window.pathmark` before this script runs. */
interface Stub {
  q?: { push(call: [string, unknown[]]): unknown } & ArrayLike<[string, unknown[]]>;
}

const script = document.currentScript as HTMLScriptElement | null;
const data = script?.dataset ?? {};
const win = window as unknown as { pathmark?: Stub | Tracker };
const stub = win.pathmark as Stub | undefined;

// The snippet names methods by path: "search", "cart.add", "consent.set".
const call = (tracker: Tracker, [path, args]: [string, unknown[]]) => {
  try {
    const [first, second] = path.split('.');
    const owner = (second ? tracker[first as keyof Tracker] : tracker) as Record<string, (...a: unknown[]) => unknown>;
    owner[second ?? first!]?.(...args);
  } catch {
    /* a bad queued call must not stop the others */
  }
};

if (!stub || !('destroy' in stub)) {
  const tracker = createBrowserTracker(
    {
      site: data.site ?? '',
      endpoint: data['endpoint'] ?? EVENTS_PATH,
      consent: data.consent as TrackerConfig['consent'],
      debug: 'debug' in data,
      autoPageviews: data['autoPageviews'] != 'false',
      gpc: data['gpc'] as PrivacySignalCap | undefined,
      searchParams: data.searchParams?.split(','),
    },
    // The lazy parts (web vitals, delivery) come from the same directory as this script (see build.mjs): a module
    // import works from a classic script and under a strict CSP ('self').
  );
  // Declarative A/B test: <script data-experiment="checkout-button" data-variant="green" …>.
  if (data['experiment']) tracker.experiment(data['experiment'], data['variant']!);
  const queued = stub?.q;
  win.pathmark = tracker;
  if (queued) {
    (queued as [string, unknown[]][]).forEach((entry) => call(tracker, entry));
    // Code that kept a reference to the stub keeps working.
    stub!.q = { length: 0, push: (entry) => call(tracker, entry) };
  }
}
