import { describe, expect, it } from 'vitest';
import { isReportName, MAX_RANGE_DAYS, parseReportRequest, REPORTS, runReport } from '../src/core/insights/index.ts';
import { migratedEngine } from './support/sqlite.ts';

describe('report requests', () => {
  it('take a site and a range of UTC days; an error names the parameter', () => {
    expect(parseReportRequest('shop', { from: '2026-03-01', to: '2026-03-31' })).toEqual({
      ok: true,
      request: { site: 'shop', from: '2026-03-01', to: '2026-03-31' },
    });
    expect(parseReportRequest('shop', { from: '2026-03-01', to: '2026-03-01' }).ok).toBe(true);
    for (const [query, field] of [
      [{ to: '2026-03-01' }, 'from'],
      [{ from: '2026-3-1', to: '2026-03-01' }, 'from'],
      [{ from: '2026-02-30', to: '2026-03-01' }, 'from'],
      [{ from: '2026-13-01', to: '2026-03-01' }, 'from'],
      [{ from: '2026-03-01', to: '2026-03-32' }, 'to'],
      [{ from: '2026-03-01' }, 'to'],
      [{ from: '2026-03-02', to: '2026-03-01' }, 'to'],
      [{ from: '2025-01-01', to: '2026-03-01' }, 'to'],
    ] as const) {
      const result = parseReportRequest('shop', query);
      expect(result.ok, JSON.stringify(query)).toBe(false);
      if (!result.ok) expect(result.error.startsWith(`${field}: `)).toBe(true);
    }
    expect(MAX_RANGE_DAYS).toBe(366);
  });

  it('name one of the seven reports', async () => {
    expect(Object.keys(REPORTS)).toEqual(['browse-paths', 'dwell', 'search', 'cart', 'funnel', 'web-vitals', 'experiments']);
    expect(isReportName('funnel')).toBe(true);
    expect(isReportName('toString')).toBe(false);
    const empty = await runReport(migratedEngine(), 'funnel', { site: 'nobody', from: '2026-01-01', to: '2026-01-31' });
    expect(empty.modes.granted).toMatchObject({
      coverage: { page_views: 0, visits: 0 },
      steps: [{ step: 'view_item', visits: 0, rate_from_first: null }, {}, {}, {}],
    });
  });
});
