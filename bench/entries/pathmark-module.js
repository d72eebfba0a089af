// Pathmark as an SPA developer ships it: the ES module entry, bundled by the
// app's bundler (here esbuild, like the alternatives).
import { createTracker } from '../../sdk/dist/index.js';

let tracker;
window.benchTracker = {
  name: 'pathmark-module',
  init({ origin, consent = 'granted' }) {
    tracker = createTracker({ site: 'demo', endpoint: `${origin}/v1/events`, consent });
  },
  track(name, props) {
    tracker.track(name, props);
  },
  cartAdd(item) {
    tracker.cart.add(item);
  },
  cartRemove(item) {
    tracker.cart.remove(item);
  },
  viewItem(item) {
    tracker.viewItem(item);
  },
  search(query, results) {
    tracker.search(query, { results });
  },
  purchase(order) {
    tracker.purchase(order);
  },
};
