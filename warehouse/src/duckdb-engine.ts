import { DuckDBConnection, DuckDBInstance } from '@duckdb/node-api';
import type { SqlEngine, SqlValue } from '../../collector/src/core/insights/engine.ts';

/**
 * The insights SqlEngine over an embedded DuckDB (`@duckdb/node-api`): the collector's fact,
 * rollup and report SQL runs here unchanged, with the `duckdb` dialect where the two differ.
 */

export interface DuckDbOptions {
  /** A database file (kept, so a later run reports without reading the archive), or ':memory:'. */
  path?: string;
  /** DuckDB `threads` (default: every core). */
  threads?: number;
  /** DuckDB `memory_limit`, e.g. '4GB' (default: DuckDB's, 80 % of RAM); beyond it DuckDB spills to `tempDirectory`. */
  memoryLimit?: string;
  tempDirectory?: string;
}

export interface DuckDbEngine extends SqlEngine {
  readonly connection: DuckDBConnection;
  /** Runs statements that take no parameters (DDL, COPY), in order. */
  exec(sql: string): Promise<void>;
  close(): void;
}

/**
 * DuckDB returns BIGINT and HUGEINT (every SUM and COUNT) as bigint; the reports compute with
 * numbers, as they get them from D1. Counts stay far below 2^53.
 */
function plain(row: Record<string, unknown>): Record<string, unknown> {
  for (const key in row) {
    const value = row[key];
    if (typeof value === 'bigint') row[key] = Number(value);
  }
  return row;
}

export async function createDuckDbEngine(options: DuckDbOptions = {}): Promise<DuckDbEngine> {
  const settings: Record<string, string> = {};
  if (options.threads) settings.threads = String(options.threads);
  if (options.memoryLimit) settings.memory_limit = options.memoryLimit;
  if (options.tempDirectory) settings.temp_directory = options.tempDirectory;
  const instance = await DuckDBInstance.create(options.path ?? ':memory:', settings);
  const connection = await instance.connect();
  // One connection runs one statement at a time; the reports ask for several at once.
  let queue: Promise<unknown> = Promise.resolve();
  const serial = <T>(work: () => Promise<T>): Promise<T> => {
    const next = queue.then(work, work);
    queue = next.catch(() => undefined);
    return next;
  };
  const run = (sql: string, params: readonly SqlValue[]) => connection.run(sql, params.length > 0 ? [...params] : undefined);
  return {
    dialect: 'duckdb',
    connection,
    all<T>(sql: string, params: readonly SqlValue[] = []) {
      return serial(async () => {
        const reader = await connection.runAndReadAll(sql, params.length > 0 ? [...params] : undefined);
        return reader.getRowObjectsJS().map(plain) as T[];
      });
    },
    batch(statements) {
      return serial(async () => {
        await connection.run('BEGIN TRANSACTION');
        try {
          for (const { sql, params } of statements) await run(sql, params);
          await connection.run('COMMIT');
        } catch (error) {
          await connection.run('ROLLBACK');
          throw error;
        }
      });
    },
    exec(sql: string) {
      return serial(async () => {
        await connection.run(sql);
      });
    },
    close() {
      connection.closeSync();
      instance.closeSync();
    },
  };
}
