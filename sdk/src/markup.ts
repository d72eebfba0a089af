import type { TrackerContext } from './types.ts';

/**
 * An element's `data-pm-*` attributes as they are now: read at the click, turned into an item when the call is
 * processed (commerce.ts `itemFromElement` only asks `getAttribute`), whatever the page does to the element meanwhile.
 */
export const attributesOf = (el: Element): Element => {
  const attributes = new Map([...el.attributes].map((a) => [a.name, a.value]));
  return { getAttribute: (name: string) => attributes.get(name) ?? null } as Element;
};

/**
 * Declarative capture: `data-pm-cart="add|remove"` buttons on click, and (the function returned, run at each page
 * view) the elements marked `data-pm-view-item`. The items are validated with the API's calls, after them.
 */
export function watchMarkup(ctx: TrackerContext) {
  ctx.on(document, 'click', (event) => {
    const el = (event.target as Element).closest('[data-pm-cart]');
    const action = el?.getAttribute('data-pm-cart');
    if (action == 'add' || action == 'remove') {
      const item = attributesOf(el!);
      ctx.call((commerce) => commerce[action](commerce.itemFromElement(item)));
    }
  });
  return () =>
    document.querySelectorAll('[data-pm-view-item]').forEach((el) => {
      const item = attributesOf(el);
      ctx.call((commerce) => commerce.viewItem(commerce.itemFromElement(item)));
    });
}
