// Automatic page views (the tracker follows the History API) in a React Router 7 app.
import { createRoot } from 'react-dom/client';
import { BrowserRouter } from 'react-router';
import { createTracker } from 'pathmark';
import { App } from './routes.tsx';

const tracker = createTracker({ site: 'demo', endpoint: '/v1/events', consent: 'anonymous' });
// The tests flush through it once the journey is over.
Object.assign(window, { tracker });

createRoot(document.getElementById('root')!).render(
  <BrowserRouter basename="/e2e/react-auto">
    <App />
  </BrowserRouter>,
);
