import { DATE_WINDOW, MAX_ZONE_OFFSET_MINUTES, formatLimit, inDateWindow } from "../limits.js";
import { storedTime } from "../store/timestamps.js";

/**
 * Parsers for the values found in customer exports. Each returns the parsed value or throws a
 * `ValueError` whose message says what was expected, so the importer can report it with the
 * file, line and column.
 */

export class ValueError extends Error {}

/** How day-month-year dates are written. `auto` takes ISO and YYYYMMDD, and US order for slashes. */
export type DateFormat = "auto" | "iso" | "ymd" | "mdy" | "dmy";

export const DATE_FORMATS: readonly DateFormat[] = ["auto", "iso", "ymd", "mdy", "dmy"];

/** Per-file state for `auto`: the slash order is fixed by the first date that shows it. */
export interface DateContext {
  format: DateFormat;
  slashOrder?: "mdy" | "dmy";
}

const ISO =
  /^(\d{4})-(\d{1,2})-(\d{1,2})(?:[T ](\d{1,2}):(\d{2})(?::(\d{2})(?:\.\d+)?)?)?\s*(Z|[+-]\d{2}:?\d{2})?$/i;
const COMPACT = /^(\d{4})(\d{2})(\d{2})$/;
const SEPARATED = /^(\d{1,2})[/.-](\d{1,2})[/.-](\d{4})(?:[ T](\d{1,2}):(\d{2})(?::(\d{2}))?\s*(AM|PM)?)?$/i;

function isoText(
  year: number,
  month: number,
  day: number,
  hour = 0,
  minute = 0,
  second = 0,
  offsetMinutes = 0,
): string {
  // Checked before Date.UTC, which reads years 0-99 as 1900-1999 (0001 would become 1901). A
  // year either side of the window may still land inside it once its zone is applied.
  if (year < firstYear - 1 || year > lastYear + 1)
    throw new ValueError(outsideWindow(`year ${String(year).padStart(4, "0")}`));
  if (month < 1 || month > 12) throw new ValueError(`month ${month} is not between 1 and 12`);
  if (day < 1 || day > daysInMonth(year, month))
    throw new ValueError(`day ${day} does not exist in ${year}-${String(month).padStart(2, "0")}`);
  if (hour > 23 || minute > 59 || second > 59)
    throw new ValueError(`time ${hour}:${minute}:${second} is not a valid time of day`);
  const ms = Date.UTC(year, month - 1, day, hour, minute, second) - offsetMinutes * 60_000;
  if (!inDateWindow(ms)) {
    const what = offsetMinutes === 0 ? storedTime(ms) : `in UTC this is ${storedTime(ms)}, which`;
    throw new ValueError(outsideWindow(what));
  }
  // In UTC the checked parts are the stored text (what `storedTime` would make of `ms`, without
  // a Date per row: imports read millions of dates).
  if (offsetMinutes === 0)
    return `${year}-${two(month)}-${two(day)}T${two(hour)}:${two(minute)}:${two(second)}Z`;
  return storedTime(ms);
}

const MONTH_DAYS = [31, 28, 31, 30, 31, 30, 31, 31, 30, 31, 30, 31];

/** Days in `month` (1-12) of the Gregorian `year`. */
function daysInMonth(year: number, month: number): number {
  const leap = year % 4 === 0 && (year % 100 !== 0 || year % 400 === 0);
  return month === 2 && leap ? 29 : MONTH_DAYS[month - 1];
}

function two(value: number): string {
  return value < 10 ? `0${value}` : String(value);
}

const firstYear = Number(DATE_WINDOW.first.slice(0, 4));
const lastYear = Number(DATE_WINDOW.last.slice(0, 4));

function outsideWindow(what: string): string {
  return `${what} is outside the dates the store keeps (${DATE_WINDOW.first} to ${DATE_WINDOW.last}); fix the date or remove the row`;
}

/** Minutes east of UTC for a zone written Z, +08:00 or -0530; refuses offsets no real zone has. */
function zoneOffset(zone: string): number {
  if (zone.toUpperCase() === "Z") return 0;
  const sign = zone.startsWith("-") ? -1 : 1;
  const digits = zone.slice(1).replace(":", "");
  const hours = Number(digits.slice(0, 2));
  const minutes = Number(digits.slice(2));
  const total = hours * 60 + minutes;
  if (minutes > 59 || total > MAX_ZONE_OFFSET_MINUTES) {
    const limit = `${String(MAX_ZONE_OFFSET_MINUTES / 60).padStart(2, "0")}:00`;
    throw new ValueError(
      `time zone ${zone} is not a real offset: zones run from -${limit} to +${limit} with minutes below 60; fix the zone or write the time in UTC with Z`,
    );
  }
  return sign * total;
}

/**
 * Parses a date or date-time into ISO 8601 UTC text. Values without a zone are taken as UTC.
 */
export function parseDate(raw: string, context: DateContext): string {
  const text = raw.trim();
  if (text === "") throw new ValueError("a date is required here");
  const format = context.format;

  if (format === "auto" || format === "iso") {
    const iso = ISO.exec(text);
    if (iso) {
      const [, y, mo, d, h, mi, s, zone] = iso;
      const offset = zone ? zoneOffset(zone) : 0;
      return isoText(+y, +mo, +d, h ? +h : 0, mi ? +mi : 0, s ? +s : 0, offset);
    }
    if (format === "iso")
      throw new ValueError("expected an ISO date such as 2024-03-31 or 2024-03-31T14:05:00Z");
  }
  if (format === "auto" || format === "ymd") {
    const compact = COMPACT.exec(text);
    if (compact) return isoText(+compact[1], +compact[2], +compact[3]);
    if (format === "ymd") throw new ValueError("expected a date written YYYYMMDD such as 20240331");
  }
  const separated = SEPARATED.exec(text);
  if (!separated) {
    throw new ValueError(
      format === "auto"
        ? "not a date this importer reads: use 2024-03-31, 20240331, 3/31/2024 (US) or 31/3/2024 with --date-format dmy"
        : `expected a date written ${format === "mdy" ? "month/day/year such as 3/31/2024" : "day/month/year such as 31/3/2024"}`,
    );
  }
  const [, first, second, year, h, mi, s, meridiem] = separated;
  let order: "mdy" | "dmy";
  if (format === "mdy" || format === "dmy") {
    order = format;
  } else {
    if (!context.slashOrder) context.slashOrder = +first > 12 ? "dmy" : "mdy";
    order = context.slashOrder;
    if (order === "mdy" && +first > 12) {
      throw new ValueError(
        "this is day/month/year but earlier dates in the file were read as month/day/year; pass --date-format dmy (or mdy) to say which",
      );
    }
    if (order === "dmy" && +second > 12) {
      throw new ValueError(
        "this is month/day/year but earlier dates in the file were read as day/month/year; pass --date-format mdy (or dmy) to say which",
      );
    }
  }
  const month = order === "mdy" ? +first : +second;
  const day = order === "mdy" ? +second : +first;
  let hour = h ? +h : 0;
  if (meridiem) {
    if (hour < 1 || hour > 12) throw new ValueError(`hour ${hour} is not valid with ${meridiem}`);
    hour = (hour % 12) + (meridiem.toUpperCase() === "PM" ? 12 : 0);
  }
  return isoText(+year, month, day, hour, mi ? +mi : 0, s ? +s : 0);
}

/**
 * Parses a number as exports write it: currency signs, thousands separators, accounting
 * parentheses for negatives, a decimal comma when there is no dot.
 */
export function parseNumber(raw: string): number {
  const value = readNumber(raw);
  if (!Number.isFinite(value))
    throw new ValueError("too large to be a number; fix the value or remove the row");
  return value;
}

/** A number written plainly ("12", "-3.50"), which every rule below reads as `Number` does. */
const PLAIN_NUMBER = /^-?\d+(\.\d+)?$/;

/** The number `raw` writes, which may overflow to ±Infinity. */
function readNumber(raw: string): number {
  // `+ 0` turns -0 into 0, so "-0" and "0" store the same value.
  if (PLAIN_NUMBER.test(raw)) return Number(raw) + 0;
  let text = raw
    .trim()
    .replace(/[$£€¥￥\s]/g, "")
    .replace(/^(USD|EUR|GBP|CNY|RMB)/i, "");
  if (text === "") throw new ValueError("a number is required here");
  let sign = 1;
  if (/^\(.*\)$/.test(text)) {
    sign = -1;
    text = text.slice(1, -1);
  }
  if (/^[-+]?\d{1,3}(,\d{3})+(\.\d+)?$/.test(text)) text = text.replace(/,/g, "");
  else if (/^[-+]?\d+,\d+$/.test(text)) text = text.replace(",", ".");
  if (!/^[-+]?(\d+\.?\d*|\.\d+)(e[-+]?\d+)?$/i.test(text))
    throw new ValueError("not a number; write it like 1234.50 or -12");
  // `+ 0` turns -0 into 0, so "-0" and "0" store the same value.
  return sign * Number(text) + 0;
}

/** What a number may be, and the words that name it in messages ("amounts"). */
export interface NumberRange {
  min: number;
  max: number;
  what: string;
}

/** Parses a number and refuses one outside `range`, quoting the range in the message. */
export function parseNumberIn(raw: string, range: NumberRange): number {
  return checkRange(readNumber(raw), range);
}

/** Returns `value` when it is finite and inside `range`, else throws a message quoting the range. */
export function checkRange(value: number, range: NumberRange): number {
  if (!Number.isFinite(value) || value < range.min || value > range.max) {
    throw new ValueError(
      `out of range: ${range.what} must be between ${formatLimit(range.min)} and ${formatLimit(range.max)}; fix the value or remove the row`,
    );
  }
  return value;
}

const TRUE_WORDS = new Set(["1", "true", "yes", "y", "t", "x", "是", "真"]);
const FALSE_WORDS = new Set(["", "0", "false", "no", "n", "f", "否", "假"]);

export function parseBoolean(raw: string): boolean {
  const text = raw.trim().toLowerCase();
  if (TRUE_WORDS.has(text)) return true;
  if (FALSE_WORDS.has(text)) return false;
  throw new ValueError("expected yes/no, true/false or 1/0");
}

/** Maps language names and locale tags to the two languages the product writes. */
export function parseLanguage(raw: string): "en" | "zh" {
  const text = raw.trim().toLowerCase();
  if (/^(zh|cn|chinese|mandarin|中文|汉语|漢語|简体中文|繁體中文)([-_].*)?$/.test(text)) return "zh";
  if (/^(en|english|英文|英语)([-_].*)?$/.test(text)) return "en";
  throw new ValueError('expected a language: "en" (English) or "zh" (Chinese)');
}

/**
 * Picks one of the allowed words, accepting common synonyms. The synonyms are a Map, not an
 * object: a plain object answers "constructor" or "__proto__" from its prototype, which once
 * turned such a channel into a function and the row into a silently skipped "duplicate".
 */
export function parseChoice<T extends string>(
  raw: string,
  allowed: readonly T[],
  synonyms: ReadonlyMap<string, T> = new Map(),
): T {
  const text = raw.trim().toLowerCase();
  const found = allowed.find((choice) => choice === text) ?? synonyms.get(text);
  if (found === undefined) throw new ValueError(`expected one of: ${allowed.join(", ")}`);
  return found;
}

/** Splits a tag list written with commas, semicolons or pipes. */
export function parseTags(raw: string): string[] {
  return [
    ...new Set(
      raw
        .split(/[,;|，；]/)
        .map((tag) => tag.trim())
        .filter(Boolean),
    ),
  ];
}
