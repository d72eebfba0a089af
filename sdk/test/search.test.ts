import { describe, expect, it } from 'vitest';
import type { SearchProps } from '../src/protocol.ts';
import { collector, expectEvents, names, settle, tracker, useFakeTime } from './support.ts';

const searches = (c: ReturnType<typeof collector>) => c.events().filter((e) => e.name == 'search');

function submit(form: HTMLFormElement, spa: boolean) {
  if (spa) form.addEventListener('submit', (e) => e.preventDefault());
  form.dispatchEvent(new Event('submit', { bubbles: true, cancelable: true }));
}

describe('searches', () => {
  it('search() captures the term, the result count and a fresh search id', async () => {
    useFakeTime();
    const c = collector();
    const t = tracker();
    t.search('  red shoes ', { results: 12 });
    t.search('boots');
    t.search('');
    await t.flush();
    expectEvents(c.events(), {
      expected: [
        { name: 'search', props: { search_term: 'red shoes', results: 12, source: 'api' } },
        { name: 'search', props: { search_term: 'boots', source: 'api' } },
      ],
    });
    const [a, b] = searches(c).map((e) => (e.props as SearchProps).search_id);
    expect(a).toMatch(/^[0-9a-f-]{36}$/);
    expect(b).not.toBe(a);
    expect(searches(c)).toHaveLength(2);
  });

  it('reads the term from the URL, with configurable parameters', async () => {
    useFakeTime();
    history.replaceState(null, '', '/search?keyword=hat&page=2');
    const c = collector();
    const t = tracker();
    await settle();
    history.pushState(null, '', '/search?term=scarf');
    await settle();
    await t.flush();
    expectEvents(c.events(), {
      expected: [
        { name: 'page_view', props: { navigation: 'load' } },
        { name: 'search', props: { search_term: 'hat', source: 'url' } },
      ],
      refuted: [{ name: 'search', props: { search_term: 'scarf' } }],
    });

    const c2 = collector();
    const t2 = tracker({ site: 'custom', searchParams: ['term'] });
    await settle();
    await t2.flush();
    expectEvents(c2.events(), { expected: [{ name: 'search', props: { search_term: 'scarf', source: 'url' } }] });
  });

  it('captures a search form handled by the app once, even when the app then puts ?q= in the URL', async () => {
    useFakeTime();
    document.body.innerHTML = '<form role="search"><input name="q" value="socks"><button>Go</button></form>';
    const c = collector();
    const t = tracker();
    await settle();
    submit(document.querySelector('form')!, true);
    history.pushState(null, '', '/search?q=socks');
    await settle();
    await t.flush();
    expect(searches(c).map((e) => e.props)).toMatchObject([{ search_term: 'socks', source: 'form' }]);
  });

  it('leaves a navigating GET form to the next page URL, but captures forms whose field is not a URL parameter', async () => {
    useFakeTime();
    document.body.innerHTML = `
      <form role="search" action="/search"><input name="q" value="lamps"></form>
      <form data-pm-search action="/find"><input type="search" name="text" value="chairs"></form>
      <form><input name="q" value="not a search form"></form>`;
    const c = collector();
    const t = tracker();
    await settle();
    const [plain, marked, other] = document.querySelectorAll('form');
    submit(plain!, false);
    submit(marked!, false);
    submit(other!, false);
    await t.flush();
    expect(searches(c).map((e) => (e.props as SearchProps).search_term)).toEqual(['chairs']);
  });

  it('turns clicks on results into select_item with their position, linked to the search, and carries the link to cart and purchase', async () => {
    useFakeTime();
    document.body.innerHTML = `<ul>
      <li data-pm-result data-pm-item-id="a1" data-pm-item-name="Alpha"><a>Alpha</a></li>
      <li data-pm-result data-pm-item-id="b2" data-pm-item-name="Beta" data-pm-item-price="9.5"><a><span>Beta</span></a></li>
      <li data-pm-result data-pm-result-index="7" data-pm-item-id="c3"><a>Gamma</a></li></ul>`;
    const c = collector();
    const t = tracker();
    await settle();
    t.search('greek letters', { results: 3 });
    document.querySelector('span')!.click();
    document.querySelector('[data-pm-result-index] a')!.dispatchEvent(new MouseEvent('click', { bubbles: true }));
    t.cart.add({ item_id: 'b2', price: 9.5 });
    t.purchase({ transaction_id: 'T1', value: 9.5, currency: 'EUR', items: [{ item_id: 'b2', price: 9.5 }] });
    t.cart.add({ item_id: 'a1' });
    await t.flush();
    const searchId = (searches(c)[0]!.props as SearchProps).search_id;
    expectEvents(c.events(), {
      expected: [
        { name: 'search' },
        {
          name: 'select_item',
          props: { index: 1, search_id: searchId, items: [{ item_id: 'b2', item_name: 'Beta', price: 9.5 }] },
        },
        { name: 'select_item', props: { index: 7, search_id: searchId, items: [{ item_id: 'c3' }] } },
        { name: 'add_to_cart', props: { search_id: searchId, items: [{ item_id: 'b2' }] } },
        { name: 'purchase', props: { search_id: searchId, transaction_id: 'T1' } },
        { name: 'add_to_cart', props: { search_id: undefined, items: [{ item_id: 'a1' }] } },
      ],
    });
    expect(names(c.events()), JSON.stringify(c.events())).toEqual([
      'page_view',
      'search',
      'select_item',
      'select_item',
      'add_to_cart',
      'purchase',
      'add_to_cart',
    ]);
  });

  it('keeps the search link across page loads in granted mode', async () => {
    useFakeTime();
    const c = collector();
    const first = tracker();
    first.search('lamp');
    await first.flush();
    first.destroy();
    const second = tracker(); // the next page load
    second.cart.add({ item_id: 'L1' });
    await second.flush();
    const searchId = (searches(c)[0]!.props as SearchProps).search_id;
    expectEvents(c.events(), { expected: [{ name: 'add_to_cart', props: { search_id: searchId } }] });
  });

  it('a jump to an anchor on a results page keeps the search: no second search, the cart stays linked to it', async () => {
    useFakeTime();
    const c = collector();
    history.replaceState(null, '', '/search?q=red+shoes');
    const t = tracker();
    await settle();
    // A link to #results: browsers fire popstate, then hashchange.
    History.prototype.pushState.call(history, null, '', '/search?q=red+shoes#results');
    window.dispatchEvent(new PopStateEvent('popstate'));
    window.dispatchEvent(new HashChangeEvent('hashchange'));
    await settle();
    // An app moving the fragment with pushState.
    history.pushState(null, '', '/search?q=red+shoes#filters');
    await settle();
    t.cart.add({ item_id: 'R1' });
    await t.flush();
    expect(searches(c)).toHaveLength(1);
    const searchId = (searches(c)[0]!.props as SearchProps).search_id;
    expectEvents(c.events(), {
      expected: [
        { name: 'search', props: { search_term: 'red shoes', source: 'url' } },
        { name: 'page_view', props: { navigation: 'hash' } },
        { name: 'page_view', props: { navigation: 'push' } },
        { name: 'add_to_cart', props: { search_id: searchId } },
      ],
    });
  });
});
