import { describe, expect, it } from 'vitest';
import {
  checkPageTypePatterns,
  classifyPage,
  eventsRow,
  EVENTS_COLUMNS,
  ingest,
  insertEventsStatements,
  utcDay,
} from '../src/core/insights/index.ts';
import { buildPopulation, POPULATION_PAGE_TYPES, POPULATION_SITE } from './support/population.ts';
import { allReports, ingestAll } from './support/run.ts';
import { migratedEngine } from './support/sqlite.ts';

describe('classifyPage', () => {
  const patterns = {
    home: ['/'],
    category: ['/c/*', '/category/**'],
    product: ['/p/*'],
    checkout: ['/checkout'],
    confirmation: ['/checkout/done'],
    other: ['/help/?'],
  };

  it('matches globs on the path: * within a segment, ** across, ? one character', () => {
    expect(classifyPage('/', patterns)).toBe('home');
    expect(classifyPage('/c/shoes', patterns)).toBe('category');
    expect(classifyPage('/c/shoes/red', patterns)).toBeNull();
    expect(classifyPage('/category/shoes/red', patterns)).toBe('category');
    expect(classifyPage('/p/trail-shoe', patterns)).toBe('product');
    expect(classifyPage('/checkout', patterns)).toBe('checkout');
    expect(classifyPage('/checkout/done', patterns)).toBe('confirmation');
    expect(classifyPage('/help/a', patterns)).toBe('other');
    expect(classifyPage('/help/ab', patterns)).toBeNull();
    expect(classifyPage('/p.x', { product: ['/p.*'] })).toBe('product');
    expect(classifyPage('/pax', { product: ['/p.*'] })).toBeNull();
    expect(classifyPage('/anything', undefined)).toBeNull();
  });

  it('tries types in their fixed order', () => {
    expect(classifyPage('/sale/x', { category: ['/sale/**'], home: ['/sale/*'] })).toBe('home');
  });

  it('checks a policy value', () => {
    expect(checkPageTypePatterns(POPULATION_PAGE_TYPES)).toBeNull();
    expect(checkPageTypePatterns({ landing: ['/'] })).toMatch(/^page_types\.landing: /);
    expect(checkPageTypePatterns({ home: '/' })).toMatch(/^page_types\.home: /);
    expect(checkPageTypePatterns({ home: ['no-slash'] })).toMatch(/^page_types\.home: /);
    expect(checkPageTypePatterns([])).toMatch(/^page_types: /);
  });
});

describe('events rows', () => {
  const [record] = buildPopulation('2026-03-02').records.filter((r) => r.name === 'search');

  it('carry the UTC day, the search id, the page type and the ingest token', () => {
    const row = Object.fromEntries(
      EVENTS_COLUMNS.map((column, i) => [column, eventsRow(record!, 'token', POPULATION_PAGE_TYPES)[i]]),
    );
    expect(row).toMatchObject({
      day: utcDay(record!.ts),
      search_id: record!.props.search_id,
      page_type: 'search',
      ingest: 'token',
    });
    expect(JSON.parse(row.record as string)).toEqual(record);
    expect(utcDay(Date.parse('2026-03-02T23:59:59.999Z'))).toBe('2026-03-02');
    expect(utcDay(Date.parse('2026-03-03T00:00:00.000Z'))).toBe('2026-03-03');
  });

  it('take the page type the collector wrote into the record over the patterns', () => {
    const at = EVENTS_COLUMNS.indexOf('page_type');
    expect(eventsRow({ ...record!, page_type: 'product' }, null, POPULATION_PAGE_TYPES)[at]).toBe('product');
    expect(eventsRow({ ...record!, page_type: null }, null, POPULATION_PAGE_TYPES)[at]).toBeNull();
    expect(eventsRow(record!, null, undefined)[at]).toBeNull();
  });

  it('bind at most 100 parameters per statement (D1)', () => {
    const records = buildPopulation('2026-03-02').records;
    for (const { params } of insertEventsStatements(records, 't')) expect(params.length).toBeLessThanOrEqual(100);
  });
});

describe('page types without patterns', () => {
  it('come from what happened on the page, with the same answers where the flow is clear', async () => {
    const population = buildPopulation('2026-03-02');
    const engine = migratedEngine();
    await ingest(engine, population.records, { newToken: () => crypto.randomUUID() });
    const { 'web-vitals': vitals } = await allReports(engine, POPULATION_SITE, population.days[0]!, population.days[1]!);
    const types = vitals.modes.granted.page_types.map((t) => [t.page_type, t.page_views]);
    // purchase → confirmation, begin_checkout → checkout, view_cart → cart, view_item → product, search → search,
    // "/" → home; the category page and /about had none of these: other.
    expect(types).toEqual([
      ['home', 18],
      ['product', 13],
      ['search', 18],
      ['cart', 11],
      ['checkout', 6],
      ['confirmation', 6],
      ['other', 7],
    ]);
  });

  it('records classified by the collector answer like patterns applied at insert', async () => {
    const population = buildPopulation('2026-03-02');
    const withTypes = migratedEngine();
    const { classifyPage: classify } = await import('../src/core/insights/index.ts');
    await ingest(
      withTypes,
      population.records.map((r) => ({ ...r, page_type: classify(r.path, POPULATION_PAGE_TYPES) })),
      {
        newToken: () => crypto.randomUUID(),
      },
    );
    const byPatterns = migratedEngine();
    await ingestAll(byPatterns, population.records);
    const [from, to] = [population.days[0]!, population.days[1]!];
    expect(await allReports(withTypes, POPULATION_SITE, from, to)).toEqual(
      await allReports(byPatterns, POPULATION_SITE, from, to),
    );
  });
});
