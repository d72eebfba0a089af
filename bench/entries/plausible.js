// Plausible's npm tracker doing what it can of Pathmark's job: page views and
// custom events with properties (it has no cart, search or dwell API).
import { init, track } from '@plausible-analytics/tracker';

window.benchTracker = {
  name: 'plausible',
  init({ origin }) {
    init({ domain: 'bench.example', endpoint: `${origin}/api/event`, captureOnLocalhost: true, logging: false });
  },
  track(name, props) {
    track(name, { props });
  },
  cartAdd(item) {
    track('add_to_cart', { props: { item_id: item.item_id, price: String(item.price) } });
  },
  cartRemove(item) {
    track('remove_from_cart', { props: { item_id: item.item_id } });
  },
  viewItem(item) {
    track('view_item', { props: { item_id: item.item_id } });
  },
  search(query) {
    track('search', { props: { search_term: query } });
  },
  purchase(order) {
    track('purchase', {
      revenue: { amount: order.value, currency: order.currency },
      props: { transaction_id: order.transaction_id },
    });
  },
};
