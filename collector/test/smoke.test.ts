import { exports } from 'cloudflare:workers';
import { expect, it } from 'vitest';

it('answers /healthz', async () => {
  const response = await exports.default.fetch('http://localhost/healthz');
  expect(response.status).toBe(200);
  expect(await response.json()).toEqual({ status: 'ok' });
});
