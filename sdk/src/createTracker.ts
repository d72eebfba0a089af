import { createSession } from './session.ts';
import { watchEngagement } from './engagement.ts';
import { deviceKey } from './lib/deviceKey.ts';
import type { Tracker, TrackerConfig, TrackerContext, TrackerDeps, TrackerState } from './types.ts';
import { allowsSending, watchConsent } from './consent.ts';
import { DEFAULT_SEARCH_PARAMS, watchSearch } from './search.ts';
import { byteLength } from './lib/byteLength.ts';
import { lazyQueue } from './lib/lazyQueue.ts';
import { loadDelivery, type DeliveryModule } from './lib/loadDelivery.ts';
import { watchPageviews } from './pageview.ts';
import {
  CUSTOM_EVENT_NAME,
  EXPERIMENT_LABEL,
  MAX_BODY_BYTES,
  MAX_STRING_LENGTH,
  PROTOCOL_VERSION,
  type SendableConsentMode,
  type ConsentMode,
  type PathmarkEvent,
  type PageViewProps,
  type Props,
} from './protocol.ts';
import { listen, type Disposer } from './lib/listen.ts';
import { uuid } from './lib/uuid.ts';
import { watchCommerce } from './commerce.ts';
import { watchScroll } from './scroll.ts';
import { loadWebVitals } from './lib/loadWebVitals.ts';
import { createRights } from './rights.ts';

export const SDK_VERSION = 'pathmark-js/0.1.0';

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
  experiment: noop,
  consent: { set: noop, get: () => 'denied' },
  flush: async () => {},
  forget: async () => undefined,
  rights: createRights(
    '',
    new URL('http://localhost/'),
    () => 'denied',
    () => undefined,
    loadDelivery,
  ),
  destroy: noop,
});

/**
 * Creates a tracker. Nothing happens at import; all state lives in the
 * returned object. Without a DOM (server-side rendering) the tracker does nothing.
 */
export const createTracker = (config: TrackerConfig, deps?: TrackerDeps): Tracker =>
  typeof document == 'undefined' ? inertTracker() : createBrowserTracker(config, deps);

/** `createTracker` where a DOM is known to exist (the script-tag build). */
export function createBrowserTracker(config: TrackerConfig, deps: TrackerDeps = {}): Tracker {
  const { now = Date.now } = deps;
  const { site } = config;
  const endpoint = new URL(config.endpoint, location.href);
  const disposers: Disposer[] = [];
  const warn = (...problem: unknown[]) => {
    if (config.debug) console.warn('[pathmark]', ...problem);
  };

  /** The consent mode in force (consent.ts decides each change), and whether destroy() was called. */
  const state: TrackerState = { current: 'pending' };
  let buffer: PathmarkEvent[] = [];
  /** Events captured while a page view waits for its title: sent after it. */
  let held: PathmarkEvent[] | undefined;
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
    queue.enqueue({
      ...event,
      ...session.ids(),
      seq: state.seq,
      props: pageView ? { ...event.props, page_index: state.pages } : event.props,
    } as PathmarkEvent);
  };

  /** Buffered while consent is pending, queued once it allows sending. */
  const dispatch = (event: PathmarkEvent) => {
    if (state.current == 'pending') {
      buffer.push(event);
      buffer.splice(0, buffer.length - PENDING_BUFFER);
    } else enqueue(event);
  };

  let delivering: Promise<DeliveryModule> | undefined;
  /** Delivery (queue, store, transport, rights requests), loaded once: by the first mode that may send. */
  const delivery = () =>
    (delivering ??= (deps.loadDelivery ?? loadDelivery)().catch((error) => {
      delivering = undefined;
      throw error;
    }));
  const queue = lazyQueue(warn);
  const startDelivery = () =>
    queue.start(() =>
      delivery().then(({ createQueue, createTransport }) =>
        createQueue({
          ...config,
          ...deps,
          transport: deps.transport ?? createTransport(endpoint, deps.fetch),
          envelope: () =>
            allowsSending(state.current)
              ? { v: PROTOCOL_VERSION, site, consent: state.current as SendableConsentMode, sdk: SDK_VERSION }
              : undefined,
          lockName: deviceKey(site),
          warn,
        }),
      ),
    );

  const ctx: TrackerContext = {
    now,
    emit(name, props, extra) {
      if (state.current == 'denied' || state.destroyed) return;
      const json = JSON.stringify(
        {
          id: uuid(),
          ts: now(),
          page_id: pages.current().id,
          url: location.href,
          title: document.title || undefined,
          name,
          props,
          ...extra,
          // Long titles, URLs and prop values are cut to the protocol's limit rather than get the event refused.
        },
        (_, value) => (typeof value == 'string' ? value.slice(0, MAX_STRING_LENGTH) : value),
      );
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
  /** The A/B test the page shows (`experiment()`), carried by the page views that follow. */
  let experiment: Partial<PageViewProps> = {};
  const pages = watchPageviews(
    ctx,
    {
      leaveProps: () => ({ ...engagement.read(), max_scroll: scroll.deepest() }),
      viewProps: () => experiment,
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
  const consent = watchConsent(
    ctx,
    config,
    deps,
    endpoint,
    session,
    queue,
    state,
    (next, previous, source, stored) => {
      if (next == 'denied') {
        buffer = [];
        held &&= [];
      }
      if (allowsSending(next)) {
        startDelivery();
        buffer.splice(0).forEach(enqueue);
        // The configured starting mode is not a change (and the stored queue is sent on the next timer).
        if (source != 'config') {
          ctx.emit('consent', { mode: next, previous, source });
          // Once the stored queue is open, so that events kept from earlier pages go too.
          void Promise.resolve(stored).then(() => queue.flush());
        }
        // Loading the vitals script is a request: none before the mode allows sending (web-vitals reads the
        // buffered performance entries, so LCP, FCP and TTFB of the load are still measured when it comes late).
        const load = deps.loadVitals ?? loadWebVitals;
        if (!vitalsStarted && load && config.vitals != false) {
          vitalsStarted = true;
          Promise.resolve()
            .then(load)
            .then((vitals) =>
              vitals.watchVitals(
                (props, page_id) => ctx.emit('web_vitals', props, { page_id }),
                () => vitalsPage,
              ),
            )
            .catch(warn);
        }
      }
    },
    delivery,
  );

  const rights = createRights(
    site,
    endpoint,
    () => state.current,
    () => session.ids().anonymous_id,
    delivery,
    deps.fetch,
  );

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

  // Quoted: internal methods share these names, and the tag build mangles the unquoted ones (sdk/build.mjs).
  return {
    search: guard(search.search),
    cart: { add: guard(commerce.add), remove: guard(commerce.remove), view: guard(commerce.view) },
    checkout: { begin: guard(commerce.beginCheckout) },
    'purchase': guard(commerce.purchase),
    'viewItem': guard(commerce.viewItem),
    track: guard((name: string, props?: Props) =>
      CUSTOM_EVENT_NAME.test(name) ? ctx.emit(name, props) : warn('invalid name', name),
    ),
    pageview: guard(() => pages.navigate('manual')),
    experiment: guard((name: string, variant: string) => {
      // Refused at the call, visibly (not only in debug): a label the collector would refuse loses the whole test.
      if ([name, variant].every((label) => typeof label == 'string' && EXPERIMENT_LABEL.test(label)))
        experiment = { experiment: name, variant };
      else console.warn('[pathmark] experiment and variant must match', EXPERIMENT_LABEL, name, variant);
    }),
    consent: {
      set: guard((next: ConsentMode) => consent.decide(next, 'api')),
      get: () => state.current,
    },
    'flush': guard(() => (pages.settle(), queue.flush())),
    forget: guard(() => {
      // Read before the device forgets it: it is the credential the collector erases by.
      const id = state.current == 'granted' && session.ids().anonymous_id;
      buffer = [];
      queue.clear();
      const purged = consent.forgetDevice().catch(warn);
      const erased = id ? rights.erase(id).catch((error) => void warn(error)) : undefined;
      return purged.then(() => erased);
    }),
    rights: { access: rights.access, receipt: rights.receipt },
    'destroy': guard(() => {
      if (!state.destroyed) {
        state.destroyed = true;
        queue.destroy();
        disposers.splice(0).forEach((dispose) => dispose());
      }
    }),
  };
}
