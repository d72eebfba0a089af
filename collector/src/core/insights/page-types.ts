/**
 * Page types: what kind of page a page view was, for the browse flow and the per-type figures.
 * The collector classifies the URL path by the site policy's `page_types` patterns; a page view no
 * pattern matched is classified later, from what happened on it (`PAGE_TYPE_FROM_EVENTS_SQL` in
 * facts.ts).
 */

export const PAGE_TYPES = ['home', 'category', 'product', 'search', 'cart', 'checkout', 'confirmation', 'other'] as const;
export type PageType = (typeof PAGE_TYPES)[number];

/** The shopping flow the browse-path report follows, in order. */
export const PAGE_TYPE_FLOW = ['home', 'category', 'product', 'cart', 'checkout', 'confirmation'] as const;

/**
 * Site policy `page_types`: glob patterns on the URL path per type, e.g.
 * `{ "home": ["/"], "category": ["/category/*", "/c/*"], "product": ["/product/*"] }`.
 * `*` matches within one path segment, `**` across segments, `?` one character.
 * Types are tried in the order of `PAGE_TYPES`; the first type with a matching pattern wins.
 */
export type PageTypePatterns = Partial<Record<PageType, readonly string[]>>;

function globToRegExp(glob: string): RegExp {
  let source = '';
  for (let i = 0; i < glob.length; i++) {
    const char = glob[i]!;
    if (char === '*' && glob[i + 1] === '*') {
      source += '.*';
      i++;
    } else if (char === '*') source += '[^/]*';
    else if (char === '?') source += '[^/]';
    else source += char.replace(/[.+^${}()|[\]\\]/g, '\\$&');
  }
  return new RegExp(`^${source}$`);
}

/** The patterns as regular expressions, in the order types are tried. */
const compile = (patterns: PageTypePatterns): [PageType, RegExp][] =>
  PAGE_TYPES.flatMap((type) => (patterns[type] ?? []).map((glob): [PageType, RegExp] => [type, globToRegExp(glob)]));

/**
 * The page type of a URL path by the site's patterns, or null when none matches: the patterns
 * compiled once, for a caller that classifies many paths (the pipeline, per policy).
 */
export function pageClassifier(patterns: PageTypePatterns | undefined): (path: string) => PageType | null {
  if (!patterns) return () => null;
  const compiled = compile(patterns);
  return (path) => {
    for (const [type, pattern] of compiled) if (pattern.test(path)) return type;
    return null;
  };
}

/** The page type of a URL path by the site's patterns, or null when none matches. */
export const classifyPage = (path: string, patterns: PageTypePatterns | undefined): PageType | null =>
  pageClassifier(patterns)(path);

/**
 * The same classification as `classifyPage`, as a DuckDB expression over the SQL path `path` (the
 * warehouse classifies archived records that predate `record.page_type` while reading them). Same
 * patterns, same order, same regular expressions (RE2 reads them as JavaScript does); NULL when
 * none matches. D1 needs no such expression: records are classified in TypeScript when inserted.
 */
export function pageTypeSql(patterns: PageTypePatterns | undefined, path: string): string {
  const list = patterns ? compile(patterns) : [];
  if (list.length === 0) return 'CAST(NULL AS VARCHAR)';
  const literal = (text: string) => `'${text.replace(/'/g, "''")}'`;
  return `CASE ${list.map(([type, pattern]) => `WHEN regexp_matches(${path}, ${literal(pattern.source)}) THEN '${type}'`).join(' ')} END`;
}

/** Checks a policy's `page_types` value; returns an error naming the field, or null when valid. */
export function checkPageTypePatterns(value: unknown): string | null {
  if (value === null || typeof value !== 'object' || Array.isArray(value)) return 'page_types: expected an object';
  for (const [type, globs] of Object.entries(value)) {
    if (!(PAGE_TYPES as readonly string[]).includes(type)) return `page_types.${type}: not one of ${PAGE_TYPES.join(', ')}`;
    if (!Array.isArray(globs) || globs.some((glob) => typeof glob !== 'string' || !glob.startsWith('/'))) {
      return `page_types.${type}: expected a list of paths starting with "/"`;
    }
  }
  return null;
}
