/** `pathmark-vitals.js`, the lazily loaded part of the script-tag build: web-vitals and its reporting. */
export { watchVitals } from './vitals.ts';
