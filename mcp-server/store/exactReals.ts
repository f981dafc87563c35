/**
 * Real numbers read out of SQLite as text, exactly. SQLite's own text for a real is the shortest
 * that SQLite reads back as the same double, but SQLite's reading is not correctly rounded, so
 * JavaScript reads about 4 in a million of those texts (and of `printf('%!.17g')`'s) one unit in
 * the last place off: 78.94700815639099 comes out as "78.947008156391". Here a real travels as a
 * whole number m and a power of two, "m" + "p" + s with value = m / 2^s: SQLite scales the value
 * by a power of two (exact) to a whole number below 2^62, which prints exactly, and JavaScript
 * divides the power out again (exact for every normal value).
 */

/** Below this magnitude (2^-830: its power of two would overflow) a value travels as 17 digits. */
const TINY = 1e-250;

/** SQL giving the exact text of real `column` ("" for NULL); SQLite's math functions are needed. */
export function exactRealSql(column: string): string {
  const scale = `(60 - CAST(floor(log2(abs(${column}))) AS INTEGER))`;
  return `CASE WHEN ${column} IS NULL THEN '' WHEN ${column} = 0 THEN '0'
    WHEN abs(${column}) < ${TINY} THEN printf('%!.17g', ${column})
    ELSE CAST(${column} * power(2, ${scale}) AS INTEGER) || 'p' || ${scale} END`;
}

/** The double `exactRealSql` wrote (NaN for NULL). */
export function readExactReal(text: string): number {
  if (text === "") return NaN;
  const p = text.indexOf("p");
  if (p < 0) return Number(text);
  const whole = Number(text.slice(0, p));
  const scale = Number(text.slice(p + 1));
  // 2^scale overflows past 2^1023: divide in two steps (each exact).
  return scale > 1000 ? whole / 2 ** 1000 / 2 ** (scale - 1000) : whole / 2 ** scale;
}
