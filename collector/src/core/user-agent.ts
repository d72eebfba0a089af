import type { ReducedUserAgent } from './record.ts';

/**
 * Reduces a User-Agent header to browser family + major version, OS family and device
 * type. Deliberately small: analytics needs the segments, not the build numbers that
 * make a user agent identifying. Order matters: Edge and Opera also claim Chrome, and
 * Chrome also claims Safari.
 */

const BROWSERS: [family: string, pattern: RegExp][] = [
  ['Edge', /Edg(?:e|A|iOS)?\/(\d+)/],
  ['Opera', /(?:OPR|Opera)\/(\d+)/],
  ['Samsung Internet', /SamsungBrowser\/(\d+)/],
  ['Firefox', /(?:Firefox|FxiOS)\/(\d+)/],
  ['Chrome', /(?:Chrome|CriOS)\/(\d+)/],
  ['Safari', /Version\/(\d+)[^ ]* (?:Mobile\/\S+ )?Safari\//],
];

const OPERATING_SYSTEMS: [family: string, pattern: RegExp][] = [
  ['Windows', /Windows/],
  ['iOS', /iPhone|iPad|iPod/],
  ['Android', /Android/],
  ['ChromeOS', /CrOS/],
  ['macOS', /Mac OS X|Macintosh/],
  ['Linux', /Linux/],
];

export function reduceUserAgent(userAgent: string): ReducedUserAgent {
  let browser = 'Other';
  let browserMajor: number | null = null;
  for (const [family, pattern] of BROWSERS) {
    const match = pattern.exec(userAgent);
    if (match) {
      browser = family;
      browserMajor = Number(match[1]);
      break;
    }
  }
  const os = OPERATING_SYSTEMS.find(([, pattern]) => pattern.test(userAgent))?.[0] ?? 'Other';
  return { browser, browser_major: browserMajor, os, device: deviceType(userAgent, os) };
}

function deviceType(userAgent: string, os: string): ReducedUserAgent['device'] {
  if (/iPad|Tablet|Android(?!.*Mobile)/.test(userAgent)) return 'tablet';
  if (/Mobi|iPhone|iPod/.test(userAgent)) return 'mobile';
  if (os === 'Windows' || os === 'macOS' || os === 'Linux' || os === 'ChromeOS') return 'desktop';
  return 'other';
}
