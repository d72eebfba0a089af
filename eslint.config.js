// The one lint configuration of the repository: `npm run lint` (ESLint, tools/import-cycles.mjs, then
// `prettier --check`), part of `npm test`. Formatting is Prettier's alone (.prettierrc.json); ESLint checks what a
// formatter cannot. No rule needs type information, so the whole repository lints in seconds. import-x/no-cycle
// skips type-only imports; tools/import-cycles.mjs counts them too.
import js from '@eslint/js';
import { createNodeResolver, importX } from 'eslint-plugin-import-x';
import globals from 'globals';
import tseslint from 'typescript-eslint';

export default tseslint.config(
  {
    ignores: [
      '**/node_modules/',
      '**/dist/',
      '.wrangler/',
      '.tmp*/',
      'demo-store/e2e/apps/next/.next/',
      'demo-store/e2e/apps/next/out/',
    ],
  },
  js.configs.recommended,
  tseslint.configs.recommended,
  {
    plugins: { 'import-x': importX },
    settings: {
      // Resolves `./x.ts` as written and `#protocol` through package.json `imports`, as Node, Vite and esbuild do.
      'import-x/resolver-next': [createNodeResolver({ extensions: ['.ts', '.tsx', '.js', '.mjs', '.json'] })],
    },
    languageOptions: { globals: { ...globals.browser, ...globals.node } },
    linterOptions: { reportUnusedDisableDirectives: 'error' },
    rules: {
      // No import cycles, type-only imports included: a cycle is a module boundary drawn in the wrong place.
      'import-x/no-cycle': ['error', { ignoreExternal: true }],
      // One import-extension style: relative imports name the file as it is (`./queue.ts`, `./stack.mjs`), and
      // that file exists (a `./queue.js` written for `queue.ts` does not resolve). cloudflare:* are workerd's.
      'import-x/no-unresolved': ['error', { ignore: ['^cloudflare:'] }],
      'import-x/extensions': [
        'error',
        'always',
        {
          ignorePackages: true,
          checkTypeImports: true,
          pathGroupOverrides: [{ pattern: 'pathmark/**', action: 'ignore' }],
        },
      ],
      // `a && b()` as a statement is a branch written short (the SDK counts its bytes).
      '@typescript-eslint/no-unused-expressions': ['error', { allowShortCircuit: true, allowTernary: true }],
      // `_`-prefixed: deliberately unused (a destructured field left out, a callback's first parameter).
      '@typescript-eslint/no-unused-vars': [
        'error',
        { argsIgnorePattern: '^_', varsIgnorePattern: '^_', ignoreRestSiblings: true },
      ],
    },
  },
  {
    // The collector's pure core runs in plain Node and in workerd alike: nothing from the Workers runtime, hono or
    // the edge modules beside it (collector/tsconfig.core.json checks the types the same way).
    files: ['collector/src/core/**'],
    rules: {
      'no-restricted-imports': [
        'error',
        {
          patterns: [
            {
              group: ['hono', 'hono/*', 'cloudflare:*', '@cloudflare/*'],
              message: 'The core has no runtime: wire it in at the edge.',
            },
          ],
        },
      ],
      'import-x/no-restricted-paths': [
        'error',
        {
          zones: [
            {
              target: './collector/src/core',
              from: './collector/src',
              except: ['./core'],
              message: 'The core imports only the core.',
            },
          ],
        },
      ],
    },
  },
  {
    // Apps written the way users write them (the Next.js recipe, the packed-package consumer, pages with a consent
    // manager's snippet): their own conventions.
    files: ['demo-store/e2e/apps/**'],
    languageOptions: { globals: { dataLayer: 'writable' } },
    rules: { 'import-x/extensions': 'off', 'import-x/no-unresolved': 'off' },
  },
  {
    // The inline snippet sites paste into their pages: one expression, as short as it can be.
    files: ['sdk/snippet.js'],
    rules: { '@typescript-eslint/no-unused-expressions': 'off' },
  },
  {
    // Tests may hold values loosely typed on purpose (malformed input, response bodies of any shape).
    files: ['**/test/**', '**/test-core/**', '**/e2e/**', 'bench/**'],
    rules: { '@typescript-eslint/no-explicit-any': 'off' },
  },
);
