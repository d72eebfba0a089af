// Not part of `npm run bench`: a Chromium CPU profile of Pathmark's
// script-tag build during a burst of 1,000 calls, to explain section 2.
//   node bench/profile-main-thread.mjs [track|cartAdd] [granted|anonymous]
import { readFileSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { launchChromium, newHumanContext } from './lib/chromium.mjs';
import { startStubServer } from './lib/stub-server.mjs';
import { summariseProfile, printSummary } from './lib/profile-summary.mjs';

const root = fileURLToPath(new URL('..', import.meta.url));
const kind = process.argv[2] ?? 'track';
const consent = process.argv[3] ?? 'granted';
const server = await startStubServer({
  files: {
    '/sdk/pathmark.js': { type: 'text/javascript', body: readFileSync(process.env.PATHMARK_JS ?? `${root}sdk/dist/pathmark.js`) },
    '/page.html': {
      type: 'text/html',
      body: `<!doctype html><title>p</title><p>${'Text. '.repeat(500)}</p><script async src="/sdk/pathmark.js" data-site="demo" data-endpoint="/v1/events" data-consent="${consent}"></script>`,
    },
  },
});
const browser = await launchChromium();
try {
  const context = await newHumanContext(browser);
  const page = await context.newPage();
  await page.goto(`${server.origin}/page.html`);
  await page.waitForFunction(() => typeof window.pathmark?.track === 'function');
  await new Promise((r) => setTimeout(r, 500));
  const cdp = await context.newCDPSession(page);
  await cdp.send('Profiler.enable');
  await cdp.send('Profiler.setSamplingInterval', { interval: 50 });
  await cdp.send('Profiler.start');
  const { ms, longTasks } = await page.evaluate(async (kind) => {
    const longTasks = [];
    const observer = new PerformanceObserver((list) => {
      for (const e of list.getEntries()) longTasks.push(Math.round(e.duration));
    });
    observer.observe({ type: 'longtask' });
    const start = performance.now();
    for (let i = 0; i < 1000; i++) {
      if (kind === 'track') window.pathmark.track('bench_event', { i, label: 'burst', value: i * 1.5 });
      else
        window.pathmark.cart.add({
          item_id: `SKU-${i % 50}`,
          item_name: 'Linen shirt',
          price: 49.9,
          quantity: 1,
          currency: 'EUR',
        });
    }
    await new Promise((r) => setTimeout(r, 0));
    const ms = performance.now() - start;
    // Keep profiling while deferred work (sends, storage) runs, as section 2 watches long tasks for 1.5 s.
    await new Promise((r) => setTimeout(r, 1500));
    observer.disconnect();
    return { ms, longTasks };
  }, kind);
  const { profile } = await cdp.send('Profiler.stop');
  const out = join(tmpdir(), `pathmark-main-thread-${Date.now()}.cpuprofile`);
  writeFileSync(out, JSON.stringify(profile));
  console.log(
    `${kind} × 1000 (${consent}): ${ms.toFixed(1)} ms until the next task; long tasks in the next 1.5 s: ${longTasks.join(', ') || 'none'} ms; profile written to ${out}`,
  );
  console.log(printSummary(summariseProfile(profile, { top: 20, focus: /pathmark\.js/ })));
} finally {
  await browser.close();
  await server.close();
}
