// The demo store: an SPA that uses Pathmark as an ES module and reports page
// views from its own router.
import { createTracker } from 'pathmark';
import { Cart } from './cart.ts';
import { readChoice } from './consent-choice.ts';
import { mountConsentUi } from './consent-ui.ts';
import type { AppContext, Order } from './context.ts';
import { Router } from './router.ts';
import { cartView } from './views/cart.ts';
import { categoryView } from './views/category.ts';
import { checkoutView } from './views/checkout.ts';
import { homeView } from './views/home.ts';
import { notFoundView } from './views/not-found.ts';
import { orderView } from './views/order.ts';
import { privacyView } from './views/privacy.ts';
import { productView } from './views/product.ts';
import { searchView } from './views/search.ts';

/**
 * The plain-HTML journal links to `/cart?add=ID` and `/cart?remove=ID`. Its own
 * `data-pm-cart` attributes already reported the action, so the cart changes here
 * without a second event, and the address is tidied before the first page view.
 */
function applyCartLink(cart: Cart): void {
  if (location.pathname !== '/cart') return;
  const params = new URLSearchParams(location.search);
  const add = params.get('add');
  const remove = params.get('remove');
  if (add) cart.add(add);
  if (remove) cart.remove(remove);
  if (add || remove) history.replaceState(null, '', '/cart');
}

function showToast(message: string): void {
  const toast = document.createElement('div');
  toast.className = 'toast';
  toast.setAttribute('role', 'status');
  toast.textContent = message;
  document.body.append(toast);
  setTimeout(() => toast.remove(), 2500);
}

function main(): void {
  const root = document.getElementById('app');
  if (!root) return;
  const cart = new Cart(sessionStorage);
  applyCartLink(cart);

  const tracker = createTracker({
    site: 'demo',
    endpoint: '/v1/events',
    consent: readChoice(sessionStorage) ?? 'pending',
    // The router below calls pageview() itself, after the new view is on screen.
    autoPageviews: false,
    // The search page reports its searches itself, with the number of results,
    // so `?q=` in the address must not count as a second search.
    searchParams: [],
    debug: new URLSearchParams(location.search).has('debug'),
  });

  const ctx: AppContext = {
    cart,
    tracker,
    navigate: (url) => router.navigate(url),
    orders: new Map<string, Order>(),
    toast: showToast,
  };

  const router: Router = new Router({
    root,
    routes: {
      '/': () => homeView(),
      '/c/:id': ({ id }) => categoryView(id ?? ''),
      '/search': (_, query) => searchView(ctx, query.get('q')?.trim() ?? ''),
      '/p/:id': ({ id }) => productView(ctx, id ?? ''),
      '/cart': () => cartView(ctx, () => router.render('refresh')),
      '/checkout': () => checkoutView(ctx),
      '/order/:id': ({ id }) => orderView(ctx, id ?? ''),
      '/privacy': () => privacyView(ctx),
    },
    notFound: () => notFoundView(),
    external: (path) => path.startsWith('/blog') || path.startsWith('/inspector') || path.startsWith('/v1/'),
    onRender: (view, kind) => {
      if (kind === 'refresh') return;
      tracker.pageview();
      view.track?.();
    },
  });

  const updateCartCount = (): void => {
    for (const badge of document.querySelectorAll('[data-cart-count]')) badge.textContent = String(cart.count());
  };
  cart.onChange(updateCartCount);
  updateCartCount();

  document.querySelector<HTMLFormElement>('[data-store-search]')?.addEventListener('submit', (event) => {
    event.preventDefault();
    const query = new FormData(event.currentTarget as HTMLFormElement).get('q');
    if (typeof query === 'string' && query.trim()) router.navigate(`/search?q=${encodeURIComponent(query.trim())}`);
  });

  mountConsentUi({
    currentMode: () => tracker.consent.get(),
    apply: (mode) => tracker.consent.set(mode),
    forget: () => tracker.forget(),
  });
  router.start();
}

main();
