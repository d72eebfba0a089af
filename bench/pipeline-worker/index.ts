// Runs the collector's processBatch over generated batches inside workerd, so
// its cost can be read as CPU time of the workerd process from outside
// (inside a Worker the clock does not advance during computation).
import { createPipelineMemos } from '../../collector/src/core/anonymize.ts';
import { createPipeline } from '../../collector/src/core/pipeline.ts';
import { parseSitePolicies } from '../../collector/src/core/policy.ts';
import { hmacKey } from '../../collector/src/core/hmac.ts';
import { createValidator } from '../../collector/src/core/validate.ts';
import sites from '../../collector/sites.json';
import { makeBatch, browserUserAgent } from '../lib/batches.ts';

const DISTINCT_BATCHES = 500;
const cache = new Map<string, { bodies: string[]; run: (body: string, i: number) => number }>();

function setUp(consent: 'granted' | 'anonymous') {
  const policy = parseSitePolicies(sites).get('demo');
  if (!policy) throw new Error('collector/sites.json has no site "demo"');
  const keys = {
    salt: { id: 'salt:bench', key: hmacKey(crypto.getRandomValues(new Uint8Array(32))) },
    pseudonym: { id: 'key:bench', key: hmacKey('bench-pseudonym-secret') },
  };
  const now = Date.now();
  const bodies = Array.from({ length: DISTINCT_BATCHES }, (_, seed) => JSON.stringify(makeBatch({ consent, now, seed })));
  const contexts = Array.from({ length: 64 }, (_, n) => ({
    receivedAt: now,
    ip: `203.0.113.${n + 1}`,
    userAgent: browserUserAgent(n),
    country: 'DE',
    region: 'DE-BE',
    signals: { gpc: false, dnt: false },
  }));
  const { processBatch } = createPipeline({
    validator: createValidator(),
    memos: createPipelineMemos(),
    newBatchId: () => crypto.randomUUID(),
  });
  const run = (body: string, i: number) => {
    const result = processBatch(body, contexts[i % contexts.length]!, policy, keys);
    return result.ok ? result.response.accepted : 0;
  };
  return { bodies, run };
}

export default {
  fetch(request: Request): Response {
    const url = new URL(request.url);
    const consent = url.searchParams.get('consent') === 'anonymous' ? 'anonymous' : 'granted';
    const batches = Math.min(5000, Number(url.searchParams.get('batches') ?? 0));
    let setup = cache.get(consent);
    if (!setup) cache.set(consent, (setup = setUp(consent)));
    const { bodies, run } = setup;
    let accepted = 0;
    for (let i = 0; i < batches; i++) accepted += run(bodies[i % bodies.length]!, i);
    return Response.json({ batches, accepted });
  },
};
