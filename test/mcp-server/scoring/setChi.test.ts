import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { CHI_BANDS, CHI_WEIGHTS } from "../../../core/kpi.js";
import { seedDemo } from "../../../mcp-server/demo/seed.js";
import { ensureScores, type ScoreSet } from "../../../mcp-server/scoring/scoreCache.js";
import { ownerKey, scopeOf, setChi, type ChiTotals } from "../../../mcp-server/scoring/setChi.js";
import { createTempStore, type TempStore } from "../../helpers/tempStore.js";

/**
 * The CHI as its definition reads in SQL (mid-rank percentiles over every rated customer of the
 * set from RANK and CUME_DIST, then averages over the scope): what one read and two sorts in
 * JavaScript must reproduce.
 */
async function chiBySql(temp: TempStore, setId: number, owner?: string): Promise<ChiTotals> {
  const row = await temp.store.db.get<Record<string, number | null>>(
    `WITH rated AS MATERIALIZED (
       SELECT customer_id, churn_probability AS churn, average_spend AS spend,
              purchase_days * 365.25 / (CASE WHEN t < 90 THEN 90 ELSE t END) AS rate
       FROM customer_scores
       WHERE score_set_id = ? AND orders > 0 AND churn_probability IS NOT NULL AND score_problem IS NULL),
     ranked AS MATERIALIZED (
       SELECT customer_id, churn,
              50.0 * ((RANK() OVER by_rate - 1) * 1.0 / COUNT(*) OVER () + CUME_DIST() OVER by_rate) AS f,
              50.0 * ((RANK() OVER by_spend - 1) * 1.0 / COUNT(*) OVER () + CUME_DIST() OVER by_spend) AS v
       FROM rated WINDOW by_rate AS (ORDER BY rate), by_spend AS (ORDER BY spend)),
     health AS (
       SELECT f, v, 100.0 * (1 - churn) AS r, ? * f + ? * v + ? * 100.0 * (1 - churn) AS chi
       FROM ranked
       WHERE ? IS NULL OR customer_id IN (SELECT id FROM customers WHERE owner = ? COLLATE NOCASE))
     SELECT COUNT(*) AS customers, AVG(chi) AS meanIndex, AVG(f) AS meanFrequency, AVG(v) AS meanValue,
            AVG(r) AS meanRetention, TOTAL(chi >= ?) AS healthy, TOTAL(chi < ?) AS atRisk
     FROM health`,
    [
      setId,
      CHI_WEIGHTS.frequency,
      CHI_WEIGHTS.value,
      CHI_WEIGHTS.retention,
      owner ?? null,
      owner ?? null,
      CHI_BANDS.healthy,
      CHI_BANDS.atRisk,
    ],
  );
  const customers = Number(row!.customers);
  return {
    customers,
    meanIndex: row!.meanIndex,
    meanFrequency: row!.meanFrequency,
    meanValue: row!.meanValue,
    meanRetention: row!.meanRetention,
    healthy: Number(row!.healthy),
    watch: customers - Number(row!.healthy) - Number(row!.atRisk),
    atRisk: Number(row!.atRisk),
  };
}

function expectSameChi(actual: ChiTotals, expected: ChiTotals): void {
  expect({ ...actual, meanIndex: 0, meanFrequency: 0, meanValue: 0, meanRetention: 0 }).toEqual({
    ...expected,
    meanIndex: 0,
    meanFrequency: 0,
    meanValue: 0,
    meanRetention: 0,
  });
  for (const key of ["meanIndex", "meanFrequency", "meanValue", "meanRetention"] as const) {
    if (expected[key] === null) expect(actual[key]).toBeNull();
    else expect(actual[key]).toBeCloseTo(expected[key]!, 9);
  }
}

describe("the CHI of every scope of a set from one read", () => {
  let temp: TempStore;
  let set: ScoreSet;
  beforeAll(async () => {
    temp = await createTempStore("crm-set-chi-");
    await seedDemo(temp.store, { seed: 11, customers: 400, asOf: new Date("2026-06-30T23:59:59Z") });
    set = await ensureScores(temp.store, new Date("2026-06-30T23:59:59Z"));
  });
  afterAll(() => temp.dispose());

  it("equals the SQL definition for the book and for every owner, however the owner is written", async () => {
    const chi = await setChi(temp.store, set.id);
    expect(chi.book.customers).toBeGreaterThan(200);
    expect(chi.book.healthy + chi.book.atRisk).toBeGreaterThan(0);
    expectSameChi(chi.book, await chiBySql(temp, set.id));
    const owners = await temp.store.db.all<{ owner: string }>(
      "SELECT DISTINCT owner FROM customers WHERE owner IS NOT NULL",
    );
    expect(owners.length).toBeGreaterThan(2);
    let counted = 0;
    for (const { owner } of owners) {
      const expected = await chiBySql(temp, set.id, owner);
      expectSameChi(scopeOf(chi, owner), expected);
      expectSameChi(scopeOf(chi, owner.toUpperCase()), await chiBySql(temp, set.id, owner.toUpperCase()));
      counted += expected.customers;
    }
    const ownerless = await temp.store.db.get<{ n: number }>(
      `SELECT COUNT(*) AS n FROM customer_scores s JOIN customers c ON c.id = s.customer_id
       WHERE s.score_set_id = ? AND c.owner IS NULL AND s.orders > 0 AND s.churn_probability IS NOT NULL AND s.score_problem IS NULL`,
      [set.id],
    );
    expect(counted + ownerless!.n).toBe(chi.book.customers);
    expectSameChi(scopeOf(chi, "nobody by this name"), await chiBySql(temp, set.id, "nobody by this name"));
  });

  it("keeps the rated customers' rates and spends sorted for one customer's percentiles", async () => {
    const { columns, book } = await setChi(temp.store, set.id);
    expect(columns.rates).toHaveLength(book.customers);
    expect(columns.spends).toHaveLength(book.customers);
    for (const column of [columns.rates, columns.spends]) {
      for (let i = 1; i < column.length; i++) expect(column[i]).toBeGreaterThanOrEqual(column[i - 1]);
    }
  });

  it("folds owners as SQLite's NOCASE does: ASCII letters only", () => {
    expect(ownerKey("Chen Jing")).toBe(ownerKey("CHEN JING"));
    expect(ownerKey("Émile")).not.toBe(ownerKey("émile"));
    expect(ownerKey("王伟")).toBe("王伟");
  });
});
