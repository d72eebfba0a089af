import type { SearchProps, SearchSource } from './protocol';
import type { TrackerContext } from './createTracker';
import { itemFromElement, type Commerce } from './cart';
import { uuid } from './lib/uuid';

export interface Search {
  search(term: unknown, options?: { results?: unknown }, source?: SearchSource): void;
  /** A new page view: a search term in the URL is a search (unless we just captured it from a form or the API). */
  pageStarted(): void;
}

export const DEFAULT_SEARCH_PARAMS = ['q', 'query', 'search', 's', 'keyword'];

/**
 * Searches from the API, the URL and search forms, and clicks on their
 * results. Each search gets a `search_id` that the following result clicks,
 * cart and purchase events carry, so search → purchase conversion can be
 * computed downstream.
 */
export function watchSearch(ctx: TrackerContext, commerce: Commerce, params: string[]): Search {
  /** Term of the last search since the previous page view: an SPA pushing `?q=` after a form submit is not a second search. */
  let recentTerm: string | undefined;

  const search: Search['search'] = (term, options, source = 'api') => {
    const text = typeof term == 'string' ? term.trim() : '';
    if (!text) return ctx.warn('search() needs a non-empty string');
    const props: SearchProps = { search_term: text, search_id: uuid(), source };
    const results = Number(options?.results);
    if (options?.results != null && results >= 0) props.results = Math.floor(results);
    ctx.searchId(props.search_id);
    recentTerm = text;
    ctx.capture('search', props);
  };

  const termInForm = (form: HTMLFormElement) => {
    const input = form.querySelector<HTMLInputElement>(
      [...params.map((name) => `input[name="${name}"]`), 'input[type="search"]'].join(),
    );
    return input ? { name: input.name, term: input.value } : undefined;
  };

  ctx.on(
    document,
    'submit',
    (event) => {
      const form = event.target as HTMLFormElement;
      if (!form.matches?.('[role="search"],[data-pm-search]')) return;
      const found = termInForm(form);
      if (!found) return;
      const navigatesWithParam = !event.defaultPrevented && (form.method || 'get').toLowerCase() == 'get' && params.includes(found.name);
      // The next page's URL carries the term: it is captured there, once.
      if (!navigatesWithParam) search(found.term, undefined, 'form');
    },
    { passive: true },
  );

  ctx.on(document, 'click', (event) => {
    const link = (event.target as Element).closest?.('[data-pm-result]');
    if (!link) return;
    const explicit = link.getAttribute('data-pm-result-index');
    const siblings = link.parentElement ? [...link.parentElement.children].filter((el) => el.hasAttribute('data-pm-result')) : [link];
    commerce.selectItem(itemFromElement(link), explicit != null ? Number(explicit) : siblings.indexOf(link));
  });

  return {
    search,
    pageStarted() {
      const query = new URLSearchParams(location.search);
      const name = params.find((p) => query.get(p)?.trim());
      const term = name && query.get(name)!.trim();
      if (term && term != recentTerm) search(term, undefined, 'url');
      recentTerm = undefined;
    },
  };
}
