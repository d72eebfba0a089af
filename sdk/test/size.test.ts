/// <reference types="node" />
import { build } from 'esbuild';
import { existsSync, readFileSync } from 'node:fs';
import { fileURLToPath } from 'node:url';
import { describe, expect, it } from 'vitest';
import { gzipSize, TAG_GZIP_BUDGET, tagBuildOptions } from '../build.mjs';

describe('size budget', () => {
  it(`gzip(pathmark.js) stays within ${TAG_GZIP_BUDGET} bytes (web vitals excluded)`, async () => {
    const result = await build({ ...tagBuildOptions, write: false });
    const size = gzipSize(result.outputFiles![0]!.contents);
    expect(size).toBeLessThanOrEqual(TAG_GZIP_BUDGET);
    // It must not have swallowed web-vitals: that is the lazily loaded part.
    expect(result.outputFiles![0]!.text).not.toContain('largest-contentful-paint');
  });

  it('the built sdk/dist/pathmark.js, when present, is within budget too', () => {
    const built = fileURLToPath(import.meta.url).replace(/test\/[^/]*$/, 'dist/pathmark.js');
    if (!existsSync(built)) return;
    expect(gzipSize(readFileSync(built))).toBeLessThanOrEqual(TAG_GZIP_BUDGET);
  });
});
