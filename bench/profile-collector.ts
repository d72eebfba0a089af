// Not part of `npm run bench`: a CPU profile of the collector Worker inside
// `wrangler dev` (workerd) under the end-to-end load, taken through the
// DevTools inspector wrangler exposes. Used to explain section 4's figure.
//   node --import tsx bench/profile-collector.ts [seconds] [--ingest-only]
import autocannon from 'autocannon';
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import WebSocket from 'ws';
import { makeBatch, browserUserAgent } from './lib/batches.ts';
import { startWranglerDev, applyD1Migrations } from './lib/wrangler.mjs';
import { summariseProfile, printSummary } from './lib/profile-summary.mjs';
import { snapshotWorker, writeIngestOnlyConfig } from './lib/snapshot.mjs';

const seconds = Number(process.argv.find((a) => /^\d+$/.test(a)) ?? 8);
const snapshot = snapshotWorker();
const config = process.argv.includes('--ingest-only') ? writeIngestOnlyConfig(snapshot) : snapshot.config;
const persistTo = mkdtempSync(join(tmpdir(), 'pathmark-profile-'));

async function inspector(port: number) {
  const targets = (await (await fetch(`http://127.0.0.1:${port}/json`)).json()) as {
    webSocketDebuggerUrl: string;
    title?: string;
  }[];
  const target = targets.find((t) => /pathmark/i.test(t.title ?? '')) ?? targets[0]!;
  const ws = new WebSocket(target.webSocketDebuggerUrl);
  await new Promise((resolve, reject) => {
    ws.once('open', resolve);
    ws.once('error', reject);
  });
  let id = 0;
  const pending = new Map<number, (v: unknown) => void>();
  ws.on('message', (data) => {
    const message = JSON.parse(String(data));
    if (message.id && pending.has(message.id)) {
      pending.get(message.id)!(message.result);
      pending.delete(message.id);
    }
  });
  const send = (method: string, params = {}) =>
    new Promise<any>((resolve) => {
      pending.set(++id, resolve);
      ws.send(JSON.stringify({ id, method, params }));
    });
  return { send, close: () => ws.close(), title: target.title };
}

try {
  await applyD1Migrations({ config, persistTo });
  const collector = await startWranglerDev({ config, persistTo, readyPath: '/healthz' });
  try {
    const devtools = await inspector(collector.inspectorPort);
    console.error('profiling', devtools.title);
    await devtools.send('Profiler.enable');
    await devtools.send('Profiler.setSamplingInterval', { interval: 200 });
    await devtools.send('Profiler.start');
    let n = 0;
    const result = await autocannon({
      url: `${collector.origin}/v1/events`,
      method: 'POST',
      connections: 8,
      duration: seconds,
      headers: { 'content-type': 'text/plain;charset=UTF-8', origin: 'http://localhost:8787' },
      requests: [
        {
          setupRequest: (r: Record<string, unknown>) => ({
            ...r,
            headers: { ...(r.headers as object), 'user-agent': browserUserAgent(n) },
            body: JSON.stringify(makeBatch({ seed: n++ })),
          }),
        },
      ],
    });
    const { profile } = await devtools.send('Profiler.stop');
    devtools.close();
    const out = join(tmpdir(), `pathmark-collector-${Date.now()}.cpuprofile`);
    writeFileSync(out, JSON.stringify(profile));
    console.log(`${result.requests.average} req/s; profile written to ${out}`);
    // The Worker is one bundle (index.js); its own functions are the ones to rank inclusively.
    console.log(printSummary(summariseProfile(profile, { top: 25, focus: /(^|\/)index\.js$/ })));
  } finally {
    await collector.stop();
  }
} finally {
  rmSync(persistTo, { recursive: true, force: true });
  snapshot.remove();
}
