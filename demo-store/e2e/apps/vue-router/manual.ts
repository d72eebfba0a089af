// The Vue Router recipe of docs/spa.md: automatic page views off, pageview() after each navigation, once Vue
// has rendered it (nextTick).
import { createApp, nextTick } from 'vue';
import { createTracker } from 'pathmark';
import { App, shopRouter } from './routes.ts';

const tracker = createTracker({ site: 'demo', endpoint: '/v1/events', consent: 'anonymous', autoPageviews: false });
// The tests flush through it once the journey is over.
Object.assign(window, { tracker });
const router = shopRouter('/e2e/vue-manual/');
router.afterEach(() => {
  nextTick(() => tracker.pageview());
});
createApp(App).use(router).mount('#root');
