// Types for the parts of build.mjs that the tests import.
import type { BuildOptions } from 'esbuild';
export const tagBuildOptions: BuildOptions;
/** `dist/pathmark.js` as shipped (esbuild, then terser), built in memory. */
export function buildTag(): Promise<string>;
/** `pathmark.js` and its lazily loaded chunks (`pathmark-<name>.js`) as shipped, built in memory, by file name. */
export function buildScriptFiles(): Promise<Record<string, string>>;
export const TAG_CHUNKS: Record<string, { entry: string; loader: string; shared?: boolean }>;
export const TAG_GZIP_BUDGET: number;
export function gzipSize(code: Uint8Array | string): number;
