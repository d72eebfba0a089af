// Automatic page views (the tracker follows the History API) in a Vue Router 4 app.
import { createApp } from 'vue';
import { createTracker } from 'pathmark';
import { App, shopRouter } from './routes.ts';

const tracker = createTracker({ site: 'demo', endpoint: '/v1/events', consent: 'anonymous' });
// The tests flush through it once the journey is over.
Object.assign(window, { tracker });
createApp(App).use(shopRouter('/e2e/vue-auto/')).mount('#root');
