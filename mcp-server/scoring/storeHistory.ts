import type { Store } from "../store/store.js";
import { SANE_MAGNITUDE } from "../store/rows.js";
import { openTicketCounts } from "../store/ticketQueries.js";
import { storedTime } from "../store/timestamps.js";
import { dayNumber, readsNegative, type CustomerHistory, type FeedbackFact } from "./history.js";
import type { OpenTicketsFact } from "./history.js";
import type { HistorySource } from "./scoreCustomers.js";

/**
 * Customers read per chunk: enough for SQLite to stream, few enough to keep memory flat. The
 * driver turns a chunk's rows into objects on the main thread in one go, which at 20,000 a chunk
 * held the event loop for 300-450 ms; at 5,000 it is about 100 ms, and scoring is no slower.
 */
export const HISTORY_CHUNK = 5_000;

/**
 * One customer's purchase days, each list in day order and comma-separated. SQLite writes a real
 * as the shortest text that reads back as the same double (checked in storeHistory.test.ts), so
 * the sums arrive exactly; one row per customer instead of one per purchase day spares the
 * JavaScript thread building an object per day (2.2 s of a 2.8 s read at 100k customers).
 */
interface PurchaseDaysRow {
  c: number;
  /** Days (YYYY-MM-DD, commas replaced so a hostile date cannot split the list). */
  days: string;
  /** Positive amounts per day. */
  gross: string;
  /** All amounts per day, refunds included. */
  net: string;
  /** Purchases (positive amounts) per day. */
  orders: string;
  /** Margins of positive amounts per day. */
  m: string;
  /** Positive amounts carrying a margin, per day. */
  mb: string;
  first_at: string | null;
  last_at: string | null;
  /** The first day holding an amount or margin beyond the sane magnitude. */
  bad_day: string | null;
}

interface ContactsRow {
  c: number;
  /** Interaction timestamps in time order, comma-separated. */
  at: string;
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
 * Every customer's history up to `cutoff`, a chunk of customers (by store id) at a time. Purchases
 * come as one row per customer of per-day sums (the stored digests, rebuilt here where missing; see
 * `purchaseDays`), never one object per transaction; feedback sentiment comes from the stored
 * label (computed when the row was written), or is read once here for rows an older version wrote.
 */
export async function* historyChunks(
  store: Store,
  cutoff: Date,
  chunk = HISTORY_CHUNK,
): AsyncGenerator<CustomerHistory[]> {
  const bounds = await customerIdRange(store);
  if (!bounds) return;
  for (let low = bounds.low; low <= bounds.high; low += chunk) {
    const histories = await historiesBetween(store, low, low + chunk - 1, cutoff, true);
    if (histories.length > 0) yield histories;
  }
}

/** The smallest and largest customer store ids, or null for an empty book: what chunks walk. */
export async function customerIdRange(store: Store): Promise<{ low: number; high: number } | null> {
  const bounds = await store.db.get<{ low: number | null; high: number | null }>(
    "SELECT MIN(id) AS low, MAX(id) AS high FROM customers",
  );
  return bounds?.low == null || bounds.high == null ? null : { low: bounds.low, high: bounds.high };
}

/** The histories up to `cutoff` of the customers with store ids in [low, high], by id. */
export async function historiesBetween(
  store: Store,
  low: number,
  high: number,
  cutoff: Date,
  /**
   * Whether to store the purchase digests missing in the range: a whole-book pass does, so the
   * next one reads them; a read of one customer (a profile, a carried score) leaves the store as
   * it is and sums that customer's few transactions instead.
   */
  keepDigests = false,
  /** Only these store ids of the range (ascending), when given: the rest are carried over. */
  only?: readonly number[],
): Promise<CustomerHistory[]> {
  const end = storedTime(cutoff);
  if (only && only.length === 0) return [];
  const among = only ? idsAmong(only) : NO_FILTER;
  const ids = await store.db.all<{ id: number }>(
    `SELECT id FROM customers WHERE id BETWEEN ? AND ?${among.sql("id")} ORDER BY id`,
    [low, high, ...among.params],
  );
  if (ids.length === 0) return [];
  const [purchases, feedback, contacts, tickets] = await Promise.all([
    purchaseDays(store, low, high, ids.length, end, keepDigests, among),
    store.db.all<FeedbackRow>(
      `SELECT customer_id AS c, occurred_at AS at, source, score, trim(text) <> '' AS has_text,
              sentiment_label AS label, CASE WHEN sentiment_label IS NULL THEN text END AS text,
              language, status
       FROM feedback WHERE customer_id BETWEEN ? AND ?${among.sql("customer_id")} AND occurred_at <= ?
       ORDER BY customer_id, occurred_at`,
      [low, high, ...among.params, end],
    ),
    store.db.all<ContactsRow>(
      `SELECT customer_id AS c, group_concat(replace(occurred_at, ',', ';'), ',' ORDER BY occurred_at) AS at
       FROM interactions WHERE customer_id BETWEEN ? AND ?${among.sql("customer_id")} AND occurred_at <= ?
       GROUP BY customer_id ORDER BY customer_id`,
      [low, high, ...among.params, end],
    ),
    // Counted for the whole range: `withOpenTickets` passes over customers it was not asked for.
    openTicketCounts(store, low, high, cutoff),
  ]);
  return withOpenTickets(assemble(ids, purchases, feedback, contacts), tickets);
}

/**
 * The per-day purchase sums of the customers in [low, high] up to `end`, one row per customer with
 * purchases. Read from the stored digests when every customer in the range has one that ends at or
 * before `end` (missing ones are rebuilt first when `keepDigests`); otherwise, as for a cutoff in
 * the past or a store opened read-only, summed from the transactions by the same query.
 */
async function purchaseDays(
  store: Store,
  low: number,
  high: number,
  customers: number,
  end: string,
  keepDigests: boolean,
  among: IdFilter,
): Promise<PurchaseDaysRow[]> {
  let digests = await readDigests(store, low, high, among);
  if (digests.length < customers && keepDigests) {
    try {
      await store.db.run(
        `INSERT OR IGNORE INTO purchase_digests
           (customer_id, through, days, gross, net, orders, m, mb, first_at, last_at, bad_day)
         SELECT customers.id, summed.through, summed.days, summed.gross, summed.net, summed.orders,
                summed.m, summed.mb, summed.first_at, summed.last_at, summed.bad_day
         FROM customers LEFT JOIN (${purchaseDaysSql(
           "customer_id BETWEEN ? AND ? AND customer_id NOT IN (SELECT customer_id FROM purchase_digests WHERE customer_id BETWEEN ? AND ?)",
         )}) AS summed ON summed.c = customers.id
         WHERE customers.id BETWEEN ? AND ?
           AND customers.id NOT IN (SELECT customer_id FROM purchase_digests WHERE customer_id BETWEEN ? AND ?)`,
        [low, high, low, high, low, high, low, high],
      );
      digests = await readDigests(store, low, high, among);
    } catch {
      // A store opened read-only cannot keep digests; the transactions still answer.
    }
  }
  // A customer written to since the read (digest gone) or with purchases after the cutoff: sum.
  if (digests.length === customers && digests.every((row) => row.through === null || row.through <= end))
    return digests.filter((row) => row.days !== null);
  return store.db.all<PurchaseDaysRow>(
    purchaseDaysSql(`customer_id BETWEEN ? AND ?${among.sql("customer_id")} AND occurred_at <= ?`),
    [low, high, ...among.params, end],
  );
}

function readDigests(
  store: Store,
  low: number,
  high: number,
  among: IdFilter,
): Promise<(PurchaseDaysRow & { through: string | null })[]> {
  return store.db.all(
    `SELECT customer_id AS c, through, days, gross, net, orders, m, mb, first_at, last_at, bad_day
     FROM purchase_digests WHERE customer_id BETWEEN ? AND ?${among.sql("customer_id")} ORDER BY customer_id`,
    [low, high, ...among.params],
  );
}

/** A condition keeping some store ids of a range (SQL after the range's, and its parameters). */
interface IdFilter {
  sql(column: string): string;
  params: string[];
}

const NO_FILTER: IdFilter = { sql: () => "", params: [] };

function idsAmong(ids: readonly number[]): IdFilter {
  return {
    sql: (column) => ` AND ${column} IN (SELECT value FROM json_each(?))`,
    params: [JSON.stringify(ids)],
  };
}

/**
 * Each customer's purchase days among the transactions matching `where`, one row per customer.
 * SQLite sums per customer and day in the same pass that reads the rows, so JavaScript sees one
 * row per customer, never an object per transaction.
 */
function purchaseDaysSql(where: string): string {
  return `SELECT c, group_concat(d, ',' ORDER BY d) AS days, group_concat(g, ',' ORDER BY d) AS gross,
              group_concat(n, ',' ORDER BY d) AS net, group_concat(o, ',' ORDER BY d) AS orders,
              group_concat(m, ',' ORDER BY d) AS m, group_concat(mb, ',' ORDER BY d) AS mb, MIN(first_at) AS first_at, MAX(last_at) AS last_at,
              MIN(CASE WHEN bad > 0 THEN d END) AS bad_day, MAX(through) AS through
       FROM (
         SELECT customer_id AS c, replace(substr(occurred_at, 1, 10), ',', ';') AS d,
                SUM(CASE WHEN amount > 0 THEN amount ELSE 0 END) AS g,
                SUM(amount) AS n,
                SUM(amount > 0) AS o,
                SUM(CASE WHEN amount > 0 AND margin IS NOT NULL THEN margin ELSE 0 END) AS m,
                SUM(CASE WHEN amount > 0 AND margin IS NOT NULL THEN amount ELSE 0 END) AS mb,
                MIN(CASE WHEN amount > 0 THEN occurred_at END) AS first_at,
                MAX(CASE WHEN amount > 0 THEN occurred_at END) AS last_at,
                MAX(occurred_at) AS through,
                SUM(NOT (amount BETWEEN -${SANE_MAGNITUDE} AND ${SANE_MAGNITUDE})
                    OR (margin IS NOT NULL AND NOT (margin BETWEEN -${SANE_MAGNITUDE} AND ${SANE_MAGNITUDE}))) AS bad
         FROM transactions WHERE ${where}
         GROUP BY customer_id, d
       ) AS daily
       GROUP BY c ORDER BY c`;
}

/**
 * Adds each customer's open service tickets (counted by SQL, one row per customer with any) to
 * their history; both lists are sorted by customer id.
 */
function withOpenTickets(
  histories: CustomerHistory[],
  counts: readonly { c: number; n: number; oldest: string; newest: string }[],
): CustomerHistory[] {
  let next = 0;
  for (const history of histories) {
    while (next < counts.length && counts[next].c < history.id) next++;
    const row = counts[next];
    if (row === undefined || row.c !== history.id) continue;
    const fact: OpenTicketsFact = {
      count: row.n,
      oldestDay: dayNumber(row.oldest),
      newestDay: dayNumber(row.newest),
    };
    // A ticket dated outside the product's window cannot be placed in time: it counts on every day.
    if (Number.isNaN(fact.oldestDay) || Number.isNaN(fact.newestDay)) {
      fact.oldestDay = -Infinity;
      fact.newestDay = -Infinity;
    }
    history.openTickets = fact;
  }
  return histories;
}

// Shared by every customer without purchases or contacts (frozen: nothing may add to them).
const NONE: readonly number[] = Object.freeze([]);

/** The comma-separated numbers of `list`. */
function numbers(list: string): number[] {
  return list.split(",").map(Number);
}

/** Groups a chunk's rows by customer (each list is sorted by customer id). */
function assemble(
  ids: readonly { id: number }[],
  purchases: readonly PurchaseDaysRow[],
  feedback: readonly FeedbackRow[],
  contactRows: readonly ContactsRow[],
): CustomerHistory[] {
  let p = 0;
  let f = 0;
  let i = 0;
  return ids.map(({ id }) => {
    let problem: string | null = null;
    let days: number[] = [];
    let gross: readonly number[] = NONE;
    let net: readonly number[] = NONE;
    let orders: readonly number[] = NONE;
    let marginSum = 0;
    let marginBase = 0;
    let first: string | null = null;
    let last: string | null = null;
    if (p < purchases.length && purchases[p].c === id) {
      const row = purchases[p++];
      const dayTexts = row.days.split(",");
      days = dayTexts.map((text) => dayNumber(text));
      const invalid = dayTexts.find((_, k) => Number.isNaN(days[k]));
      if (invalid !== undefined) {
        problem = `one of its transactions is dated "${invalid}", not a date between 1900 and 2100; fix or delete that row`;
      } else if (row.bad_day !== null) {
        problem = `its transactions of ${row.bad_day} hold an amount or margin that is not a real one (beyond ±${SANE_MAGNITUDE}); fix or delete that row`;
      } else {
        gross = numbers(row.gross);
        net = numbers(row.net);
        orders = numbers(row.orders);
        // Summed in day order here, as for a book held in memory, so both give the same double.
        for (const margin of row.m.split(",")) marginSum += Number(margin);
        for (const base of row.mb.split(",")) marginBase += Number(base);
        first = row.first_at;
        last = row.last_at;
      }
      if (problem !== null) days = [];
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
    if (i < contactRows.length && contactRows[i].c === id) {
      for (const at of contactRows[i++].at.split(",")) {
        const day = dayNumber(at);
        if (Number.isNaN(day))
          problem ??= "one of its interactions has no valid date; fix or delete that row";
        else {
          contacts.push(day);
          lastContact = at;
        }
      }
    }
    return {
      id,
      days: problem ? NONE : days,
      gross: problem ? NONE : gross,
      net: problem ? NONE : net,
      orders: problem ? NONE : orders,
      firstPurchaseMs: first === null ? NaN : Date.parse(first),
      lastPurchaseMs: last === null ? NaN : Date.parse(last),
      marginSum,
      marginBase,
      feedback: facts,
      interactionDays: contacts,
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
