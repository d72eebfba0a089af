// Not part of `npm run bench`: the collector pipeline of another tree (before) and of
// this one (after) in one process, in alternating short rounds, so that a shared
// machine's drift hits both alike. Events per CPU-second on bench/lib/batches.ts, as
// sent (`plain`) or with every title, search term and item name percent-encoded or
// full-width (`encoded`: the cost of the redaction's decoding when it has work to do).
//   git archive <commit> | tar -x -C /tmp/before
//   taskset -c 0 node --import tsx bench/pipeline-ab.ts /tmp/before [plain|encoded] [rounds]
import { existsSync, readFileSync } from 'node:fs';
import { resolve } from 'node:path';
import { fileURLToPath, pathToFileURL } from 'node:url';
import type { Batch } from '#protocol';
import { browserUserAgent, makeBatch } from './lib/batches.ts';

/** What both trees offer: `processBatch` as a free function (before issue 12) or from `createPipeline`. */
type Pipeline = Pick<import('../collector/src/core/pipeline.ts').Pipeline, 'processBatch'>;

const [beforeTree, variant = 'plain', roundsArg = '15'] = process.argv.slice(2);
if (!beforeTree) throw new Error('usage: bench/pipeline-ab.ts <before-tree> [plain|encoded] [rounds]');
const ROUND_MS = 400;
const ROUNDS = Number(roundsArg);

/** A tree's pipeline, in the layout that tree has (collector/src/core/ since issue 12). */
async function pipelineOf(tree: string): Promise<Pipeline> {
  const core = resolve(tree, 'collector/src/core/pipeline.ts');
  if (!existsSync(core)) return (await import(pathToFileURL(resolve(tree, 'collector/src/pipeline.ts')).href)) as Pipeline;
  const { createPipeline } = await import(pathToFileURL(core).href);
  const { createValidator } = await import(pathToFileURL(resolve(tree, 'collector/src/core/validate.ts')).href);
  // Since the memos became dependencies (issue 16); older trees keep theirs in module state.
  const { createPipelineMemos } = await import(pathToFileURL(resolve(tree, 'collector/src/core/anonymize.ts')).href);
  const memos = createPipelineMemos?.();
  return createPipeline({ validator: createValidator(), memos, newBatchId: () => crypto.randomUUID() });
}
const before = await pipelineOf(beforeTree);
const after = await pipelineOf(fileURLToPath(new URL('..', import.meta.url)));
const { parseSitePolicies } = await import('../collector/src/core/policy.ts');
const { hmacKey } = await import('../collector/src/core/hmac.ts');
const policy = parseSitePolicies(JSON.parse(readFileSync(new URL('../collector/sites.json', import.meta.url), 'utf8'))).get(
  'demo',
)!;
const keys = {
  salt: { id: 'salt:ab', key: hmacKey(crypto.getRandomValues(new Uint8Array(32))) },
  pseudonym: { id: 'key:ab', key: hmacKey('ab') },
};
const now = Date.now();
const contexts = Array.from({ length: 64 }, (_, n) => ({
  receivedAt: now,
  ip: `203.0.113.${n + 1}`,
  userAgent: browserUserAgent(n),
  country: 'DE',
  region: 'DE-BE',
  signals: { gpc: false, dnt: false },
}));
const fullWidth = (text: string) =>
  text.replace(/[!-~ ]/g, (char) => (char === ' ' ? '\u3000' : String.fromCharCode(char.charCodeAt(0) + 0xfee0)));

function encoded(batch: Batch): Batch {
  // A copy: makeBatch shares its catalogue's item objects between events.
  const copy = JSON.parse(JSON.stringify(batch)) as Batch;
  for (const event of copy.events) {
    if (event.title) event.title = encodeURIComponent(event.title);
    const props = event.props as { search_term?: string; items?: { item_name?: string }[] };
    if (props.search_term) props.search_term = fullWidth(props.search_term);
    for (const item of props.items ?? [])
      if (item.item_name) item.item_name = encodeURIComponent(encodeURIComponent(item.item_name));
  }
  return copy;
}

const median = (values: number[]) => [...values].sort((a, b) => a - b)[Math.floor(values.length / 2)]!;

for (const consent of ['granted', 'anonymous'] as const) {
  const bodies = Array.from({ length: 500 }, (_, seed) => {
    const batch = makeBatch({ consent, events: 20, now, seed });
    return JSON.stringify(variant === 'encoded' ? encoded(batch) : batch);
  });
  const run = (pipeline: Pipeline, ms: number) => {
    let n = 0;
    const cpu = process.cpuUsage();
    const start = performance.now();
    while (performance.now() - start < ms)
      for (let k = 0; k < 20; k++, n++)
        pipeline.processBatch(bodies[n % bodies.length]!, contexts[n % contexts.length]!, policy, keys);
    const used = process.cpuUsage(cpu);
    return (n * 20) / ((used.user + used.system) / 1e6);
  };
  run(before, 1000);
  run(after, 1000);
  const rates = { before: [] as number[], after: [] as number[], ratio: [] as number[] };
  for (let round = 0; round < ROUNDS; round++) {
    // Alternate which goes first, so neither always runs on a warmer or colder core.
    const [first, second] = round % 2 ? [after, before] : [before, after];
    const a = run(first, ROUND_MS);
    const b = run(second, ROUND_MS);
    const [beforeRate, afterRate] = first === before ? [a, b] : [b, a];
    rates.before.push(beforeRate);
    rates.after.push(afterRate);
    rates.ratio.push(afterRate / beforeRate);
  }
  console.log(
    `${consent} (${variant}): before ${Math.round(median(rates.before))}, after ${Math.round(median(rates.after))} events per CPU-second; ` +
      `after ÷ before ${median(rates.ratio).toFixed(3)} (rounds ${Math.min(...rates.ratio).toFixed(2)}–${Math.max(...rates.ratio).toFixed(2)})`,
  );
}
