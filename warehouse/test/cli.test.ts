import { execFile } from 'node:child_process';
import { existsSync, readdirSync, rmSync } from 'node:fs';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { promisify } from 'node:util';
import { afterAll, describe, expect, it } from 'vitest';
import { buildPopulation } from '../../collector/test-core/support/population.ts';
import { allReports, ingestAll } from '../../collector/test-core/support/run.ts';
import { migratedEngine } from '../../collector/test-core/support/sqlite.ts';
import { main, UsageError } from '../src/cli.ts';
import { createDuckDbEngine } from '../src/duckdb-engine.ts';
import { tempDir, writeArchive } from './support/archive.ts';

// The command as a shop runs it, on the scripted population's archive: reports as JSON equal to
// what D1's SQL answers, a kept database that answers without the archive, the journey tables as
// Parquet another engine can read, the archive compacted to Parquet and read back alike.

const BIN = fileURLToPath(new URL('../bin/pathmark-warehouse.mjs', import.meta.url));
const SITES = fileURLToPath(new URL('./fixtures/sites.json', import.meta.url));
const population = buildPopulation('2026-03-02');
const [FROM, TO] = [population.days[0]!, population.days.at(-1)!];
const work = tempDir('cli');
const archive = join(work, 'archive');
writeArchive(archive, population.records, 'batch-1');
afterAll(() => rmSync(work, { recursive: true, force: true }));

async function run(...args: string[]): Promise<string> {
  let out = '';
  await main([...args, '--sites', SITES], (text) => (out += text));
  return out;
}
const range = ['--site', 'shop', '--from', FROM, '--to', TO];

describe('pathmark-warehouse', async () => {
  const sqlite = migratedEngine();
  await ingestAll(sqlite, population.records);
  const expected = await allReports(sqlite, 'shop', FROM, TO);

  it('prints every report as JSON, equal to what D1’s SQL answers', async () => {
    const reports = JSON.parse(await run('report', 'all', '--archive', archive, ...range, '--json')) as { report: string }[];
    expect(reports).toEqual(Object.values(expected));
  });

  it('prints a report as tables: coverage per mode, its lists, "(other)" counted', async () => {
    const text = await run('report', 'search', '--archive', archive, ...range);
    expect(text).toContain('== granted: 79 page views, 25 visits');
    expect(text).toContain('== anonymous: 50 page views, 21 visits');
    expect(text).toMatch(/terms \(1 below k folded into \(other\)\)/);
    expect(text).toMatch(/^ {2}trail shoes +6 +6 +0 +6 +1 +2 +6 +6 +6 +6 +1 +480$/m);
  });

  it('keeps the database with --db: a later report reads it without the archive', async () => {
    const db = join(work, 'kept.duckdb');
    expect(await run('build', '--archive', archive, ...range, '--db', db)).toMatch(/^build: 707 events from \d+ objects/);
    const funnel = JSON.parse(await run('report', 'funnel', '--db', db, ...range, '--json'));
    expect(funnel).toEqual(expected.funnel);
  });

  it('writes the journey tables as Parquet, partitioned site=/date= like the archive', async () => {
    const out = join(work, 'facts');
    await run('build', '--archive', archive, ...range, '--parquet', out);
    expect(readdirSync(join(out, 'page_views', 'site=shop')).sort()).toEqual([`date=${FROM}`, `date=${TO}`]);
    const engine = await createDuckDbEngine();
    try {
      const count = async (table: string) =>
        (
          await engine.all<{ n: number }>(
            `SELECT COUNT(*) AS n FROM read_parquet('${out}/${table}/*/*/*.parquet', hive_partitioning = true) WHERE site = 'shop'`,
          )
        )[0]!.n;
      const d1Count = async (table: string) => (await sqlite.all<{ n: number }>(`SELECT COUNT(*) AS n FROM ${table}`))[0]!.n;
      expect(await count('page_views')).toBe(await d1Count('ins_page_views'));
      expect(await count('searches')).toBe(await d1Count('ins_searches'));
      expect(await count('item_lines')).toBe(await d1Count('ins_item_lines'));
      const [entries] = await engine.all<{ entries: number }>(
        `SELECT SUM(is_entry) AS entries FROM read_parquet('${out}/page_views/*/*/*.parquet', hive_partitioning = true)`,
      );
      expect(entries!.entries).toBe(25 + 21);
    } finally {
      engine.close();
    }
  });

  it('compacts the archive to Parquet in the same layout, and reports from it alike', async () => {
    const out = join(work, 'compacted');
    await run('compact', '--archive', archive, '--site', 'shop', '--from', FROM, '--to', TO, '--out', out);
    expect(existsSync(join(out, 'events', 'site=shop', `date=${FROM}`))).toBe(true);
    const reports = JSON.parse(await run('report', 'all', '--archive', out, '--input', 'parquet', ...range, '--json'));
    expect(reports).toEqual(Object.values(expected));
  });

  it('takes k and epsilon: rows fold at the given k, counts carry the stated noise', async () => {
    const folded = JSON.parse(await run('report', 'search', '--archive', archive, ...range, '--json', '--k', '6'));
    expect(folded.k).toBe(6);
    // shoes, shooes (5 visits each) and gift ideas (2) are below 6: folded into "(other)" (12 visits).
    expect(folded.modes.granted.terms).toMatchObject({
      rows: [{ term: 'trail shoes' }, { term: '(other)', visits: 12 }],
      folded: 3,
    });
    const noisy = JSON.parse(await run('report', 'funnel', '--archive', archive, ...range, '--json', '--epsilon', '0.5'));
    expect(noisy.noise).toEqual({ epsilon: 0.5, scale: 2 });
  });

  it('says what is wrong with the arguments, naming the option', async () => {
    await expect(run('report', 'nope', '--archive', archive, ...range)).rejects.toThrow(/report: name one of browse-paths/);
    await expect(
      run('report', 'funnel', '--archive', archive, '--site', 'shop', '--from', '2026-13-01', '--to', TO),
    ).rejects.toThrow(new UsageError('--from: expected a UTC day, YYYY-MM-DD'));
    await expect(run('report', 'funnel', '--site', 'shop', '--from', FROM, '--to', TO)).rejects.toThrow(/--archive: required/);
    await expect(run('build', '--archive', archive, ...range)).rejects.toThrow(/give --db, --parquet or both/);
  });

  it('runs as the installed bin, with usage on a bad call (exit 2)', async () => {
    const { stdout } = await promisify(execFile)(process.execPath, [
      BIN,
      'report',
      'funnel',
      '--archive',
      archive,
      ...range,
      '--sites',
      SITES,
      '--json',
    ]);
    expect(JSON.parse(stdout)).toEqual(expected.funnel);
    const failed = await promisify(execFile)(process.execPath, [BIN, 'report']).catch(
      (error: { code: number; stderr: string }) => error,
    );
    expect(failed).toMatchObject({ code: 2 });
    expect((failed as { stderr: string }).stderr).toMatch(/--site: required[\s\S]*Usage: pathmark-warehouse/);
  });
});
