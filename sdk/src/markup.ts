import type { TrackerContext } from './types.ts';

/**
 * An element's attributes as they are now, plain JSON: read at the click, turned into an item when the call is
 * processed (commerce.ts `fromMarkup`), whatever the page does to the element meanwhile.
 */
export const attributesOf = (el: Element): Record<string, string> =>
  Object.fromEntries([...el.attributes].map((a) => [a.name, a.value]));

/**
 * Declarative capture: `data-pm-cart="add|remove"` buttons on click, and (the function returned, run at each page
 * view) the elements marked `data-pm-view-item`. The items are validated with the API's calls, after them.
 */
export function watchMarkup(ctx: TrackerContext) {
  ctx.on(document, 'click', (event) => {
    const el = (event.target as Element).closest('[data-pm-cart]');
    const action = el?.getAttribute('data-pm-cart');
    if (action == 'add' || action == 'remove') {
      ctx.callLater('fromMarkup', [action, attributesOf(el!)]);
    }
  });
  return () =>
    document.querySelectorAll('[data-pm-view-item]').forEach((el) => ctx.callLater('fromMarkup', ['viewItem', attributesOf(el)]));
}
