// A single-page app on the plain History API, without a framework: the page pushes the URL, renders, and sets the
// title when its data has arrived (200 ms later, or `window.titleDelayMs`: a test that leaves before the title must
// not race a 200 ms timer on a loaded machine), or keeps it (the FAQ). Searches are plain URLs (?q=), and the
// results page links to an anchor, #results.
const routes: Record<string, { heading: string; title?: string; body?: string }> = {
  '/e2e/plain/': { heading: 'Home', title: 'Plain shop' },
  '/e2e/plain/about': { heading: 'About us', title: 'About · Plain shop' },
  '/e2e/plain/faq': { heading: 'Questions' },
  '/e2e/plain/search': {
    heading: 'Results',
    title: 'Search · Plain shop',
    body: `<a href="#results">Jump to the results</a><p style="height: 2000px">Filters</p>
      <ul id="results"><li><button data-pm-cart="add" data-pm-item-id="RS-1" data-pm-item-price="89" data-pm-item-currency="EUR">Add red shoe</button></li></ul>`,
  },
};

function render(): void {
  const route = routes[location.pathname] ?? routes['/e2e/plain/']!;
  document.getElementById('root')!.innerHTML = `<h1>${route.heading}</h1>${route.body ?? ''}`;
  const delay = (window as { titleDelayMs?: number }).titleDelayMs ?? 200;
  if (route.title) setTimeout(() => (document.title = route.title!), delay);
}

document.addEventListener('click', (event) => {
  const link = (event.target as Element).closest('a[data-link]') as HTMLAnchorElement | null;
  if (!link) return;
  event.preventDefault();
  history.pushState(null, '', link.href);
  render();
});
window.addEventListener('popstate', render);
render();
