/**
 * The aggregates behind the relationship-maintenance indices (`core/kpi.ts`): per score set, per
 * month or per period, SQLite does the counting, ranking and sorting and returns a handful of rows
 * per month; no query returns a row per customer or per ticket, except `chiColumns`, which reads
 * two numbers per purchasing customer in chunks for the per-customer percentiles. Months are the
 * first seven characters of the stored ISO timestamps (UTC months).
 *
 * Portability: everything here is plain SQL with window functions, except the two date helpers
 * below (`strftime('%s', x)`, `date(x, '+n days')`), which are SQLite's; on PostgreSQL they become
 * `EXTRACT(EPOCH FROM x)` and `x + INTERVAL 'n days'`.
 */
import { ACTIVATION_WINDOW_DAYS, CHI_RATE_FLOOR_DAYS } from "../../core/kpi.js";
import { ownedBy } from "./customerQueries.js";
import type { SqlValue } from "./database.js";
import { usableTransaction } from "./rows.js";
import { fromSet, scoresTable } from "./setTables.js";
import type { Store } from "./store.js";
import type { Sla } from "./ticketQueries.js";

/**
 * Hours from timestamp `start` to `end` (SQL expressions), from whole seconds since the epoch:
 * julianday's fractional days would turn 4 hours into 3.9999999963.
 */
function hoursBetween(start: string, end: string): string {
  return `((CAST(strftime('%s', ${end}) AS INTEGER) - CAST(strftime('%s', ${start}) AS INTEGER)) / 3600.0)`;
}

/** The day (YYYY-MM-DD) `days` after a timestamp (a SQL expression). */
function daysAfter(timestamp: string, days: number): string {
  return `date(${timestamp}, '+${Math.trunc(days)} days')`;
}

/** Months since year 0 of a timestamp or `YYYY-MM` text: consecutive months differ by one. */
function monthNumber(text: string): string {
  return `(CAST(SUBSTR(${text}, 1, 4) AS INTEGER) * 12 + CAST(SUBSTR(${text}, 6, 2) AS INTEGER))`;
}

/** A period of whole UTC timestamps, both ends included, in the stored form. */
export interface KpiPeriod {
  start: string;
  end: string;
}

/** Where an aggregate's rows go: one per month, or one for the whole period ("period"). */
export type KpiBucket = "month" | "period";

function bucketSql(bucket: KpiBucket, column: string): string {
  return bucket === "month" ? `SUBSTR(${column}, 1, 7)` : "'period'";
}

// ---------------------------------------------------------------------------------------------
// Customer health index

// Purchasing customers of a set with the CHI inputs: purchase rate (`core/kpi.ts`
// purchaseRatePerYear, same arithmetic), average spend per purchase day and churn probability.
// Customers without a churn probability (never bought, or not scored) have no CHI.
// `customerChiInputs` reads one customer by the set's key; `ratedPiece` a piece of the set in
// storage order.
const RATED_COLUMNS = `SELECT customer_id, churn_probability AS churn, average_spend AS spend,
         purchase_days * 365.25 / (CASE WHEN t < ${CHI_RATE_FLOOR_DAYS} THEN ${CHI_RATE_FLOOR_DAYS} ELSE t END) AS rate`;
const RATED_FILTER = "orders > 0 AND churn_probability IS NOT NULL AND score_problem IS NULL";

/** One customer's CHI inputs: purchase rate, average spend and churn probability. */
export interface CustomerChiInputs {
  rate: number;
  spend: number;
  churnProbability: number;
}

/**
 * A customer's CHI inputs, computed by the same SQL expression as the book's (so a customer's rate
 * equals its entry in the set's sorted columns exactly), or undefined when they have no CHI (no
 * purchase, or not scored). One row read through the set's customer index.
 */
export async function customerChiInputs(
  store: Store,
  setId: number,
  customerId: number,
): Promise<CustomerChiInputs | undefined> {
  const row = await store.db.get<{ rate: number; spend: number; churn: number }>(
    `SELECT rate, spend, churn FROM (${RATED_COLUMNS} FROM ${scoresTable(setId)} WHERE ${RATED_FILTER} AND customer_id = ?)`,
    [customerId],
  );
  return row && { rate: row.rate, spend: row.spend, churnProbability: row.churn };
}

/** One CHI-rated customer of a set: owner, purchase rate, average spend and churn probability. */
export interface RatedCustomer {
  owner: string | null;
  rate: number;
  spend: number;
  churn: number;
}

/**
 * The CHI-rated customers among a set's customers with ids `first` to `last` (a piece of
 * `setRowPieces`), with their owners: the rate is computed by the same SQL expression as
 * `customerChiInputs`, so a customer's entry ranks exactly as their own inputs do.
 */
export async function ratedPiece(
  store: Store,
  setId: number,
  first: number,
  last: number,
): Promise<RatedCustomer[]> {
  return store.reads.all<RatedCustomer>(
    `SELECT c.owner AS owner, r.rate AS rate, r.spend AS spend, r.churn AS churn
     FROM (${RATED_COLUMNS} FROM ${scoresTable(setId)}
           WHERE customer_id BETWEEN ? AND ? AND ${RATED_FILTER}) AS r
     JOIN customers c ON c.id = r.customer_id`,
    [first, last],
  );
}

/** The newest stored score set per month (as-of in the month), for the CHI and LTV history. */
export async function scoreSetsByMonth(
  store: Store,
  period: KpiPeriod,
  horizonDays: number,
  modelVersion: string,
): Promise<{ month: string; id: number; asOf: string; computedAt: string; dataVersion: number }[]> {
  const rows = await store.db.all<{ id: number; as_of: string; computed_at: string; data_version: number }>(
    `SELECT id, as_of, computed_at, data_version FROM score_sets
     WHERE horizon_days = ? AND model_version = ? AND as_of >= ? AND as_of <= ?
     ORDER BY as_of, data_version, id`,
    [horizonDays, modelVersion, period.start, period.end],
  );
  const byMonth = new Map<
    string,
    { month: string; id: number; asOf: string; computedAt: string; dataVersion: number }
  >();
  for (const row of rows) {
    const month = row.as_of.slice(0, 7);
    byMonth.set(month, {
      month,
      id: row.id,
      asOf: row.as_of,
      computedAt: row.computed_at,
      dataVersion: row.data_version,
    });
  }
  return [...byMonth.values()];
}

/** Sum of the stored 12-month CLV over a scope of a set, and its customers. */
export async function clvSum(
  store: Store,
  setId: number,
  owner: string | undefined,
): Promise<{ customers: number; clv: number }> {
  const scope = ownedBy("customer_id", owner);
  const row = await store.reads.get<{ customers: number; clv: number | null }>(
    `SELECT COUNT(*) AS customers, SUM(clv) AS clv ${fromSet(setId)}${scope.sql}`,
    scope.params,
  );
  return { customers: row?.customers ?? 0, clv: row?.clv ?? 0 };
}

// ---------------------------------------------------------------------------------------------
// Emotion index

/** NPS answers and labelled reviews of one bucket. */
export interface EmotionRow {
  bucket: string;
  npsResponses: number;
  promoters: number;
  detractors: number;
  reviews: number;
  positiveReviews: number;
  negativeReviews: number;
}

/**
 * NPS answers (0-10) and reviews with a sentiment label in a period, per month or in total, for a
 * scope (an owner's customers, one customer, or the book): a range of the feedback_time index
 * (feedback_customer_source for one customer).
 */
export async function emotionCounts(
  store: Store,
  period: KpiPeriod,
  scope: { owner?: string; customerId?: number },
  bucket: KpiBucket,
): Promise<EmotionRow[]> {
  const owner = ownedBy("customer_id", scope.owner);
  const customer =
    scope.customerId === undefined
      ? { sql: "", params: [] as SqlValue[] }
      : { sql: " AND customer_id = ?", params: [scope.customerId] };
  const rows = await store.reads.all<{
    bucket: string;
    nps: number;
    promoters: number;
    detractors: number;
    reviews: number;
    positive: number;
    negative: number;
  }>(
    `SELECT ${bucketSql(bucket, "occurred_at")} AS bucket,
            SUM(CASE WHEN source = 'nps' AND score BETWEEN 0 AND 10 THEN 1 ELSE 0 END) AS nps,
            SUM(CASE WHEN source = 'nps' AND score BETWEEN 9 AND 10 THEN 1 ELSE 0 END) AS promoters,
            SUM(CASE WHEN source = 'nps' AND score BETWEEN 0 AND 6 THEN 1 ELSE 0 END) AS detractors,
            SUM(CASE WHEN source = 'review' AND sentiment_label IS NOT NULL THEN 1 ELSE 0 END) AS reviews,
            SUM(CASE WHEN source = 'review' AND sentiment_label = 'positive' THEN 1 ELSE 0 END) AS positive,
            SUM(CASE WHEN source = 'review' AND sentiment_label = 'negative' THEN 1 ELSE 0 END) AS negative
     FROM feedback
     WHERE occurred_at >= ? AND occurred_at <= ? AND source IN ('nps', 'review')${customer.sql}${owner.sql}
     GROUP BY 1`,
    [period.start, period.end, ...customer.params, ...owner.params],
  );
  return rows.map((row) => ({
    bucket: row.bucket,
    npsResponses: row.nps,
    promoters: row.promoters,
    detractors: row.detractors,
    reviews: row.reviews,
    positiveReviews: row.positive,
    negativeReviews: row.negative,
  }));
}

// ---------------------------------------------------------------------------------------------
// Service efficiency

/** Ticket counts of one bucket, with the order statistics its medians and p90 need. */
export interface ServiceRow {
  bucket: string;
  tickets: number;
  responded: number;
  resolved: number;
  responseBreaches: number;
  resolutionBreaches: number;
  breaching: number;
  /** Hours to the first response: how many are known, and the values at the positions asked for. */
  response: { count: number; at: Map<number, number> };
  /** Hours to resolve, likewise. */
  resolution: { count: number; at: Map<number, number> };
}

/**
 * Tickets opened in a period (per month or in total) for an owner's customers or the book: counts,
 * SLA breaches as of `asOf`, and from each bucket's sorted response and resolution times only the
 * rows at the positions the quantiles `ps` need (`core/kpi.ts` quantilePositions, computed here in
 * SQL with the same floor). A response or resolution stamped after as-of has not happened yet; a
 * ticket whose status says answered or resolved without a time counts as such, without a duration.
 * Breaches: answered later than the SLA or still unanswered past it; resolution likewise.
 */
export async function serviceCounts(
  store: Store,
  period: KpiPeriod,
  asOf: string,
  owner: string | undefined,
  sla: Sla,
  bucket: KpiBucket,
  ps: readonly number[],
): Promise<ServiceRow[]> {
  // A ticket resolved without a separate first response was answered by its resolution, as
  // `ticketAsOf` (store/ticketQueries.ts) reads it.
  const responded = "COALESCE(first_response_at, resolved_at)";
  const clampHours = (start: string, end: string) =>
    `CASE WHEN ${end} < ${start} THEN 0 ELSE ${hoursBetween(start, end)} END`;
  // Numbered parameters: ?1 as-of, ?2 and ?3 the period, ?4 the owner (null for the book), then
  // ?5 and ?6 the SLA hours for the counts.
  const opened = `
    SELECT ${bucketSql(bucket, "opened_at")} AS bucket,
           CASE WHEN ${responded} <= ?1 THEN ${clampHours("opened_at", responded)} END AS response_hours,
           CASE WHEN ${responded} <= ?1 OR (${responded} IS NULL AND status <> 'open') THEN 1 ELSE 0 END AS responded,
           CASE WHEN resolved_at <= ?1 THEN ${clampHours("opened_at", "resolved_at")} END AS resolution_hours,
           CASE WHEN resolved_at <= ?1 OR (resolved_at IS NULL AND status = 'resolved') THEN 1 ELSE 0 END AS resolved,
           ${hoursBetween("opened_at", "?1")} AS age_hours
    FROM tickets
    WHERE opened_at >= ?2 AND opened_at <= ?3 AND opened_at <= ?1
      AND (?4 IS NULL OR customer_id IN (SELECT id FROM customers WHERE owner = ?4 COLLATE NOCASE))`;
  const params: SqlValue[] = [asOf, period.start, period.end, owner ?? null];
  const counts = await store.reads.all<{
    bucket: string;
    tickets: number;
    responded: number;
    resolved: number;
    response_breaches: number;
    resolution_breaches: number;
    breaching: number;
  }>(
    `WITH opened AS MATERIALIZED (${opened}),
     flagged AS (
       SELECT bucket, responded, resolved,
              CASE WHEN response_hours > ?5 OR (responded = 0 AND age_hours > ?5) THEN 1 ELSE 0 END AS late_response,
              CASE WHEN resolution_hours > ?6 OR (resolved = 0 AND age_hours > ?6) THEN 1 ELSE 0 END AS late_resolution
       FROM opened)
     SELECT bucket, COUNT(*) AS tickets, SUM(responded) AS responded, SUM(resolved) AS resolved,
            SUM(late_response) AS response_breaches, SUM(late_resolution) AS resolution_breaches,
            SUM(CASE WHEN late_response = 1 OR late_resolution = 1 THEN 1 ELSE 0 END) AS breaching
     FROM flagged GROUP BY bucket`,
    [...params, sla.firstResponseHours, sla.resolutionHours],
  );
  if (counts.length === 0) return [];
  // The positions each quantile needs, per bucket: floor((n - 1) p) + 1 and the one after it.
  const positions = ps
    .map((p) => `floor((n - 1) * ${Number(p)}) + 1, floor((n - 1) * ${Number(p)}) + 2`)
    .join(", ");
  const orderStatistics = (column: string, measure: string) => `
    SELECT bucket, '${measure}' AS measure, value, position, n FROM (
      SELECT bucket, ${column} AS value, ROW_NUMBER() OVER (PARTITION BY bucket ORDER BY ${column}) AS position,
             COUNT(*) OVER (PARTITION BY bucket) AS n
      FROM opened WHERE ${column} IS NOT NULL) sorted
    WHERE position IN (${positions || "0"})`;
  const statistics = await store.reads.all<{
    bucket: string;
    measure: "response" | "resolution";
    value: number;
    position: number;
    n: number;
  }>(
    `WITH opened AS MATERIALIZED (${opened})
     ${orderStatistics("response_hours", "response")}
     UNION ALL
     ${orderStatistics("resolution_hours", "resolution")}`,
    params,
  );
  return counts.map((row) => {
    const response = { count: 0, at: new Map<number, number>() };
    const resolution = { count: 0, at: new Map<number, number>() };
    for (const statistic of statistics) {
      if (statistic.bucket !== row.bucket) continue;
      const target = statistic.measure === "response" ? response : resolution;
      target.count = statistic.n;
      target.at.set(statistic.position, statistic.value);
    }
    return {
      bucket: row.bucket,
      tickets: row.tickets,
      responded: row.responded,
      resolved: row.resolved,
      responseBreaches: row.response_breaches,
      resolutionBreaches: row.resolution_breaches,
      breaching: row.breaching,
      response,
      resolution,
    };
  });
}

// ---------------------------------------------------------------------------------------------
// First-month activation and cohort retention

/** A monthly cohort of new customers (first purchase in the month) and its activation counts. */
export interface CohortRow {
  month: string;
  customers: number;
  /** Those whose activation window has closed by as-of. */
  eligible: number;
  /** Of the eligible, those with another purchase day in the window. */
  activated: number;
}

// The cohort members of a set in a period: customers whose first purchase (the score set's, so
// the same purchases scoring counts) falls in it. ?1 and ?2 the period, ?3 the owner.
function cohortSql(setId: number): string {
  return `
  SELECT customer_id, first_purchase AS first_at, SUBSTR(first_purchase, 1, 7) AS month
  ${fromSet(setId)} AND first_purchase >= ?1 AND first_purchase <= ?2
    AND (?3 IS NULL OR customer_id IN (SELECT id FROM customers WHERE owner = ?3 COLLATE NOCASE))`;
}

/**
 * Per cohort month in the period: new customers, those whose ${ACTIVATION_WINDOW_DAYS}-day window
 * closed by as-of (first purchase day + ${ACTIVATION_WINDOW_DAYS} <= the as-of day) and of them
 * those with a purchase (amount > 0) on a later day within the window. The check is an EXISTS
 * along transactions_customer_time per cohort member, so the cost follows the new customers in
 * the period, not the book.
 */
export async function activationCohorts(
  store: Store,
  setId: number,
  period: KpiPeriod,
  asOf: string,
  owner: string | undefined,
): Promise<CohortRow[]> {
  const window = ACTIVATION_WINDOW_DAYS;
  const rows = await store.reads.all<{
    month: string;
    customers: number;
    eligible: number;
    activated: number;
  }>(
    `WITH cohort AS MATERIALIZED (${cohortSql(setId)}),
     flagged AS (
       SELECT month, CASE WHEN ${daysAfter("first_at", window)} <= SUBSTR(?4, 1, 10) THEN 1 ELSE 0 END AS eligible,
              CASE WHEN EXISTS (
                SELECT 1 FROM transactions t
                WHERE t.customer_id = cohort.customer_id AND t.amount > 0 AND ${usableTransaction("t")}
                  AND t.occurred_at >= ${daysAfter("first_at", 1)} AND t.occurred_at < ${daysAfter("first_at", window + 1)}
                  AND t.occurred_at <= ?4) THEN 1 ELSE 0 END AS again
       FROM cohort)
     SELECT month, COUNT(*) AS customers, SUM(eligible) AS eligible,
            SUM(CASE WHEN eligible = 1 AND again = 1 THEN 1 ELSE 0 END) AS activated
     FROM flagged GROUP BY month ORDER BY month`,
    [period.start, period.end, owner ?? null, asOf],
  );
  return rows;
}

/**
 * Buyers per cohort month and month since the first purchase (0 = the month of it): distinct
 * cohort members with a purchase (amount > 0) in that calendar month, up to as-of.
 */
export async function retentionCounts(
  store: Store,
  setId: number,
  period: KpiPeriod,
  asOf: string,
  owner: string | undefined,
): Promise<{ month: string; offset: number; buyers: number }[]> {
  return store.reads.all<{ month: string; offset: number; buyers: number }>(
    `WITH cohort AS MATERIALIZED (${cohortSql(setId)})
     SELECT c.month, ${monthNumber("t.occurred_at")} - ${monthNumber("c.month")} AS "offset",
            COUNT(DISTINCT t.customer_id) AS buyers
     FROM cohort c JOIN transactions t ON t.customer_id = c.customer_id
     WHERE t.amount > 0 AND ${usableTransaction("t")} AND t.occurred_at >= c.first_at AND t.occurred_at <= ?4
     GROUP BY c.month, 2 ORDER BY c.month, 2`,
    [period.start, period.end, owner ?? null, asOf],
  );
}

/**
 * An account manager's name as stored, matched case-insensitively (the most common spelling when
 * several differ only in case); undefined when no customer has it.
 */
export async function storedOwnerName(store: Store, owner: string): Promise<string | undefined> {
  const row = await store.db.get<{ owner: string }>(
    "SELECT owner FROM customers WHERE owner = ? COLLATE NOCASE GROUP BY owner ORDER BY COUNT(*) DESC LIMIT 1",
    [owner],
  );
  return row?.owner;
}

/** Some of the book's account managers, by name, for an error message. */
export async function someOwnerNames(store: Store, limit = 30): Promise<string[]> {
  const rows = await store.db.all<{ owner: string }>(
    "SELECT DISTINCT owner FROM customers WHERE owner IS NOT NULL ORDER BY owner LIMIT ?",
    [limit],
  );
  return rows.map((row) => row.owner);
}
