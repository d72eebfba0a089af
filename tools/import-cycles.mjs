// Fails on any import cycle between the repository's TypeScript modules, type-only imports included
// (`import type`, `export type … from`): import-x/no-cycle in eslint.config.js skips those by design, and a
// type-only cycle is still two modules that each need the other. Part of `npm run lint`.
import { execFileSync } from 'node:child_process';
import { existsSync, readFileSync } from 'node:fs';
import { dirname, join, relative, resolve } from 'node:path';
import ts from 'typescript';

const root = resolve(import.meta.dirname, '..');
const files = execFileSync('git', ['ls-files', '--cached', '--others', '--exclude-standard', '*.ts', '*.tsx', '*.mts'], {
  cwd: root,
  encoding: 'utf8',
})
  .split('\n')
  .filter((file) => file && !file.endsWith('.d.ts'))
  .map((file) => join(root, file))
  .filter((file) => existsSync(file));

/** `imports` of the package.json nearest to `file` (the root's, or warehouse/'s). */
const importsOf = (file) => {
  for (let dir = dirname(file); dir.startsWith(root); dir = dirname(dir)) {
    const manifest = join(dir, 'package.json');
    if (existsSync(manifest)) return { dir, imports: JSON.parse(readFileSync(manifest, 'utf8')).imports ?? {} };
  }
  return { dir: root, imports: {} };
};

const resolveSpecifier = (from, specifier) => {
  if (specifier.startsWith('.')) return resolve(dirname(from), specifier);
  if (specifier.startsWith('#')) {
    const { dir, imports } = importsOf(from);
    return typeof imports[specifier] === 'string' ? resolve(dir, imports[specifier]) : undefined;
  }
  return undefined;
};

const known = new Set(files);
const graph = new Map(
  files.map((file) => {
    const { importedFiles } = ts.preProcessFile(readFileSync(file, 'utf8'), true, true);
    const targets = importedFiles.map(({ fileName }) => resolveSpecifier(file, fileName)).filter((target) => known.has(target));
    return [file, [...new Set(targets)]];
  }),
);

// Tarjan's strongly connected components: every component of more than one module (or a module importing itself) is a cycle.
let index = 0;
const stack = [];
const state = new Map();
const cycles = [];
const visit = (file) => {
  const entry = { index, low: index, onStack: true };
  index++;
  state.set(file, entry);
  stack.push(file);
  for (const target of graph.get(file)) {
    const seen = state.get(target);
    if (!seen) {
      visit(target);
      entry.low = Math.min(entry.low, state.get(target).low);
    } else if (seen.onStack) entry.low = Math.min(entry.low, seen.index);
  }
  if (entry.low === entry.index) {
    const component = [];
    let member;
    do {
      member = stack.pop();
      state.get(member).onStack = false;
      component.push(member);
    } while (member !== file);
    if (component.length > 1 || graph.get(file).includes(file)) cycles.push(component);
  }
};
for (const file of files) if (!state.has(file)) visit(file);

if (cycles.length) {
  for (const component of cycles) console.error(`import cycle: ${component.map((file) => relative(root, file)).join(' ↔ ')}`);
  process.exit(1);
}
console.log(`import-cycles: ${files.length} modules, no cycle`);
