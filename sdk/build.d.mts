// Types for the parts of build.mjs that the tests import.
import type { BuildOptions } from 'esbuild';
export const tagBuildOptions: BuildOptions;
/** `dist/pathmark.js` as shipped (esbuild, then terser), built in memory. */
export function buildTag(): Promise<string>;
export const vitalsBuildOptions: BuildOptions;
export const TAG_GZIP_BUDGET: number;
export function gzipSize(code: Uint8Array | string): number;
