// PostHog doing Pathmark's job, with its default capture settings. Only the
// options that would reach PostHog's servers are turned off (remote flags,
// lazily loaded extensions, session recording, surveys) so nothing leaves the
// machine and the burst measures capture, not downloads.
import posthog from 'posthog-js';

window.benchTracker = {
  name: 'posthog',
  init({ origin }) {
    posthog.init('phc_bench', {
      api_host: origin,
      advanced_disable_flags: true,
      advanced_disable_decide: true,
      disable_external_dependency_loading: true,
      disable_session_recording: true,
      disable_surveys: true,
      // Plain JSON bodies, so the bench can recognise the page-view request.
      disable_compression: true,
      // PostHog drops events from automated browsers (navigator.webdriver) as
      // bots; this is the switch its own message suggests for such tests.
      opt_out_useragent_filter: true,
    });
  },
  track(name, props) {
    posthog.capture(name, props);
  },
  cartAdd(item) {
    posthog.capture('add_to_cart', { items: [item], value: item.price, currency: item.currency });
  },
  cartRemove(item) {
    posthog.capture('remove_from_cart', { items: [item] });
  },
  viewItem(item) {
    posthog.capture('view_item', { items: [item] });
  },
  search(query, results) {
    posthog.capture('search', { search_term: query, results });
  },
  purchase(order) {
    posthog.capture('purchase', order);
  },
};
