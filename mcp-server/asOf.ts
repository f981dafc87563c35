import { DATE_WINDOW } from "./limits.js";

/** Thrown for an as-of date that cannot be read. */
export class AsOfError extends Error {}

const { first: EARLIEST_DAY, last: LATEST_DAY } = DATE_WINDOW;

/**
 * The moment "as of" a date means: the end of that UTC day, so everything that happened on the
 * day counts. Without a date, the end of today.
 */
export function resolveAsOf(text?: string | null, now: Date = new Date()): Date {
  if (text === undefined || text === null || text.trim() === "") {
    return new Date(Date.UTC(now.getUTCFullYear(), now.getUTCMonth(), now.getUTCDate(), 23, 59, 59));
  }
  const match = /^(\d{4})-(\d{2})-(\d{2})$/.exec(text.trim());
  if (!match) throw new AsOfError(`as-of date "${text}" must be written YYYY-MM-DD, e.g. 2026-11-23`);
  const [year, month, day] = [Number(match[1]), Number(match[2]), Number(match[3])];
  // setUTCFullYear, not Date.UTC: Date.UTC reads years 0-99 as 1900-1999.
  const date = new Date(Date.UTC(2000, 0, 1, 23, 59, 59));
  date.setUTCFullYear(year, month - 1, day);
  if (date.getUTCFullYear() !== year || date.getUTCMonth() !== month - 1 || date.getUTCDate() !== day)
    throw new AsOfError(`as-of date "${text}" is not a real date`);
  const iso = text.trim();
  if (iso < EARLIEST_DAY || iso > LATEST_DAY)
    throw new AsOfError(
      `as-of date "${text}" is outside ${EARLIEST_DAY} to ${LATEST_DAY}; give a date in that range`,
    );
  return date;
}

/** The YYYY-MM-DD day of an as-of moment. */
export function asOfDay(asOf: Date): string {
  return asOf.toISOString().slice(0, 10);
}
