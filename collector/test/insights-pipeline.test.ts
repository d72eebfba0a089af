import { createExecutionContext, createMessageBatch, getQueueResult } from 'cloudflare:test';
import { env } from 'cloudflare:workers';
import { describe, expect, it } from 'vitest';
import { rebuildSite, REPORTS } from '../src/core/insights/index.ts';
import { d1Engine } from '../src/d1-engine.ts';
import worker from '../src/index.ts';
import { populationBatches } from '../test-core/support/batches.ts';
import { EXPECTED_CART, EXPECTED_FUNNEL, EXPECTED_SEARCH } from '../test-core/support/expected.ts';
import { buildPopulation } from '../test-core/support/population.ts';
import { CHROME_UA, makeBatch, ORIGIN, post } from './support.ts';

// The scripted population sent as the SDK would (one batch per page view, each anonymous visitor
// from its own address), through validation, policy, anonymization and the D1 sink's queue
// consumer; the insights are then rebuilt from the stored events. The consumer does not maintain the
// insights tables yet, and the collector neither classifies page types nor keeps experiment
// props yet: the figures checked here are the ones that do not depend on those.
describe('the scripted population through the real collector', () => {
  it('gives the hand-worked search, cart and funnel figures, and the same again when every batch is re-sent', async () => {
    const firstDay = new Date(Date.now() - 3 * 86_400_000).toISOString().slice(0, 10);
    const population = buildPopulation(firstDay);
    const sends = populationBatches(population, ORIGIN);
    const engine = d1Engine(env.DB);
    const [from, to] = [population.days[0]!, population.days.at(-1)!];

    for (let round = 0; round < 2; round++) {
      const queued: string[] = [];
      for (const send of sends) {
        const posted = await post(makeBatch(send.events, { consent: send.consent, sent_at: Date.now() }), {
          forward: false,
          ip: send.ip,
          userAgent: CHROME_UA,
        });
        expect(posted.body).toEqual({ accepted: send.events.length, rejected: [] });
        queued.push(...posted.queued);
      }
      for (let i = 0; i < queued.length; i += 100) {
        const messages = queued
          .slice(i, i + 100)
          .map((body) => ({ id: crypto.randomUUID(), timestamp: new Date(), attempts: 1, body }));
        const batch = createMessageBatch<string>('pathmark-sink-d1', messages);
        const ctx = createExecutionContext();
        await worker.queue(batch as MessageBatch<unknown>, env);
        expect((await getQueueResult(batch, ctx)).retryMessages).toEqual([]);
      }
      await rebuildSite(engine, 'demo');

      const figures = async (name: 'search' | 'cart' | 'funnel') => {
        const { modes } = await REPORTS[name](engine, { site: 'demo', from, to });
        const { coverage: _g, ...granted } = modes.granted;
        const { coverage: _a, ...anonymous } = modes.anonymous;
        return { granted, anonymous };
      };
      expect(await figures('search')).toEqual(EXPECTED_SEARCH);
      expect(await figures('cart')).toEqual(EXPECTED_CART);
      expect(await figures('funnel')).toEqual(EXPECTED_FUNNEL);
      const paths = await REPORTS['browse-paths'](engine, { site: 'demo', from, to });
      expect(paths.modes.granted.coverage).toMatchObject({ page_views: 79, visits: 25 });
      expect(paths.modes.anonymous.coverage).toMatchObject({ page_views: 50, visits: 21 });
    }
  });
});
