// Main-thread cost in Chromium: per-call time of `track` and `cart.add` over
// a burst of 1,000 calls, long tasks during the burst (also with the CPU
// throttled 4×), and the time from navigation to the first page-view request;
// Pathmark beside its baseline build (bench/baseline/), Snowplow and PostHog,
// same page, same browser, same run, against a loopback stub.
import { existsSync, readFileSync, readdirSync } from 'node:fs';
import { fileURLToPath } from 'node:url';
import { bundleEntry } from './lib/bundle.mjs';
import { launchChromium, newHumanContext } from './lib/chromium.mjs';
import { startStubServer } from './lib/stub-server.mjs';
import { runSection, notMeasured, percentile, log } from './lib/section.mjs';

const root = fileURLToPath(new URL('..', import.meta.url));
const BURST = 1000;
/** Each tracker is measured this many times, each in a fresh context; medians are reported. */
const RUNS = 3;
const FIRST_PAGE_VIEW_TIMEOUT_MS = 15_000;
/** Chromium's CPU throttling for the long-task check (issue 16: none even at 4×). */
const THROTTLE = 4;
/** The issue's targets: per-call median and mean at most this share of the baseline build's, in the same run. */
const TARGET_RATIO = 1 / 3;
const FIRST_PAGE_VIEW_TARGET_MS = 600;

const PAGE_BODY = `<h1>Linen shirt</h1><p>${'A shirt for warm days. '.repeat(200)}</p><button>Add to cart</button>`;
const page = (scripts) =>
  `<!doctype html><html lang="en"><head><meta charset="utf-8"><title>Bench shop – Linen shirt</title></head><body>${PAGE_BODY}${scripts}</body></html>`;

/** The trackers under test; `marker` is how their page-view request body is recognised. */
const ALL_TRACKERS = [
  {
    id: 'pathmark-granted',
    label: 'Pathmark (script tag, consent granted)',
    marker: '"page_view"',
    needs: 'sdk/dist/pathmark.js',
    html: page(
      `<script async src="/sdk/pathmark.js" data-site="demo" data-endpoint="/v1/events" data-consent="granted"></script>`,
    ),
  },
  {
    id: 'pathmark-anonymous',
    label: 'Pathmark (script tag, consent anonymous)',
    marker: '"page_view"',
    needs: 'sdk/dist/pathmark.js',
    html: page(
      `<script async src="/sdk/pathmark.js" data-site="demo" data-endpoint="/v1/events" data-consent="anonymous"></script>`,
    ),
  },
  {
    id: 'baseline-granted',
    label: 'Pathmark baseline build (bench/baseline/, consent granted)',
    marker: '"page_view"',
    needs: 'bench/baseline/pathmark.js',
    html: page(
      `<script async src="/baseline/pathmark.js" data-site="demo" data-endpoint="/v1/events" data-consent="granted"></script>`,
    ),
  },
  {
    id: 'baseline-anonymous',
    label: 'Pathmark baseline build (bench/baseline/, consent anonymous)',
    marker: '"page_view"',
    needs: 'bench/baseline/pathmark.js',
    html: page(
      `<script async src="/baseline/pathmark.js" data-site="demo" data-endpoint="/v1/events" data-consent="anonymous"></script>`,
    ),
  },
  {
    id: 'snowplow',
    label: 'Snowplow (browser-tracker + site-tracking + ecommerce)',
    marker: '"e":"pv"',
    bundle: 'snowplow',
    html: page(`<script src="/bundles/snowplow.js"></script><script src="/init.js"></script>`),
  },
  {
    id: 'posthog',
    label: 'PostHog (posthog-js)',
    marker: '"$pageview"',
    bundle: 'posthog',
    html: page(`<script src="/bundles/posthog.js"></script><script src="/init.js"></script>`),
  },
];

/** `MAIN_THREAD_ONLY=pathmark` (a regular expression on the ids) runs some trackers only, for a quick look. */
const TRACKERS = ALL_TRACKERS.filter((t) => new RegExp(process.env.MAIN_THREAD_ONLY ?? '').test(t.id));

// Pathmark's script tag exposes `window.pathmark`; the other entries expose the
// `benchTracker` adapter (bench/entries/*.js). Both are driven through one shape.
const adaptPathmark = () => {
  if (window.pathmark && !window.benchTracker) {
    window.benchTracker = {
      track: (name, props) => window.pathmark.track(name, props),
      cartAdd: (item) => window.pathmark.cart.add(item),
    };
  }
  return Boolean(window.benchTracker);
};

/** Runs in the page: one synchronous burst, long tasks observed until things settle. */
async function burstInPage({ kind, count, settleMs }) {
  const tracker = window.benchTracker;
  const call =
    kind === 'track'
      ? (i) => tracker.track('bench_event', { i, label: 'burst', value: i * 1.5 })
      : (i) =>
          tracker.cartAdd({
            item_id: `SKU-${i % 50}`,
            item_name: 'Linen shirt',
            price: 49.9,
            quantity: 1,
            currency: 'EUR',
            item_category: 'Shirts',
          });
  const longTasks = [];
  const observer = new PerformanceObserver((list) => {
    for (const e of list.getEntries()) longTasks.push(e.duration);
  });
  observer.observe({ type: 'longtask' });
  const times = new Array(count);
  let start = 0;
  let total = 0;
  // The burst runs in a timer task of the page: a task started by the DevTools
  // protocol (page.evaluate itself) is not reported to the longtask observer.
  await new Promise((resolve) =>
    setTimeout(() => {
      start = performance.now();
      for (let i = 0; i < count; i++) {
        const t0 = performance.now();
        call(i);
        times[i] = performance.now() - t0;
      }
      total = performance.now() - start;
      resolve();
    }, 0),
  );
  // Work a tracker defers to microtasks runs before the next task: this is
  // how long the burst actually held the main thread.
  await new Promise((resolve) => setTimeout(resolve, 0));
  const blocked = performance.now() - start;
  await new Promise((resolve) => setTimeout(resolve, settleMs));
  observer.disconnect();
  return { times, total, blocked, longTasks, isolated: crossOriginIsolated };
}

async function measureTracker(browser, server, tracker, throttle = 1) {
  const context = await newHumanContext(browser);
  const tab = await context.newPage();
  if (throttle > 1) await (await context.newCDPSession(tab)).send('Emulation.setCPUThrottlingRate', { rate: throttle });
  const errors = [];
  tab.on('pageerror', (e) => errors.push(e.message));
  const postsBefore = server.posts.length;
  await tab.goto(`${server.origin}/${tracker.id}.html`, { waitUntil: 'load' });
  const timeOrigin = await tab.evaluate(() => performance.timeOrigin);
  await tab.waitForFunction(adaptPathmark, undefined, { timeout: 10_000 });

  const deadline = Date.now() + FIRST_PAGE_VIEW_TIMEOUT_MS;
  let firstPageView;
  while (!firstPageView && Date.now() < deadline) {
    firstPageView = server.posts.slice(postsBefore).find((p) => p.body.includes(tracker.marker));
    if (!firstPageView) await new Promise((r) => setTimeout(r, 20));
  }
  const result = {
    firstPageViewMs: firstPageView
      ? firstPageView.at - timeOrigin
      : notMeasured(`no page-view request within ${FIRST_PAGE_VIEW_TIMEOUT_MS / 1000} s`),
  };
  for (const kind of ['track', 'cartAdd']) {
    const postsAtStart = server.posts.length;
    const burst = await tab.evaluate(burstInPage, { kind, count: BURST, settleMs: 1500 });
    result[kind] = {
      medianUs: percentile(burst.times, 50) * 1000,
      p99Us: percentile(burst.times, 99) * 1000,
      meanUs: (burst.total / BURST) * 1000,
      totalMs: burst.total,
      blockedMs: burst.blocked,
      longTasks: burst.longTasks.length,
      longestTaskMs: burst.longTasks.length ? Math.max(...burst.longTasks) : 0,
      requests: server.posts.length - postsAtStart,
      isolated: burst.isolated,
    };
  }
  result.errors = errors;
  await context.close();
  return result;
}

const middle = (values) => [...values].sort((a, b) => a - b)[Math.floor((values.length - 1) / 2)];

/** Medians over the runs; long tasks as the number of runs that had any, and the longest seen. */
function combineRuns(runs) {
  const combined = { errors: runs.flatMap((r) => r.errors) };
  const pageViews = runs.map((r) => r.firstPageViewMs);
  combined.firstPageViewMs = pageViews.every((v) => typeof v === 'number')
    ? middle(pageViews)
    : pageViews.find((v) => typeof v !== 'number');
  for (const kind of ['track', 'cartAdd']) {
    const all = runs.map((r) => r[kind]);
    const pick = (key) => middle(all.map((r) => r[key]));
    combined[kind] = {
      medianUs: pick('medianUs'),
      p99Us: pick('p99Us'),
      meanUs: pick('meanUs'),
      totalMs: pick('totalMs'),
      blockedMs: pick('blockedMs'),
      requests: pick('requests'),
      runsWithLongTask: all.filter((r) => r.longTasks > 0).length,
      longestTaskMs: Math.max(...all.map((r) => r.longestTaskMs)),
      isolated: all.every((r) => r.isolated),
    };
  }
  return combined;
}

const longTaskText = (r) =>
  `${r.runsWithLongTask} of ${RUNS} runs${r.runsWithLongTask ? ` (longest ${r.longestTaskMs.toFixed(0)} ms)` : ''}`;

runSection(async () => {
  const files = {
    '/init.js': { type: 'text/javascript', body: 'benchTracker.init({ origin: location.origin });' },
  };
  const missing = {};
  // The script tag and every chunk it loads lazily from its own directory, for the build and its baseline.
  for (const [dir, url] of [
    ['sdk/dist/', '/sdk/'],
    ['bench/baseline/', '/baseline/'],
  ]) {
    for (const name of existsSync(root + dir) ? readdirSync(root + dir).filter((n) => n.endsWith('.js')) : [])
      files[url + name] = { type: 'text/javascript', body: readFileSync(root + dir + name) };
  }
  for (const tracker of TRACKERS) {
    if (tracker.needs && !existsSync(`${root}${tracker.needs}`)) missing[tracker.id] = `${tracker.needs} not built`;
    if (tracker.bundle)
      files[`/bundles/${tracker.bundle}.js`] = { type: 'text/javascript', body: await bundleEntry(tracker.bundle) };
    files[`/${tracker.id}.html`] = { type: 'text/html; charset=utf-8', body: tracker.html };
  }

  const server = await startStubServer({ files });
  const browser = await launchChromium();
  const results = {};
  try {
    for (const tracker of TRACKERS) {
      if (missing[tracker.id]) continue;
      log('main thread:', tracker.label);
      try {
        const runs = [];
        for (let run = 0; run < RUNS; run++) runs.push(await measureTracker(browser, server, tracker));
        results[tracker.id] = combineRuns(runs);
        if (tracker.needs) {
          log(`main thread, CPU throttled ${THROTTLE}×:`, tracker.label);
          const slow = [];
          for (let run = 0; run < RUNS; run++) slow.push(await measureTracker(browser, server, tracker, THROTTLE));
          results[tracker.id].throttled = combineRuns(slow);
        }
      } catch (error) {
        log(`${tracker.id} failed:`, error.message);
        missing[tracker.id] = `the page did not run: ${error.message.split('\n')[0]}`;
      }
    }
  } finally {
    await browser.close();
    await server.close();
  }

  const rowsFor = (kind) =>
    TRACKERS.map((t) => {
      const r = results[t.id]?.[kind];
      if (!r)
        return [
          t.label,
          notMeasured(missing[t.id]),
          notMeasured(missing[t.id]),
          notMeasured(missing[t.id]),
          notMeasured(missing[t.id]),
          notMeasured(missing[t.id]),
          notMeasured(missing[t.id]),
          notMeasured(missing[t.id]),
        ];
      return [t.label, r.medianUs, r.p99Us, r.meanUs, r.totalMs, r.blockedMs, longTaskText(r), r.requests];
    });
  const columns = [
    'Tracker',
    'median (µs/call)',
    'p99 (µs/call)',
    'mean (µs/call)',
    'burst (ms)',
    'main thread held (ms)',
    'runs with a long task > 50 ms',
    'requests sent',
  ];
  const formats = ['text', 'us', 'us', 'us', 'ms', 'ms', 'text', 'int'];
  const ratioOf = (id, kind, key) => {
    const now = results[`pathmark-${id}`]?.[kind]?.[key];
    const then = results[`baseline-${id}`]?.[kind]?.[key];
    return now != null && then ? now / then : null;
  };
  const targets = ['granted', 'anonymous'].flatMap((mode) =>
    ['track', 'cartAdd'].flatMap((kind) => {
      const id = `pathmark-${mode}`;
      const name = kind === 'track' ? '`track`' : '`cart.add`';
      const r = results[id]?.[kind];
      const base = results[`baseline-${mode}`]?.[kind];
      const slow = results[id]?.throttled?.[kind];
      const why = notMeasured(missing[id] ?? missing[`baseline-${mode}`] ?? 'not run');
      return ['medianUs', 'meanUs']
        .map((key) => {
          const ratio = ratioOf(mode, kind, key);
          return {
            target: `${name} ${key === 'medianUs' ? 'median' : 'mean'} ≤ ⅓ of the baseline build's (Pathmark, ${mode})`,
            result: ratio != null ? `${r[key].toFixed(1)} µs vs ${base[key].toFixed(1)} µs: ×${ratio.toFixed(2)}` : why,
            met: ratio != null ? ratio <= TARGET_RATIO : null,
          };
        })
        .concat({
          target: `no long task during the ${name} burst, CPU throttled ${THROTTLE}× (Pathmark, ${mode})`,
          result: slow ? `long task in ${longTaskText(slow)}` : why,
          met: slow ? slow.runsWithLongTask === 0 : null,
        });
    }),
  );
  const firstPageView = results['pathmark-granted']?.firstPageViewMs;
  targets.push({
    target: `first page view reaches the endpoint ≤ ${FIRST_PAGE_VIEW_TARGET_MS} ms after navigation start (Pathmark, granted)`,
    result: typeof firstPageView === 'number' ? `${firstPageView.toFixed(0)} ms` : notMeasured('not run'),
    met: typeof firstPageView === 'number' ? firstPageView <= FIRST_PAGE_VIEW_TARGET_MS : null,
  });
  const errorNotes = Object.entries(results)
    .filter(([, r]) => r.errors.length)
    .map(([id, r]) => `Page errors in ${id}: ${r.errors.slice(0, 3).join('; ')}`);
  const isolated = Object.values(results).every((r) => r.track.isolated);

  return {
    id: 'main-thread',
    title: 'Main-thread cost in Chromium',
    command: 'node bench/main-thread.mjs',
    targets: targets.map((t) => ({ ...t, result: t.result?.notMeasured ? `not measured: ${t.result.notMeasured}` : t.result })),
    tables: [
      { caption: `\`track(name, props)\`, burst of ${BURST} synchronous calls`, columns, formats, rows: rowsFor('track') },
      {
        caption: `\`cart.add(item)\` (Snowplow: \`trackAddToCart\`; PostHog: \`capture('add_to_cart')\`), burst of ${BURST} calls`,
        columns,
        formats,
        rows: rowsFor('cartAdd'),
      },
      {
        caption: 'Time from navigation start to the first page-view request reaching the endpoint',
        columns: ['Tracker', 'first page view (ms)'],
        formats: ['text', 'ms'],
        rows: TRACKERS.map((t) => [t.label, results[t.id]?.firstPageViewMs ?? notMeasured(missing[t.id])]),
      },
      {
        caption: `Pathmark with Chromium's CPU throttled ${THROTTLE}× (\`Emulation.setCPUThrottlingRate\`), burst of ${BURST} calls`,
        columns: ['Build', 'call', ...columns.slice(1)],
        formats: ['text', 'text', ...formats.slice(1)],
        rows: TRACKERS.filter((t) => results[t.id]?.throttled).flatMap((t) =>
          ['track', 'cartAdd'].map((kind) => {
            const r = results[t.id].throttled[kind];
            return [
              t.label,
              kind === 'track' ? '`track`' : '`cart.add`',
              r.medianUs,
              r.p99Us,
              r.meanUs,
              r.totalMs,
              r.blockedMs,
              longTaskText(r),
              r.requests,
            ];
          }),
        ),
      },
    ],
    notes: [
      'The baseline rows run `bench/baseline/pathmark.js`, the script tag as built before issue 16 (see its README), in the same browser and run as the current build: the ratios in the targets are taken side by side.',
      `Every figure is the median of ${RUNS} runs per tracker (long tasks: in how many runs any occurred, and the longest). Each run gets a fresh browser context and the same page (a product page with a long text), served by a loopback Node server whose every POST answers 202; requests to anything but 127.0.0.1 are aborted.`,
      'Per-call time is `performance.now()` around each call in one synchronous loop of 1,000 calls, run in a timer task of the page after the first page view (cold code, as on a real page); the loop and any microtasks it leaves make one task, so a burst holding the main thread for more than 50 ms in total is itself a long task. Long tasks are observed (`PerformanceObserver` type `longtask`) from the start of the burst until 1.5 s after it, so deferred work (batch sends, storage writes) counts too.',
      `Pages are cross-origin isolated (COOP/COEP)${isolated ? '' : ' — but isolation did not take effect in this run'}, so \`performance.now()\` has 5 µs resolution rather than 100 µs: median and p99 are multiples of about 5 µs; the mean (burst time / 1,000) is exact.`,
      '"burst" is the loop alone; "main thread held" runs until the next task can start, so it includes work a tracker defers to microtasks (promise chains, storage writes) within the same task.',
      '"requests sent" counts POSTs reaching the stub during the burst and the 1.5 s after it: Snowplow sends one request per event by default; Pathmark and PostHog batch.',
      'Snowplow and PostHog are the bundles of section 1 (`bench/entries/`), started by `benchTracker.init()` right after the script; PostHog runs with its defaults except remote flags, extension loading, session recording, surveys and compression, which are turned off so nothing leaves the machine and bodies are readable, and with `opt_out_useragent_filter` (it drops events from automated browsers as bots). Every context presents the desktop Chrome user agent rather than HeadlessChrome.',
      ...errorNotes,
    ],
  };
});
