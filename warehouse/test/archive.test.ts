import { describe, expect, it } from 'vitest';
import { DEFAULT_LATE_DAYS, partitionDays } from '../src/archive.ts';
import { remoteSecretSql } from '../src/remote.ts';
import { insightsTablesDdl } from '../src/schema.ts';

describe('which partitions a range reads', () => {
  it('from the day before to 30 days after: the collector refuses events older than that', () => {
    expect(DEFAULT_LATE_DAYS).toBe(30);
    const days = partitionDays({ from: '2026-02-27', to: '2026-03-01' });
    expect(days[0]).toBe('2026-02-26');
    expect(days.at(-1)).toBe('2026-03-31');
    expect(days).toHaveLength(1 + 3 + 30);
    expect(partitionDays({ from: '2026-03-01', to: '2026-03-01', lateDays: 0 })).toEqual(['2026-02-28', '2026-03-01']);
  });
});

describe('the DuckDB tables', () => {
  it('are every ins_* table of the D1 migration, with 64-bit integers and doubles', () => {
    const ddl = insightsTablesDdl();
    expect(ddl.map((statement) => /ins_\w+/.exec(statement)![0])).toEqual([
      'ins_page_views',
      'ins_searches',
      'ins_item_lines',
      'ins_dirty',
      'ins_sites',
      'ins_r_pages',
      'ins_r_dwell',
      'ins_r_transitions',
      'ins_r_visits',
      'ins_r_searches',
      'ins_r_refinements',
      'ins_r_items',
      'ins_r_categories',
      'ins_r_vitals',
      'ins_r_experiments',
    ]);
    const all = ddl.join('\n');
    expect(all).toMatch(/ts BIGINT NOT NULL/);
    expect(all).toMatch(/revenue DOUBLE NOT NULL/);
    expect(all).not.toMatch(/\b(INTEGER|REAL|TEXT)\b/);
  });
});

describe('remote archives (the read itself is not run here: httpfs downloads at run time)', () => {
  it('take R2 credentials from the environment, naming what is missing', () => {
    expect(remoteSecretSql('./archive', {})).toBeNull();
    expect(() => remoteSecretSql('r2://pathmark-archive', { R2_ACCESS_KEY_ID: 'id', R2_SECRET_ACCESS_KEY: 's' })).toThrow(
      'r2://pathmark-archive: set R2_ACCOUNT_ID in the environment',
    );
    expect(
      remoteSecretSql('r2://pathmark-archive', { R2_ACCESS_KEY_ID: 'id', R2_SECRET_ACCESS_KEY: "it's", R2_ACCOUNT_ID: 'acc' }),
    ).toBe("CREATE OR REPLACE SECRET pathmark_archive (TYPE r2, KEY_ID 'id', SECRET 'it''s', ACCOUNT_ID 'acc')");
    expect(
      remoteSecretSql('s3://pathmark-archive/prefix', {
        AWS_ACCESS_KEY_ID: 'id',
        AWS_SECRET_ACCESS_KEY: 's',
        S3_ENDPOINT: 'acc.r2.cloudflarestorage.com',
      }),
    ).toBe(
      "CREATE OR REPLACE SECRET pathmark_archive (TYPE s3, KEY_ID 'id', SECRET 's', REGION 'auto', ENDPOINT 'acc.r2.cloudflarestorage.com', URL_STYLE 'path')",
    );
  });
});
