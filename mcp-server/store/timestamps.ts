const DAY_MS = 86_400_000;

/** "YYYY-MM-DDT" by UTC day number: scoring formats a few timestamps per customer, on few days. */
const dayPrefixes = new Map<number, string>();

const twoDigits = (value: number) => (value < 10 ? `0${value}` : `${value}`);

/**
 * Timestamps are stored as ISO 8601 UTC text to the second (`2026-06-30T23:59:59Z`). Every
 * bound compared against them must have the same form: `toISOString()` adds milliseconds, and
 * `…59.000Z` sorts before `…59Z`, which would drop rows at the boundary.
 *
 * The date part comes from a cache by day and the time is written by hand: a score set formats
 * three timestamps per customer, and `toISOString` plus a replace cost 0.3 s of a 100k rescore.
 * Same text as `toISOString` cut to the second for every time it accepts (property-tested); an
 * invalid time throws its RangeError.
 */
export function storedTime(moment: Date | number): string {
  // As `new Date(number)` does: whole milliseconds toward zero, nothing beyond ±8.64e15.
  const ms = typeof moment === "number" ? Math.trunc(moment) + 0 : moment.getTime();
  if (!(Math.abs(ms) <= 8.64e15)) return new Date(NaN).toISOString();
  const day = Math.floor(ms / DAY_MS);
  let prefix = dayPrefixes.get(day);
  if (prefix === undefined) {
    prefix = new Date(day * DAY_MS).toISOString().slice(0, -13);
    if (dayPrefixes.size >= 100_000) dayPrefixes.clear();
    dayPrefixes.set(day, prefix);
  }
  const seconds = Math.floor((ms - day * DAY_MS) / 1000);
  const hours = Math.floor(seconds / 3600);
  const minutes = Math.floor((seconds % 3600) / 60);
  return `${prefix}${twoDigits(hours)}:${twoDigits(minutes)}:${twoDigits(seconds % 60)}Z`;
}
