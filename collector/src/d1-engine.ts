import type { SqlEngine } from './core/insights/engine.ts';

/** The insights SqlEngine over a D1 binding: `batch` is one D1 batch, which D1 runs as one transaction. */
export function d1Engine(db: D1Database): SqlEngine {
  return {
    dialect: 'sqlite',
    async all<T>(sql: string, params: readonly (string | number | null)[] = []) {
      const { results } = await db
        .prepare(sql)
        .bind(...params)
        .all<Record<string, unknown>>();
      return results as T[];
    },
    async batch(statements) {
      if (statements.length > 0) await db.batch(statements.map(({ sql, params }) => db.prepare(sql).bind(...params)));
    },
  };
}
