import { mkdirSync, rmSync, writeFileSync } from 'node:fs';
import { createServer, type Server } from 'node:http';
import { dirname, join } from 'node:path';
import type { TestProject } from 'vitest/node';
import { REPORTS, type ReportName } from '../../../collector/src/core/insights/index.ts';
import { buildFromArchive } from '../../src/build.ts';
import { createDuckDbEngine } from '../../src/duckdb-engine.ts';
import { tempDir } from './archive.ts';

/**
 * A vitest global setup for the collector's workerd project: DuckDB cannot run inside workerd, so
 * a test there that wants the warehouse's answer sends the archive objects it read from the real R2
 * binding to this loopback server (Node), which lays them out on disk under their keys, runs the
 * warehouse over them and answers every report as JSON.
 */

export interface BridgeRequest {
  objects: { key: string; body: string }[];
  site: string;
  from: string;
  to: string;
}

declare module 'vitest' {
  export interface ProvidedContext {
    warehouseBridge: string;
  }
}

async function answer(request: BridgeRequest): Promise<Record<string, unknown>> {
  const dir = tempDir('bridge');
  try {
    for (const { key, body } of request.objects) {
      if (key.includes('..')) throw new Error(`bad key ${key}`);
      mkdirSync(dirname(join(dir, key)), { recursive: true });
      writeFileSync(join(dir, key), body);
    }
    const engine = await createDuckDbEngine();
    try {
      await buildFromArchive(engine, { root: dir, site: request.site, from: request.from, to: request.to }, undefined);
      const reports: Record<string, unknown> = {};
      for (const name of Object.keys(REPORTS) as ReportName[]) reports[name] = await REPORTS[name](engine, request);
      return reports;
    } finally {
      engine.close();
    }
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
}

export default async function setup(project: TestProject): Promise<() => Promise<void>> {
  const server: Server = createServer((req, res) => {
    let body = '';
    req.setEncoding('utf8');
    req.on('data', (chunk: string) => (body += chunk));
    req.on('end', () => {
      answer(JSON.parse(body) as BridgeRequest).then(
        (reports) => res.writeHead(200, { 'content-type': 'application/json' }).end(JSON.stringify(reports)),
        (error: Error) => res.writeHead(500).end(error.stack ?? error.message),
      );
    });
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const address = server.address();
  if (!address || typeof address === 'string') throw new Error('bridge: no port');
  project.provide('warehouseBridge', `http://127.0.0.1:${address.port}/`);
  return () => new Promise<void>((resolve) => server.close(() => resolve()));
}
