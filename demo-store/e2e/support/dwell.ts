/**
 * Time the script itself spends on each page view, to compare with the engaged time the SDK reports.
 *
 * The script sees a page between `enter` (its URL is there) and `leave` (about to click away): a lower bound of
 * the page's time in the browser. The browser's page view starts earlier and ends later, by the time a click and a
 * navigation take to travel through the DevTools protocol, which grows with the machine's load. So each visit
 * also has an upper bound: from the previous `leave` (or `navigating`) to the next page's `enter` (or `arrived`).
 */
export class DwellClock {
  readonly visits: { path: string; ms: number; maxMs: number }[] = [];
  private current: { path: string; since: number; navigationStarted: number } | undefined;
  private lastLeftAt: number | undefined;
  private pendingUpperBound: { path: string; ms: number; navigationStarted: number } | undefined;

  /** The script is about to navigate to the first page (before `page.goto`). */
  navigating(): void {
    this.lastLeftAt = performance.now();
  }

  /** The page view of `path` has just happened. */
  enter(path: string): void {
    const now = performance.now();
    this.arrived(now);
    this.current = { path, since: now, navigationStarted: this.lastLeftAt ?? now };
  }

  /** The script is about to leave the current page. */
  leave(): void {
    if (!this.current) throw new Error('DwellClock.leave() without enter()');
    const now = performance.now();
    this.pendingUpperBound = {
      path: this.current.path,
      ms: now - this.current.since,
      navigationStarted: this.current.navigationStarted,
    };
    this.lastLeftAt = now;
    this.current = undefined;
  }

  /** The page after the last one left is there (called by `enter`; call it after the last navigation). */
  arrived(now = performance.now()): void {
    if (!this.pendingUpperBound) return;
    const { path, ms, navigationStarted } = this.pendingUpperBound;
    this.visits.push({ path, ms, maxMs: now - navigationStarted });
    this.pendingUpperBound = undefined;
  }
}

/** `actual` is within ±`tolerance` of the interval [`low`, `high`]. */
export function withinBounds(actual: number, low: number, high: number, tolerance: number): boolean {
  return actual >= low * (1 - tolerance) && actual <= high * (1 + tolerance);
}
