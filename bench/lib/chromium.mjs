import { chromium } from 'playwright-core';

/** The project's one way to start Chromium (same flags as the e2e tests). */
export function launchChromium() {
  return chromium.launch({
    executablePath: process.env.CHROME_PATH || '/usr/bin/chromium',
    headless: true,
    args: [
      '--no-sandbox',
      '--disable-gpu',
      '--disable-background-networking',
      '--disable-component-update',
      '--disable-sync',
      '--no-first-run',
    ],
  });
}

/** Only loopback: anything else is aborted, so a bench never reaches the internet. */
export async function keepOnLoopback(context) {
  await context.route(/^(?!https?:\/\/(127\.0\.0\.1|localhost)[:/])/, (route) => route.abort('blockedbyclient'));
}

/**
 * A context that presents itself as the desktop Chrome it is: trackers (PostHog
 * for one) drop events from a "HeadlessChrome" user agent as a bot's.
 */
export async function newHumanContext(browser, options = {}) {
  const probe = await browser.newPage();
  const userAgent = (await probe.evaluate(() => navigator.userAgent)).replace('HeadlessChrome', 'Chrome');
  await probe.close();
  const context = await browser.newContext({ ...options, userAgent });
  await keepOnLoopback(context);
  return context;
}
