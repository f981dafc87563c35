import type { SqlValue } from "./database.js";
import {
  usableTransaction,
  type CustomerRow,
  type FeedbackRow,
  type InteractionRow,
  type TransactionRow,
} from "./rows.js";
import { scoresTable } from "./setTables.js";
import type { Store } from "./store.js";

/**
 * SQL restricting a customer-id column to one account manager's customers (matched
 * case-insensitively), as an ` AND ...` clause with its parameter; nothing for the whole book.
 * The owner's ids become one small in-memory set that each row probes, so an aggregate over a
 * score set or a table keyed by customer never reads a customers row per scored customer.
 */
export function ownedBy(column: string, owner: string | undefined): { sql: string; params: SqlValue[] } {
  if (owner === undefined) return { sql: "", params: [] };
  return {
    sql: ` AND ${column} IN (SELECT id FROM customers WHERE owner = ? COLLATE NOCASE)`,
    params: [owner],
  };
}

export interface CustomerSearch {
  /** Matched against name, company, email and external id (case-insensitive substring). */
  text?: string;
  owner?: string;
  tag?: string;
  /** Only customers whose id is in this list (e.g. a segment's members). */
  ids?: readonly number[];
  /** Only customers with this RFM segment and/or lifecycle stage in the score set `setId`. */
  scores?: { setId: number; segment?: string; lifecycleStage?: string };
  limit: number;
  offset: number;
}

export interface CustomerListing extends CustomerRow {
  orders: number;
  revenue: number;
  last_order: string | null;
}

function likePattern(text: string): string {
  return `%${text.replace(/[\\%_]/g, (char) => `\\${char}`)}%`;
}

/** The trigram index finds substrings of at least this many characters; shorter text is scanned. */
const TRIGRAM = 3;

/** FTS5 query text for a literal substring: one phrase, its double quotes doubled. */
function phrase(text: string): string {
  return `"${text.replace(/"/g, '""')}"`;
}

/**
 * The WHERE clause of a customer search. Text of three characters or more is looked up in the
 * trigram index `customers_search` (migration 5), which finds every row holding the text as a
 * substring of a column (case folded, Chinese included) without reading the table. The index folds
 * case beyond ASCII, so its candidates are checked again with the `LIKE` that shorter text is
 * scanned with: a query matches exactly the rows it matched before the index existed.
 */
function searchClause(search: CustomerSearch): { sql: string; params: SqlValue[] } {
  const where: string[] = [];
  const params: SqlValue[] = [];
  if (search.text) {
    const text = search.text.trim();
    const pattern = likePattern(text);
    if (Array.from(text).length >= TRIGRAM) {
      where.push("c.id IN (SELECT rowid FROM customers_search WHERE customers_search MATCH ?)");
      params.push(phrase(text));
    }
    where.push(
      `(c.name LIKE ? ESCAPE '\\' OR c.company LIKE ? ESCAPE '\\' OR c.email LIKE ? ESCAPE '\\' OR c.external_id LIKE ? ESCAPE '\\')`,
    );
    params.push(pattern, pattern, pattern, pattern);
  }
  if (search.owner) {
    where.push("c.owner = ? COLLATE NOCASE");
    params.push(search.owner);
  }
  if (search.tag) {
    where.push("EXISTS (SELECT 1 FROM json_each(c.tags) WHERE json_each.value = ? COLLATE NOCASE)");
    params.push(search.tag);
  }
  if (search.ids) {
    where.push(`c.id IN (SELECT value FROM json_each(?))`);
    params.push(JSON.stringify(search.ids));
  }
  if (search.scores) {
    const { setId, segment, lifecycleStage } = search.scores;
    const scoreWhere = ["TRUE"];
    if (segment !== undefined) {
      scoreWhere.push("rfm_segment = ?");
      params.push(segment);
    }
    if (lifecycleStage !== undefined) {
      scoreWhere.push("lifecycle_stage = ?");
      params.push(lifecycleStage);
    }
    where.push(`c.id IN (SELECT customer_id FROM ${scoresTable(setId)} WHERE ${scoreWhere.join(" AND ")})`);
  }
  return { sql: where.length > 0 ? `WHERE ${where.join(" AND ")}` : "", params };
}

/**
 * Finds customers page by page in store id order, with their order count, revenue and last order.
 * Only the page's customers are joined to their transactions.
 */
export async function searchCustomers(
  store: Store,
  search: CustomerSearch,
): Promise<{ rows: CustomerListing[]; total: number }> {
  const { sql, params } = searchClause(search);
  // The page carries the number of matches (a window over the filtered customers), so a filter
  // that scans a score set (a segment of 100k customers: ~150 ms) runs once, not twice.
  const page = await store.db.all<CustomerListing & { matches: number }>(
    `SELECT c.*, COUNT(t.id) AS orders, COALESCE(SUM(t.amount), 0) AS revenue, MAX(t.occurred_at) AS last_order
     FROM (SELECT c.*, COUNT(*) OVER () AS matches FROM customers c ${sql} ORDER BY c.id LIMIT ? OFFSET ?) c
     LEFT JOIN transactions t ON t.customer_id = c.id
     GROUP BY c.id ORDER BY c.id`,
    [...params, search.limit, search.offset],
  );
  const rows = page.map(({ matches: _matches, ...row }) => row as CustomerListing);
  if (page.length > 0) return { rows, total: page[0].matches };
  // A page past the end has no row to carry the count.
  const total = await store.db.get<{ count: number }>(
    `SELECT COUNT(*) AS count FROM customers c ${sql}`,
    params,
  );
  return { rows, total: total?.count ?? 0 };
}

export interface CustomerHistory {
  transactions: TransactionRow[];
  interactions: InteractionRow[];
  feedback: FeedbackRow[];
}

/** A customer's full history up to `asOf` (ISO text), oldest first. */
export async function customerHistory(
  store: Store,
  customerId: number,
  asOf: string,
): Promise<CustomerHistory> {
  const [transactions, interactions, feedback] = await Promise.all([
    store.db.all<TransactionRow>(
      `SELECT * FROM transactions WHERE customer_id = ? AND occurred_at <= ? AND ${usableTransaction()} ORDER BY occurred_at, id`,
      [customerId, asOf],
    ),
    store.db.all<InteractionRow>(
      "SELECT * FROM interactions WHERE customer_id = ? AND occurred_at <= ? ORDER BY occurred_at, id",
      [customerId, asOf],
    ),
    store.db.all<FeedbackRow>(
      "SELECT * FROM feedback WHERE customer_id = ? AND occurred_at <= ? ORDER BY occurred_at, id",
      [customerId, asOf],
    ),
  ]);
  return { transactions, interactions, feedback };
}
