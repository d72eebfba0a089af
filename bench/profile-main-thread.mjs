// Not part of `npm run bench`: a Chromium CPU profile of Pathmark's
// script-tag build during a burst of 1,000 calls, to explain section 2.
//   node bench/profile-main-thread.mjs [track|cartAdd] [granted|anonymous] [CPU throttling rate, default 1]
import { readFileSync, readdirSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { launchChromium, newHumanContext } from './lib/chromium.mjs';
import { startStubServer } from './lib/stub-server.mjs';
import { summariseProfile, printSummary } from './lib/profile-summary.mjs';

const root = fileURLToPath(new URL('..', import.meta.url));
const kind = process.argv[2] ?? 'track';
const consent = process.argv[3] ?? 'granted';
const throttle = Number(process.argv[4] ?? 1);
// The script tag and the parts it loads lazily from its own directory (pathmark-delivery.js, pathmark-vitals.js).
const dir = process.env.PATHMARK_DIR ?? `${root}sdk/dist/`;
const scripts = Object.fromEntries(
  readdirSync(dir)
    .filter((name) => /^pathmark.*\.js$/.test(name))
    .map((name) => [`/sdk/${name}`, { type: 'text/javascript', body: readFileSync(dir + name) }]),
);
const server = await startStubServer({
  files: {
    ...scripts,
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
  if (throttle > 1) await cdp.send('Emulation.setCPUThrottlingRate', { rate: throttle });
  await cdp.send('Profiler.enable');
  await cdp.send('Profiler.setSamplingInterval', { interval: 50 });
  await cdp.send('Profiler.start');
  const { ms, start, longTasks } = await page.evaluate(async (kind) => {
    const longTasks = [];
    const observer = new PerformanceObserver((list) => {
      for (const e of list.getEntries()) longTasks.push({ startTime: e.startTime, duration: e.duration });
    });
    observer.observe({ type: 'longtask' });
    // A timer task of the page, as section 2 runs it: a task started by the DevTools protocol is not reported.
    await new Promise((resolve) => setTimeout(resolve, 0));
    const start = performance.now();
    // Found by name in the profile: it puts the page's clock and the profile's side by side (to within a sample).
    (function pathmarkBurstMarker() {
      while (performance.now() - start < 2);
    })();
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
    return { ms, start, longTasks };
  }, kind);
  const { profile } = await cdp.send('Profiler.stop');
  const out = join(tmpdir(), `pathmark-main-thread-${Date.now()}.cpuprofile`);
  writeFileSync(out, JSON.stringify(profile));
  const at = (task) => `${task.duration.toFixed(0)} ms at +${(task.startTime - start).toFixed(0)} ms`;
  console.log(
    `${kind} × 1000 (${consent}, CPU ×${throttle}): ${ms.toFixed(1)} ms until the next task; long tasks in the next 1.5 s: ${longTasks.map(at).join(', ') || 'none'}; profile written to ${out}`,
  );
  const focus = /pathmark[\w-]*\.js/;
  console.log(printSummary(summariseProfile(profile, { top: 20, focus })));
  const inLongTasks = duringLongTasks(profile, start, longTasks);
  if (inLongTasks)
    console.log(`\nduring the long tasks only:\n${printSummary(summariseProfile(inLongTasks, { top: 20, focus }))}`);
} finally {
  await browser.close();
  await server.close();
}

/** The profile's samples taken during the page's long tasks, aligned by the marker function's first sample. */
function duringLongTasks(profile, start, longTasks) {
  const byId = new Map(profile.nodes.map((n) => [n.id, n]));
  const marker = new Set(profile.nodes.filter((n) => n.callFrame.functionName == 'pathmarkBurstMarker').map((n) => n.id));
  let t = profile.startTime;
  const times = profile.timeDeltas.map((delta) => (t += delta));
  const first = profile.samples.findIndex((id) => marker.has(id));
  if (!longTasks.length || first < 0 || !byId.size) return undefined;
  const offset = times[first] - start * 1000;
  const inside = (time) =>
    longTasks.some((task) => time >= offset + task.startTime * 1000 && time <= offset + (task.startTime + task.duration) * 1000);
  const kept = profile.samples.map((_, i) => i).filter((i) => inside(times[i]));
  return { ...profile, samples: kept.map((i) => profile.samples[i]), timeDeltas: kept.map((i) => profile.timeDeltas[i]) };
}
