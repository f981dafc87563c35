import type { Store } from "../store/store.js";
import { SANE_MAGNITUDE } from "../store/rows.js";
import { storedTime } from "../store/timestamps.js";
import { dayNumber, readsNegative, type CustomerHistory, type FeedbackFact } from "./history.js";
import type { HistorySource } from "./scoreCustomers.js";

/** Customers read per chunk: enough for SQLite to stream, few enough to keep memory flat. */
export const HISTORY_CHUNK = 20_000;

interface DailyRow {
  c: number;
  d: string;
  g: number;
  n: number;
  o: number;
  m: number;
  mb: number;
  first_at: string | null;
  last_at: string | null;
  bad: number;
}

interface FeedbackRow {
  c: number;
  at: string;
  source: string;
  score: number | null;
  has_text: number;
  label: string | null;
  text: string | null;
  language: "en" | "zh" | null;
  status: string;
}

/**
 * Every customer's history up to `cutoff`, a chunk of customers (by store id) at a time. SQLite
 * sums transactions per customer and day in the same pass that reads them, so JavaScript sees one
 * row per purchase day, never one object per transaction; feedback sentiment comes from the stored
 * label (computed when the row was written), or is read once here for rows an older version wrote.
 */
export async function* historyChunks(
  store: Store,
  cutoff: Date,
  chunk = HISTORY_CHUNK,
): AsyncGenerator<CustomerHistory[]> {
  const bounds = await store.db.get<{ low: number | null; high: number | null }>(
    "SELECT MIN(id) AS low, MAX(id) AS high FROM customers",
  );
  if (bounds?.low == null || bounds.high == null) return;
  for (let low = bounds.low; low <= bounds.high; low += chunk) {
    const histories = await historiesBetween(store, low, low + chunk - 1, cutoff);
    if (histories.length > 0) yield histories;
  }
}

/** The histories up to `cutoff` of the customers with store ids in [low, high], by id. */
export async function historiesBetween(
  store: Store,
  low: number,
  high: number,
  cutoff: Date,
): Promise<CustomerHistory[]> {
  const end = storedTime(cutoff);
  const ids = await store.db.all<{ id: number }>(
    "SELECT id FROM customers WHERE id BETWEEN ? AND ? ORDER BY id",
    [low, high],
  );
  if (ids.length === 0) return [];
  const [daily, feedback, interactions] = await Promise.all([
    store.db.all<DailyRow>(
      `SELECT customer_id AS c, substr(occurred_at, 1, 10) AS d,
              SUM(CASE WHEN amount > 0 THEN amount ELSE 0 END) AS g,
              SUM(amount) AS n,
              SUM(amount > 0) AS o,
              SUM(CASE WHEN amount > 0 AND margin IS NOT NULL THEN margin ELSE 0 END) AS m,
              SUM(CASE WHEN amount > 0 AND margin IS NOT NULL THEN amount ELSE 0 END) AS mb,
              MIN(CASE WHEN amount > 0 THEN occurred_at END) AS first_at,
              MAX(CASE WHEN amount > 0 THEN occurred_at END) AS last_at,
              SUM(NOT (amount BETWEEN -${SANE_MAGNITUDE} AND ${SANE_MAGNITUDE})
                  OR (margin IS NOT NULL AND NOT (margin BETWEEN -${SANE_MAGNITUDE} AND ${SANE_MAGNITUDE}))) AS bad
       FROM transactions WHERE customer_id BETWEEN ? AND ? AND occurred_at <= ?
       GROUP BY customer_id, d ORDER BY customer_id, d`,
      [low, high, end],
    ),
    store.db.all<FeedbackRow>(
      `SELECT customer_id AS c, occurred_at AS at, source, score, trim(text) <> '' AS has_text,
              sentiment_label AS label, CASE WHEN sentiment_label IS NULL THEN text END AS text,
              language, status
       FROM feedback WHERE customer_id BETWEEN ? AND ? AND occurred_at <= ? ORDER BY customer_id, occurred_at`,
      [low, high, end],
    ),
    store.db.all<{ c: number; at: string }>(
      `SELECT customer_id AS c, occurred_at AS at FROM interactions
       WHERE customer_id BETWEEN ? AND ? AND occurred_at <= ? ORDER BY customer_id, occurred_at`,
      [low, high, end],
    ),
  ]);
  return assemble(ids, daily, feedback, interactions);
}

/** Groups a chunk's rows by customer (each list is sorted by customer id). */
function assemble(
  ids: readonly { id: number }[],
  daily: readonly DailyRow[],
  feedback: readonly FeedbackRow[],
  interactions: readonly { c: number; at: string }[],
): CustomerHistory[] {
  let d = 0;
  let f = 0;
  let i = 0;
  return ids.map(({ id }) => {
    let problem: string | null = null;
    const start = d;
    while (d < daily.length && daily[d].c === id) d++;
    const rows = daily.slice(start, d);
    const days: number[] = [];
    const gross: number[] = [];
    const net: number[] = [];
    const orders: number[] = [];
    let marginSum = 0;
    let marginBase = 0;
    let first: string | null = null;
    let last: string | null = null;
    for (const row of rows) {
      const day = dayNumber(row.d);
      if (Number.isNaN(day)) {
        problem ??= `one of its transactions is dated "${row.d}", not a date between 1900 and 2100; fix or delete that row`;
        continue;
      }
      if (row.bad > 0) {
        problem ??= `its transactions of ${row.d} hold an amount or margin that is not a real one (beyond ±${SANE_MAGNITUDE}); fix or delete that row`;
        continue;
      }
      days.push(day);
      gross.push(row.g);
      net.push(row.n);
      orders.push(row.o);
      marginSum += row.m;
      marginBase += row.mb;
      if (row.first_at !== null && (first === null || row.first_at < first)) first = row.first_at;
      if (row.last_at !== null && (last === null || row.last_at > last)) last = row.last_at;
    }
    const facts: FeedbackFact[] = [];
    while (f < feedback.length && feedback[f].c === id) {
      const row = feedback[f++];
      const day = dayNumber(row.at);
      if (Number.isNaN(day)) {
        problem ??= `one of its feedback items is dated "${row.at}", not a date between 1900 and 2100; fix or delete that row`;
        continue;
      }
      facts.push({
        day,
        source: row.source,
        score:
          row.score !== null && Number.isFinite(row.score) && Math.abs(row.score) <= SANE_MAGNITUDE
            ? row.score
            : null,
        hasText: row.has_text === 1,
        negative: row.label !== null ? row.label === "negative" : readsNegative(row.text ?? "", row.language),
        open: row.status === "open",
      });
    }
    const contacts: number[] = [];
    let lastContact: string | null = null;
    while (i < interactions.length && interactions[i].c === id) {
      const at = interactions[i++].at;
      const day = dayNumber(at);
      if (Number.isNaN(day)) problem ??= "one of its interactions has no valid date; fix or delete that row";
      else {
        contacts.push(day);
        lastContact = at;
      }
    }
    return {
      id,
      days: Int32Array.from(problem ? [] : days),
      gross: Float64Array.from(problem ? [] : gross),
      net: Float64Array.from(problem ? [] : net),
      orders: Int32Array.from(problem ? [] : orders),
      firstPurchaseMs: first === null ? NaN : Date.parse(first),
      lastPurchaseMs: last === null ? NaN : Date.parse(last),
      marginSum,
      marginBase,
      feedback: facts,
      interactionDays: Int32Array.from(contacts),
      lastInteractionMs: lastContact === null ? NaN : Date.parse(lastContact),
      problem,
    };
  });
}

/** The store's customers as a scoring source, cut at `cutoff` (see {@link historyChunks}). */
export async function storeSource(store: Store, cutoff: Date, chunk = HISTORY_CHUNK): Promise<HistorySource> {
  const row = await store.db.get<{ customers: number; transactions: number }>(
    "SELECT (SELECT COUNT(*) FROM customers) AS customers, (SELECT COUNT(*) FROM transactions) AS transactions",
  );
  return {
    customers: row?.customers ?? 0,
    transactions: row?.transactions ?? 0,
    chunks: () => historyChunks(store, cutoff, chunk),
  };
}
