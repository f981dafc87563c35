import type { SqlValue } from "./database.js";
import {
  usableTransaction,
  type CustomerRow,
  type FeedbackRow,
  type InteractionRow,
  type TransactionRow,
} from "./rows.js";
import type { Store } from "./store.js";

export interface CustomerSearch {
  /** Matched against name, company, email and external id (case-insensitive substring). */
  text?: string;
  owner?: string;
  tag?: string;
  /** Only customers whose id is in this list (e.g. a segment's members). */
  ids?: readonly number[];
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

/** Finds customers page by page, with their order count, revenue and last order. */
export async function searchCustomers(
  store: Store,
  search: CustomerSearch,
): Promise<{ rows: CustomerListing[]; total: number }> {
  const where: string[] = [];
  const params: SqlValue[] = [];
  if (search.text) {
    const pattern = likePattern(search.text.trim());
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
  const clause = where.length > 0 ? `WHERE ${where.join(" AND ")}` : "";
  const total = await store.db.get<{ count: number }>(
    `SELECT COUNT(*) AS count FROM customers c ${clause}`,
    params,
  );
  const rows = await store.db.all<CustomerListing>(
    `SELECT c.*, COUNT(t.id) AS orders, COALESCE(SUM(t.amount), 0) AS revenue, MAX(t.occurred_at) AS last_order
     FROM customers c LEFT JOIN transactions t ON t.customer_id = c.id
     ${clause}
     GROUP BY c.id ORDER BY c.id LIMIT ? OFFSET ?`,
    [...params, search.limit, search.offset],
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
