import { createExecutionContext, waitOnExecutionContext } from 'cloudflare:test';
import { env } from 'cloudflare:workers';
import { describe, expect, it } from 'vitest';
import type { Env } from '../src/env.ts';
import worker from '../src/index.ts';

const TOKEN = 'test-only-insights-token-6f1c';
const REMOTE = 'https://shop.example';
const withToken = { ...env, INSIGHTS_TOKEN: TOKEN } as Env;

async function send(url: string, init: RequestInit = {}, bindings: Env = withToken): Promise<Response> {
  const ctx = createExecutionContext();
  const response = await worker.fetch(new Request(url, init) as Request<unknown, IncomingRequestCfProperties>, bindings, ctx);
  await waitOnExecutionContext(ctx);
  return response;
}

const signIn = (token: string, origin = REMOTE) =>
  send(`${REMOTE}/insights/login`, {
    method: 'POST',
    redirect: 'manual',
    headers: { 'Content-Type': 'application/x-www-form-urlencoded', Origin: origin },
    body: new URLSearchParams({ token }).toString(),
  });

/** The built page (demo-store/dist/insights/index.html), recognised by its report sections. */
const isInsightsPage = (body: string) => body.includes('data-section="funnel"') && body.includes('data-section="search"');
const isLoginForm = (body: string) => body.includes('action="/insights/login"') && body.includes('name="token"');

describe('/insights on a loopback host (local development)', () => {
  it('serves the page without a token, with the configured sites', async () => {
    const response = await send('http://localhost:8787/insights', {}, env);
    expect(response.status).toBe(200);
    expect(response.headers.get('Content-Type')).toContain('text/html');
    expect(response.headers.get('Cache-Control')).toBe('no-store');
    expect(response.headers.get('X-Frame-Options')).toBe('DENY');
    const body = await response.text();
    expect(isInsightsPage(body)).toBe(true);
    expect(body).toContain('<script type="application/json" id="pathmark-sites">["demo"]</script>');
    expect(body).not.toContain('<!-- INSIGHTS_SITES -->');
  });

  it('answers 404 for anything else under /insights/', async () => {
    const response = await send('http://127.0.0.1:8787/insights/secrets.json', {}, env);
    expect(response.status).toBe(404);
  });
});

describe('/insights elsewhere', () => {
  it('is a 401 sign-in form, not the page, without the token (with or without one configured)', async () => {
    for (const bindings of [env, withToken]) {
      for (const path of ['/insights', '/insights/', '/insights/index.html', '/insights/anything']) {
        const response = await send(`${REMOTE}${path}`, {}, bindings);
        expect(response.status, path).toBe(401);
        const body = await response.text();
        expect(isLoginForm(body), path).toBe(true);
        expect(isInsightsPage(body), path).toBe(false);
        expect(body).not.toContain('pathmark-sites');
      }
    }
  });

  it('refuses a wrong token, a token without INSIGHTS_TOKEN configured, and a cookie holding another value', async () => {
    const wrong = await signIn(`${TOKEN}x`);
    expect(wrong.status).toBe(401);
    expect(wrong.headers.get('Set-Cookie')).toBeNull();
    expect(await wrong.text()).toContain('not accepted');

    const unconfigured = await send(
      `${REMOTE}/insights/login`,
      { method: 'POST', headers: { 'Content-Type': 'application/x-www-form-urlencoded' }, body: 'token=' },
      env,
    );
    expect(unconfigured.status).toBe(401);
    expect(unconfigured.headers.get('Set-Cookie')).toBeNull();

    const forged = await send(`${REMOTE}/insights`, { headers: { Cookie: `pathmark_insights=${TOKEN.slice(0, -1)}` } });
    expect(forged.status).toBe(401);
  });

  it('does not sign in from a form on another origin (login CSRF)', async () => {
    const response = await signIn(TOKEN, 'https://evil.example');
    expect(response.status).toBe(401);
    expect(response.headers.get('Set-Cookie')).toBeNull();
  });

  it('signs in with the right token: a strict, HttpOnly, Secure cookie that opens the page and the reports', async () => {
    const response = await signIn(TOKEN);
    expect(response.status).toBe(303);
    expect(response.headers.get('Location')).toBe('/insights');
    const cookie = response.headers.get('Set-Cookie') ?? '';
    expect(cookie).toMatch(new RegExp(`^pathmark_insights=${TOKEN};`));
    for (const attribute of ['HttpOnly', 'Secure', 'SameSite=Strict', 'Path=/']) expect(cookie).toContain(attribute);

    const headers = { Cookie: `pathmark_insights=${TOKEN}` };
    const page = await send(`${REMOTE}/insights`, { headers });
    expect(page.status).toBe(200);
    expect(isInsightsPage(await page.text())).toBe(true);
    // The page reads the reports with the same cookie.
    const report = await send(`${REMOTE}/v1/insights/demo/funnel?from=2026-12-01&to=2026-12-04`, { headers });
    expect(report.status).toBe(200);
    expect(await report.json()).toMatchObject({ report: 'funnel', site: 'demo' });
  });

  it('opens with the bearer token too, and signs out by clearing the cookie', async () => {
    const page = await send(`${REMOTE}/insights`, { headers: { Authorization: `Bearer ${TOKEN}` } });
    expect(page.status).toBe(200);
    await page.body?.cancel();

    const out = await send(`${REMOTE}/insights/logout`, { method: 'POST', redirect: 'manual', headers: { Origin: REMOTE } });
    expect(out.status).toBe(303);
    expect(out.headers.get('Set-Cookie')).toMatch(/^pathmark_insights=;.*Max-Age=0/);
  });
});
