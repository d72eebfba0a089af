import type { Navigation, PageViewProps } from './protocol.js';
import type { TrackerContext } from './createTracker.js';
import { afterTitle } from './lib/afterTitle.js';
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
  /**
   * A page view of this URL once its title is rendered, unless it is the current page view (or the one being
   * waited for). Automatic for History API navigations; `manual` from `pageview()`.
   */
  navigate(navigation: Navigation): void;
  /** Ends the current page view with its `page_leave`, once (recording the one waited for first). */
  leave(): void;
}

export interface PageviewHooks {
  /** Builds `page_leave` props for the page being left. */
  leaveProps(): object;
  /** The new page view started (reset per-page measures, read the URL's search…); `previousPath` is the last one's. */
  started(page: Page, navigation: Navigation, previousPath: string): void;
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
 * Page views and the browse path: the initial load, SPA navigations (History API, `popstate`, `hashchange`) and
 * back/forward-cache restores. The old page ends at the navigation; the new page view is recorded once the app
 * rendered the route's title (see `afterTitle`), or at once when another navigation, `pagehide` or a hidden tab
 * comes first: never lost, and never with the previous route's title. The same URL twice in a row is
 * one page view.
 */
export function watchPageviews(ctx: TrackerContext, hooks: PageviewHooks, auto: boolean): Pageviews {
  let page: Page = { id: uuid(), url: '', path: '', left: false };
  /** Title of the last page view: the next route's is one that differs (or whatever it is when the wait ends). */
  let title: string | undefined;
  /** The page view waiting for its title: how it came about, its URL, and what records it now (`true`: cancels it). */
  let waitingFor: Navigation | undefined;
  let waitingUrl = '';
  let settle = (_cancel?: boolean) => {};

  const leave = () => {
    settle();
    if (!page.url || page.left) return;
    page.left = true;
    // After pushState `location` is already the next page's.
    ctx.emit('page_leave', hooks.leaveProps(), { url: page.url });
  };

  const record = (navigation: Navigation, url: string) => {
    waitingFor = undefined;
    if (url == page.url && navigation != 'bfcache') return;
    leave();
    const previous = page;
    const { pathname, search } = new URL(url);
    // Events captured before the first page view (pre-settle) belong to it.
    page = { id: previous.url ? uuid() : previous.id, url, path: pathname + search, left: false };
    title = document.title;
    const props: Omit<PageViewProps, 'page_index'> = { navigation, previous_path: previous.path || undefined };
    // Only web referrers: an app referrer (android-app://…) would get the page view refused.
    const referrer = previous.url || document.referrer;
    ctx.emit('page_view', props, { url, referrer: /^https?:/.test(referrer) ? referrer : undefined });
    hooks.started(page, navigation, previous.path);
  };

  const navigate = (navigation: Navigation) => {
    const url = location.href;
    if (waitingFor) {
      // The same URL again: browsers announce a fragment change with popstate, then hashchange (a `hash` view).
      // A replaceState: a redirect of the navigation waited for, which keeps its kind (a push, say).
      if (url == waitingUrl || navigation == 'replace') {
        if (waitingFor == 'pop' && navigation == 'hash') waitingFor = navigation;
        waitingUrl = url;
        return;
      }
      settle();
    }
    if (url == page.url) return;
    // The old page ends now; the new one is recorded once the app rendered it.
    leave();
    waitingFor = navigation;
    waitingUrl = url;
    settle = afterTitle(() => record(waitingFor!, waitingUrl), () => document.title != title);
  };

  if (auto) {
    ctx.cleanup(observeHistory(navigate));
    ctx.on(window, 'popstate', () => navigate('pop'));
    ctx.on(window, 'hashchange', () => navigate('hash'));
    navigate('load');
  }
  ctx.on(window, 'pageshow', (event) => {
    if ((event as PageTransitionEvent).persisted) record('bfcache', location.href);
  });
  ctx.cleanup(() => settle(true));

  return { current: () => page, navigate, leave };
}
