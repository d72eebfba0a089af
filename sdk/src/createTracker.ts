import {
  CONSENT_MODES,
  CUSTOM_EVENT_NAME,
  MAX_BODY_BYTES,
  MAX_STRING_LENGTH,
  PROTOCOL_VERSION,
  type SendableConsentMode,
  type ConsentMode,
  type ConsentSource,
  type EventBase,
  type Item,
  type PathmarkEvent,
  type PrivacySignalCap,
  type Props,
  type SiteConfigResponse,
} from './protocol.js';
import { allowsSending, bridgeGoogleConsentMode, consentDefault, effectiveConsent, type ConsentDefault } from './consent.js';
import { watchCommerce } from './cart.js';
import { watchEngagement } from './engagement.js';
import { watchPageviews } from './pageview.js';
import { createQueue, idbQueueStore, type QueueStore, type SenderLocks } from './queue.js';
import { deviceKey } from './lib/deviceKey.js';
import { watchScroll } from './scroll.js';
import { DEFAULT_SEARCH_PARAMS, watchSearch } from './search.js';
import { createSession } from './session.js';
import { byteLength, createTransport, type Transport } from './transport.js';
import type { VitalsModule } from './vitals.js';
import { listen, type Disposer } from './lib/listen.js';
import { loadWebVitals } from './lib/loadWebVitals.js';
import { uuid } from './lib/uuid.js';

export const SDK_VERSION = 'pathmark-js/0.1.0';

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
}

export interface Tracker {
  search(query: string, options?: { results?: number }): void;
  cart: { add(item: Item): void; remove(item: Item): void; view(items?: Item[]): void };
  checkout: { begin(items: Item[], value?: number): void };
  purchase(order: { transaction_id: string; value: number; currency: string; items: Item[] }): void;
  viewItem(item: Item): void;
  track(name: string, props?: Props): void;
  pageview(): void;
  consent: { set(mode: ConsentMode): void; get(): ConsentMode };
  /** Sends what is queued now (recording first a page view that waits for its title). */
  flush(): Promise<void>;
  /** Deletes the identifiers and every queued event, on the device and in memory. */
  forget(): Promise<void>;
  /** Removes every listener, restores `history` and stops sending. */
  destroy(): void;
}

/** What the capability modules get from the tracker. */
export interface TrackerContext {
  now(): number;
  /** Captures an event (consent permitting). */
  emit(name: string, props?: object, extra?: Partial<EventBase>): void;
  /** `listen()`, undone by `destroy()`. */
  on(target: EventTarget, type: string, handler: (event: Event) => void, options?: AddEventListenerOptions): void;
  cleanup(dispose: Disposer): void;
  /** Debug output: a message and what it is about, or a caught error. */
  warn(...problem: unknown[]): void;
  /** The current search's id; `null` ends it. */
  searchId(next?: string | null): string | undefined;
}

const PENDING_BUFFER = 100;

const noop = () => {};
/** What `createTracker` returns where there is no DOM (server-side rendering): every method does nothing. */
const inertTracker = (): Tracker => ({
  search: noop,
  cart: { add: noop, remove: noop, view: noop },
  checkout: { begin: noop },
  purchase: noop,
  viewItem: noop,
  track: noop,
  pageview: noop,
  consent: { set: noop, get: () => 'denied' },
  flush: async () => {},
  forget: async () => {},
  destroy: noop,
});

const stripIds = ({ anonymous_id, session_id, ...event }: PathmarkEvent) => event as PathmarkEvent;

/**
 * Creates a tracker. Nothing happens at import; all state lives in the
 * returned object. Without a DOM (server-side rendering) the tracker does nothing.
 */
export const createTracker = (config: TrackerConfig, deps?: TrackerDeps): Tracker =>
  typeof document == 'undefined' ? inertTracker() : createBrowserTracker(config, deps);

/** `createTracker` where a DOM is known to exist (the script-tag build). */
export function createBrowserTracker(config: TrackerConfig, deps: TrackerDeps = {}): Tracker {
  const { now = Date.now, store: openStore = idbQueueStore } = deps;
  const { site, gpc = 'anonymous', consent: startingMode = 'pending' } = config;
  const endpoint = new URL(config.endpoint, location.href);
  const disposers: Disposer[] = [];
  let destroyed = false;
  const warn = (...problem: unknown[]) => {
    if (config.debug) console.warn('[pathmark]', ...problem);
  };

  let mode: ConsentMode = 'pending';
  let buffer: PathmarkEvent[] = [];
  /** Events captured while a page view waits for its title: sent after it. */
  let held: PathmarkEvent[] | undefined;
  let persistentStore: QueueStore | undefined;
  const session = createSession(site, now, config.sessionTimeoutMs ?? 18e5);
  /**
   * Numbers an event in the session now in force, when it may be sent: events buffered
   * while consent is pending join the session that consent reveals (the stored one, in
   * `granted`) in order, without gaps.
   */
  const enqueue = (event: PathmarkEvent) => {
    const pageView = event.name == 'page_view';
    const state = session.touch(pageView);
    // Identifiers only while the session is persisted, which is exactly while consent is `granted`.
    queue.enqueue({ ...event, ...session.ids(), seq: state.seq, props: pageView ? { ...event.props, page_index: state.pages } : event.props } as PathmarkEvent);
  };

  /** Buffered while consent is pending, queued once it allows sending. */
  const dispatch = (event: PathmarkEvent) => {
    if (mode == 'pending') {
      buffer.push(event);
      buffer.splice(0, buffer.length - PENDING_BUFFER);
    } else enqueue(event);
  };

  const queue = createQueue({
    ...config,
    ...deps,
    transport: deps.transport ?? createTransport(endpoint, deps.fetch),
    envelope: () => (allowsSending(mode) ? { v: PROTOCOL_VERSION, site, consent: mode as SendableConsentMode, sdk: SDK_VERSION } : undefined),
    lockName: deviceKey(site),
    warn,
  });

  const ctx: TrackerContext = {
    now,
    emit(name, props, extra) {
      if (mode == 'denied' || destroyed) return;
      const json = JSON.stringify({
        id: uuid(),
        ts: now(),
        page_id: pages.current().id,
        url: location.href,
        title: document.title || undefined,
        name,
        props,
        ...extra,
        // Long titles, URLs and prop values are cut to the protocol's limit rather than get the event refused.
      }, (_, value) => (typeof value == 'string' ? value.slice(0, MAX_STRING_LENGTH) : value));
      // Leaves plain JSON (no functions for IndexedDB to choke on) and refuses what no request could carry.
      if (byteLength(json) > MAX_BODY_BYTES - 1024) return warn('too large', name);
      const event: PathmarkEvent = JSON.parse(json);
      if (held && name != 'page_view') held.push(event);
      else {
        dispatch(event);
        // A page view comes before the events captured while it waited for its title.
        if (name == 'page_view') held = void held?.forEach(dispatch);
      }
    },
    on: (target, type, handler, options) => void disposers.push(listen(target, type, handler, options)),
    cleanup: (dispose) => void disposers.push(dispose),
    warn,
    searchId: session.searchId,
  };

  const engagement = watchEngagement(ctx, config.idleTimeoutMs ?? 15e3);
  const scroll = watchScroll(ctx, (depth) => ctx.emit('scroll', { depth }));
  const commerce = watchCommerce(ctx);
  const search = watchSearch(ctx, commerce, config.searchParams ?? DEFAULT_SEARCH_PARAMS);
  let vitalsPage: string;
  const pages = watchPageviews(
    ctx,
    {
      leaveProps: () => ({ ...engagement.read(), max_scroll: scroll.max() }),
      opened() {
        held ??= [];
        engagement.reset();
        // Scrolling is measured against the new route once it is rendered: nothing is reported until then.
        scroll.reset(true);
      },
      started(page, navigation, previousPath) {
        // The load's page view keeps the id it had from the start (vitalsPage); a restored page is a new one.
        if (navigation == 'bfcache') vitalsPage = page.id;
        scroll.reset();
        search.pageStarted(page, previousPath);
        commerce.pageStarted();
      },
    },
    config.autoPageviews != false,
  );
  vitalsPage = pages.current().id;

  let vitalsStarted = false;
  const startVitals = () => {
    const load = deps.loadVitals ?? loadWebVitals;
    // Loading the vitals script is a request: none before the mode allows sending (web-vitals reads the
    // buffered performance entries, so LCP, FCP and TTFB of the load are still measured when it comes late).
    if (vitalsStarted || !load || config.vitals == false || !allowsSending(mode)) return;
    vitalsStarted = true;
    Promise.resolve()
      .then(load)
      .then((vitals) => vitals.watchVitals((props, page_id) => ctx.emit('web_vitals', props, { page_id }), () => vitalsPage))
      .catch(warn);
  };

  /** Removes identifiers, the search link and the stored queue from the device. */
  const purgeDevice = async () => {
    session.persist(false);
    const store = persistentStore;
    persistentStore = undefined;
    await queue.useStore();
    try {
      await store?.update(() => ({ events: [], dropped: 0 }));
      store?.close?.();
      // Deleting (rather than opening and clearing) creates nothing where there was nothing.
      indexedDB.deleteDatabase(deviceKey(site));
    } catch {
      /* no IndexedDB: nothing stored there */
    }
  };

  const enterGranted = async () => {
    session.persist(true);
    try {
      persistentStore ??= openStore(site);
    } catch (error) {
      warn(error);
    }
    await queue.useStore(persistentStore);
  };

  /** Every way in (configuration, collector, API, Google Consent Mode) is checked here: a typo must not become a mode. */
  const applyConsent = (requested: ConsentMode, source: ConsentSource) => {
    if (!CONSENT_MODES.includes(requested)) return warn('invalid consent', requested);
    const next = effectiveConsent(requested, gpc, navigator);
    const previous = mode;
    if (next == previous || destroyed) return;
    mode = next;
    // Only a withdrawal (denied) purges; leaving granted for pending keeps what is stored until a decision,
    // leaving it for anonymous removes the identifiers (session ids exist only while they are stored).
    const stored = next == 'granted' ? enterGranted() : next == 'denied' || (next == 'anonymous' && session.ids().session_id) ? purgeDevice() : undefined;
    if (next == 'anonymous') queue.rewrite(stripIds);
    if (next == 'denied') {
      buffer = [];
      held &&= [];
      queue.clear();
    }
    if (allowsSending(next)) {
      buffer.splice(0).forEach(enqueue);
      // The configured starting mode is not a change (and the stored queue is sent on the next timer).
      if (source != 'config') {
        ctx.emit('consent', { mode: next, previous, source });
        // Once the stored queue is open, so that events kept from earlier pages go too.
        void Promise.resolve(stored).then(() => queue.flush());
      }
    }
    startVitals();
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
    mode == 'denied' ||
    (siteConfig ??= (deps.fetch ?? fetch)(new URL(`config/${site}`, endpoint))
      .then((response) => response.json() as Promise<SiteConfigResponse>)
      .then((answer) => {
        siteDefault = answer.default_consent;
        whereabouts = answer.regions;
        applyDefault();
      })
      .catch(warn));
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
    if (next) applyConsent(next, storage ? 'gcm' : 'config');
  };
  const decide = (requested: ConsentMode, source: ConsentSource) => {
    decided = true;
    applyConsent(requested, source);
  };

  applyConsent(startingMode == 'site' ? 'pending' : startingMode, 'config');
  decided = mode != 'pending';
  // A denied visitor's earlier data goes too, even though nothing changed in this page.
  if ((mode as ConsentMode) == 'denied') void purgeDevice();
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

  const pageGoesAway = (event: Event) => {
    const page = pages.current();
    // After pagehide the page view is over for good: a page restored from the back/forward cache is a new one.
    page.unloaded ||= event.type == 'pagehide';
    if (event.type == 'pagehide' || document.visibilityState == 'hidden') {
      pages.leave();
      void queue.flush(true);
      // Back from another tab or app: the page view goes on, and its next page_leave carries the figures so far.
    } else if (!page.unloaded) page.left = false;
  };
  ctx.on(document, 'visibilitychange', pageGoesAway);
  ctx.on(window, 'pagehide', pageGoesAway);
  ctx.on(window, 'online', queue.online);

  /** Public methods never throw into the page (the asynchronous ones, flush and forget, never reject). */
  const guard =
    <A extends unknown[], R>(method: (...args: A) => R) =>
    (...args: A): R => {
      try {
        return method(...args);
      } catch (error) {
        warn(error);
        return undefined as R;
      }
    };

  return {
    search: guard(search.search),
    cart: { add: guard(commerce.add), remove: guard(commerce.remove), view: guard(commerce.view) },
    checkout: { begin: guard(commerce.beginCheckout) },
    purchase: guard(commerce.purchase),
    viewItem: guard(commerce.viewItem),
    track: guard((name: string, props?: Props) => (CUSTOM_EVENT_NAME.test(name) ? ctx.emit(name, props) : warn('invalid name', name))),
    pageview: guard(() => pages.navigate('manual')),
    consent: {
      set: guard((next: ConsentMode) => decide(next, 'api')),
      get: () => mode,
    },
    flush: guard(() => (pages.settle(), queue.flush())),
    forget: guard(() => {
      buffer = [];
      queue.clear();
      return purgeDevice()
        .then(() => (mode == 'granted' ? enterGranted() : undefined))
        .catch(warn);
    }),
    destroy: guard(() => {
      if (!destroyed) {
        destroyed = true;
        queue.destroy();
        disposers.splice(0).forEach((dispose) => dispose());
      }
    }),
  };
}
