import { onCLS, onFCP, onINP, onLCP, onTTFB } from 'web-vitals';
import type { VitalName, WebVitalsProps } from './protocol.ts';

/** What the lazily loaded vitals part exports (`pathmark-vitals.js` in the script-tag build). */
export interface VitalsModule {
  watchVitals: typeof watchVitals;
}

/**
 * Web vitals of the document load (and of each back/forward-cache restore,
 * which web-vitals reports anew), at most once per metric and page view.
 * This module is loaded lazily, off the critical path; `pageId` names the
 * page view the document load belongs to.
 */
export function watchVitals(report: (props: WebVitalsProps, pageId: string) => void, pageId: () => string): void {
  const reported = new Set<string>();
  for (const on of [onLCP, onINP, onCLS, onFCP, onTTFB]) {
    on(({ name, value, rating }) => {
      const page = pageId();
      const key = `${page} ${name}`;
      if (!reported.has(key)) {
        reported.add(key);
        report({ metric: name as VitalName, value, rating }, page);
      }
    });
  }
}
