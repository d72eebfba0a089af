import { readdirSync, readFileSync } from 'node:fs';
import { fileURLToPath } from 'node:url';
import Database from 'better-sqlite3';
import type { SqlEngine, SqlValue, Statement } from '../../src/core/insights/engine.ts';

/**
 * The insights SqlEngine over better-sqlite3: the SQLite D1 runs, in plain Node. Used by the core
 * tests and the measurement script (bench/insights-sqlite.ts).
 */

const MIGRATIONS = fileURLToPath(new URL('../../migrations/', import.meta.url));

export interface SqliteEngine extends SqlEngine {
  db: Database.Database;
  close(): void;
}

export function createSqliteEngine(filename = ':memory:'): SqliteEngine {
  const db = new Database(filename);
  const prepared = new Map<string, Database.Statement>();
  const prepare = (sql: string) => {
    let s = prepared.get(sql);
    if (!s) {
      s = db.prepare(sql);
      prepared.set(sql, s);
    }
    return s;
  };
  const run = db.transaction((statements: readonly Statement[]) => {
    for (const { sql, params } of statements) prepare(sql).run(...(params as SqlValue[]));
  });
  return {
    dialect: 'sqlite',
    db,
    async all<T>(sql: string, params: readonly SqlValue[] = []) {
      return prepare(sql).all(...(params as SqlValue[])) as T[];
    },
    async batch(statements) {
      run(statements);
    },
    close: () => db.close(),
  };
}

/** Applies collector/migrations in order, as wrangler does. */
export function applyMigrations(engine: SqliteEngine): void {
  for (const file of readdirSync(MIGRATIONS)
    .filter((name) => name.endsWith('.sql'))
    .sort()) {
    engine.db.exec(readFileSync(`${MIGRATIONS}${file}`, 'utf8'));
  }
}

export function migratedEngine(filename?: string): SqliteEngine {
  const engine = createSqliteEngine(filename);
  applyMigrations(engine);
  return engine;
}
