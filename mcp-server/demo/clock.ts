import type { Rng } from "../../core/random.js";
import { storedTime } from "../store/timestamps.js";

export const HOUR_MS = 3_600_000;
export const DAY_MS = 86_400_000;

/** The demo's time frame: the as-of moment and the start of its UTC day. */
export interface DemoClock {
  asOfMs: number;
  /** Midnight (UTC) at the start of the as-of day. */
  endDayMs: number;
}

/** Stored text of each day (`2026-06-30T`), so a time costs a few string joins, not a `Date`. */
const dayTexts = new Map<number, string>();

const TWO_DIGITS = Array.from({ length: 60 }, (_, value) => String(value).padStart(2, "0"));

/**
 * `storedTime(ms)` for the whole seconds the demo writes. A million customers make ten million
 * timestamps, and formatting each through `Date.toISOString` was a third of the generation time.
 */
export function isoAt(ms: number): string {
  const day = Math.floor(ms / DAY_MS);
  let dayText = dayTexts.get(day);
  if (dayText === undefined) {
    dayText = storedTime(day * DAY_MS).slice(0, 11);
    if (dayTexts.size < 100_000) dayTexts.set(day, dayText);
  }
  const second = Math.floor((ms - day * DAY_MS) / 1000);
  const hours = Math.floor(second / 3600);
  const minutes = Math.floor(second / 60) % 60;
  return `${dayText}${TWO_DIGITS[hours]}:${TWO_DIGITS[minutes]}:${TWO_DIGITS[second % 60]}Z`;
}

/** A time on the given day during business hours. */
export function businessTime(rng: Rng, dayStartMs: number): number {
  return dayStartMs + (8 * 3600 + rng.int(11 * 3600)) * 1000;
}

/** `value` with leading zeros to `width` digits, as the demo's ids and dates are written. */
export function pad(value: number, width: number): string {
  return String(value).padStart(width, "0");
}

/**
 * A seed for one of the demo's side streams (`stream` 1, 2, ...), derived from the book's seed
 * by a multiplicative hash. Rows added to the demo later draw from their own stream, so the
 * rows it wrote before (customers, orders, interactions, feedback) stay exactly as they were.
 */
export function sideSeed(seed: number, stream: number): number {
  return Math.imul((seed ^ Math.imul(stream, 0x85ebca6b)) >>> 0, 0x9e3779b1) >>> 0;
}
