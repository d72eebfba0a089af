import { env } from 'cloudflare:workers';
import fc from 'fast-check';
import { afterEach, describe, expect, it } from 'vitest';
import type { Env } from '../src/env.ts';
import { ipv4, ipv6, needles } from '../test-core/support/pii.ts';
import {
  RAW_ANONYMOUS_ID,
  batchWith,
  browserWith,
  leaks,
  personNeedles,
  planting,
  uaMarker,
} from '../test-core/support/planting.ts';
import { consume, post } from './support.ts';
import { webhook } from './webhook-receiver.ts';

afterEach(() => webhook.reset());

/** The pipeline's own property tests are in collector/test-core/privacy.property.test.ts. */
describe('no personal data passes the collector (fast-check, faker in 25 locales)', () => {
  it('whole Worker: secrets, the raw IP and the raw user agent never reach the queue, R2, D1, the webhook or the dead-letter archive', async () => {
    await fc.assert(
      fc.asyncProperty(planting, fc.oneof(ipv4, ipv6), uaMarker, async ({ label, value, plant }, ip, marker) => {
        const userAgent = browserWith(marker);
        const batch = batchWith(plant, 'http://localhost:8787', 'demo');
        const r2Writes: string[] = [];
        const archive = {
          put: async (key: string, body: string, options?: R2PutOptions) => {
            r2Writes.push(body);
            return env.ARCHIVE.put(key, body, options);
          },
        };
        const bindings = { ...env, ARCHIVE: archive } as unknown as Env;

        const { response, queued, records } = await post(batch, { ip, userAgent, env: bindings });
        expect(response.status, label).toBe(202);
        expect(records).toHaveLength(batch.events.length);

        for (const queue of ['pathmark-sink-r2', 'pathmark-sink-d1', 'pathmark-sink-webhook', 'pathmark-dead-letters']) {
          expect((await consume(queue, queued, bindings)).retryMessages).toEqual([]);
        }
        const ids = records.map((record) => record.event_id);
        const { results } = await env.DB.prepare(`SELECT * FROM events WHERE event_id IN (${ids.map(() => '?').join(',')})`)
          .bind(...ids)
          .all();
        expect(results).toHaveLength(batch.events.length);
        const d1Rows = results.map((row) => JSON.stringify(row));
        const webhookBodies = webhook.deliveries.map((delivery) => delivery.body);
        expect(webhookBodies.some((body) => body.includes(ids[0]!))).toBe(true);
        // Both R2 writes happened: the events archive and the dead-letter archive.
        expect(r2Writes.some((body) => body.includes(`"event_id":"${ids[0]}"`))).toBe(true);
        expect(r2Writes.some((body) => body.includes('"last_error":'))).toBe(true);

        const downstream = [...queued, ...r2Writes, ...d1Rows, ...webhookBodies];
        const secrets = [...needles(value), ...personNeedles(plant.person), ip, userAgent, `Pm${marker}`, RAW_ANONYMOUS_ID];
        expect(leaks(downstream, secrets), label).toEqual([]);
        webhook.reset();
      }),
      { numRuns: 25 },
    );
  }, 180_000);
});
