import type { Navigation, PageViewProps } from './protocol.ts';
import type { TrackerContext } from './types.ts';
import { afterTitle } from './lib/afterTitle.ts';
import { uuid } from './lib/uuid.ts';
import { safely, type Disposer } from './lib/listen.ts';

export interface Page {
  id: string;
  /** `location.href` of the page view; empty until the first one. */
  url: string;
  /** pathname + search, once the page view is recorded. */
  path: string;
  /** `page_leave` sent, and the visitor has not come back to this page view since. */
  left?: boolean;
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
  /** Records the page view waiting for its title, now. */
  settle(): void;
  /** Ends the current page view with its `page_leave`, once (recording the one waited for first). */
  leave(): void;
}

export interface PageviewHooks {
  /** Builds `page_leave` props for the page being left. */
  leaveProps(): object;
  /** Props every page view carries besides its navigation (the experiment it shows). */
  viewProps(): Partial<PageViewProps>;
  /** A navigation opened a new page view, to be recorded once rendered: events from now on are its own. */
  opened(): void;
  /** The new page view is recorded (reset per-page measures, read the URL's search…); `previousPath` is the last one's. */
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
 * back/forward-cache restores. A navigation ends the old page view and opens the new one, which is recorded once
 * the app rendered the route's title (see `afterTitle`), or at once when another navigation, `pagehide`, a hidden
 * tab or `flush()` comes first: never lost, and never with the previous route's title. Events captured meanwhile (a product view
 * the route reports as it renders) are the new page view's, and follow its `page_view` (see `opened`). The same URL
 * twice in a row is one page view.
 */
export function watchPageviews(ctx: TrackerContext, hooks: PageviewHooks, auto: boolean): Pageviews {
  let page: Page = { id: uuid(), url: '', path: '' };
  let previous = page;
  /** Title of the last page view: the next route's is one that differs (or whatever it is when the wait ends). */
  let title: string | undefined;
  /** How the page view waiting for its title came about, and what records it now (`true`: cancels it). */
  let waitingFor: Navigation | undefined;
  let settle = (_cancel?: boolean) => {};
  /** When the page view was opened: its time, although it is recorded once the title is there. */
  let openedAt: number;

  const leave = () => {
    settle();
    if (!page.url || page.left) return;
    page.left = true;
    // After pushState `location` is already the next page's.
    ctx.emit('page_leave', hooks.leaveProps(), { url: page.url });
  };

  /** A new page view of `url`. Events captured before the first one (the app starting) belong to it. */
  const open = (url: string) => {
    leave();
    previous = page;
    page = { id: previous.url ? uuid() : previous.id, url, path: '' };
    openedAt = ctx.now();
    hooks.opened();
  };

  const record = (navigation: Navigation) => {
    waitingFor = undefined;
    const { pathname, search } = new URL(page.url);
    page.path = pathname + search;
    title = document.title;
    const props: Omit<PageViewProps, 'page_index'> = {
      navigation,
      previous_path: previous.path || undefined,
      ...hooks.viewProps(),
    };
    // Only web referrers: an app referrer (android-app://…) would get the page view refused.
    const referrer = previous.url || document.referrer;
    ctx.emit('page_view', props, { ts: openedAt, url: page.url, referrer: /^https?:/.test(referrer) ? referrer : undefined });
    hooks.started(page, navigation, previous.path);
  };

  const navigate = (navigation: Navigation) => {
    const url = location.href;
    if (waitingFor) {
      // The same URL again: browsers announce a fragment change with popstate, then hashchange (a `hash` view).
      // A replaceState before the route's title came: a redirect of the navigation waited for, which keeps its kind.
      if (url == page.url || (navigation == 'replace' && document.title == title)) {
        if (waitingFor == 'pop' && navigation == 'hash') waitingFor = navigation;
        page.url = url;
        return;
      }
      settle();
    }
    if (url == page.url) return;
    open(url);
    waitingFor = navigation;
    // The first page view has no title to differ from: whatever the page shows 50 ms on (or at a change before) is its.
    settle = afterTitle(
      () => record(waitingFor!),
      () => document.title != title,
      title == null ? 50 : 1e3,
    );
    // pageview() is the app saying the route rendered: with a new title there already, now (before the app moves on
    // and lends it the next one). Not for the first page view: with nothing to compare, the title may still come.
    if (navigation == 'manual' && title != null && document.title != title) settle();
  };

  if (auto) {
    ctx.cleanup(observeHistory(navigate));
    ctx.on(window, 'popstate', () => navigate('pop'));
    ctx.on(window, 'hashchange', () => navigate('hash'));
    navigate('load');
  }
  ctx.on(window, 'pageshow', (event) => {
    if ((event as PageTransitionEvent).persisted) {
      open(location.href);
      record('bfcache');
    }
  });
  ctx.cleanup(() => settle(true));

  return { current: () => page, navigate, settle: () => settle(), leave };
}
