/**
 * The one thing the insights core needs from a database. D1 (in the Worker), better-sqlite3 (tests,
 * measurements) and DuckDB (the warehouse, issue 14) each implement it in a few lines; nothing else in
 * the core knows which one it talks to, except where a statement must be written twice (`dialect`).
 */

export type SqlValue = string | number | null;

/** One SQL statement with its `?` parameters, in order. D1 binds at most 100 per statement. */
export interface Statement {
  sql: string;
  params: readonly SqlValue[];
}

/** SQLite covers D1 and better-sqlite3. */
export type Dialect = 'sqlite' | 'duckdb';

export interface SqlEngine {
  readonly dialect: Dialect;
  /** Rows of one read-only query, as plain objects keyed by column name. */
  all<T>(sql: string, params?: readonly SqlValue[]): Promise<T[]>;
  /** The statements in order, as one transaction: all of them or none (D1 `db.batch`). */
  batch(statements: readonly Statement[]): Promise<void>;
}

/** D1's limit on bound parameters per statement. */
export const MAX_BOUND_PARAMETERS = 100;

export const statement = (sql: string, params: readonly SqlValue[] = []): Statement => {
  if (params.length > MAX_BOUND_PARAMETERS)
    throw new Error(`statement binds ${params.length} parameters, D1 allows ${MAX_BOUND_PARAMETERS}`);
  return { sql, params };
};
