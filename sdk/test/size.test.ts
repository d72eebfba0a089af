/// <reference types="node" />
import { existsSync, readFileSync } from 'node:fs';
import { fileURLToPath } from 'node:url';
import { describe, expect, it } from 'vitest';
import { buildTag, gzipSize, TAG_GZIP_BUDGET } from '../build.mjs';

describe('size budget', () => {
  it(
    `gzip(pathmark.js) stays within ${TAG_GZIP_BUDGET} bytes (web vitals and delivery excluded)`,
    { timeout: 30_000 },
    async () => {
      const code = await buildTag();
      expect(gzipSize(code)).toBeLessThanOrEqual(TAG_GZIP_BUDGET);
      // It must not have swallowed web-vitals: that is the lazily loaded part.
      expect(code).not.toContain('largest-contentful-paint');
    },
  );

  it('the built sdk/dist/pathmark.js, when present, is within budget too', () => {
    const built = fileURLToPath(import.meta.url).replace(/test\/[^/]*$/, 'dist/pathmark.js');
    if (!existsSync(built)) return;
    expect(gzipSize(readFileSync(built))).toBeLessThanOrEqual(TAG_GZIP_BUDGET);
  });
});
