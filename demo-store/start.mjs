// `npm start`: builds the SDK and the store, prepares the local D1 database and
// runs the whole stack under `wrangler dev` on http://localhost:8787 with the
// live inspector on, and the insights page beside them. No Cloudflare account and no network are needed.
import { applyMigrations, buildAll, startWrangler, waitForHealthy } from './stack.mjs';

const port = Number(process.env.PORT ?? 8787);

buildAll();
applyMigrations();

const vars = { PATHMARK_INSPECTOR: '1' };
// sites.json allows the demo on port 8787; another port must be allowed explicitly.
if (port !== 8787) vars.DEV_ALLOWED_ORIGINS = `http://localhost:${port},http://127.0.0.1:${port}`;
const stack = startWrangler({ port, vars });
let stopping = false;
const shutdown = async () => {
  if (stopping) return;
  stopping = true;
  console.log('\nStopping the Pathmark stack…');
  await stack.stop();
  process.exit(0);
};
process.on('SIGINT', shutdown);
process.on('SIGTERM', shutdown);
stack.exit.then(() => {
  if (!stopping) {
    console.error('wrangler dev stopped.');
    process.exit(1);
  }
});

let health;
try {
  health = await waitForHealthy(`http://localhost:${port}`, { isAlive: stack.isAlive });
} catch (error) {
  console.error(error instanceof Error ? error.message : error);
  await stack.stop();
  process.exit(1);
}

console.log(`
  Pathmark is running.

    Store      http://localhost:${port}/
    Journal    http://localhost:${port}/blog/   (plain HTML, script tag only)
    Inspector  http://localhost:${port}/inspector
    Insights   http://localhost:${port}/insights   (reports per consent mode; open on localhost, token elsewhere)

  Press Ctrl-C to stop.
`);
// A sink that cannot deliver (say FORWARD_URL without WEBHOOK_SECRET in .dev.vars) is said last, where it is seen.
if (health?.problems?.length) {
  console.error(`  Misconfigured (GET /healthz):\n${health.problems.map((problem) => `    - ${problem}`).join('\n')}\n`);
}
