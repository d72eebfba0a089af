import type { ForwardedRecord } from '../../../collector/src/core/record.ts';

export interface PageViewSummary {
  page_id: string;
  path: string;
  consent: string;
  /** Time of the page view, epoch ms (collector-corrected). */
  ts: number;
  engaged_ms?: number;
  total_ms?: number;
  /** Deepest scroll seen: from `page_leave` when it arrived, else the highest `scroll` threshold. */
  max_scroll?: number;
  events: number;
}

/** Path and query of a forwarded URL; its host may read `[ip]`, as the collector redacts IP addresses. */
export function pathAndQuery(url: string): string {
  return url.replace(/^[a-z]+:\/\/[^/]+/i, '') || '/';
}

function numberProp(record: ForwardedRecord, key: string): number | undefined {
  const value = record.props[key];
  return typeof value === 'number' ? value : undefined;
}

/** Groups forwarded records by page view, newest first. */
export function summarizePageViews(records: readonly ForwardedRecord[]): PageViewSummary[] {
  const pages = new Map<string, PageViewSummary>();
  for (const record of [...records].sort((a, b) => a.ts - b.ts)) {
    let page = pages.get(record.page_id);
    if (!page) {
      page = { page_id: record.page_id, path: pathAndQuery(record.url), consent: record.consent, ts: record.ts, events: 0 };
      pages.set(record.page_id, page);
    }
    page.events += 1;
    if (record.name === 'page_view') {
      page.path = pathAndQuery(record.url);
      page.ts = record.ts;
    } else if (record.name === 'page_leave') {
      page.engaged_ms = numberProp(record, 'engaged_ms');
      page.total_ms = numberProp(record, 'total_ms');
      page.max_scroll = numberProp(record, 'max_scroll') ?? page.max_scroll;
    } else if (record.name === 'scroll' && page.engaged_ms === undefined) {
      const depth = numberProp(record, 'depth');
      if (depth !== undefined) page.max_scroll = Math.max(page.max_scroll ?? 0, depth / 100);
    }
  }
  return [...pages.values()].sort((a, b) => b.ts - a.ts);
}
