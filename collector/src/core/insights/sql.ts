import type { Dialect } from './engine.ts';

/**
 * SQL fragments written once for both engines. SQLite (D1) and DuckDB agree on CTEs, window
 * functions, `->>`, `||`, `instr`, `substr`, `CASE`; they differ on what `->>` returns (SQLite: the
 * JSON value's SQL type; DuckDB: always VARCHAR) and on `/` between integers (SQLite: integer
 * division; DuckDB: a DOUBLE). So every JSON number is CAST explicitly, every integer division is
 * written so that it is exact in both, and `->>` is parenthesised (DuckDB gives the arrow a low
 * precedence).
 */

/** A JSON value as text, e.g. `json('record', '$.props.variant')`. In DuckDB `col` must be of type JSON. */
export const json = (column: string, path: string): string => `(${column}->>'${path}')`;

/** A JSON number as a DOUBLE (NULL when absent). */
export const jsonNumber = (column: string, path: string): string => `CAST(${json(column, path)} AS DOUBLE)`;

/**
 * A JSON number rounded to an integer. Both engines round half away from zero in ROUND, whereas a
 * CAST of a fractional value truncates in SQLite and rounds in DuckDB: always ROUND first.
 */
export const jsonInteger = (column: string, path: string, scale = 1): string =>
  `CAST(ROUND(${jsonNumber(column, path)}${scale === 1 ? '' : ` * ${scale}`}) AS INTEGER)`;

/** `floor(x / n)` for a non-negative INTEGER expression `x`: exact in both engines. */
export const intDiv = (x: string, n: number): string => `((${x}) - (${x}) % ${n}) / ${n}`;

/** The path part of a path-and-query. */
export const stripQuery = (pathAndQuery: string): string =>
  `CASE WHEN instr(${pathAndQuery}, '?') > 0 THEN substr(${pathAndQuery}, 1, instr(${pathAndQuery}, '?') - 1) ELSE ${pathAndQuery} END`;

/**
 * The path of `referrer` when it is on the same origin as `url` (both cleaned by the collector:
 * a same-site referrer keeps its path, another site's is cut to its origin), else NULL. `originLength`
 * is the length of `scheme://host[:port]` of `url`.
 */
export function sameSiteReferrerPath(url: string, referrer: string): string {
  const afterScheme = `instr(${url}, '://') + 2`;
  const originLength = `(${afterScheme} + instr(substr(${url}, ${afterScheme} + 1) || '/', '/') - 1)`;
  const rest = `substr(${referrer}, ${originLength} + 1)`;
  return `CASE WHEN ${referrer} IS NOT NULL AND substr(${referrer}, 1, ${originLength}) = substr(${url}, 1, ${originLength})
      AND (length(${referrer}) = ${originLength} OR substr(${referrer}, ${originLength} + 1, 1) IN ('/', '?'))
    THEN CASE WHEN ${rest} = '' OR substr(${rest}, 1, 1) = '?' THEN '/' ELSE ${stripQuery(rest)} END END`;
}

const UPPER = 'ABCDEFGHIJKLMNOPQRSTUVWXYZ';

/**
 * A search term as counted: trimmed, ASCII letters lower-cased. Only ASCII, because SQLite's
 * `lower()` (D1 has no ICU) folds nothing else, and DuckDB's folds everything: `translate` makes
 * DuckDB fold exactly what SQLite folds, so both engines count the same terms.
 */
export function normalizedTerm(dialect: Dialect, term: string): string {
  return dialect === 'sqlite' ? `lower(trim(${term}))` : `translate(trim(${term}), '${UPPER}', '${UPPER.toLowerCase()}')`;
}

/** `?, ?, ?` */
export const placeholders = (count: number): string => Array.from({ length: count }, () => '?').join(', ');
