import type { SearchSource } from './protocol.ts';
import type { TrackerContext } from './types.ts';
import { attributesOf } from './markup.ts';
import type { Page } from './pageview.ts';

export interface Search {
  search(term: unknown, options?: { results?: unknown }, source?: SearchSource): void;
  /**
   * A new page view: a search term in its URL is a search, unless we just captured it from a form or the API, or
   * only the fragment changed (a jump to `#results` keeps the search, and the cart events that follow stay its).
   */
  pageStarted(page: Page, previousPath: string): void;
}

export const DEFAULT_SEARCH_PARAMS = ['q', 'query', 'search', 's', 'keyword'];

/**
 * Searches from the API, the URL and search forms, and clicks on their
 * results. Each search gets a `search_id` that the following result clicks,
 * cart and purchase events carry, so search → purchase conversion can be
 * computed downstream.
 */
export function watchSearch(ctx: TrackerContext, params: string[]): Search {
  /** Term of the last search since the previous page view: an SPA pushing `?q=` after a form submit is not a second search. */
  let recentTerm: string | undefined;

  const search: Search['search'] = (term, options, source = 'api') => {
    const text = typeof term == 'string' ? term.trim() : '';
    if (!text) return ctx.warn('invalid search');
    recentTerm = text;
    const results = options?.results;
    // The search id is made when processed, in order with the calls that read it (cart, purchase).
    ctx.callLater('search', [text, results, source]);
  };

  // Bubbling phase, so that an app's own handler has had the chance to call preventDefault().
  ctx.on(
    document,
    'submit',
    (event) => {
      const form = event.target as HTMLFormElement;
      const input = form.matches('[role="search"],[data-pm-search]')
        ? ([...form.elements] as HTMLInputElement[]).find((el) => el.type == 'search' || params.includes(el.name))
        : undefined;
      // A plain GET form puts the term in the next page's URL: it is captured there, once.
      if (input && (event.defaultPrevented || form.method != 'get' || !params.includes(input.name)))
        search(input.value, undefined, 'form');
    },
    { passive: true },
  );

  ctx.on(document, 'click', (event) => {
    const link = (event.target as Element).closest('[data-pm-result]');
    const explicit = link?.getAttribute('data-pm-result-index');
    if (link) {
      const position = [...link.parentElement!.children].filter((el) => el.hasAttribute('data-pm-result')).indexOf(link);
      ctx.callLater('fromMarkup', ['selectItem', attributesOf(link), explicit ? +explicit : position]);
    }
  });

  return {
    search,
    pageStarted({ url, path }, previousPath) {
      const query = new URL(url).searchParams;
      const name = params.find((p) => query.get(p)?.trim());
      const term = name && query.get(name)!.trim();
      if (term && term != recentTerm && path != previousPath) search(term, undefined, 'url');
      recentTerm = undefined;
    },
  };
}
