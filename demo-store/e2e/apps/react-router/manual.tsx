// The React Router recipe of docs/spa.md: automatic page views off, `pageview()` from a component placed after
// the routes (React runs effects child-first and siblings in order, so the route's title effect runs first).
// `?before` puts <PageViews /> before the routes, as the old recipe did: pageview() must cope with that too.
import { useEffect } from 'react';
import { createRoot } from 'react-dom/client';
import { BrowserRouter, useLocation } from 'react-router';
import { createTracker } from 'pathmark';
import { App } from './routes.tsx';

const tracker = createTracker({ site: 'demo', endpoint: '/v1/events', consent: 'anonymous', autoPageviews: false });
// The tests flush through it once the journey is over.
Object.assign(window, { tracker });

export function PageViews() {
  const location = useLocation();
  useEffect(() => {
    tracker.pageview();
  }, [location.pathname, location.search]);
  return null;
}

const before = document.documentElement.dataset.order == 'before';
createRoot(document.getElementById('root')!).render(
  <BrowserRouter basename={before ? '/e2e/react-before' : '/e2e/react-manual'}>
    {before && <PageViews />}
    <App />
    {!before && <PageViews />}
  </BrowserRouter>,
);
