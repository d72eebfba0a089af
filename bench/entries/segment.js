// Segment's browser library doing Pathmark's job (bundle size only: it needs
// its CDN settings to start, so the main-thread bench leaves it out).
import { AnalyticsBrowser } from '@segment/analytics-next';

let analytics;
window.benchTracker = {
  name: 'segment',
  init({ origin }) {
    analytics = AnalyticsBrowser.load({ writeKey: 'bench', cdnURL: origin });
    analytics.page();
  },
  track(name, props) {
    analytics.track(name, props);
  },
  cartAdd(item) {
    analytics.track('Product Added', {
      product_id: item.item_id,
      name: item.item_name,
      price: item.price,
      quantity: item.quantity,
    });
  },
  cartRemove(item) {
    analytics.track('Product Removed', { product_id: item.item_id });
  },
  viewItem(item) {
    analytics.track('Product Viewed', { product_id: item.item_id, name: item.item_name });
  },
  search(query) {
    analytics.track('Products Searched', { query });
  },
  purchase(order) {
    analytics.track('Order Completed', {
      order_id: order.transaction_id,
      total: order.value,
      currency: order.currency,
      products: order.items,
    });
  },
};
