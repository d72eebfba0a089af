import type { DuckDbEngine } from './duckdb-engine.ts';
import { isRemote, sqlString } from './archive.ts';

/**
 * Credentials for an archive behind R2's S3 API (or any S3-compatible store), from the environment,
 * as DuckDB secrets. DuckDB reads `r2://` and `s3://` through its httpfs extension, which it
 * downloads on first use (`INSTALL httpfs`, from DuckDB's extension repository): that needs network
 * access once. Not run in this repository's tests (they are offline); docs/warehouse.md.
 *
 * - `r2://bucket/prefix`: R2_ACCOUNT_ID, R2_ACCESS_KEY_ID, R2_SECRET_ACCESS_KEY (an R2 API token);
 * - `s3://bucket/prefix`: AWS_ACCESS_KEY_ID, AWS_SECRET_ACCESS_KEY, optional S3_ENDPOINT
 *   (e.g. `<account>.r2.cloudflarestorage.com`) and AWS_REGION (default `auto`).
 */
export async function connectRemote(engine: DuckDbEngine, root: string, env: NodeJS.ProcessEnv = process.env): Promise<void> {
  const secret = remoteSecretSql(root, env);
  if (secret === null) return;
  await engine.exec('INSTALL httpfs');
  await engine.exec('LOAD httpfs');
  if (secret) await engine.exec(secret);
}

/**
 * The DuckDB secret for a remote root from the environment ('' when it needs none, e.g. https://),
 * null for a local folder. Throws naming the variable that is missing.
 */
export function remoteSecretSql(root: string, env: NodeJS.ProcessEnv): string | null {
  if (!isRemote(root)) return null;
  const need = (name: string) => {
    const value = env[name];
    if (!value) throw new Error(`${root}: set ${name} in the environment`);
    return sqlString(value);
  };
  if (root.startsWith('r2://')) {
    return `CREATE OR REPLACE SECRET pathmark_archive (TYPE r2, KEY_ID ${need('R2_ACCESS_KEY_ID')}, SECRET ${need('R2_SECRET_ACCESS_KEY')}, ACCOUNT_ID ${need('R2_ACCOUNT_ID')})`;
  }
  if (root.startsWith('s3://')) {
    const endpoint = env.S3_ENDPOINT ? `, ENDPOINT ${sqlString(env.S3_ENDPOINT)}, URL_STYLE 'path'` : '';
    return `CREATE OR REPLACE SECRET pathmark_archive (TYPE s3, KEY_ID ${need('AWS_ACCESS_KEY_ID')}, SECRET ${need('AWS_SECRET_ACCESS_KEY')}, REGION ${sqlString(env.AWS_REGION ?? 'auto')}${endpoint})`;
  }
  return '';
}
