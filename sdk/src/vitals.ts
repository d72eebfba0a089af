import type { VitalName, WebVitalsProps } from './protocol';
import type { TrackerContext } from './createTracker';

type OnMetric = (report: (metric: { name: string; value: number; rating: WebVitalsProps['rating'] }) => void) => void;
/** The part of the `web-vitals` package used here. */
export interface VitalsModule {
  onLCP: OnMetric;
  onINP: OnMetric;
  onCLS: OnMetric;
  onFCP: OnMetric;
  onTTFB: OnMetric;
}

/**
 * Web vitals of the document load (and of each back/forward-cache restore,
 * which web-vitals reports anew), at most once per metric and page view.
 * The library is imported lazily, off the critical path; `pageId` names the
 * page view the document load belongs to.
 */
export async function watchVitals(ctx: TrackerContext, load: () => Promise<VitalsModule>, pageId: () => string): Promise<void> {
  const vitals = await load();
  const reported = new Set<string>();
  const report: Parameters<OnMetric>[0] = (metric) => {
    const page = pageId();
    const key = `${page} ${metric.name}`;
    if (ctx.destroyed() || reported.has(key)) return;
    reported.add(key);
    const props: WebVitalsProps = { metric: metric.name as VitalName, value: metric.value, rating: metric.rating };
    ctx.capture('web_vitals', props, { page_id: page });
  };
  for (const on of [vitals.onLCP, vitals.onINP, vitals.onCLS, vitals.onFCP, vitals.onTTFB]) on(report);
}
