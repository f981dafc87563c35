/**
 * Aggregates over one score set (its table's rows, `setTables.ts`), answered by SQLite: sums and
 * counts per segment, the few members a tool lists, a k-means assignment and lifetime values under
 * other settings. Nothing here holds a row per customer in JavaScript; results are a handful of
 * groups or one page.
 */
import { SAMPLE_HASH, type ClusterModel } from "../../core/kmeansSample.js";
import { ownedBy } from "./customerQueries.js";
import type { SqlValue } from "./database.js";
import type { CustomerRow } from "./rows.js";
import { fromSet, scoresTable } from "./setTables.js";
import type { Store } from "./store.js";

/** Columns of a set's rows that place a customer in a segment of the book. */
export const SEGMENT_COLUMNS = ["rfm_segment", "lifecycle_stage", "abc_tier", "value_quadrant"] as const;
export type SegmentColumn = (typeof SEGMENT_COLUMNS)[number];

/** Which customers of a score set a query counts: the whole book, or one account manager's. */
export interface ScoreScope {
  setId: number;
  /** An account manager's name, matched case-insensitively; undefined for the whole book. */
  owner?: string;
}

/** Customers, CLV and revenue of one group. */
export interface GroupTotals {
  /** The group's key; null for customers the segmentation does not place. */
  key: string | null;
  customers: number;
  clv: number;
  revenue: number;
}

function checkColumn(column: SegmentColumn): SegmentColumn {
  if (!SEGMENT_COLUMNS.includes(column)) throw new Error(`not a segment column: ${String(column)}`);
  return column;
}

/** A segment's totals and the ids of its highest-CLV members. */
export interface SegmentGroup extends GroupTotals {
  /** Highest CLV first (ties by id), at most the `samples` asked for. */
  topIds: number[];
}

/**
 * Customers, CLV and revenue per value of a segment column with the ids of each segment's
 * `samples` highest-CLV members, in one scan of the scope and one sort. Walking the CLV index per
 * segment instead passes every richer customer first: for a segment of low-value customers in a
 * million-customer set, most of the set, fetched row by row (2 s a segment).
 */
export async function segmentGroups(
  store: Store,
  scope: ScoreScope,
  column: SegmentColumn,
  samples: number,
): Promise<SegmentGroup[]> {
  const owner = ownedBy("s.customer_id", scope.owner);
  return rankedGroups<string | null>(
    store,
    `SELECT s.${checkColumn(column)} AS key, s.customer_id, s.clv, s.revenue
     ${fromSet(scope.setId, "s")}${owner.sql}`,
    owner.params,
    samples,
  );
}

type RankedGroup<K> = Omit<GroupTotals, "key"> & { key: K; topIds: number[] };

/**
 * Groups of `rows` (a query with the columns key, customer_id, clv and revenue): each group's
 * customers, CLV and revenue and the ids of its `samples` highest-CLV members (ties by id), in one
 * sort of the rows in SQLite.
 */
async function rankedGroups<K>(
  store: Store,
  rows: string,
  params: readonly SqlValue[],
  samples: number,
): Promise<RankedGroup<K>[]> {
  const ranked = await store.reads.all<{
    key: K;
    customer_id: number;
    rank: number;
    customers: number;
    clv: number;
    revenue: number;
  }>(
    `SELECT * FROM (
       SELECT key, customer_id, ROW_NUMBER() OVER members AS rank, COUNT(*) OVER whole AS customers,
              TOTAL(clv) OVER whole AS clv, TOTAL(revenue) OVER whole AS revenue
       FROM (${rows})
       WINDOW members AS (PARTITION BY key ORDER BY clv DESC, customer_id),
              whole AS (members ROWS BETWEEN UNBOUNDED PRECEDING AND UNBOUNDED FOLLOWING))
     WHERE rank <= ? ORDER BY key, rank`,
    [...params, Math.max(1, samples)],
  );
  const groups = new Map<K, RankedGroup<K>>();
  for (const row of ranked) {
    let group = groups.get(row.key);
    if (!group) {
      group = { key: row.key, customers: row.customers, clv: row.clv, revenue: row.revenue, topIds: [] };
      groups.set(row.key, group);
    }
    if (row.rank <= samples) group.topIds.push(row.customer_id);
  }
  return [...groups.values()];
}

/** One cell of the RFM grid: recency score × the frequency-and-spend score floor((f + m) / 2). */
export interface RfmCellTotals {
  r: number;
  fm: number;
  customers: number;
  clv: number;
}

/** Customers and CLV per cell of the 5 × 5 RFM grid (cells without customers are absent). */
export async function rfmGridTotals(store: Store, scope: ScoreScope): Promise<RfmCellTotals[]> {
  const owner = ownedBy("customer_id", scope.owner);
  // Whole-number scores, so the division truncates, as `rfmSegment`'s Math.floor does.
  return store.reads.all<RfmCellTotals>(
    `SELECT rfm_r AS r, (rfm_f + rfm_m) / 2 AS fm, COUNT(*) AS customers, TOTAL(clv) AS clv
     ${fromSet(scope.setId)} AND rfm_r IS NOT NULL AND rfm_f IS NOT NULL AND rfm_m IS NOT NULL${owner.sql}
     GROUP BY rfm_r, (rfm_f + rfm_m) / 2 ORDER BY r, fm`,
    owner.params,
  );
}

/** Customers, CLV and revenue of the whole scope. */
export async function scopeTotals(store: Store, scope: ScoreScope): Promise<Omit<GroupTotals, "key">> {
  const owner = ownedBy("customer_id", scope.owner);
  const row = await store.reads.get<Omit<GroupTotals, "key">>(
    `SELECT COUNT(*) AS customers, TOTAL(clv) AS clv, TOTAL(revenue) AS revenue
     ${fromSet(scope.setId)}${owner.sql}`,
    owner.params,
  );
  return row ?? { customers: 0, clv: 0, revenue: 0 };
}

/** A customer listed as an example of a group, with the scores shown next to them. */
export interface ScoredMember extends CustomerRow {
  clv: number;
  revenue: number;
  orders: number;
  last_purchase: string | null;
  risk_score: number;
  churn_probability: number | null;
  value_at_risk: number;
}

const MEMBER_COLUMNS =
  "c.*, s.clv, s.revenue, s.orders, s.last_purchase, s.risk_score, s.churn_probability, s.value_at_risk";

/**
 * Members of one segment by CLV, highest first (ties by customer id): at most `limit`, after
 * skipping `offset` (a page of `segment_customers members_of`). The set is scanned in storage
 * order and only the segment's members up to the page are kept in SQLite's sorter: walking the
 * CLV index instead passes every richer customer first, which for a segment of low-value customers
 * in a million-customer set is most of the set, fetched row by row (2 s against 0.3 s).
 */
export async function topSegmentMembers(
  store: Store,
  scope: ScoreScope,
  column: SegmentColumn,
  key: string,
  limit: number,
  offset = 0,
): Promise<ScoredMember[]> {
  if (limit <= 0) return [];
  const owner = ownedBy("s.customer_id", scope.owner);
  return store.db.all<ScoredMember>(
    `SELECT ${MEMBER_COLUMNS} FROM ${scoresTable(scope.setId, "s")} JOIN customers c ON c.id = s.customer_id
     WHERE s.${checkColumn(column)} = ?${owner.sql}
     ORDER BY s.clv DESC, s.customer_id LIMIT ? OFFSET ?`,
    [key, ...owner.params, limit, offset],
  );
}

/** Scores of listed customers, with their customer rows, in the order of `ids`. */
export async function membersById(
  store: Store,
  setId: number,
  ids: readonly number[],
): Promise<ScoredMember[]> {
  if (ids.length === 0) return [];
  const rows = await store.db.all<ScoredMember>(
    `SELECT ${MEMBER_COLUMNS} FROM ${scoresTable(setId, "s")} JOIN customers c ON c.id = s.customer_id
     WHERE s.customer_id IN (SELECT value FROM json_each(?))`,
    [JSON.stringify(ids)],
  );
  const byId = new Map(rows.map((row) => [row.id, row]));
  return ids.flatMap((id) => byId.get(id) ?? []);
}

/** A purchasing customer's k-means features, as `clusterCustomers` reads them. */
export interface ClusterFeatureRow {
  id: number;
  recencyDays: number;
  frequency: number;
  monetary: number;
}

// Features of purchasing customers: days since the last purchase, purchase occasions (repeat
// purchases + 1) and net spend floored at 0, exactly as the k-means of the whole book read them.
const FEATURES = {
  recency: "COALESCE(days_since_last_purchase, 0)",
  frequency: "(x + 1)",
  monetary: "MAX(0, revenue)",
};

/** Purchasing customers in a score set: the population k-means clusters. */
export async function countPurchasers(store: Store, setId: number): Promise<number> {
  const row = await store.reads.get<{ count: number }>(
    `SELECT COUNT(*) AS count ${fromSet(setId)} AND orders > 0`,
  );
  return row?.count ?? 0;
}

/**
 * The k-means sample: the `size` purchasing customers with the smallest sample hash of their id
 * (`core/kmeansSample.ts`; ties by id), in id order. Every purchaser when there are no more.
 */
export async function clusterSample(store: Store, setId: number, size: number): Promise<ClusterFeatureRow[]> {
  const rows = await store.reads.all<ClusterFeatureRow>(
    `SELECT customer_id AS id, ${FEATURES.recency} AS recencyDays, ${FEATURES.frequency} AS frequency,
            ${FEATURES.monetary} AS monetary
     ${fromSet(setId)} AND orders > 0
     ORDER BY (customer_id * ${SAMPLE_HASH.multiplier}) % ${SAMPLE_HASH.modulus}, customer_id LIMIT ?`,
    [size],
  );
  return rows.sort((a, b) => a.id - b.id);
}

/**
 * SQL for the purchasing customers in scope with the cluster whose centre is nearest (columns
 * customer_id, clv, revenue, cluster), as `nearestCluster` decides it. Centres and scaling are
 * bound as parameters. Each step is its own subquery with `LIMIT -1 OFFSET 0`, which SQLite runs as
 * a co-routine instead of merging it into the next: merged, every distance would be recomputed for
 * each comparison of the arg-min.
 */
function assignedClusters(scope: ScoreScope, model: ClusterModel): { sql: string; params: SqlValue[] } {
  const { mean, sd } = model.scaling;
  const featureParams: SqlValue[] = [];
  const z = (expression: string, d: number) => {
    if (!(sd[d] > 0)) return "0";
    featureParams.push(mean[d], sd[d]);
    return `(ln(1 + ${expression}) - ?) / ?`;
  };
  const owner = ownedBy("customer_id", scope.owner);
  const features = `SELECT customer_id, clv, revenue, ${z(FEATURES.recency, 0)} AS zr,
      ${z(FEATURES.frequency, 1)} AS zf, ${z(FEATURES.monetary, 2)} AS zm
    ${fromSet(scope.setId)} AND orders > 0${owner.sql} LIMIT -1 OFFSET 0`;
  featureParams.push(...owner.params);
  const centres = model.centroids;
  const distanceParams: SqlValue[] = [];
  const distances = centres.map(({ standardised: [r, f, m] }, index) => {
    distanceParams.push(r, r, f, f, m, m);
    return `(zr - ?) * (zr - ?) + (zf - ?) * (zf - ?) + (zm - ?) * (zm - ?) AS d${index}`;
  });
  const measured = `SELECT customer_id, clv, revenue, ${distances.join(", ")} FROM (${features}) LIMIT -1 OFFSET 0`;
  // min() of several arguments is the scalar minimum; the first centre at that distance wins,
  // and centres are in cluster order, so ties go to the lower cluster as in `nearestCluster`.
  const cluster =
    centres.length === 1
      ? String(centres[0].cluster)
      : `CASE min(${centres.map((_, index) => `d${index}`).join(", ")}) ${centres
          .map((centre, index) => `WHEN d${index} THEN ${centre.cluster}`)
          .join(" ")} END`;
  return {
    sql: `SELECT customer_id, clv, revenue, ${cluster} AS cluster FROM (${measured})`,
    // Parameters in the order they appear in the text: the distances' before the features'.
    params: [...distanceParams, ...featureParams],
  };
}

/** Per cluster: its customers in scope, their CLV and revenue, and the ids of its top members. */
export interface ClusterTotals {
  cluster: number;
  customers: number;
  clv: number;
  revenue: number;
  /** Highest CLV first (ties by id), at most the `samples` asked for. */
  topIds: number[];
}

/**
 * Assigns every purchasing customer in scope to the nearest centre of `model` and sums each
 * cluster, with the ids of its `samples` highest-CLV members: one pass and one sort in SQLite.
 */
export async function clusterTotals(
  store: Store,
  scope: ScoreScope,
  model: ClusterModel,
  samples: number,
): Promise<ClusterTotals[]> {
  if (model.centroids.length === 0) return [];
  const assigned = assignedClusters(scope, model);
  const groups = await rankedGroups<number>(
    store,
    `SELECT cluster AS key, customer_id, clv, revenue FROM (${assigned.sql})`,
    assigned.params,
    samples,
  );
  return groups.map(({ key, ...totals }) => ({ cluster: key, ...totals }));
}

/**
 * Whom compute_clv values: listed customers, an RFM segment or a lifecycle stage; the KPI report
 * values a whole scope (the book, or one account manager's customers).
 */
export type ClvSelection =
  | { ids: readonly number[] }
  | { segment: string }
  | { lifecycleStage: string }
  | { scope: "book"; owner?: string };

/**
 * How the values are read: the cached columns (the score set's own 12-month CLV at each
 * customer's margin), or the cached P(alive) and Gamma-Gamma spend times the horizon sums for
 * other settings (`core/clvHorizon.ts`), one pair of sums per (x, T).
 */
export type ClvValuation =
  | { kind: "cached" }
  | {
      kind: "horizon";
      /** The sums per distinct (x, T) of the selection, as `horizonTable` wrote them. */
      table: string;
      /** A margin for everyone; undefined for each customer's own rate. */
      margin?: number;
    };

/** Horizon sums per (x, T) as the valuation carries them to SQL: a JSON array of rows. */
export function horizonTable(
  sums: readonly { x: number; T: number; purchases: number; discounted: number }[],
): string {
  return JSON.stringify(sums.map((row) => [row.x, row.T, row.purchases, row.discounted]));
}

interface ValuationSql {
  with: string;
  join: string;
  purchases: string;
  clv: string;
  params: SqlValue[];
}

function valuationSql(valuation: ClvValuation): ValuationSql {
  if (valuation.kind === "cached") {
    return { with: "", join: "", purchases: "s.expected_purchases", clv: "s.clv", params: [] };
  }
  // x and T are whole numbers of days (`core/summary.ts`), so they survive the trip through JSON
  // and join exactly. The casts give the join columns the affinity of the set's x and t:
  // without one SQLite cannot index them and scans every pair for every customer. The products
  // keep the core's order of operations (`core/clv.ts`): margin × spend × discounted sum ×
  // P(alive), and P(alive) × purchases.
  const params: SqlValue[] = [valuation.table];
  let margin = "s.margin_rate";
  if (valuation.margin !== undefined) {
    margin = "?";
    params.push(valuation.margin);
  }
  return {
    with: `WITH h AS MATERIALIZED (
      SELECT CAST(value ->> 0 AS INTEGER) AS x, CAST(value ->> 1 AS REAL) AS t, value ->> 2 AS purchases,
             value ->> 3 AS discounted
      FROM json_each(?))`,
    join: "LEFT JOIN h ON h.x = s.x AND h.t = s.t",
    purchases: "s.p_alive * h.purchases",
    clv: `${margin} * s.expected_spend * h.discounted * s.p_alive`,
    params,
  };
}

function selectionSql(selection: ClvSelection): { sql: string; params: SqlValue[] } {
  if ("ids" in selection) {
    return {
      sql: "s.customer_id IN (SELECT value FROM json_each(?))",
      params: [JSON.stringify(selection.ids)],
    };
  }
  if ("segment" in selection) return { sql: "s.rfm_segment = ?", params: [selection.segment] };
  if ("scope" in selection) {
    const owner = ownedBy("s.customer_id", selection.owner);
    return { sql: `1 = 1${owner.sql}`, params: owner.params };
  }
  return { sql: "s.lifecycle_stage = ?", params: [selection.lifecycleStage] };
}

/** The distinct (x, T) of the selection's purchasing customers: what the horizon sums are needed for. */
export async function clvPairs(
  store: Store,
  setId: number,
  selection: ClvSelection,
): Promise<{ x: number; T: number }[]> {
  const where = selectionSql(selection);
  return store.reads.all<{ x: number; T: number }>(
    `SELECT DISTINCT s.x AS x, s.t AS T FROM ${scoresTable(setId, "s")}
     WHERE ${where.sql} AND s.orders > 0`,
    where.params,
  );
}

/** Sums over a selection; the sums of values are over modelled customers only. */
export interface ClvTotals {
  customers: number;
  modelled: number;
  expectedPurchases: number;
  expectedRevenue: number;
  clv: number;
  expectedActive: number;
}

/**
 * Totals of a selection in one pass. `modelled` says whether the models are fitted: customers
 * are valued from their first purchase on, and not at all without fitted models.
 */
export async function clvTotals(
  store: Store,
  setId: number,
  selection: ClvSelection,
  valuation: ClvValuation,
  modelled: boolean,
): Promise<ClvTotals> {
  const value = valuationSql(valuation);
  const where = selectionSql(selection);
  const isModelled = modelled ? "s.orders > 0" : "0";
  const row = await store.reads.get<ClvTotals>(
    `${value.with}
     SELECT COUNT(*) AS customers, TOTAL(${isModelled}) AS modelled,
            TOTAL(CASE WHEN ${isModelled} THEN ${value.purchases} END) AS expectedPurchases,
            TOTAL(CASE WHEN ${isModelled} THEN ${value.purchases} * s.expected_spend END) AS expectedRevenue,
            TOTAL(CASE WHEN ${isModelled} THEN ${value.clv} END) AS clv,
            TOTAL(CASE WHEN ${isModelled} THEN s.p_alive END) AS expectedActive
     FROM ${scoresTable(setId, "s")} ${value.join}
     WHERE ${where.sql}`,
    [...value.params, ...where.params],
  );
  return (
    row ?? { customers: 0, modelled: 0, expectedPurchases: 0, expectedRevenue: 0, clv: 0, expectedActive: 0 }
  );
}

/** One valued customer of a page. */
export interface ClvRow {
  customer_id: number;
  x: number;
  tx: number;
  t: number;
  monetary: number;
  margin_rate: number;
  orders: number;
  p_alive: number | null;
  expected_spend: number | null;
  /** Null when the customer is not modelled. */
  expected_purchases: number | null;
  clv: number | null;
}

/**
 * One page of a selection, highest value first (unvalued customers last), ties by customer id.
 * The ranking is SQLite's bounded sort over the columns the value needs; the rest of a row, and
 * the customer, are read for the page only.
 */
export async function clvPage(
  store: Store,
  setId: number,
  selection: ClvSelection,
  valuation: ClvValuation,
  modelled: boolean,
  page: { offset: number; limit: number },
): Promise<(ClvRow & { customer: CustomerRow })[]> {
  const value = valuationSql(valuation);
  const where = selectionSql(selection);
  const isModelled = modelled ? "s.orders > 0" : "0";
  const ranked = await store.db.all<{
    customer_id: number;
    expected_purchases: number | null;
    valued: number | null;
  }>(
    // The ranking reads the computed value by a name no table has: in an ORDER BY expression
    // SQLite resolves a name to a table's column before a result alias, so "clv" would rank by
    // the cached value whatever the settings.
    `${value.with}
     SELECT * FROM (
       SELECT s.customer_id, CASE WHEN ${isModelled} THEN ${value.purchases} END AS expected_purchases,
              CASE WHEN ${isModelled} THEN ${value.clv} END AS valued
       FROM ${scoresTable(setId, "s")} ${value.join}
       WHERE ${where.sql})
     ORDER BY COALESCE(valued, -1) DESC, customer_id LIMIT ? OFFSET ?`,
    [...value.params, ...where.params, page.limit, page.offset],
  );
  if (ranked.length === 0) return [];
  const rows = await store.db.all<Omit<ClvRow, "clv" | "expected_purchases"> & CustomerRow>(
    `SELECT c.*, s.customer_id, s.x, s.tx, s.t, s.monetary, s.margin_rate, s.orders, s.p_alive, s.expected_spend
     FROM ${scoresTable(setId, "s")} JOIN customers c ON c.id = s.customer_id
     WHERE s.customer_id IN (SELECT value FROM json_each(?))`,
    [JSON.stringify(ranked.map((row) => row.customer_id))],
  );
  const byId = new Map(rows.map((row) => [row.customer_id, row]));
  return ranked.map(({ customer_id, expected_purchases, valued }) => {
    const { x, tx, t, monetary, margin_rate, orders, p_alive, expected_spend, ...customer } =
      byId.get(customer_id)!;
    return {
      customer_id,
      x,
      tx,
      t,
      monetary,
      margin_rate,
      orders,
      p_alive,
      expected_spend,
      expected_purchases,
      clv: valued,
      customer: { ...customer, id: customer_id },
    };
  });
}

/** Score-set facts of a portfolio: totals and counts per ABC tier, lifecycle stage and risk level. */
export interface PortfolioScoreTotals {
  clv: number;
  valueAtRisk: number;
  /** Σ churn probability: expected churners among purchasing customers. */
  expectedChurners: number;
  /** Customers and positive CLV per tier. */
  tiers: { tier: string; customers: number; clv: number }[];
  stages: { stage: string; customers: number }[];
  /** Counted over customers with a churn probability (those who have bought). */
  levels: { level: string; customers: number }[];
}

/**
 * The score-set half of portfolio_overview in one pass: a GROUP BY over tier, stage and risk
 * level, folded into the three tallies here. `owner` is matched exactly (the caller resolved it).
 */
export async function portfolioScoreTotals(
  store: Store,
  setId: number,
  owner: string | undefined,
): Promise<PortfolioScoreTotals> {
  const filter =
    owner === undefined
      ? { sql: "", params: [] }
      : { sql: " AND customer_id IN (SELECT id FROM customers WHERE owner = ?)", params: [owner] };
  const groups = await store.reads.all<{
    tier: string | null;
    stage: string;
    level: string;
    has_churn: number;
    customers: number;
    clv: number;
    positive_clv: number;
    value_at_risk: number;
    churners: number;
  }>(
    `SELECT abc_tier AS tier, lifecycle_stage AS stage, risk_level AS level,
            churn_probability IS NOT NULL AS has_churn, COUNT(*) AS customers, TOTAL(clv) AS clv,
            TOTAL(MAX(clv, 0)) AS positive_clv, TOTAL(value_at_risk) AS value_at_risk,
            TOTAL(churn_probability) AS churners
     ${fromSet(setId)}${filter.sql}
     GROUP BY abc_tier, lifecycle_stage, risk_level, has_churn`,
    filter.params,
  );
  const tally = (key: (row: (typeof groups)[number]) => string | null) => {
    const counts = new Map<string, { customers: number; clv: number }>();
    for (const row of groups) {
      const name = key(row);
      if (name === null) continue;
      const entry = counts.get(name) ?? { customers: 0, clv: 0 };
      entry.customers += row.customers;
      entry.clv += row.positive_clv;
      counts.set(name, entry);
    }
    return [...counts];
  };
  const sum = (pick: (row: (typeof groups)[number]) => number) =>
    groups.reduce((total, row) => total + pick(row), 0);
  return {
    clv: sum((row) => row.clv),
    valueAtRisk: sum((row) => row.value_at_risk),
    expectedChurners: sum((row) => row.churners),
    tiers: tally((row) => row.tier).map(([tier, entry]) => ({ tier, ...entry })),
    stages: tally((row) => row.stage).map(([stage, entry]) => ({ stage, customers: entry.customers })),
    levels: tally((row) => (row.has_churn ? row.level : null)).map(([level, entry]) => ({
      level,
      customers: entry.customers,
    })),
  };
}
