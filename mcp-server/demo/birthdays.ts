import type { Rng } from "../../core/random.js";
import { DAY_MS, pad, type DemoClock } from "./clock.js";

/**
 * Who in the demo has a birthday on file, and when. Birthdays are spread over the year, except
 * that a few fall in the two weeks from the as-of day on, so a book seeded today shows birthday
 * greetings to plan whatever the day.
 */
export const DEMO_BIRTHDAYS = {
  /** Share of customers whose birthday is known. */
  share: 0.4,
  /** Share of those whose birthday falls within `soonDays` from the as-of day (that day included). */
  soonShare: 0.04,
  soonDays: 14,
  /** Age range, in years, as of the as-of day's year. */
  minAge: 20,
  maxAge: 75,
} as const;

/** A non-leap year whose days stand for the days of any year. */
const REFERENCE_YEAR_MS = Date.UTC(2001, 0, 1);

function isLeapYear(year: number): boolean {
  return (year % 4 === 0 && year % 100 !== 0) || year % 400 === 0;
}

/** One customer's birthday (YYYY-MM-DD), or null when the book does not know it. */
export function demoBirthday(rng: Rng, clock: DemoClock): string | null {
  const { share, soonShare, soonDays, minAge, maxAge } = DEMO_BIRTHDAYS;
  if (rng.uniform() >= share) return null;
  const age = minAge + rng.int(maxAge - minAge + 1);
  const day = new Date(
    rng.uniform() < soonShare
      ? clock.endDayMs + rng.int(soonDays) * DAY_MS
      : REFERENCE_YEAR_MS + rng.int(365) * DAY_MS,
  );
  const month = day.getUTCMonth() + 1;
  const date = day.getUTCDate();
  let year = new Date(clock.endDayMs).getUTCFullYear() - age;
  // A 29 February soon after the as-of day belongs to someone born in a leap year.
  while (month === 2 && date === 29 && !isLeapYear(year)) year--;
  return `${pad(year, 4)}-${pad(month, 2)}-${pad(date, 2)}`;
}
