import type { Navigation, PageViewProps } from './protocol.js';
import type { TrackerContext } from './createTracker.js';
import { afterSettle } from './lib/afterSettle.js';
import { uuid } from './lib/uuid.js';
import { safely, type Disposer } from './lib/listen.js';

export interface Page {
  id: string;
  /** `location.href` when viewed; empty until the first page view. */
  url: string;
  /** pathname + search. */
  path: string;
  /** `page_leave` sent, and the visitor has not come back to this page view since. */
  left: boolean;
  /** `pagehide` fired: the page view cannot come back. */
  unloaded?: boolean;
}

export interface Pageviews {
  current(): Page;
  /** A page view now (manual mode, or `pageview()`), unless this URL is the current page view. */
  view(navigation: Navigation): void;
  /** Ends the current page view with its `page_leave`, once. */
  leave(): void;
}

export interface PageviewHooks {
  /** Builds `page_leave` props for the page being left. */
  leaveProps(): object;
  /** The new page view started (reset per-page measures, read the URL's search…). */
  started(page: Page, navigation: Navigation): void;
}

/** Where the listeners live, shared by every tracker (and every copy of the SDK) in the page. */
const PATCH = '__pathmark';
type Listeners = Set<(navigation: Navigation) => void> & { restore?: Disposer };

/**
 * Wraps `pushState`/`replaceState` once per page, however many trackers
 * exist: the listeners live on the `history` object itself, and the last
 * tracker to leave restores the originals (unless someone wrapped them since).
 */
function observeHistory(listener: (navigation: Navigation) => void): Disposer {
  const h = history as History & { [PATCH]?: Listeners };
  const listeners: Listeners = (h[PATCH] ??= new Set());
  if (!listeners.size) {
    const { pushState, replaceState } = h;
    const wrap = (original: History['pushState'], navigation: Navigation) =>
      function (this: History, ...args: Parameters<History['pushState']>) {
        const result = original.apply(this, args);
        listeners.forEach(safely((l: (navigation: Navigation) => void) => l(navigation)));
        return result;
      };
    const patched = (h.pushState = wrap(pushState, 'push'));
    h.replaceState = wrap(replaceState, 'replace');
    listeners.restore = () => {
      if (h.pushState == patched) Object.assign(h, { pushState, replaceState });
      delete h[PATCH];
    };
  }
  listeners.add(listener);
  return () => {
    listeners.delete(listener);
    if (!listeners.size) listeners.restore!();
  };
}

/**
 * Page views and the browse path: the initial load, SPA navigations (History
 * API, `popstate`, `hashchange`) and back/forward-cache restores. SPA
 * captures wait for the app to render the new route so the title is the new
 * page's. The same URL twice in a row is one page view.
 */
export function watchPageviews(ctx: TrackerContext, hooks: PageviewHooks, auto: boolean): Pageviews {
  let page: Page = { id: uuid(), url: '', path: '', left: false };
  let cancelSettle = () => {};
  /**
   * How the page view being settled came about: the first signal wins (a push
   * then a redirecting replace is a push), except that a fragment change is a
   * `hash` although browsers fire `popstate` for it first.
   */
  let pending: Navigation | undefined;

  const leave = () => {
    if (!page.url || page.left) return;
    page.left = true;
    // After pushState `location` is already the next page's.
    ctx.emit('page_leave', hooks.leaveProps(), { url: page.url });
  };

  const view = (navigation: Navigation) => {
    cancelSettle();
    pending = undefined;
    const url = location.href;
    if (url == page.url && navigation != 'bfcache') return;
    leave();
    const previous = page;
    // Events captured before the first page view (pre-settle) belong to it.
    page = { id: previous.url ? uuid() : previous.id, url, path: location.pathname + location.search, left: false };
    const props: Omit<PageViewProps, 'page_index'> = { navigation, previous_path: previous.path || undefined };
    // Only web referrers: an app referrer (android-app://…) would get the page view refused.
    const referrer = previous.url || document.referrer;
    ctx.emit('page_view', props, { referrer: /^https?:/.test(referrer) ? referrer : undefined });
    hooks.started(page, navigation);
  };

  const navigate = (navigation: Navigation) => {
    if (location.href == page.url) return;
    // The old page ends now; the new one is captured once the app rendered it.
    leave();
    cancelSettle();
    const settled = (pending = pending == 'pop' && navigation == 'hash' ? navigation : pending ?? navigation);
    cancelSettle = afterSettle(() => view(settled));
  };

  if (auto) {
    ctx.cleanup(observeHistory(navigate));
    ctx.on(window, 'popstate', () => navigate('pop'));
    ctx.on(window, 'hashchange', () => navigate('hash'));
    navigate('load');
  }
  ctx.on(window, 'pageshow', (event) => {
    if ((event as PageTransitionEvent).persisted) view('bfcache');
  });
  ctx.cleanup(() => cancelSettle());

  return { current: () => page, view, leave };
}
