import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { OTHER, seededRandom } from '../src/core/insights/index.ts';
import { journeyRecords, type Journey, type JourneyItem, type JourneyPage } from './support/generate.ts';
import { POPULATION_SITE } from './support/population.ts';
import { allReports, populatedEngine } from './support/run.ts';

/** Fields by which a report row names something a visitor produced. */
const NAMING = ['path', 'term', 'next_term', 'from', 'to', 'item_id', 'item_name', 'category'];

/** Every list row in a report that names a path, term or item, with the visits it reports. */
function namedRows(value: unknown, found: { row: Record<string, unknown>; at: string }[] = [], at = ''): typeof found {
  if (Array.isArray(value)) value.forEach((item, i) => namedRows(item, found, `${at}[${i}]`));
  else if (value && typeof value === 'object') {
    const row = value as Record<string, unknown>;
    if (NAMING.some((field) => typeof row[field] === 'string')) found.push({ row, at });
    for (const [key, child] of Object.entries(row)) namedRows(child, found, `${at}.${key}`);
  }
  return found;
}

const DAY = Date.parse('2026-05-04T00:00:00Z');
const item = fc.constantFrom<JourneyItem>(
  { id: 'a', category: 'one', price: 10 },
  { id: 'b', category: 'one', price: 12.5 },
  { id: 'c', category: 'two', price: 3 },
  { id: 'rare-item', category: 'rare-category', price: 99 },
);
const page: fc.Arbitrary<JourneyPage> = fc.record(
  {
    path: fc.constantFrom('/', '/category/one', '/product/a', '/search', '/cart', '/checkout', '/rare-page', '/checkout/done'),
    engagedSeconds: fc.integer({ min: 0, max: 400 }),
    scroll: fc.double({ min: 0, max: 1, noNaN: true }),
    search: fc.record(
      {
        term: fc.constantFrom('shoes', 'hat', 'my rare search'),
        results: fc.integer({ min: 0, max: 3 }),
        click: fc.integer({ min: 0, max: 4 }),
      },
      { requiredKeys: ['term', 'results'] },
    ),
    view: item,
    add: item,
    remove: item,
    checkout: fc.array(item, { minLength: 1, maxLength: 2 }),
    purchase: fc.array(item, { minLength: 1, maxLength: 2 }),
    lcp: fc.integer({ min: 0, max: 12_000 }),
    variant: fc.constantFrom('control', 'b'),
  },
  { requiredKeys: ['path'] },
);
const journey: fc.Arbitrary<Journey> = fc.record({
  consent: fc.constantFrom('granted', 'anonymous'),
  visitor: fc.integer({ min: 0, max: 15 }),
  start: fc.integer({ min: DAY, max: DAY + 2 * 86_400_000 - 3_600_000 }),
  pages: fc.array(page, { minLength: 1, maxLength: 5 }),
});

describe('k-anonymity', () => {
  it('no report row names a path, term or item that fewer than k visits produced; "(other)" too reaches k', async () => {
    await fc.assert(
      fc.asyncProperty(
        fc.array(journey, { minLength: 1, maxLength: 30 }),
        fc.integer({ min: 1, max: 8 }),
        fc.boolean(),
        async (journeys, k, withNoise) => {
          const engine = await populatedEngine(journeyRecords(journeys));
          const settings = withNoise ? { k, epsilon: 1, random: seededRandom(k) } : { k };
          const reports = await allReports(engine, POPULATION_SITE, '2026-05-04', '2026-05-06', settings);
          for (const [name, report] of Object.entries(reports)) {
            for (const { row, at } of namedRows(report.modes)) {
              expect(row.visits, `${name}${at} ${JSON.stringify(row)}`).toBeTypeOf('number');
              expect(row.visits as number, `${name}${at} ${JSON.stringify(row)}`).toBeGreaterThanOrEqual(k);
            }
          }
          engine.close();
        },
      ),
      { numRuns: 60 },
    );
  });

  it('rare rows are folded into "(other)", which is shown once it reaches k', async () => {
    // 3 visits each search a different rare term; with k = 3 none is named, "(other)" carries 3.
    const journeys: Journey[] = ['first rare', 'second rare', 'third rare'].map((term, i) => ({
      consent: 'granted',
      visitor: i,
      start: DAY + i * 3_600_000,
      pages: [{ path: '/search', engagedSeconds: 5, search: { term, results: 1 } }],
    }));
    const engine = await populatedEngine(journeyRecords(journeys));
    const at = (k: number) => allReports(engine, POPULATION_SITE, '2026-05-04', '2026-05-04', { k });
    expect((await at(3)).search.modes.granted.terms).toEqual({
      rows: [expect.objectContaining({ term: OTHER, searches: 3, visits: 3 })],
      omitted: 0,
      folded: 3,
    });
    expect((await at(4)).search.modes.granted.terms).toEqual({ rows: [], omitted: 0, folded: 3 });
    expect((await at(1)).search.modes.granted.terms.rows.map((row) => row.term)).toEqual([
      'first rare',
      'second rare',
      'third rare',
    ]);
  });
});
