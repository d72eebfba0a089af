// The SDK build files, imported as text: wrangler.toml's [[rules]] type = "Text" (which
// @cloudflare/vitest-pool-workers applies too) turns them into a string default export.
declare module '*/pathmark.js' {
  const source: string;
  export default source;
}
declare module '*/pathmark-vitals.js' {
  const source: string;
  export default source;
}
