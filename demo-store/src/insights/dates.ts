// The page's range is in UTC days, like the reports.

export const utcDay = (time: number): string => new Date(time).toISOString().slice(0, 10);

/** The last `days` UTC days up to and including the day of `now`. */
export function lastDays(days: number, now = Date.now()): { from: string; to: string } {
  return { from: utcDay(now - (days - 1) * 86_400_000), to: utcDay(now) };
}
