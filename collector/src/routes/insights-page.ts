import type { Context } from 'hono';
import { Hono } from 'hono';
import { deleteCookie, setCookie } from 'hono/cookie';
import type { AppEnv, CollectorDeps } from '../deps.ts';
import { ClientError, readBodyText } from '../http.ts';
import { INSIGHTS_COOKIE, insightsAccess, isInsightsToken } from '../insights-auth.ts';

/**
 * GET /insights: the shop owner's insights page (demo-store/src/insights/, built into the static
 * assets as insights/index.html and served from here, never straight from the assets). It reads
 * the reports from GET /v1/insights/:site/:report with the browser's cookie, so it is guarded by
 * the same check as the API (insights-auth.ts): open on a loopback host (local development, like
 * the inspector); elsewhere a request without the token gets a 401 sign-in form, whose POST sets
 * the `pathmark_insights` cookie when the token is right.
 */

/** Where the page says which sites it can show (the built page carries this marker; see demo-store/build.mjs). */
export const SITES_MARKER = '<!-- INSIGHTS_SITES -->';
/** A typed token is short; anything larger is not a sign-in. */
const MAX_LOGIN_BYTES = 4096;
/** A week: long enough for a working week, short enough that a lost laptop does not keep access for long. */
const COOKIE_MAX_AGE = 7 * 24 * 3600;

const PAGE_HEADERS = {
  'Cache-Control': 'no-store',
  'Referrer-Policy': 'no-referrer',
  'X-Frame-Options': 'DENY',
  'Content-Security-Policy': "frame-ancestors 'none'",
};

const jsonForScript = (value: unknown) => JSON.stringify(value).replaceAll('<', '\\u003c');

/** The sign-in form: plain HTML, no script, styled like the page it leads to. */
export function loginPage(rejected: boolean): string {
  return `<!doctype html>
<html lang="en">
<head>
<meta charset="utf-8" />
<meta name="viewport" content="width=device-width, initial-scale=1" />
<meta name="robots" content="noindex" />
<title>Sign in · Pathmark insights</title>
<style>
:root { font: 15px/1.5 ui-sans-serif, system-ui, -apple-system, 'Segoe UI', Roboto, Arial, sans-serif; color: #1d2321; background: #f6f2ea; }
body { margin: 0; display: grid; place-items: center; min-height: 100vh; }
main { background: #fff; border: 1px solid #e3ddd1; border-radius: 14px; padding: 1.75rem 2rem; width: min(26rem, 92vw); box-shadow: 0 8px 24px rgb(31 58 54 / 8%); }
h1 { font-size: 1.3rem; margin: 0 0 0.5rem; color: #1f3a36; }
p { color: #5f6b67; margin: 0 0 1rem; }
label { display: grid; gap: 0.3rem; font-weight: 600; }
input { font: inherit; padding: 0.55rem 0.7rem; border: 1px solid #c9c2b4; border-radius: 8px; }
input:focus { outline: 3px solid #e8c872; }
button { margin-top: 1rem; font: inherit; font-weight: 600; padding: 0.55rem 1.1rem; border: 0; border-radius: 999px; background: #1f3a36; color: #fff; cursor: pointer; }
.error { color: #b42318; }
</style>
</head>
<body>
<main>
<h1>Pathmark insights</h1>
<p>Sign in with the site's insights token (the <code>INSIGHTS_TOKEN</code> secret of the collector).</p>
${rejected ? '<p class="error" role="alert">That token was not accepted.</p>' : ''}
<form method="post" action="/insights/login">
<label>Insights token <input type="password" name="token" autocomplete="current-password" required autofocus /></label>
<button type="submit">Sign in</button>
</form>
</main>
</body>
</html>
`;
}

const login = (c: Context<AppEnv>, rejected: boolean) => c.html(loginPage(rejected), 401, PAGE_HEADERS);

/** A cross-site form must not sign a browser in (login CSRF): when the browser names an origin, it must be ours. */
const sameOrigin = (c: Context<AppEnv>) => {
  const origin = c.req.header('Origin');
  return origin === undefined || origin === new URL(c.req.url).origin;
};

export function insightsPageRoute(deps: Pick<CollectorDeps, 'policies'>): Hono<AppEnv> {
  const app = new Hono<AppEnv>();
  const sites = [...deps.policies.keys()].sort();

  const page = async (c: Context<AppEnv>) => {
    if (!insightsAccess(c)) return login(c, false);
    const asset = await c.env.ASSETS.fetch(new Request(new URL('/insights/', c.req.url)));
    if (!asset.ok) return asset;
    const markup = (await asset.text()).replace(
      SITES_MARKER,
      () => `<script type="application/json" id="pathmark-sites">${jsonForScript(sites)}</script>`,
    );
    return c.html(markup, 200, PAGE_HEADERS);
  };

  app.get('/insights', page);
  app.get('/insights/', page);
  app.get('/insights/index.html', page);

  app.post('/insights/login', async (c) => {
    if (!sameOrigin(c)) return login(c, true);
    const token = new URLSearchParams(await readBodyText(c.req.raw, MAX_LOGIN_BYTES)).get('token') ?? '';
    if (!isInsightsToken(c.env.INSIGHTS_TOKEN, token)) return login(c, true);
    setCookie(c, INSIGHTS_COOKIE, token, {
      httpOnly: true,
      secure: true,
      sameSite: 'Strict',
      path: '/',
      maxAge: COOKIE_MAX_AGE,
    });
    return c.redirect('/insights', 303);
  });

  app.post('/insights/logout', (c) => {
    if (!sameOrigin(c)) return c.body(null, 403);
    deleteCookie(c, INSIGHTS_COOKIE, { path: '/', secure: true, httpOnly: true, sameSite: 'Strict' });
    return c.redirect('/insights', 303);
  });

  // Nothing else lives under /insights/: the page is one self-contained file.
  app.all('/insights/*', (c) => {
    if (!insightsAccess(c)) return login(c, false);
    throw new ClientError(404, 'not_found', `${c.req.path}: no such route`);
  });
  return app;
}
