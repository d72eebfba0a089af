import { createSession } from './session.ts';
import { watchEngagement } from './engagement.ts';
import type { Tracker, TrackerConfig, TrackerContext, TrackerDeps, TrackerState } from './types.ts';
import { allowsSending, watchConsent } from './consent.ts';
import { DEFAULT_SEARCH_PARAMS, watchSearch } from './search.ts';
import { loadDelivery, type DeliveryModule } from './lib/loadDelivery.ts';
import type { TrackerQueue } from './trackerQueue.ts';
import { watchPageviews } from './pageview.ts';
import { EXPERIMENT_LABEL, type ConsentMode, type PageViewProps, type Props } from './protocol.ts';
import { listen, type Disposer } from './lib/listen.ts';
import { keepUnsent, postUnsent, type Captured } from './unsent.ts';
import { watchMarkup } from './markup.ts';
import { watchScroll } from './scroll.ts';
import { loadWebVitals } from './lib/loadWebVitals.ts';
import { createRights } from './rights.ts';

export { SDK_VERSION } from './version.ts';

const PENDING_BUFFER = 100;
const MAX_UNPROCESSED = 1000;

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
  // Mode `denied`: answered without requests.
  rights: createRights(
    '',
    () => 'denied',
    () => undefined,
    loadDelivery as never,
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
  /** Captured while consent is pending (at most PENDING_BUFFER), processed once it allows sending. */
  let buffer: Captured[] = [];
  /** Captured while a page view waits for its title: processed after it. */
  let held: Captured[] | undefined;
  /** Captured and waiting to be processed (see `capture`). */
  let todo: Captured[] = [];
  /** Delivery once loaded, the queue it made, and how it processes a capture. */
  let loaded: DeliveryModule | undefined;
  let queue: TrackerQueue | undefined;
  let processCaptures: (todo: Captured[], all?: boolean) => boolean;
  /** The captures kept unsent by earlier pages (unsent.ts) that this page took to process. */
  let picked: Captured[] = [];
  /** A task is scheduled to process `todo`: a message to ourselves, the next task without setTimeout's clamping. */
  let processing = false;
  const nextTask = new MessageChannel();
  const scheduleProcessing = () => {
    if (!processing) nextTask.port2.postMessage((processing = true));
  };
  const session = createSession(site, now, config.sessionTimeoutMs ?? 18e5);
  /** Buffered while consent is pending, processed once it allows sending. */
  const dispatch = (captured: Captured) => {
    if (state.current == 'pending') {
      buffer.push(captured);
      buffer.splice(0, buffer.length - PENDING_BUFFER);
    } else {
      // Bounded like the queue, should delivery never load.
      if (todo.push(captured) > MAX_UNPROCESSED) todo.shift();
      scheduleProcessing();
    }
  };

  /**
   * Processes what was captured, in order: validation, serialization, identifiers and the queue. A slice (delivery's
   * processCaptures), then the rest in the next task, so that a burst of calls never makes a long task; `all` (the
   * page going away, flush, a consent change) does everything now. Waits for delivery, which holds the processing.
   */
  const process = (all?: boolean) => {
    processing = false;
    // Not loaded yet, or it failed (offline): each capture asks again, in a mode that may send.
    if (!loaded) return void (allowsSending(state.current) && delivery().catch(warn));
    if (processCaptures(todo, all)) scheduleProcessing();
  };
  nextTask.port1.onmessage = () => process();

  /**
   * What a call or event does synchronously: note where and when it happened (and the search then current), and
   * leave the rest to `process`, in a later task. A page view comes before what was captured while it waited for its
   * title.
   */
  const capture = (method: Captured[0], args: unknown[], pageView?: boolean) => {
    if (state.current == 'denied' || state.destroyed) return;
    const captured: Captured = [
      method,
      args,
      {
        ts: now(),
        page_id: pages.current().id,
        url: location.href,
        title: document.title || undefined,
      },
    ];
    if (held && !pageView) held.push(captured);
    else {
      dispatch(captured);
      if (pageView) held = void held?.forEach(dispatch);
    }
  };

  let delivering: Promise<DeliveryModule> | undefined;
  /**
   * Delivery (processing, queue, store, transport, rights requests), loaded once: by the first mode that may send.
   * Nothing before needs it: what is captured waits (`process`), and there is nothing to send or store.
   */
  const delivery = () =>
    (delivering ??= (deps.loadDelivery ?? loadDelivery)().then(
      (module) => {
        if (!loaded) {
          queue = module.trackerQueue(site, endpoint, () => state.current, { ...config, ...deps, warn });
          if (state.destroyed) queue.destroy();
          processCaptures = module.processCaptures(session, queue, warn);
          loaded = module;
          // In `granted`: what earlier pages kept unsent (unsent.ts), processed first, as it was captured first. Its
          // copy goes once it is in the queue (`changed`, below).
          todo.unshift(...(picked = module.pickUnsent(site, state.current)));
          process();
        }
        return module;
      },
      (error) => {
        delivering = undefined;
        throw error;
      },
    ));

  const ctx: TrackerContext = {
    now,
    emit: (name, props, extra) => capture('', [name, props, extra], name == 'page_view'),
    callLater: capture as TrackerContext['callLater'],
    drain: () => process(true),
    on: (target, type, handler, options) => void disposers.push(listen(target, type, handler, options)),
    cleanup: (dispose) => void disposers.push(dispose),
    warn,
  };

  const engagement = watchEngagement(ctx, config.idleTimeoutMs ?? 15e3);
  const scroll = watchScroll(ctx, (depth) => ctx.emit('scroll', { depth }));
  const viewItems = watchMarkup(ctx);
  const search = watchSearch(ctx, config.searchParams ?? DEFAULT_SEARCH_PARAMS);
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
        viewItems();
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
    () => queue,
    state,
    (next, previous, source, stored) => {
      if (next == 'denied') {
        buffer = [];
        held &&= [];
        todo = [];
      }
      if (allowsSending(next)) {
        delivery().catch(warn);
        buffer.splice(0).forEach(dispatch);
        // The configured starting mode is not a change (and the stored queue is sent on the next timer).
        if (source != 'config') ctx.emit('consent', { mode: next, previous, source });
        // Once the stored queue is open, so that events kept from earlier pages go too. Delivery may still be loading
        // (the first mode that may send): what was captured goes as soon as it is here. Captures earlier pages kept
        // unsent, taken when delivery loaded, are in the queue then (and in the store it opened): their copy goes.
        void Promise.resolve(stored)
          .then(delivery)
          .then(() => {
            process(true);
            loaded!.forgetUnsent(site, picked);
            if (source != 'config') void queue!.flush();
          }, warn);
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

  const rightsRequests = async () => (await delivery()).rightsRequests(site, endpoint, deps.fetch);
  const rights = createRights(
    site,
    () => state.current,
    () => session.ids().anonymous_id,
    rightsRequests,
  );

  const pageGoesAway = (event: Event) => {
    const page = pages.current();
    // After pagehide the page view is over for good: a page restored from the back/forward cache is a new one.
    page.unloaded ||= event.type == 'pagehide';
    if (event.type == 'pagehide' || document.visibilityState == 'hidden') {
      pages.leave();
      process(true);
      // Delivery has not loaded (the first page the visitor consents on, left at once): in `granted`, the next page
      // sends what this one captured (unsent.ts); the page, should it come back, takes it from there too.
      if (!loaded && state.current == 'granted') keepUnsent(site, todo);
      if (!loaded && state.current == 'anonymous') todo = postUnsent(site, endpoint, session, todo);
      void queue?.flush(true);
      // Back from another tab or app: the page view goes on, and its next page_leave carries the figures so far.
    } else if (!page.unloaded) page.left = false;
  };
  ctx.on(document, 'visibilitychange', pageGoesAway);
  ctx.on(window, 'pagehide', pageGoesAway);
  ctx.on(window, 'online', () => queue?.online());

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

  /** Items (or a list of them) as they are at the call (processing validates them later): pages reuse their objects. */
  const copy = (item: unknown): unknown =>
    Array.isArray(item) ? item.map(copy) : item && typeof item == 'object' ? { ...item } : item;

  // Quoted: internal methods share these names, and the tag build mangles the unquoted ones (sdk/build.mjs).
  return {
    search: guard(search.search),
    cart: {
      add: guard((item: unknown) => capture('add', [copy(item)])),
      remove: guard((item: unknown) => capture('remove', [copy(item)])),
      view: guard((items?: unknown) => capture('view', [copy(items)])),
    },
    checkout: {
      begin: guard((items: unknown, value?: unknown) => capture('beginCheckout', [copy(items), value])),
    },
    'purchase': guard((order: { items?: unknown }) => capture('purchase', [{ ...order, items: copy(order?.items) }])),
    'viewItem': guard((item: unknown) => capture('viewItem', [copy(item)])),
    // The props as they are now: JSON, as they will be sent (a cycle throws here, caught by guard).
    track: guard((name: string, props?: Props) => capture('track', [name, JSON.stringify(props)])),
    pageview: guard(() => pages.navigate('manual')),
    experiment: guard((name: string, variant: string) => {
      // Refused at the call, visibly (not only in debug): a label the collector would refuse loses the whole test.
      if ([name, variant].every((label) => typeof label == 'string' && EXPERIMENT_LABEL.test(label)))
        experiment = { experiment: name, variant };
      else console.warn('[pathmark] invalid experiment', name, variant);
    }),
    consent: {
      set: guard((next: ConsentMode) => consent.decide(next, 'api')),
      get: () => state.current,
    },
    'flush': guard(() => {
      pages.settle();
      // In a mode that may send, delivery is loaded (or on its way): what was captured goes first.
      return delivering ? delivery().then(() => (process(true), queue!.flush()), warn) : Promise.resolve();
    }),
    forget: guard(() => {
      // Read before the device forgets it: it is the credential the collector erases by.
      const id = state.current == 'granted' && session.ids().anonymous_id;
      buffer = [];
      todo = [];
      queue?.clear();
      const purged = consent.forgetDevice().catch(warn);
      const erased = id
        ? rightsRequests()
            .then((requests) => requests.erase(id))
            .catch(warn as (error: unknown) => undefined)
        : undefined;
      return purged.then(() => erased);
    }),
    rights,
    'destroy': guard(() => {
      if (!state.destroyed) {
        state.destroyed = true;
        queue?.destroy();
        nextTask.port1.close();
        disposers.splice(0).forEach((dispose) => dispose());
      }
    }),
  };
}
