/**
 * One table per score set: `customer_scores_<set id>`, one row per customer, keyed by customer id.
 *
 * Why not one table for every set: a new day's set is written whole, and an old one dropped whole.
 * In one table, publishing a million-customer set copied its rows into three value indexes at
 * random places (7.5 s) and dropping the oldest set deleted a million rows from four indexes
 * (13.5 s, inside the same transaction). With a table per set, the rows are written in customer
 * order into the table they are published in, its value indexes are built by one sort each
 * (3.6 s, while scoring still ranks the book), publishing is a rename, and dropping a set is a
 * `DROP TABLE` (1.0 s). A whole-set scan reads the set's table in storage order.
 *
 * Product code reads a set through `scoresTable(setId)`. The view `customer_scores` puts every
 * set's rows together with their `score_set_id`, for people querying the file and for tests; it is
 * rewritten whenever a set comes or goes, and nothing in the product reads it. On PostgreSQL this is
 * a list partition per set of one `customer_scores` table.
 */
import type { Database } from "./database.js";

/** The stored columns of a set's rows, in the order `scoreToRow` writes them. */
export const SCORE_COLUMNS = [
  "customer_id",
  "orders",
  "revenue",
  "first_purchase",
  "last_purchase",
  "days_since_last_purchase",
  "typical_gap_days",
  "x",
  "tx",
  "t",
  "monetary",
  "margin_rate",
  "p_alive",
  "churn_probability",
  "expected_purchases",
  "horizon_expected_purchases",
  "expected_spend",
  "clv",
  "value_if_retained",
  "risk_score",
  "risk_level",
  "value_at_risk",
  "lifecycle_stage",
  "rfm_r",
  "rfm_f",
  "rfm_m",
  "rfm_segment",
  "abc_tier",
  "value_quadrant",
  "latest_nps",
  "open_complaints",
  "last_interaction",
  "score_problem",
  "purchase_days",
  "purchase_rate_trend",
  "won_back",
  "average_spend",
  "spend_trend",
  "feedback_count",
  "negative_feedback_count",
  "trailing_year",
  "inputs_until",
] as const;

const DEFINITION = `(
    customer_id INTEGER PRIMARY KEY REFERENCES customers (id) ON DELETE CASCADE,
    orders INTEGER NOT NULL,
    revenue REAL NOT NULL,
    first_purchase TEXT,
    last_purchase TEXT,
    days_since_last_purchase INTEGER,
    typical_gap_days REAL,
    x INTEGER NOT NULL,
    tx REAL NOT NULL,
    t REAL NOT NULL,
    monetary REAL NOT NULL,
    margin_rate REAL NOT NULL,
    p_alive REAL,
    churn_probability REAL,
    expected_purchases REAL,
    horizon_expected_purchases REAL,
    expected_spend REAL,
    clv REAL NOT NULL,
    value_if_retained REAL NOT NULL,
    risk_score REAL NOT NULL,
    risk_level TEXT NOT NULL,
    value_at_risk REAL NOT NULL,
    lifecycle_stage TEXT NOT NULL,
    rfm_r INTEGER,
    rfm_f INTEGER,
    rfm_m INTEGER,
    rfm_segment TEXT,
    abc_tier TEXT,
    value_quadrant TEXT,
    latest_nps REAL,
    open_complaints INTEGER NOT NULL,
    last_interaction TEXT,
    score_problem TEXT,
    purchase_days INTEGER NOT NULL,
    purchase_rate_trend REAL,
    won_back INTEGER NOT NULL,
    average_spend REAL NOT NULL,
    spend_trend REAL,
    feedback_count INTEGER NOT NULL,
    negative_feedback_count INTEGER NOT NULL,
    trailing_year REAL,
    inputs_until INTEGER
  )`;

/** A set's table name, and the FROM item `customer_scores_<id> [AS alias]`. */
export function scoresTable(setId: number, alias?: string): string {
  if (!Number.isSafeInteger(setId) || setId <= 0) throw new Error(`not a score set id: ${String(setId)}`);
  return `customer_scores_${setId}${alias ? ` AS ${alias}` : ""}`;
}

/** The set id a table name stands for, or null when it is not a set's table. */
function setIdOfTable(name: string): number | null {
  const match = /^customer_scores_([1-9]\d*)$/.exec(name);
  return match ? Number(match[1]) : null;
}

/** Creates an empty table for a set's rows under `name` (a set's, or one waiting to become it). */
export async function createScoresTable(db: Database, name: string): Promise<void> {
  await db.exec(`CREATE TABLE ${name} ${DEFINITION}`);
}

/**
 * Builds set `setId`'s value indexes on `table` (its own, or the one that will be renamed to it:
 * an index keeps its name through a rename). The customer id, the table's key, ends every entry,
 * so each gives its order with ties by customer.
 */
export async function indexScoresTable(db: Database, table: string, setId: number): Promise<void> {
  const name = scoresTable(setId);
  await db.exec(`
    -- find_at_risk_customers: a page in value-at-risk or risk order, threshold as a residual filter.
    CREATE INDEX ${name}_by_value_at_risk ON ${table} (value_at_risk DESC, risk_score DESC);
    CREATE INDEX ${name}_by_risk ON ${table} (risk_score DESC, value_at_risk DESC);
    -- compute_clv's leaderboard and briefing's top customers: the top of the book by CLV.
    CREATE INDEX ${name}_clv ON ${table} (clv DESC);`);
}

/** The set ids that have a table in the store, whether `score_sets` still names them or not. */
export async function setTableIds(db: Pick<Database, "all">): Promise<number[]> {
  const tables = await db.all<{ name: string }>(
    "SELECT name FROM sqlite_schema WHERE type = 'table' AND name LIKE 'customer\\_scores\\_%' ESCAPE '\\'",
  );
  return tables.map(({ name }) => setIdOfTable(name)).filter((id) => id !== null);
}

/** Drops the tables of sets `setIds` (their `score_sets` rows are the caller's). */
export async function dropScoresTables(db: Database, setIds: readonly number[]): Promise<void> {
  for (const id of setIds) await db.exec(`DROP TABLE IF EXISTS ${scoresTable(id)}`);
}

/** Drops the view `customer_scores` (`refreshScoresView` makes it again). */
export async function dropScoresView(db: Database): Promise<void> {
  await db.exec("DROP VIEW IF EXISTS customer_scores");
}

/**
 * Rewrites the view `customer_scores` over the tables of the sets in `score_sets`. Run it in the
 * transaction that adds or drops a set.
 */
export async function refreshScoresView(db: Database): Promise<void> {
  const present = new Set(await setTableIds(db));
  const sets = await db.all<{ id: number }>("SELECT id FROM score_sets ORDER BY id");
  const ids = sets.map(({ id }) => id).filter((id) => present.has(id));
  const body =
    ids.length === 0
      ? `SELECT ${["score_set_id", ...SCORE_COLUMNS].map((column) => `NULL AS ${column}`).join(", ")} WHERE FALSE`
      : ids.map((id) => `SELECT ${id} AS score_set_id, * FROM ${scoresTable(id)}`).join(" UNION ALL ");
  await dropScoresView(db);
  await db.exec(`CREATE VIEW customer_scores AS ${body}`);
}

/**
 * A set's customer ids in pieces of at most `size` ids, for reading its rows into JavaScript a
 * piece at a time in storage order (each piece read with `customer_id BETWEEN ? AND ?`).
 */
export async function setRowPieces(
  db: Pick<Database, "get">,
  setId: number,
  size: number,
): Promise<[number, number][]> {
  const range = await db.get<{ first: number | null; last: number | null }>(
    `SELECT MIN(customer_id) AS first, MAX(customer_id) AS last FROM ${scoresTable(setId)}`,
  );
  const pieces: [number, number][] = [];
  if (range?.first == null || range.last == null) return pieces;
  for (let low = range.first; low <= range.last; low += size) {
    pieces.push([low, Math.min(range.last, low + size - 1)]);
  }
  return pieces;
}

/** `FROM <set's table> WHERE TRUE`: a scan of the whole set, which callers narrow with `AND ...`. */
export function fromSet(setId: number, alias?: string): string {
  return `FROM ${scoresTable(setId, alias)} WHERE TRUE`;
}
