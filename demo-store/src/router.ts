import type { SafeHtml } from './html.ts';

/** What a route renders. */
export interface View {
  title: string;
  body: SafeHtml;
  /** Wires the rendered DOM (buttons, forms). Runs after every render. */
  bind?: (root: HTMLElement) => void;
  /** Reports the view to analytics. Runs once per page view, after `pageview()`. */
  track?: () => void;
}

export type Route = (params: Record<string, string>, query: URLSearchParams) => View | undefined;

/** `load` = first render, `push` = link or form, `pop` = back/forward, `refresh` = same page redrawn. */
export type RenderKind = 'load' | 'push' | 'pop' | 'refresh';

export interface RouterOptions {
  root: HTMLElement;
  routes: Record<string, Route>;
  notFound: Route;
  /** Paths served as separate documents (the plain-HTML section, the inspector). */
  external: (path: string) => boolean;
  onRender: (view: View, kind: RenderKind) => void;
}

interface CompiledRoute {
  pattern: RegExp;
  names: string[];
  route: Route;
}

/** A small History-API router: path patterns such as `/p/:id`, links intercepted on `window`. */
export class Router {
  private readonly compiled: CompiledRoute[];
  private readonly onClick = (event: MouseEvent): void => this.handleClick(event);
  private readonly onPopState = (): void => this.render('pop');

  constructor(private readonly options: RouterOptions) {
    this.compiled = Object.entries(options.routes).map(([path, route]) => {
      const names: string[] = [];
      const source = path.replace(/:(\w+)/g, (_, name: string) => {
        names.push(name);
        return '([^/]+)';
      });
      return { pattern: new RegExp(`^${source}/?$`), names, route };
    });
  }

  start(): void {
    // Listening on window rather than document lets listeners on document (such as
    // Pathmark's result-click capture) see the click before the route changes.
    window.addEventListener('click', this.onClick);
    window.addEventListener('popstate', this.onPopState);
    this.render('load');
  }

  navigate(url: string): void {
    const target = new URL(url, location.href);
    const view = this.resolve(target);
    // The title is set before pushState so that the new page view carries its own title.
    document.title = view.title;
    history.pushState(null, '', target.pathname + target.search + target.hash);
    this.show(view, 'push');
  }

  render(kind: RenderKind): void {
    this.show(this.resolve(new URL(location.href)), kind);
  }

  private resolve(url: URL): View {
    for (const { pattern, names, route } of this.compiled) {
      const match = pattern.exec(url.pathname);
      if (!match) continue;
      const params = Object.fromEntries(names.map((name, i) => [name, decodeURIComponent(match[i + 1] ?? '')]));
      const view = route(params, url.searchParams);
      if (view) return view;
    }
    return this.options.notFound({}, url.searchParams) as View;
  }

  private show(view: View, kind: RenderKind): void {
    document.title = view.title;
    this.options.root.innerHTML = view.body.value;
    view.bind?.(this.options.root);
    if (kind === 'push') window.scrollTo(0, 0);
    this.options.onRender(view, kind);
  }

  private handleClick(event: MouseEvent): void {
    if (event.defaultPrevented || event.button !== 0 || event.metaKey || event.ctrlKey || event.shiftKey || event.altKey) {
      return;
    }
    const link = event.target instanceof Element ? event.target.closest('a') : null;
    if (!link || link.target || link.hasAttribute('download')) return;
    const url = new URL(link.href, location.href);
    if (url.origin !== location.origin || this.options.external(url.pathname)) return;
    event.preventDefault();
    this.navigate(url.href);
  }
}
