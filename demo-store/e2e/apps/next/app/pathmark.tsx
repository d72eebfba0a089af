'use client';
// The Next.js App Router recipe of docs/spa.md, as written there.
import { useEffect } from 'react';
import { usePathname, useSearchParams } from 'next/navigation';
import { createTracker, type Tracker } from 'pathmark';

let tracker: Tracker | undefined;

export function Pathmark() {
  const pathname = usePathname();
  const searchParams = useSearchParams();
  useEffect(() => {
    // Created in the browser only; on the server this component renders nothing.
    tracker ??= createTracker({ site: 'demo', endpoint: '/v1/events', consent: 'granted', autoPageviews: false });
    tracker.pageview();
  }, [pathname, searchParams]);
  return null;
}
