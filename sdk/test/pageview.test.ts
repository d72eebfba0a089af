import { describe, expect, it, vi } from 'vitest';
import { collector, drain, expectEvents, names, pageTransition, setVisibility, settle, tracker, useFakeTime } from './support.ts';

describe('page views and browse path', () => {
  it('captures the initial load with title, referrer and page index', async () => {
    useFakeTime();
    const c = collector();
    document.title = 'Shop home';
    const t = tracker();
    await settle();
    await t.flush();
    expectEvents(c.events(), {
      expected: [
        { name: 'page_view', title: 'Shop home', url: 'http://localhost:3000/', props: { navigation: 'load', page_index: 1 } },
      ],
    });
    expect(c.events()[0]!.props).not.toHaveProperty('previous_path');
  });

  it('captures SPA navigations with the previous path and the new page title', async () => {
    useFakeTime();
    const c = collector();
    const t = tracker();
    await settle();
    history.pushState(null, '', '/products?cat=shoes');
    // The app renders the route and sets its title after pushState returned.
    document.title = 'Shoes';
    await settle();
    history.replaceState(null, '', '/products/42');
    document.title = 'Red shoe';
    await settle();
    history.replaceState(null, '', '/products?cat=shoes');
    history.replaceState(null, '', '/products?cat=shoes'); // same URL: not a page view
    await settle();
    // A link to #reviews (happy-dom's own hashchange for `location.hash =` would fire during the next test).
    History.prototype.pushState.call(history, null, '', '/products?cat=shoes#reviews');
    window.dispatchEvent(new PopStateEvent('popstate'));
    window.dispatchEvent(new HashChangeEvent('hashchange'));
    await settle();
    await t.flush();
    const views = c.events().filter((e) => e.name == 'page_view');
    expect(
      views.map((e) => [
        e.props && (e.props as { navigation: string }).navigation,
        e.title,
        (e.props as { previous_path?: string }).previous_path,
      ]),
    ).toEqual([
      ['load', 'Home', undefined],
      ['push', 'Shoes', '/'],
      ['replace', 'Red shoe', '/products?cat=shoes'],
      ['replace', 'Red shoe', '/products/42'],
      ['hash', 'Red shoe', '/products?cat=shoes'],
    ]);
    expect(views.map((e) => (e.props as { page_index: number }).page_index)).toEqual([1, 2, 3, 4, 5]);
    // SPA page views carry the previous page's URL as referrer.
    expect(views[1]!.referrer).toBe('http://localhost:3000/');
  });

  it('captures popstate (Back/Forward) and ignores one that left the URL unchanged', async () => {
    useFakeTime();
    const c = collector();
    const t = tracker();
    await settle();
    window.dispatchEvent(new PopStateEvent('popstate'));
    await settle();
    // The browser changes the URL itself on Back, without going through the History API.
    History.prototype.replaceState.call(history, null, '', '/back-here');
    window.dispatchEvent(new PopStateEvent('popstate'));
    await settle();
    await t.flush();
    expectEvents(c.events(), {
      expected: [
        { name: 'page_view', props: { navigation: 'load' } },
        { name: 'page_view', url: 'http://localhost:3000/back-here', props: { navigation: 'pop', previous_path: '/' } },
      ],
    });
    expect(names(c.events()).filter((n) => n == 'page_view')).toHaveLength(2);
  });

  it('sends page_leave for the old page on a route change, linked by page_id', async () => {
    useFakeTime();
    const c = collector();
    const t = tracker();
    await settle();
    history.pushState(null, '', '/cart');
    await settle();
    await t.flush();
    const [first, leave, second] = c.events();
    expect(names(c.events())).toEqual(['page_view', 'page_leave', 'page_view']);
    expect(leave!.page_id).toBe(first!.page_id);
    expect(second!.page_id).not.toBe(first!.page_id);
    expect(leave!.url).toBe('http://localhost:3000/');
    expect(second!.url).toBe('http://localhost:3000/cart');
  });

  it('starts a new page view when the page is restored from the back/forward cache', async () => {
    useFakeTime();
    const c = collector();
    const t = tracker();
    await settle();
    // In the order browsers fire them: the page becomes visible before pageshow.
    setVisibility('hidden');
    window.dispatchEvent(pageTransition('pagehide', true));
    setVisibility('visible');
    window.dispatchEvent(pageTransition('pageshow', true));
    window.dispatchEvent(pageTransition('pageshow', false));
    await settle();
    await t.flush();
    expect(names(c.events())).toEqual(['page_view', 'page_leave', 'page_view']);
    expectEvents(c.events(), { expected: [{ name: 'page_view', props: { navigation: 'bfcache', previous_path: '/' } }] });
  });

  it('manual mode: no automatic page views, pageview() counts once per URL', async () => {
    useFakeTime();
    const c = collector();
    const t = tracker({ autoPageviews: false });
    await settle();
    history.pushState(null, '', '/a');
    await settle();
    expect(c.attempts).toHaveLength(0);
    t.pageview();
    t.pageview();
    history.pushState(null, '', '/b');
    t.pageview();
    await settle();
    await t.flush();
    expectEvents(c.events(), {
      expected: [
        { name: 'page_view', url: 'http://localhost:3000/a', props: { navigation: 'manual' } },
        { name: 'page_leave' },
        { name: 'page_view', url: 'http://localhost:3000/b', props: { previous_path: '/a' } },
      ],
    });
    expect(names(c.events())).toEqual(['page_view', 'page_leave', 'page_view']);
  });

  it('automatic mode plus a router calling pageview() does not double count', async () => {
    useFakeTime();
    const c = collector();
    const t = tracker();
    await settle();
    history.pushState(null, '', '/a');
    t.pageview();
    await settle();
    await t.flush();
    expect(names(c.events()).filter((n) => n == 'page_view')).toHaveLength(2);
  });

  it('starts a new session after 30 minutes without events', async () => {
    useFakeTime();
    const c = collector();
    const t = tracker();
    await settle();
    t.track('ping');
    await settle(31 * 60_000);
    t.track('ping');
    await t.flush();
    const [view, ping1, ping2] = c.events();
    expect(ping1!.session_id).toBe(view!.session_id);
    expect(ping2!.session_id).not.toBe(view!.session_id);
    expect([view!.seq, ping1!.seq, ping2!.seq]).toEqual([1, 2, 1]);
    expect(ping2!.anonymous_id).toBe(view!.anonymous_id);
  });

  it('destroy() restores history and removes every listener', async () => {
    useFakeTime();
    const c = collector();
    const { pushState, replaceState } = history;
    const a = tracker();
    const b = tracker({ site: 'other' });
    // Two trackers, one wrapper.
    const wrapped = history.pushState;
    expect(wrapped).not.toBe(pushState);
    a.destroy();
    expect(history.pushState).toBe(wrapped);
    b.destroy();
    expect(history.pushState).toBe(pushState);
    expect(history.replaceState).toBe(replaceState);
    history.pushState(null, '', '/after');
    window.dispatchEvent(new Event('pagehide'));
    document.dispatchEvent(new MouseEvent('click', { bubbles: true }));
    window.dispatchEvent(new Event('scroll'));
    await settle(10_000);
    expect(c.attempts).toHaveLength(0);
  });

  it('pushState keeps returning what the browser returns', () => {
    tracker();
    expect(history.pushState(null, '', '/x')).toBeUndefined();
    expect(location.pathname).toBe('/x');
  });
});

describe('fragment navigations', () => {
  it('are hash page views even though browsers fire popstate before hashchange', async () => {
    useFakeTime();
    const c = collector();
    const t = tracker();
    await settle();
    History.prototype.pushState.call(history, null, '', '/#specs');
    window.dispatchEvent(new PopStateEvent('popstate'));
    window.dispatchEvent(new HashChangeEvent('hashchange'));
    await settle();
    await t.flush();
    expectEvents(c.events(), {
      expected: [
        { name: 'page_view', props: { navigation: 'load' } },
        { name: 'page_view', props: { navigation: 'hash' } },
      ],
    });
  });
});

describe('referrer', () => {
  it('is document.referrer on load when it is a web URL, and left out otherwise', async () => {
    useFakeTime();
    const c = collector();
    Object.defineProperty(document, 'referrer', { configurable: true, get: () => 'https://search.example/?q=shoes' });
    const t = tracker();
    await settle();
    await t.flush();
    Object.defineProperty(document, 'referrer', { configurable: true, get: () => 'android-app://com.example.mail/' });
    const c2 = collector();
    const t2 = tracker({ site: 'other' });
    await settle();
    await t2.flush();
    delete (document as { referrer?: string }).referrer;
    expect(c.events().find((e) => e.name == 'page_view')!.referrer).toBe('https://search.example/?q=shoes');
    const otherView = c2.batches
      .filter((b) => b.site == 'other')
      .flatMap((b) => b.events)
      .find((e) => e.name == 'page_view');
    expect(otherView).toBeDefined();
    expect(otherView).not.toHaveProperty('referrer');
  });
});

describe('page views wait for the route’s own title', () => {
  const views = (c: ReturnType<typeof collector>) =>
    c
      .events()
      .filter((e) => e.name == 'page_view')
      .map((e) => [(e.props as { navigation: string }).navigation, new URL(e.url).pathname, e.title]);

  it('a title set after the next frame (React 19 runs a transition’s effects then) is the page view’s', async () => {
    useFakeTime();
    const c = collector();
    const t = tracker();
    await settle();
    history.pushState(null, '', '/shoes');
    // The route renders in a transition: its effect sets the title two frames and some work later.
    requestAnimationFrame(() => requestAnimationFrame(() => setTimeout(() => (document.title = 'Shoes'), 120)));
    await settle();
    await t.flush();
    expect(views(c)).toEqual([
      ['load', '/', 'Home'],
      ['push', '/shoes', 'Shoes'],
    ]);
  });

  it('is recorded as soon as the title changes, and after 1 s when the route keeps the title', async () => {
    useFakeTime();
    const c = collector();
    // Each event is sent as it is queued: what was recorded shows without flush(), which records a waiting page view.
    tracker({ batchSize: 1 });
    await settle();
    history.pushState(null, '', '/same-title');
    await settle(900);
    await drain();
    expect(views(c)).toEqual([['load', '/', 'Home']]);
    await settle(200);
    await drain();
    expect(views(c)).toEqual([
      ['load', '/', 'Home'],
      ['push', '/same-title', 'Home'],
    ]);
    history.pushState(null, '', '/quick');
    document.title = 'Quick';
    await settle(50);
    await drain();
    expect(views(c).at(-1)).toEqual(['push', '/quick', 'Quick']);
  });

  it('a title the app set before pushState counts, without waiting', async () => {
    useFakeTime();
    const c = collector();
    const t = tracker();
    await settle();
    document.title = 'Cart';
    history.pushState(null, '', '/cart');
    await settle(100);
    await t.flush();
    expect(views(c).at(-1)).toEqual(['push', '/cart', 'Cart']);
  });

  it('a navigation during the wait records the page view waited for at once, with its own URL', async () => {
    useFakeTime();
    const c = collector();
    const t = tracker({ batchSize: 1 });
    await settle();
    history.pushState(null, '', '/a');
    await settle(100);
    history.pushState(null, '', '/b');
    await drain();
    expect(views(c)).toEqual([
      ['load', '/', 'Home'],
      ['push', '/a', 'Home'],
    ]);
    document.title = 'B';
    await settle();
    await t.flush();
    expect(views(c).at(-1)).toEqual(['push', '/b', 'B']);
    expectEvents(c.events(), {
      expected: [
        { name: 'page_view', url: 'http://localhost:3000/a' },
        { name: 'page_leave', url: 'http://localhost:3000/a' },
        { name: 'page_view', url: 'http://localhost:3000/b', props: { previous_path: '/a' } },
      ],
    });
  });

  it('pagehide during the wait records the page view at once, then its page_leave', async () => {
    useFakeTime();
    const c = collector();
    tracker({ consent: 'anonymous' });
    await settle(400);
    history.pushState(null, '', '/leaving');
    window.dispatchEvent(new Event('pagehide'));
    await drain();
    expect(
      c
        .events()
        .slice(-3)
        .map((e) => [e.name, new URL(e.url).pathname]),
    ).toEqual([
      ['page_leave', '/'],
      ['page_view', '/leaving'],
      ['page_leave', '/leaving'],
    ]);
  });

  it('a replaceState during the wait is a redirect: one page view, of the final URL, as a push', async () => {
    useFakeTime();
    const c = collector();
    const t = tracker();
    await settle();
    history.pushState(null, '', '/old-product');
    history.replaceState(null, '', '/product/7');
    document.title = 'Product 7';
    await settle();
    await t.flush();
    expect(views(c)).toEqual([
      ['load', '/', 'Home'],
      ['push', '/product/7', 'Product 7'],
    ]);
  });

  it('a replaceState once the route’s title is there is a page view of its own, not a redirect', async () => {
    useFakeTime();
    const c = collector();
    const t = tracker();
    await settle();
    history.pushState(null, '', '/filters');
    document.title = 'Filters';
    // Before the next check of the title: the app (or a quick visitor) replaces the URL.
    history.replaceState(null, '', '/filters?color=red');
    await settle();
    await t.flush();
    expect(views(c)).toEqual([
      ['load', '/', 'Home'],
      ['push', '/filters', 'Filters'],
      ['replace', '/filters', 'Filters'],
    ]);
    expect(c.events().at(-1)!.url).toBe('http://localhost:3000/filters?color=red');
  });

  it('manual pageview() called before the route’s title effect (React runs effects child-first) still gets the title', async () => {
    useFakeTime();
    const c = collector();
    const t = tracker({ autoPageviews: false });
    // The first page view too: the title of the page as served is not the route's yet.
    t.pageview();
    await Promise.resolve();
    document.title = 'Start';
    await settle();
    History.prototype.pushState.call(history, null, '', '/orders');
    t.pageview();
    await Promise.resolve();
    document.title = 'Orders';
    await settle();
    await t.flush();
    expect(views(c)).toEqual([
      ['manual', '/', 'Start'],
      ['manual', '/orders', 'Orders'],
    ]);
  });

  it('events the route reports before its title (React runs a child’s effects first) follow its page view, as its own', async () => {
    useFakeTime();
    const c = collector();
    const t = tracker();
    await settle();
    history.pushState(null, '', '/product/9');
    const navigatedAt = Date.now();
    await settle(20);
    t.viewItem({ item_id: 'P9' });
    await settle(20);
    document.title = 'Product 9';
    await settle();
    await t.flush();
    expect(names(c.events())).toEqual(['page_view', 'page_leave', 'page_view', 'view_item']);
    const [first, leave, view, item] = c.events();
    expect(leave!.page_id).toBe(first!.page_id);
    expect(view).toMatchObject({ title: 'Product 9', url: 'http://localhost:3000/product/9' });
    expect(item!.page_id).toBe(view!.page_id);
    // The page view is dated from the navigation, so it sorts before its events by time too.
    expect(view!.ts).toBe(navigatedAt);
    expect(item!.ts).toBeGreaterThan(view!.ts);
  });

  it('manual pageview() with the route’s title already set records at once: the app moving on cannot lend it the next title', async () => {
    useFakeTime();
    const c = collector();
    const t = tracker({ autoPageviews: false });
    t.pageview();
    await settle();
    History.prototype.pushState.call(history, null, '', '/next');
    document.title = 'Next';
    t.pageview();
    // Back or on, before any timer ran (Vue Router sets the next title in afterEach, at once).
    History.prototype.pushState.call(history, null, '', '/after');
    document.title = 'After';
    t.pageview();
    await settle();
    await t.flush();
    expect(views(c)).toEqual([
      ['manual', '/', 'Home'],
      ['manual', '/next', 'Next'],
      ['manual', '/after', 'After'],
    ]);
  });

  it('manual pageview() of a lazy route: its title, set later and replaced within a few ms by the next route’s, is its own', async () => {
    useFakeTime();
    const c = collector();
    const t = tracker({ autoPageviews: false });
    t.pageview();
    await settle();
    // <PageViews /> reports /cart while Suspense still shows the fallback: the title is the last route's.
    History.prototype.pushState.call(history, null, '', '/cart');
    t.pageview();
    await settle(300);
    // The chunk arrives: the route sets its title. The visitor goes Back 5 ms later (less than any poll interval):
    // the next route renders, sets its title, and reports before a timer could run.
    document.title = 'Cart';
    await vi.advanceTimersByTimeAsync(5);
    History.prototype.pushState.call(history, null, '', '/shoes');
    document.title = 'Shoes';
    t.pageview();
    await settle();
    await t.flush();
    expect(views(c)).toEqual([
      ['manual', '/', 'Home'],
      ['manual', '/cart', 'Cart'],
      ['manual', '/shoes', 'Shoes'],
    ]);
  });

  it('destroy() during the wait records nothing more', async () => {
    useFakeTime();
    const c = collector();
    const t = tracker();
    await settle();
    await t.flush();
    history.pushState(null, '', '/gone');
    t.destroy();
    document.title = 'Gone';
    await settle(5000);
    expect(names(c.events())).toEqual(['page_view']);
  });
});
