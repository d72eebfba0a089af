// Not part of `npm run bench`: the Worker CPU per batch of 20 (section 3's target) of
// another tree (before) and of this one (after), both under `wrangler dev` at once and
// loaded in alternating rounds, so that a shared machine's drift hits both alike. Both are
// built with this tree's bench/pipeline-worker/wrangler.toml (copied into the other tree
// as wrangler.ab.toml), so only the collector's code differs.
//   git archive <commit> | tar -x -C /tmp/before && ln -s "$PWD/node_modules" /tmp/before/
//   taskset -c 0 node --import tsx bench/pipeline-worker-ab.ts /tmp/before [rounds]
import { copyFileSync, mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join, resolve } from 'node:path';
import { snapshotWorker } from './lib/snapshot.mjs';
import { startWranglerDev } from './lib/wrangler.mjs';

const [beforeTree, roundsArg = '9'] = process.argv.slice(2);
if (!beforeTree) throw new Error('usage: bench/pipeline-worker-ab.ts <before-tree> [rounds]');
const ROUNDS = Number(roundsArg);
const BATCHES_PER_ROUND = 2000;
const EVENTS_PER_BATCH = 20;

const median = (values: number[]) => [...values].sort((a, b) => a - b)[Math.floor(values.length / 2)]!;
const snapshot = snapshotWorker();
const beforeConfig = resolve(beforeTree, 'bench/pipeline-worker/wrangler.ab.toml');
copyFileSync(join(snapshot.dir, 'bench/pipeline-worker/wrangler.toml'), beforeConfig);
const persist = [mkdtempSync(join(tmpdir(), 'pathmark-ab-')), mkdtempSync(join(tmpdir(), 'pathmark-ab-'))];
const workers: Awaited<ReturnType<typeof startWranglerDev>>[] = [];
try {
  for (const [i, config] of [beforeConfig, join(snapshot.dir, 'bench/pipeline-worker/wrangler.toml')].entries())
    workers.push(await startWranglerDev({ config, persistTo: persist[i]!, readyPath: '/?batches=0' }));
  /** CPU milliseconds of the Worker's process group per batch, over one request of BATCHES_PER_ROUND batches. */
  const round = async (worker: (typeof workers)[number], consent: string) => {
    const before = worker.cpuSeconds();
    const response = await fetch(`${worker.origin}/?consent=${consent}&batches=${BATCHES_PER_ROUND}`);
    const { accepted } = (await response.json()) as { accepted: number };
    if (accepted !== BATCHES_PER_ROUND * EVENTS_PER_BATCH) throw new Error(`accepted ${accepted} events`);
    return ((worker.cpuSeconds() - before) * 1000) / BATCHES_PER_ROUND;
  };
  for (const consent of ['granted', 'anonymous']) {
    for (const worker of workers) await round(worker, consent);
    const ms = { before: [] as number[], after: [] as number[], ratio: [] as number[] };
    for (let r = 0; r < ROUNDS; r++) {
      const [first, second] = r % 2 ? [workers[1]!, workers[0]!] : [workers[0]!, workers[1]!];
      const a = await round(first, consent);
      const b = await round(second, consent);
      const [before, after] = first === workers[0] ? [a, b] : [b, a];
      ms.before.push(before);
      ms.after.push(after);
      ms.ratio.push(after / before);
    }
    console.log(
      `${consent}: Worker CPU per batch of ${EVENTS_PER_BATCH}: before ${median(ms.before).toFixed(3)} ms ` +
        `(${Math.min(...ms.before).toFixed(3)}–${Math.max(...ms.before).toFixed(3)}), after ${median(ms.after).toFixed(3)} ms ` +
        `(${Math.min(...ms.after).toFixed(3)}–${Math.max(...ms.after).toFixed(3)}); after ÷ before ${median(ms.ratio).toFixed(2)} ` +
        `(rounds ${Math.min(...ms.ratio).toFixed(2)}–${Math.max(...ms.ratio).toFixed(2)})`,
    );
  }
} finally {
  for (const worker of workers) await worker.stop();
  for (const dir of persist) rmSync(dir, { recursive: true, force: true });
  rmSync(beforeConfig, { force: true });
  snapshot.remove();
}
