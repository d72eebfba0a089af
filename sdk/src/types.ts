import type { ConsentMode, ErasureReceipt, EventBase, Item, PrivacySignalCap, Props } from './protocol.ts';
import type { Rights } from './rights.ts';
import type { QueueStore, SenderLocks } from './queue.ts';
import type { Transport } from './transport.ts';
import type { VitalsModule } from './vitals.ts';
import type { DeliveryModule } from './lib/loadDelivery.ts';
import type { Disposer } from './lib/listen.ts';
import type { Commerce } from './commerce.ts';

/** The tracker's public shape and what its capability modules share; types only, so nothing imports createTracker. */

export interface TrackerConfig {
  /** Site key, as configured in the collector's `sites.json`. */
  site: string;
  /** Collector URL, e.g. `https://collector.example/v1/events`; may be relative. */
  endpoint: string;
  /**
   * Mode until `consent.set()` (or Google Consent Mode) says otherwise. Default `pending`.
   * `site`: the site's policy at the collector picks it for this visitor (`GET config/<site>` beside the endpoint).
   */
  consent?: ConsentMode | 'site';
  /** Log dropped items, rejected batches and caught errors to the console. */
  debug?: boolean;
  /** Page views from History API navigations. `false`: the app calls `pageview()` from its router. Default `true`. */
  autoPageviews?: boolean;
  /** URL query parameters holding a search term. Default `q`, `query`, `search`, `s`, `keyword`. */
  searchParams?: string[];
  /** What Global Privacy Control does: cap at `anonymous` (default), cap at `denied`, or `ignore`. */
  gpc?: PrivacySignalCap;
  /** Follow `analytics_storage` from Google Consent Mode v2 on `dataLayer`. Default `true`. */
  googleConsentMode?: boolean;
  /** Collect LCP, INP, CLS, FCP and TTFB. Default `true`. */
  vitals?: boolean;
  /** Queue length that triggers a flush. Default 20. */
  batchSize?: number;
  /** Default 5000. */
  flushIntervalMs?: number;
  /** Queued events kept before the oldest are dropped. Default 1000. */
  maxQueue?: number;
  /** Inactivity that ends a session. Default 30 minutes. */
  sessionTimeoutMs?: number;
  /** Time without input after which the user no longer counts as engaged. Default 15 s. */
  idleTimeoutMs?: number;
}

/** Effects the tracker uses, replaceable in tests and special hosts. */
export interface TrackerDeps {
  now?: () => number;
  random?: () => number;
  fetch?: typeof fetch;
  transport?: Transport;
  /** The persistent queue used in `granted` mode. Default: IndexedDB (`idbQueueStore`). */
  store?: (site: string) => QueueStore;
  /** `null` uses the IndexedDB lease instead of Web Locks. */
  locks?: SenderLocks | null;
  /** Loads the web-vitals part. Default: `import()` of the split chunk. */
  loadVitals?: () => Promise<VitalsModule>;
  /** Loads delivery (queue, store, transport), once a mode may send. Default: bundled in the module build. */
  loadDelivery?: () => Promise<DeliveryModule>;
}

export interface Tracker {
  search(query: string, options?: { results?: number }): void;
  cart: { add(item: Item): void; remove(item: Item): void; view(items?: Item[]): void };
  checkout: { begin(items: Item[], value?: number): void };
  purchase(order: { transaction_id: string; value: number; currency: string; items: Item[] }): void;
  viewItem(item: Item): void;
  track(name: string, props?: Props): void;
  pageview(): void;
  /**
   * The page shows `variant` of the A/B test `name`: page views that follow carry both (props `experiment`, `variant`;
   * the first page view too when called before it is recorded). Labels must match EXPERIMENT_LABEL; an invalid one
   * is refused with a console warning. A new call replaces the previous experiment.
   */
  experiment(name: string, variant: string): void;
  consent: { set(mode: ConsentMode): void; get(): ConsentMode };
  /** Sends what is queued now (recording first a page view that waits for its title). */
  flush(): Promise<void>;
  /**
   * Deletes the identifiers and every queued event, on the device and in memory; in `granted` mode also asks the
   * collector to erase what it keeps under this browser's `anonymous_id` (read before it is deleted). Resolves with
   * the collector's erasure receipt, or `undefined`: nothing to erase there (the mode was not `granted`), or the
   * request failed (logged with `debug`). The device is purged either way; like `flush()`, it never rejects.
   */
  forget(): Promise<ErasureReceipt | undefined>;
  /** Visitor rights at the collector: see and check the erasure of what is kept about this browser. */
  rights: Rights;
  /** Removes every listener, restores `history` and stops sending. */
  destroy(): void;
}

/** What the capability modules get from the tracker. */
export interface TrackerContext {
  now(): number;
  /** Captures an event (consent permitting). */
  emit(name: string, props?: object, extra?: Partial<EventBase>): void;
  /**
   * Captures a call now (the page and time it belongs to) and processes it later, in order with every other event:
   * `method` of the ecommerce processing (part of delivery) with `args`, plain JSON (a page going away before delivery
   * has loaded may keep them on the device, unsent.ts).
   */
  callLater<M extends keyof Commerce>(method: M, args: Parameters<Commerce[M]>): void;
  /** Processes at once what was captured and not processed yet (before a consent change). */
  drain(): void;
  /** `listen()`, undone by `destroy()`. */
  on(target: EventTarget, type: string, handler: (event: Event) => void, options?: AddEventListenerOptions): void;
  cleanup(dispose: Disposer): void;
  /** Debug output: a message and what it is about, or a caught error. */
  warn(...problem: unknown[]): void;
}

/** What the tracker is in: the consent mode in force, and whether it was destroyed. */
export interface TrackerState {
  current: ConsentMode;
  destroyed?: boolean;
}
