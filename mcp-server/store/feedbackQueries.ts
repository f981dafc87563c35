/**
 * Feedback in a period and scope, answered by SQLite: counts for NPS, CSAT and the sentiment mix
 * from the sentiment each row keeps (migration 5), and bounded lists of texts for themes and
 * quotes. Only rows written before their sentiment was stored are read one by one, and only those
 * in the period asked about.
 */
import type { FeedbackLanguage, SentimentLabel } from "../../core/sentiment.js";
import { ownedBy } from "./customerQueries.js";
import type { SqlValue } from "./database.js";
import type { CustomerRow, FeedbackRow } from "./rows.js";
import { fromSet } from "./setTables.js";
import type { Store } from "./store.js";

/** Whose feedback: one customer, one account manager's customers, an RFM segment; all combine. */
export interface FeedbackScope {
  customerId?: number;
  /** Matched case-insensitively. */
  owner?: string;
  /** Customers in this RFM segment of the score set. */
  segment?: { setId: number; segment: string };
}

/** ` AND ...` clauses restricting `column` (a customer id) to the scope. */
function scopeSql(scope: FeedbackScope, column: string): { sql: string; params: SqlValue[] } {
  let sql = "";
  const params: SqlValue[] = [];
  if (scope.customerId !== undefined) {
    sql += ` AND ${column} = ?`;
    params.push(scope.customerId);
  }
  const owner = ownedBy(column, scope.owner);
  sql += owner.sql;
  params.push(...owner.params);
  if (scope.segment) {
    sql += ` AND ${column} IN (SELECT customer_id ${fromSet(scope.segment.setId)} AND rfm_segment = ?)`;
    params.push(scope.segment.segment);
  }
  return { sql, params };
}

/** Customers the scope covers. */
export async function customersInScope(store: Store, scope: FeedbackScope): Promise<number> {
  const where = scopeSql(scope, "c.id");
  const row = await store.db.get<{ count: number }>(
    `SELECT COUNT(*) AS count FROM customers c WHERE 1 = 1${where.sql}`,
    where.params,
  );
  return row?.count ?? 0;
}

/** A period as stored times: from `start` (inclusive) to `end` (exclusive). */
export interface Period {
  start: string;
  end: string;
}

/**
 * The counts of a period. Ratings are on the store's 0-10 scale: NPS answers count as promoters
 * (9-10) or detractors (0-6); other ratings, except complaints, are rescaled to 1-5 CSAT
 * (1 + 0.4 × score, satisfied at 4 or more) as `summarise_feedback` defines it. The sentiment
 * counts cover rows whose sentiment is stored; `unscoredTexts` lists the others.
 */
export interface PeriodCounts {
  responses: number;
  npsResponses: number;
  promoters: number;
  detractors: number;
  csatResponses: number;
  satisfied: number;
  positive: number;
  neutral: number;
  negative: number;
  /** Rows with a stored sentiment, and the sum of their scores. */
  scored: number;
  sentimentSum: number;
}

/** The counts of one period in one pass. */
export async function periodCounts(
  store: Store,
  scope: FeedbackScope,
  period: Period,
): Promise<PeriodCounts> {
  const where = scopeSql(scope, "customer_id");
  const row = await store.db.get<PeriodCounts>(
    `SELECT COUNT(*) AS responses,
            TOTAL(source = 'nps' AND score BETWEEN 0 AND 10) AS npsResponses,
            TOTAL(source = 'nps' AND score BETWEEN 9 AND 10) AS promoters,
            TOTAL(source = 'nps' AND score BETWEEN 0 AND 6) AS detractors,
            TOTAL(source NOT IN ('nps', 'complaint') AND score BETWEEN 0 AND 10) AS csatResponses,
            TOTAL(source NOT IN ('nps', 'complaint') AND score BETWEEN 0 AND 10 AND 1 + 0.4 * score >= 4) AS satisfied,
            TOTAL(sentiment_label = 'positive') AS positive,
            TOTAL(sentiment_label = 'neutral') AS neutral,
            TOTAL(sentiment_label = 'negative') AS negative,
            COUNT(sentiment) AS scored, TOTAL(sentiment) AS sentimentSum
     FROM feedback WHERE occurred_at >= ? AND occurred_at < ?${where.sql}`,
    [period.start, period.end, ...where.params],
  );
  return row!;
}

/** A feedback text with what a quote of it shows. */
export interface FeedbackText {
  id: number;
  customer_external_id: string;
  occurred_at: string;
  source: FeedbackRow["source"];
  score: number | null;
  text: string;
  language: FeedbackLanguage | null;
  sentiment: number | null;
  sentiment_label: SentimentLabel | null;
}

const TEXT_COLUMNS = `f.id, c.external_id AS customer_external_id, f.occurred_at, f.source, f.score, f.text,
  f.language, f.sentiment, f.sentiment_label`;

/** Rows of the period with text but no stored sentiment yet (written before it was kept). */
export async function unscoredTexts(
  store: Store,
  scope: FeedbackScope,
  period: Period,
): Promise<FeedbackText[]> {
  const where = scopeSql(scope, "f.customer_id");
  return store.db.all<FeedbackText>(
    `SELECT ${TEXT_COLUMNS} FROM feedback f JOIN customers c ON c.id = f.customer_id
     WHERE f.occurred_at >= ? AND f.occurred_at < ? AND f.sentiment IS NULL AND f.text <> ''${where.sql}
     ORDER BY f.occurred_at, f.id`,
    [period.start, period.end, ...where.params],
  );
}

/** The newest `limit` rows of the period with text, oldest first. */
export async function newestTexts(
  store: Store,
  scope: FeedbackScope,
  period: Period,
  limit: number,
): Promise<FeedbackText[]> {
  const where = scopeSql(scope, "f.customer_id");
  const rows = await store.db.all<FeedbackText>(
    `SELECT ${TEXT_COLUMNS} FROM feedback f JOIN customers c ON c.id = f.customer_id
     WHERE f.occurred_at >= ? AND f.occurred_at < ? AND trim(f.text, ${JS_WHITESPACE}) <> ''${where.sql}
     ORDER BY f.occurred_at DESC, f.id DESC LIMIT ?`,
    [period.start, period.end, ...where.params, limit],
  );
  return rows.reverse();
}

/**
 * The `limit` rows of the period with the strongest stored sentiment of one label: highest score
 * for positive, lowest for negative, then the shorter text, the earlier row (the order in which
 * `analyseFeedback` picks quotes).
 */
export async function strongestTexts(
  store: Store,
  scope: FeedbackScope,
  period: Period,
  label: "positive" | "negative",
  limit: number,
): Promise<FeedbackText[]> {
  const where = scopeSql(scope, "f.customer_id");
  return store.db.all<FeedbackText>(
    `SELECT ${TEXT_COLUMNS} FROM feedback f JOIN customers c ON c.id = f.customer_id
     WHERE f.occurred_at >= ? AND f.occurred_at < ? AND f.sentiment_label = ?${where.sql}
     ORDER BY f.sentiment ${label === "positive" ? "DESC" : "ASC"}, length(trim(f.text, ${JS_WHITESPACE})),
              f.occurred_at, f.id
     LIMIT ?`,
    [period.start, period.end, label, ...where.params, limit],
  );
}

/** Open complaints filed before `end`: how many, and the newest `limit` with their customers. */
export async function openComplaints(
  store: Store,
  scope: FeedbackScope,
  end: string,
  limit: number,
): Promise<{ count: number; newest: (FeedbackRow & { customer: CustomerRow })[] }> {
  const where = scopeSql(scope, "f.customer_id");
  const filter = `f.source = 'complaint' AND f.status = 'open' AND f.occurred_at < ?${where.sql}`;
  const count = await store.db.get<{ count: number }>(
    `SELECT COUNT(*) AS count FROM feedback f WHERE ${filter}`,
    [end, ...where.params],
  );
  const rows = await store.db.all<FeedbackRow & { customer_row: string }>(
    `SELECT f.*, json_object('id', c.id, 'external_id', c.external_id, 'name', c.name, 'company', c.company,
            'owner', c.owner, 'language', c.language) AS customer_row
     FROM feedback f JOIN customers c ON c.id = f.customer_id
     WHERE ${filter} ORDER BY f.occurred_at DESC, f.id DESC LIMIT ?`,
    [end, ...where.params, limit],
  );
  return {
    count: count?.count ?? 0,
    newest: rows.map(({ customer_row, ...row }) => ({
      ...row,
      customer: JSON.parse(customer_row) as CustomerRow,
    })),
  };
}

/**
 * The characters JavaScript's String.prototype.trim removes (white space and line terminators),
 * as the second argument of SQL trim(): SQL's trim alone removes spaces only.
 */
const JS_WHITESPACE = `char(${[
  9, 10, 11, 12, 13, 32, 160, 5760, 8192, 8193, 8194, 8195, 8196, 8197, 8198, 8199, 8200, 8201, 8202, 8232,
  8233, 8239, 8287, 12288, 65279,
].join(", ")})`;
