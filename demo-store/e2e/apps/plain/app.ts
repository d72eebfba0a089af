// A single-page app on the plain History API, without a framework: the page pushes the URL, renders, and sets the
// title when its data has arrived (200 ms later, or `window.titleDelayMs`), or keeps it (the FAQ). Searches are plain
// URLs (?q=), and the results page links to an anchor, #results. The title's timer starts once the Pathmark tag has
// started: the tag is async, and on a loaded machine it may start after the app rendered, when a title already set
// would make the test's expected titles a matter of timing.
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

/** Runs `fn` once the Pathmark tag has started (its tracker, not the snippet's queue). */
function whenPathmarkStarted(fn: () => void): void {
  const pathmark = (window as { pathmark?: object }).pathmark;
  if (pathmark && 'destroy' in pathmark) fn();
  else setTimeout(() => whenPathmarkStarted(fn), 20);
}

function render(): void {
  const route = routes[location.pathname] ?? routes['/e2e/plain/']!;
  document.getElementById('root')!.innerHTML = `<h1>${route.heading}</h1>${route.body ?? ''}`;
  const delay = (window as { titleDelayMs?: number }).titleDelayMs ?? 200;
  if (route.title) whenPathmarkStarted(() => setTimeout(() => (document.title = route.title!), delay));
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
