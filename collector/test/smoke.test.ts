import { env, exports } from 'cloudflare:workers';
import { expect, it } from 'vitest';
import { makeBatch, post } from './support.ts';

it('answers /healthz', async () => {
  const response = await exports.default.fetch('http://localhost/healthz');
  expect(response.status).toBe(200);
  expect(await response.json()).toEqual({ status: 'ok' });
});

it('accepts a batch', async () => {
  const result = await post(makeBatch());
  console.log(result.response.status, result.body, result.records[0]);
  const response = await exports.default.fetch(new Request('http://localhost/v1/config/demo', { cf: { country: 'DE' } }));
  console.log(await response.text());
  await new Promise((r) => setTimeout(r, 4000));
  console.log(await env.DB.prepare('select count(*) as n from events').first());
});
