/**
 * Real numbers read out of SQLite exactly, as JSON. SQLite's own text for a real is the shortest
 * that SQLite reads back as the same double, but SQLite's reading is not correctly rounded, so
 * JavaScript reads about 4 in a million of those texts (and of `printf('%!.17g')`'s) one unit in
 * the last place off: 78.94700815639099 comes out as "78.947008156391"; its JSON functions keep
 * 15 digits only. Here a real travels as two whole numbers m and s with value = m / 2^s: SQLite
 * scales the value by a power of two (exact) to a whole number below 2^62, whose digits are exact
 * and which JavaScript reads exactly (it has at most 53 significant bits), and JavaScript divides
 * the power out again (exact for every normal value).
 */

/** Below this magnitude (2^-830: its power of two would overflow) a value travels as 17 digits. */
const TINY = 1e-250;

/**
 * SQL giving real `column` as two JSON numbers, "m,s" ("null,null" for NULL); SQLite's math
 * functions are needed. `fromExactParts` reads them back.
 */
export function exactRealJson(column: string): string {
  const scale = `(60 - CAST(floor(log2(abs(${column}))) AS INTEGER))`;
  return `CASE WHEN ${column} IS NULL THEN 'null,null' WHEN ${column} = 0 THEN '0,0'
    WHEN abs(${column}) < ${TINY} THEN printf('%!.17e', ${column}) || ',0'
    ELSE CAST(${column} * power(2, ${scale}) AS INTEGER) || ',' || ${scale} END`;
}

/** The double `exactRealJson` wrote as m and s (NaN for null). */
export function fromExactParts(whole: number | null, scale: number | null): number {
  if (whole === null || scale === null) return NaN;
  // 2^scale overflows past 2^1023: divide in two steps (each exact).
  return scale > 1000 ? whole / 2 ** 1000 / 2 ** (scale - 1000) : whole / 2 ** scale;
}
