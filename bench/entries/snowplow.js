// Snowplow doing Pathmark's job: page views, page pings (dwell), site search,
// cart and purchase. Exposes the same `window.benchTracker` adapter as the
// other entries so bench/main-thread.mjs drives every tracker the same way.
import { newTracker, trackPageView, trackSelfDescribingEvent, enableActivityTracking } from '@snowplow/browser-tracker';
import { SiteTrackingPlugin, trackSiteSearch } from '@snowplow/browser-plugin-site-tracking';
import {
  SnowplowEcommercePlugin,
  trackAddToCart,
  trackRemoveFromCart,
  trackProductView,
  trackTransaction,
} from '@snowplow/browser-plugin-snowplow-ecommerce';

const product = (item) => ({
  id: item.item_id,
  name: item.item_name,
  category: item.item_category,
  price: item.price ?? 0,
  quantity: item.quantity ?? 1,
  currency: item.currency ?? 'EUR',
});

window.benchTracker = {
  name: 'snowplow',
  init({ origin }) {
    newTracker('sp', origin, {
      appId: 'bench',
      plugins: [SiteTrackingPlugin(), SnowplowEcommercePlugin()],
    });
    enableActivityTracking({ minimumVisitLength: 10, heartbeatDelay: 10 });
    trackPageView();
  },
  track(name, props) {
    trackSelfDescribingEvent({ event: { schema: `iglu:com.example/${name}/jsonschema/1-0-0`, data: props } });
  },
  cartAdd(item) {
    trackAddToCart({ products: [product(item)], total_value: item.price ?? 0, currency: item.currency ?? 'EUR' });
  },
  cartRemove(item) {
    trackRemoveFromCart({ products: [product(item)], total_value: 0, currency: item.currency ?? 'EUR' });
  },
  viewItem(item) {
    trackProductView(product(item));
  },
  search(query, results) {
    trackSiteSearch({ terms: [query], totalResults: results });
  },
  purchase(order) {
    trackTransaction({
      transaction_id: order.transaction_id,
      revenue: order.value,
      currency: order.currency,
      payment_method: 'card',
      products: order.items.map(product),
    });
  },
};
