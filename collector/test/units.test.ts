import { createScheduledController } from 'cloudflare:test';
import { env } from 'cloudflare:workers';
import worker from '../src/index.ts';
import { describe, expect, it } from 'vitest';
import { hmacHex, type HmacKey } from '../src/core/hmac.ts';
import type { Env } from '../src/env.ts';
import { AllowedOrigins } from '../src/origins.ts';
import { loadSitePolicies } from '../src/sites.ts';
import { pruneSalts, SaltStore, utcDay } from '../src/salts.ts';

describe('AllowedOrigins', () => {
  const policies = loadSitePolicies();
  const demo = policies.get('demo')!;
  const withDev = (value: string) => ({ ...env, DEV_ALLOWED_ORIGINS: value }) as Env;

  it("is a site's origins plus DEV_ALLOWED_ORIGINS, built once per value of the variable", () => {
    const origins = new AllowedOrigins(policies);
    const first = origins.of(demo, withDev('http://localhost:5173'));
    expect([...first]).toEqual([...demo.allowed_origins, 'http://localhost:5173']);
    expect(origins.of(demo, withDev('http://localhost:5173'))).toBe(first);
    expect([...origins.of(demo, withDev(''))]).toEqual(demo.allowed_origins);
    expect([...origins.of(undefined, withDev('http://localhost:5173'))]).toEqual(['http://localhost:5173']);
  });

  it("answers preflights with every site's origins, following DEV_ALLOWED_ORIGINS", () => {
    const origins = new AllowedOrigins(policies);
    const any = origins.anySite(withDev(''));
    expect(origins.anySite(withDev(''))).toBe(any);
    expect(any.has('http://localhost:8787')).toBe(true);
    expect(origins.anySite(withDev('http://127.0.0.1:4000')).has('http://127.0.0.1:4000')).toBe(true);
    expect(origins.anySite(withDev('')).has('http://127.0.0.1:4000')).toBe(false);
  });
});

describe('daily salt', () => {
  it('is shared through D1, rotates with the UTC day and deletes the previous day', async () => {
    const day1 = Date.UTC(2031, 0, 10, 12);
    const day2 = Date.UTC(2031, 0, 11, 0, 5);
    const a = await new SaltStore().today(env.DB, day1);
    const b = await new SaltStore().today(env.DB, day1 + 3_600_000);
    expect(a.id).toBe(`salt:${utcDay(day1)}`);
    expect(b.id).toBe(a.id);
    // Another isolate (new store) sees the same salt: same HMAC output.
    const sign = (key: HmacKey) => hmacHex(key, 'x');
    expect(sign(b.key)).toBe(sign(a.key));

    const next = await new SaltStore().today(env.DB, day2);
    expect(next.id).toBe('salt:2031-01-11');
    expect(sign(next.key)).not.toBe(sign(a.key));
    const days = await env.DB.prepare("SELECT day FROM salts WHERE day LIKE '2031-%'").all<{ day: string }>();
    expect(days.results.map((row) => row.day)).toEqual(['2031-01-11']);
  });

  it('is pruned once its day is over', async () => {
    await env.DB.prepare('INSERT OR REPLACE INTO salts (day, salt, created_at) VALUES (?, ?, ?)')
      .bind('2030-05-01', 'ab'.repeat(32), 0)
      .run();
    await pruneSalts(env.DB, Date.UTC(2030, 4, 2, 0, 7));
    expect(await env.DB.prepare("SELECT day FROM salts WHERE day = '2030-05-01'").first()).toBeNull();
  });

  it("is pruned by the Worker's hourly cron, with old inspector batches", async () => {
    await env.DB.batch([
      env.DB.prepare('INSERT OR REPLACE INTO salts (day, salt, created_at) VALUES (?, ?, ?)').bind(
        '2020-01-01',
        'cd'.repeat(32),
        0,
      ),
      env.DB.prepare(
        "INSERT OR REPLACE INTO inspect_batches (batch_id, site, received_at, accepted, rejected, raw) VALUES ('old-batch', 'demo', 0, 0, '[]', '{}')",
      ),
    ]);
    await worker.scheduled(createScheduledController({ scheduledTime: Date.now(), cron: '7 * * * *' }), env);
    expect(await env.DB.prepare("SELECT day FROM salts WHERE day = '2020-01-01'").first()).toBeNull();
    expect(await env.DB.prepare("SELECT batch_id FROM inspect_batches WHERE batch_id = 'old-batch'").first()).toBeNull();
  });
});

describe('Worker entry module', () => {
  it('exports only the default handler (workerd rejects other exports of the entry)', async () => {
    expect(Object.keys(await import('../src/index.ts'))).toEqual(['default']);
  });
});
