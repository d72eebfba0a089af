/** Time the script itself spends on each page view, to compare with the engaged time the SDK reports. */
export class DwellClock {
  readonly visits: { path: string; ms: number }[] = [];
  private current: { path: string; since: number } | undefined;

  /** The page view of `path` has just happened. */
  enter(path: string): void {
    this.current = { path, since: performance.now() };
  }

  /** The script is about to leave the current page. */
  leave(): void {
    if (!this.current) throw new Error('DwellClock.leave() without enter()');
    this.visits.push({ path: this.current.path, ms: performance.now() - this.current.since });
    this.current = undefined;
  }
}

/** `actual` is within ±`tolerance` (a fraction) of `expected`. */
export function within(actual: number, expected: number, tolerance: number): boolean {
  return Math.abs(actual - expected) <= expected * tolerance;
}
