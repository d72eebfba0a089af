import { describe, expect, it, vi } from 'vitest';
import type { WebVitalsProps } from '../src/protocol.ts';
import { collector, drain, pageTransition, settle, tracker, useFakeTime } from './support.ts';

type Report = (metric: { name: string; value: number; rating: WebVitalsProps['rating'] }) => void;
/** web-vitals stand-in: each test decides when a metric is final. */
const reporters = vi.hoisted(() => [] as Report[]);
vi.mock('web-vitals', () => {
  const on = (report: Report) => void reporters.push(report);
  return { onLCP: on, onINP: on, onCLS: on, onFCP: on, onTTFB: on };
});
const emit = (name: string, value: number, rating: WebVitalsProps['rating'] = 'good') =>
  reporters.forEach((r) => r({ name, value, rating }));

describe('web vitals', () => {
  it('loads the vitals part lazily and reports each metric once per page view', async () => {
    useFakeTime();
    reporters.length = 0;
    const c = collector();
    const load = vi.fn(() => import('../src/vitals.ts'));
    const t = tracker({ vitals: true }, { loadVitals: load });
    await settle();
    await load.mock.results[0]!.value;
    await drain();
    expect(load).toHaveBeenCalledTimes(1);
    expect(reporters).toHaveLength(5);
    emit('LCP', 1234.5);
    emit('LCP', 1300); // a later report for the same page view
    emit('CLS', 0.02, 'good');
    emit('INP', 450, 'needs-improvement');
    history.pushState(null, '', '/spa-route'); // SPA navigation: still the same document load
    await settle();
    emit('CLS', 0.03);
    window.dispatchEvent(pageTransition('pageshow', true)); // restored from bfcache: a new load to measure
    emit('LCP', 800);
    await t.flush();
    const reported = c.events().filter((e) => e.name == 'web_vitals');
    expect(reported.map((e) => e.props)).toEqual([
      { metric: 'LCP', value: 1234.5, rating: 'good' },
      { metric: 'CLS', value: 0.02, rating: 'good' },
      { metric: 'INP', value: 450, rating: 'needs-improvement' },
      { metric: 'LCP', value: 800, rating: 'good' },
    ]);
    const firstView = c.events().find((e) => e.name == 'page_view')!;
    expect(reported[0]!.page_id).toBe(firstView.page_id);
    expect(reported[3]!.page_id).not.toBe(firstView.page_id);
  });

  it('uses the split chunk by default, is not loaded when turned off, and a failing load stays inside the SDK', async () => {
    useFakeTime();
    reporters.length = 0;
    collector();
    const off = vi.fn(() => import('../src/vitals.ts'));
    tracker({ vitals: false }, { loadVitals: off });
    tracker({ site: 'x', vitals: true }, { loadVitals: () => Promise.reject(new Error('blocked by CSP')) });
    tracker({ site: 'y', vitals: true });
    await settle();
    await import('../src/vitals.ts');
    await drain();
    expect(off).not.toHaveBeenCalled();
    expect(reporters).toHaveLength(5);
  });
});

describe('the first request', () => {
  it('goes once it holds the page view and the first vitals (TTFB, FCP), not a full second after', async () => {
    useFakeTime();
    reporters.length = 0;
    const c = collector();
    const start = Date.now();
    tracker({ vitals: true }, { loadVitals: () => import('../src/vitals.ts') });
    await settle(100); // the page view is recorded (50 ms for a title) and the vitals part loaded
    await drain();
    expect(c.attempts).toHaveLength(0);
    emit('TTFB', 120);
    await settle(100);
    expect(c.attempts).toHaveLength(0);
    emit('FCP', 240);
    await settle(10);
    await drain();
    expect(c.attempts).toHaveLength(1);
    expect(c.times[0]! - start).toBeLessThan(400);
    expect(c.attempts[0]!.events.map((e) => (e.name == 'web_vitals' ? (e.props as WebVitalsProps).metric : e.name))).toEqual([
      'page_view',
      'TTFB',
      'FCP',
    ]);
  });

  it('still goes after a second when the vitals are late', async () => {
    useFakeTime();
    reporters.length = 0;
    const c = collector();
    const start = Date.now();
    tracker({ vitals: true }, { loadVitals: () => import('../src/vitals.ts') });
    await settle(900);
    expect(c.attempts).toHaveLength(0);
    await settle(200);
    await drain();
    expect(c.attempts.map((b) => b.events.map((e) => e.name))).toEqual([['page_view']]);
    expect(c.times[0]! - start).toBeGreaterThanOrEqual(1000);
  });
});
