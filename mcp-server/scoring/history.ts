import { dailyHistory } from "../../core/activity.js";
import { sentimentOf } from "../../core/feedback.js";
import { DATE_WINDOW } from "../limits.js";
import { SANE_MAGNITUDE } from "../store/rows.js";

/** One customer's rows in memory: how tests and small in-memory books describe a customer. */
export interface CustomerRecord {
  id: number;
  transactions: { timestamp: Date; amount: number; margin: number | null }[];
  feedback: {
    timestamp: Date;
    source: string;
    score: number | null;
    text: string;
    language: "en" | "zh" | null;
    status: string;
  }[];
  /** Times of the customer's interactions (calls, emails, ...). */
  interactions: Date[];
}

/**
 * One customer's history as scoring reads it: transactions summed per day (not one object per
 * transaction), feedback and interaction days. The store hands them out a chunk of customers at a
 * time (`storeHistory.ts`), so memory follows the chunk, not the book.
 */
/**
 * A list of numbers: a typed array or a plain one. Plain arrays cost a store read far less to make
 * (a typed array is about a microsecond each, and a book has several per customer).
 */
export type NumberList = ArrayLike<number> & Iterable<number>;

export interface CustomerHistory {
  id: number;
  /** Daily totals up to the pass's cutoff, days ascending (UTC day numbers). */
  days: NumberList;
  gross: NumberList;
  net: NumberList;
  orders: NumberList;
  /** Exact times (ms) of the first and last purchase up to the cutoff; NaN without one. */
  firstPurchaseMs: number;
  lastPurchaseMs: number;
  /** Recorded margin over the amount it applies to, for the customer's margin rate. */
  marginSum: number;
  marginBase: number;
  feedback: FeedbackFact[];
  /** Days of the customer's interactions, ascending. */
  interactionDays: NumberList;
  /** Exact time (ms) of the last interaction up to the cutoff; NaN without one. */
  lastInteractionMs: number;
  /** Why the history cannot be scored (a stored value no import accepts), or null. */
  problem: string | null;
  /**
   * Service tickets open at the cutoff that no open complaint row stands for (those count as
   * feedback already); absent when there are none. Counted by SQL, one row per customer.
   */
  openTickets?: OpenTicketsFact;
}

/** How many tickets were open at the cutoff, and the days the oldest and newest were opened. */
export interface OpenTicketsFact {
  count: number;
  oldestDay: number;
  newestDay: number;
}

/** What scoring needs of one feedback item. */
export interface FeedbackFact {
  day: number;
  source: string;
  score: number | null;
  hasText: boolean;
  negative: boolean;
  open: boolean;
}

const DAY_MS = 86_400_000;
const FIRST_DAY = Date.parse(`${DATE_WINDOW.first}T00:00:00Z`) / DAY_MS;
const LAST_DAY = Date.parse(`${DATE_WINDOW.last}T00:00:00Z`) / DAY_MS;
const dayCache = new Map<string, number>();

/**
 * The UTC day number of a stored timestamp's date part ("2026-06-30..." → 20634), or NaN when it
 * is not a date in the product's window (a store edited by hand may hold anything).
 */
export function dayNumber(timestamp: string): number {
  const date = timestamp.slice(0, 10);
  let day = dayCache.get(date);
  if (day === undefined) {
    const match = /^(\d{4})-(\d{2})-(\d{2})$/.exec(date);
    day = NaN;
    if (match) {
      const ms = Date.UTC(2000, 0, 1);
      const parsed = new Date(ms);
      parsed.setUTCFullYear(Number(match[1]), Number(match[2]) - 1, Number(match[3]));
      const value = parsed.getTime() / DAY_MS;
      if (parsed.toISOString().slice(0, 10) === date && value >= FIRST_DAY && value <= LAST_DAY) day = value;
    }
    if (dayCache.size < 200_000) dayCache.set(date, day);
  }
  return day;
}

/** Whether a feedback text reads negative; a text the analyser cannot read counts as neutral. */
export function readsNegative(text: string, language: "en" | "zh" | null): boolean {
  if (text.trim() === "") return false;
  try {
    return sentimentOf(text, language ?? undefined).label === "negative";
  } catch {
    return false;
  }
}

/** The history of an in-memory record up to `cutoff` (tests and small tools build records). */
export function historyFromRecord(record: CustomerRecord, cutoff: Date): CustomerHistory {
  const cutoffMs = cutoff.getTime();
  let problem: string | null = null;
  for (const row of record.transactions) {
    if (Number.isNaN(row.timestamp.getTime()))
      problem ??= "one of its transactions has no valid date; fix or delete that row";
    else if (!(Math.abs(row.amount) <= SANE_MAGNITUDE)) {
      problem ??= `its transaction of ${row.timestamp.toISOString().slice(0, 10)} has an amount that is not a real amount (${Number.isFinite(row.amount) ? row.amount : "not a finite number"}); fix or delete that row`;
    }
  }
  if (record.feedback.some((item) => Number.isNaN(item.timestamp.getTime())))
    problem ??= "one of its feedback items has no valid date; fix or delete that row";
  if (record.interactions.some((time) => Number.isNaN(time.getTime())))
    problem ??= "one of its interactions has no valid date; fix or delete that row";
  const usable = problem ? [] : record.transactions;
  const daily = dailyHistory(usable, cutoffMs);
  let first = Infinity;
  let last = -Infinity;
  let marginSum = 0;
  let marginBase = 0;
  for (const row of usable) {
    const time = row.timestamp.getTime();
    if (time > cutoffMs || !(row.amount > 0)) continue;
    first = Math.min(first, time);
    last = Math.max(last, time);
    if (row.margin !== null) {
      marginSum += row.margin;
      marginBase += row.amount;
    }
  }
  return {
    id: record.id,
    days: Int32Array.from(daily.days),
    gross: Float64Array.from(daily.gross),
    net: Float64Array.from(daily.net),
    orders: Int32Array.from(daily.orders),
    firstPurchaseMs: Number.isFinite(first) ? first : NaN,
    lastPurchaseMs: Number.isFinite(last) ? last : NaN,
    marginSum,
    marginBase,
    feedback: record.feedback
      .filter((item) => item.timestamp.getTime() <= cutoffMs)
      .sort((a, b) => a.timestamp.getTime() - b.timestamp.getTime())
      .map((item) => ({
        day: Math.floor(item.timestamp.getTime() / DAY_MS),
        source: item.source,
        score: item.score,
        hasText: item.text.trim() !== "",
        negative: readsNegative(item.text, item.language),
        open: item.status === "open",
      })),
    interactionDays: Int32Array.from(
      record.interactions
        .filter((time) => time.getTime() <= cutoffMs)
        .map((time) => Math.floor(time.getTime() / DAY_MS))
        .sort((a, b) => a - b),
    ),
    lastInteractionMs: record.interactions.reduce(
      (last, time) => (time.getTime() <= cutoffMs && !(time.getTime() <= last) ? time.getTime() : last),
      NaN,
    ),
    problem,
  };
}
