/**
 * A new day's scoring without reading every history again. Most of what scoring reads from a
 * customer's history (purchase days and spend, the trend windows, feedback and tickets) reads the
 * same on the next day: only the counts that move with the as-of date (tenure, days since the last
 * purchase) change, until a purchase day leaves a trend window or the year. Each stored score
 * keeps the first day that can happen (`inputs_until`, see `activityHoldsUntil`), so a set on the
 * same data can hand those figures to a later day's set: the customer is then scored from them,
 * with the same fits and the same code as from the history, and the result is the same (tested
 * against a set scored from the histories). The rest (a window moved, a problem, an event dated
 * between the two days) are read as before.
 */
import type { HistorySource } from "./scoreCustomers.js";
import type { CustomerHistory } from "./history.js";
import { HISTORY_CHUNK, customerIdRange, historiesBetween } from "./storeHistory.js";
import { MODEL_VERSION } from "./settings.js";
import { dayOf } from "./customerState.js";
import { exactRealJson, fromExactParts } from "../store/exactReals.js";
import type { Store } from "../store/store.js";
import { storedTime } from "../store/timestamps.js";
import { scoresTable } from "../store/setTables.js";

/**
 * The stored figures a later day's scoring carries over, in this order, and how each travels: a
 * chunk of customers comes as one JSON text of one array per customer (a row object per customer
 * costs the JavaScript thread about as much as reading the history again), whole numbers as they
 * are, reals in their exact form (two numbers, `exactReals.ts`), times as seconds since 1970.
 */
const CARRIED_FIELDS = {
  customer_id: "whole",
  orders: "whole",
  revenue: "real",
  first_purchase: "time",
  last_purchase: "time",
  typical_gap_days: "real",
  x: "whole",
  tx: "real",
  monetary: "real",
  margin_rate: "real",
  latest_nps: "real",
  open_complaints: "whole",
  last_interaction: "time",
  purchase_days: "whole",
  purchase_rate_trend: "real",
  won_back: "whole",
  average_spend: "real",
  spend_trend: "real",
  feedback_count: "whole",
  negative_feedback_count: "whole",
  trailing_year: "real",
  inputs_until: "whole",
} as const;

type CarriedField = keyof typeof CARRIED_FIELDS;

/** One customer's carried figures as JSON gives them (see `CARRIED_FIELDS`; `carried` reads one). */
export type CarriedRow = readonly (number | null)[];

/** Where each field starts in a `CarriedRow` (a real takes two places). */
const SLOT = {} as Record<CarriedField, number>;
{
  let slot = 0;
  for (const [name, kind] of Object.entries(CARRIED_FIELDS)) {
    SLOT[name as CarriedField] = slot;
    slot += kind === "real" ? 2 : 1;
  }
}

/** Field `name` of a carried row: a number, NaN for NULL; a time in milliseconds. */
export function carried(row: CarriedRow, name: CarriedField): number {
  const at = SLOT[name];
  const kind = CARRIED_FIELDS[name];
  if (kind === "real") return fromExactParts(row[at], row[at + 1]);
  const value = row[at];
  if (value === null) return NaN;
  return kind === "time" ? value * 1000 : value;
}

export function isCarried(item: CustomerHistory | CarriedRow): item is CarriedRow {
  return Array.isArray(item);
}

const CARRIED_JSON = Object.entries(CARRIED_FIELDS)
  .map(([name, kind]) =>
    kind === "real"
      ? `(${exactRealJson(name)})`
      : kind === "time"
        ? `coalesce(unixepoch(${name}), 'null')`
        : `coalesce(${name}, 'null')`,
  )
  .join(" || ',' || ");

/** The set a scoring as of `asOf` on data version `dataVersion` can carry figures from. */
export interface CarrySource {
  setId: number;
  asOf: string;
}

/**
 * The newest set before `asOf` on the same data and model version, or null. Any horizon will do:
 * the carried figures come from the history alone. A set stored before its rows kept
 * `inputs_until` carries nothing (every row reads NULL), and each customer is read as before.
 */
export async function carrySourceFor(
  store: Store,
  asOf: Date,
  dataVersion: number,
): Promise<CarrySource | null> {
  const row = await store.db.get<{ id: number; as_of: string }>(
    `SELECT id, as_of FROM score_sets WHERE data_version = ? AND model_version = ? AND as_of < ?
     ORDER BY as_of DESC, id DESC LIMIT 1`,
    [dataVersion, MODEL_VERSION, storedTime(asOf)],
  );
  return row ? { setId: row.id, asOf: row.as_of } : null;
}

/**
 * Customers with anything dated after `from` up to `to`: their history as of `to` holds more than
 * it did as of `from` (a purchase, feedback, a contact, a ticket opened or resolved), even though
 * the data did not change in between (rows dated ahead of the earlier as-of date).
 */
async function customersWithEventsBetween(store: Store, from: string, to: string): Promise<Set<number>> {
  const rows = await store.db.all<{ c: number }>(
    `SELECT customer_id AS c FROM transactions WHERE occurred_at > ?1 AND occurred_at <= ?2
     UNION SELECT customer_id FROM feedback WHERE occurred_at > ?1 AND occurred_at <= ?2
     UNION SELECT customer_id FROM interactions WHERE occurred_at > ?1 AND occurred_at <= ?2
     UNION SELECT customer_id FROM tickets WHERE opened_at > ?1 AND opened_at <= ?2
     UNION SELECT customer_id FROM tickets WHERE resolved_at > ?1 AND resolved_at <= ?2`,
    [from, to],
  );
  return new Set(rows.map((row) => row.c));
}

/**
 * The book as of `cutoff`, a chunk of store ids at a time, in id order: each customer's figures
 * from set `from` when they hold as of `cutoff`, else the history (`historiesBetween`).
 */
async function* carriedChunks(
  store: Store,
  cutoff: Date,
  from: CarrySource,
  chunk: number,
): AsyncGenerator<(CustomerHistory | CarriedRow)[]> {
  const bounds = await customerIdRange(store);
  if (!bounds) return;
  const moved = await customersWithEventsBetween(store, from.asOf, storedTime(cutoff));
  const day = dayOf(cutoff);
  for (let low = bounds.low; low <= bounds.high; low += chunk) {
    const high = low + chunk - 1;
    const [ids, packed] = await Promise.all([
      store.db.all<{ id: number }>("SELECT id FROM customers WHERE id BETWEEN ? AND ? ORDER BY id", [
        low,
        high,
      ]),
      store.db.get<{ rows: string | null }>(
        `SELECT '[' || group_concat('[' || ${CARRIED_JSON} || ']', ',' ORDER BY customer_id) || ']' AS rows
         FROM ${scoresTable(from.setId)} WHERE customer_id BETWEEN ? AND ? AND inputs_until > ?`,
        [low, high, day],
      ),
    ]);
    const carriedRows: CarriedRow[] = [];
    const kept = new Set<number>();
    for (const row of packed?.rows ? (JSON.parse(packed.rows) as CarriedRow[]) : []) {
      const id = row[SLOT.customer_id]!;
      if (moved.has(id)) continue;
      carriedRows.push(row);
      kept.add(id);
    }
    const reread = ids.filter(({ id }) => !kept.has(id)).map(({ id }) => id);
    const histories = await historiesBetween(store, low, high, cutoff, true, reread);
    // Both lists are in id order: merge them.
    const out: (CustomerHistory | CarriedRow)[] = [];
    let h = 0;
    for (const row of carriedRows) {
      const id = row[SLOT.customer_id]!;
      while (h < histories.length && histories[h].id < id) out.push(histories[h++]);
      out.push(row);
    }
    while (h < histories.length) out.push(histories[h++]);
    if (out.length > 0) yield out;
  }
}

/** `base` (the store's book as of `cutoff`) with figures carried from `from` where they hold. */
export function carriedSource(
  store: Store,
  base: HistorySource,
  cutoff: Date,
  from: CarrySource,
  chunk = HISTORY_CHUNK,
): HistorySource {
  return {
    ...base,
    carriedFrom: from.asOf.slice(0, 10),
    chunks: () => carriedChunks(store, cutoff, from, chunk),
  };
}
