#!/usr/bin/env node
// The warehouse command: the collector's insights SQL on DuckDB over a copy of the R2 archive
// (docs/warehouse.md). The core is TypeScript shared with the Worker; tsx loads it as is.
import { register } from 'tsx/esm/api';

register();
const { main, UsageError, USAGE } = await import('../src/cli.ts');
try {
  await main(process.argv.slice(2));
} catch (error) {
  if (error instanceof UsageError) {
    console.error(`pathmark-warehouse: ${error.message}\n\n${USAGE}`);
    process.exitCode = 2;
  } else {
    console.error(error);
    process.exitCode = 1;
  }
}
