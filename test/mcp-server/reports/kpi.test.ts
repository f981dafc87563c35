import { describe, expect, it } from "vitest";
import { customerHealthIndex, midRankPercentile, rankCounts } from "../../../core/kpi.js";
import { kpiReportOutput } from "../../../mcp-server/contract/kpi.js";
import { kpiReport, KpiPeriodError } from "../../../mcp-server/reports/kpi.js";
import { resolveAsOf } from "../../../mcp-server/asOf.js";
import { scopeOf, setChi } from "../../../mcp-server/scoring/setChi.js";
import { customerChiInputs } from "../../../mcp-server/store/kpiQueries.js";
import { createScoresTable, scoresTable } from "../../../mcp-server/store/setTables.js";
import type { Store } from "../../../mcp-server/store/store.js";
import { useTempStore } from "../../helpers/tempStore.js";

const AS_OF = resolveAsOf("2026-03-31");

async function addCustomers(store: Store, owners: Record<number, string | null>): Promise<void> {
  for (const [id, owner] of Object.entries(owners)) {
    await store.db.run(
      "INSERT INTO customers (id, external_id, name, owner, created_at) VALUES (?, ?, ?, ?, '2025-01-01T00:00:00Z')",
      [Number(id), `C${id}`, `Customer ${id}`, owner],
    );
  }
}

/** Purchases (amount 100 unless given) as [customer, time]. */
async function addPurchases(store: Store, rows: [number, string, number?][]): Promise<void> {
  let n = 0;
  for (const [customer, at, amount] of rows) {
    await store.db.run(
      "INSERT INTO transactions (external_id, customer_id, occurred_at, amount) VALUES (?, ?, ?, ?)",
      [`T${++n}`, customer, at, amount ?? 100],
    );
  }
}

/**
 * A book whose service, emotion and activation figures are worked out by hand in the comments.
 * Owner A has customers 1, 2 and 5; owner B has 3, 4 and 6.
 */
async function handBuiltBook(store: Store): Promise<void> {
  await addCustomers(store, { 1: "A", 2: "A", 3: "B", 4: "B", 5: "A", 6: "B" });
  await addPurchases(store, [
    // Jan cohort: 1 buys again on day 15 (activated), 2 on day 36 (not), 3 the same day (does not
    // count) and on day 30 (activated: the window's last day).
    [1, "2026-01-05T10:00:00Z"],
    [1, "2026-01-20T10:00:00Z"],
    [1, "2026-03-10T10:00:00Z"],
    [2, "2026-01-10T10:00:00Z"],
    [2, "2026-02-15T10:00:00Z"],
    [3, "2026-01-31T10:00:00Z"],
    [3, "2026-01-31T18:00:00Z"],
    [3, "2026-03-02T09:00:00Z"],
    // Feb cohort: 4 buys again on day 33 (not activated; its window closed on Mar 22).
    [4, "2026-02-20T10:00:00Z"],
    [4, "2026-03-25T10:00:00Z"],
    // Mar cohort: 5's window is still open on Mar 31 (not eligible, though it bought again).
    [5, "2026-03-15T10:00:00Z"],
    [5, "2026-03-20T10:00:00Z"],
    // 6 first bought before the period: in no cohort. A refund is no purchase.
    [6, "2025-06-01T10:00:00Z"],
    [6, "2026-01-07T10:00:00Z"],
    [2, "2026-03-03T10:00:00Z", -40],
  ]);
  const tickets: [number, string, string | null, string | null, string][] = [
    // January: response hours 2, 30 and 4; resolution hours 24 and 120; t3 unresolved past 72 h.
    [1, "2026-01-10T10:00:00Z", "2026-01-10T12:00:00Z", "2026-01-11T10:00:00Z", "resolved"],
    [1, "2026-01-20T00:00:00Z", "2026-01-21T06:00:00Z", "2026-01-25T00:00:00Z", "resolved"],
    [3, "2026-01-15T00:00:00Z", "2026-01-15T04:00:00Z", null, "answered"],
    // March: t4 opened 4 hours before as-of (no breach yet); t5 never answered; t6 answered after as-of.
    [3, "2026-03-31T20:00:00Z", null, null, "open"],
    [2, "2026-03-01T00:00:00Z", null, null, "open"],
    [2, "2026-03-05T00:00:00Z", "2026-04-02T00:00:00Z", null, "answered"],
  ];
  for (const [index, [customer, opened, responded, resolved, status]] of tickets.entries()) {
    await store.db.run(
      `INSERT INTO tickets (external_id, customer_id, kind, opened_at, first_response_at, resolved_at, status)
       VALUES (?, ?, 'question', ?, ?, ?, ?)`,
      [`K${index + 1}`, customer, opened, responded, resolved, status],
    );
  }
  const feedback: [number, string, string, number | null, string | null][] = [
    // January: NPS 10, 9, 3, 7 (2 promoters, 1 detractor: NPS 25); reviews positive, negative, neutral.
    [1, "2026-01-12T00:00:00Z", "nps", 10, null],
    [2, "2026-01-12T00:00:00Z", "nps", 9, null],
    [3, "2026-01-12T00:00:00Z", "nps", 3, null],
    [4, "2026-01-12T00:00:00Z", "nps", 7, null],
    [1, "2026-01-13T00:00:00Z", "review", null, "positive"],
    [3, "2026-01-13T00:00:00Z", "review", null, "negative"],
    [4, "2026-01-13T00:00:00Z", "review", null, "neutral"],
    // March: one detractor (NPS -100), no reviews.
    [2, "2026-03-12T00:00:00Z", "nps", 0, null],
    // After as-of: ignored.
    [1, "2026-04-02T00:00:00Z", "nps", 0, null],
  ];
  for (const [index, [customer, at, source, score, label]] of feedback.entries()) {
    await store.db.run(
      `INSERT INTO feedback (external_id, customer_id, occurred_at, source, score, text, sentiment, sentiment_label)
       VALUES (?, ?, ?, ?, ?, 'text', ?, ?)`,
      [`F${index + 1}`, customer, at, source, score, label === null ? null : 0, label],
    );
  }
}

describe("kpiReport on a hand-built book", () => {
  it("gives each month's service figures, with medians, p90 and SLA breaches worked out by hand", async () => {
    const { store } = await useTempStore("crm-kpi-");
    await handBuiltBook(store);
    const report = kpiReportOutput.parse(
      await kpiReport(store, { asOf: AS_OF, from: "2025-12", to: "2026-03" }),
    );
    expect(report.months.map((row) => row.month)).toEqual(["2025-12", "2026-01", "2026-02", "2026-03"]);
    const [december, january, february, march] = report.months;
    expect(january.service).toEqual({
      tickets: 3,
      first_response_median_hours: 4,
      first_response_p90_hours: expect.closeTo(4 + 0.8 * 26, 9),
      resolution_rate: 2 / 3,
      resolution_median_hours: 72,
      breaching: 2,
    });
    const empty = {
      tickets: 0,
      first_response_median_hours: null,
      first_response_p90_hours: null,
      resolution_rate: null,
      resolution_median_hours: null,
      breaching: 0,
    };
    expect(december.service).toEqual(empty);
    expect(february.service).toEqual(empty);
    expect(march.service).toEqual({ ...empty, tickets: 3, resolution_rate: 0, breaching: 2 });
    expect(report.service).toMatchObject({
      tickets: 6,
      responded: 3,
      resolved: 2,
      first_response_hours: { median: 4, p90: expect.closeTo(24.8, 9) },
      resolution_rate: 1 / 3,
      resolution_hours_median: 72,
      sla: { first_response_hours: 24, resolution_hours: 72 },
      breaching: { first_response: 3, resolution: 4, any: 4 },
      note: null,
    });
  });

  it("reads the SLA from the settings", async () => {
    const { store } = await useTempStore("crm-kpi-");
    await handBuiltBook(store);
    await store.setSetting("sla.first_response_hours", "48");
    const report = await kpiReport(store, { asOf: AS_OF, from: "2026-01", to: "2026-03" });
    // The 30-hour response is within 48 hours; the two March tickets still wait past it.
    expect(report.service.sla).toEqual({ first_response_hours: 48, resolution_hours: 72 });
    expect(report.service.breaching.first_response).toBe(2);
  });

  it("blends NPS and reviews per month, and has no emotion index for a month without either", async () => {
    const { store } = await useTempStore("crm-kpi-");
    await handBuiltBook(store);
    const report = await kpiReport(store, { asOf: AS_OF, from: "2026-01", to: "2026-03" });
    const [january, february, march] = report.months;
    // January: NPS 25 -> 62.5 points; reviews balance 0 -> 50 points; EI 56.25.
    expect(january.emotion).toEqual({ index: 56.25, nps: 25, nps_responses: 4, reviews: 3 });
    expect(february.emotion).toEqual({ index: null, nps: null, nps_responses: 0, reviews: 0 });
    expect(march.emotion).toEqual({ index: 0, nps: -100, nps_responses: 1, reviews: 0 });
    // The period: 2 promoters, 2 detractors of 5 (NPS 0 -> 50); reviews 50: EI 50.
    expect(report.emotion).toMatchObject({
      index: 50,
      nps: 0,
      nps_responses: 5,
      promoters: 2,
      detractors: 2,
    });
  });

  it("counts first-month activation per cohort and the retention table by month since the first purchase", async () => {
    const { store } = await useTempStore("crm-kpi-");
    await handBuiltBook(store);
    const report = await kpiReport(store, { asOf: AS_OF, from: "2025-12", to: "2026-03" });
    expect(report.cohorts).toEqual([
      {
        cohort: "2026-01",
        customers: 3,
        eligible: 3,
        activated: 2,
        activation_rate: 2 / 3,
        retention: [1, 1 / 3, 2 / 3],
      },
      { cohort: "2026-02", customers: 1, eligible: 1, activated: 0, activation_rate: 0, retention: [1, 1] },
      { cohort: "2026-03", customers: 1, eligible: 0, activated: 0, activation_rate: null, retention: [1] },
    ]);
    expect(report.months[0].activation).toEqual({ new_customers: 0, eligible: 0, activated: 0, rate: null });
    expect(report.activation).toEqual({
      window_days: 30,
      new_customers: 5,
      eligible: 4,
      activated: 2,
      rate: 0.5,
    });
  });

  it("narrows every index to one owner's customers", async () => {
    const { store } = await useTempStore("crm-kpi-");
    await handBuiltBook(store);
    const report = await kpiReport(store, { asOf: AS_OF, owner: "a", from: "2026-01", to: "2026-03" });
    expect(report.owner).toBe("A");
    // Tickets of customers 1 and 2: response hours 2 and 30; t2, t5 and t6 breach.
    expect(report.service).toMatchObject({
      tickets: 4,
      first_response_hours: { median: 16, p90: expect.closeTo(27.2, 9) },
      resolution_rate: 0.5,
      breaching: { any: 3 },
    });
    // January for A: NPS 10 and 9 (NPS 100 -> 100 points); one positive review (100 points).
    expect(report.months[0].emotion).toEqual({ index: 100, nps: 100, nps_responses: 2, reviews: 1 });
    expect(report.cohorts.map((row) => [row.cohort, row.customers, row.eligible, row.activated])).toEqual([
      ["2026-01", 2, 2, 1],
      ["2026-03", 1, 0, 0],
    ]);
    const book = await kpiReport(store, { asOf: AS_OF, from: "2026-01", to: "2026-03" });
    const other = await kpiReport(store, { asOf: AS_OF, owner: "B", from: "2026-01", to: "2026-03" });
    expect(report.service.tickets + other.service.tickets).toBe(book.service.tickets);
    expect(report.chi.customers + other.chi.customers).toBe(book.chi.customers);
    expect(report.ltv.customers + other.ltv.customers).toBe(book.ltv.customers);
  });

  it("takes CHI and the 12-month LTV from the score set and says which months have none", async () => {
    const { store } = await useTempStore("crm-kpi-");
    await handBuiltBook(store);
    const report = await kpiReport(store, { asOf: AS_OF, from: "2026-01", to: "2026-03" });
    expect(report.months.slice(0, 2).map((row) => row.chi)).toEqual([null, null]);
    expect(report.months[2].chi).toEqual({
      index: report.chi.index,
      customers: report.chi.customers,
      score_set_as_of: "2026-03-31",
    });
    const clv = await store.db.get<{ clv: number }>(
      "SELECT SUM(clv) AS clv FROM customer_scores WHERE score_set_id = (SELECT MAX(id) FROM score_sets)",
    );
    expect(report.months[2].ltv_12_months).toBeCloseTo(clv!.clv, 9);
    expect(report.notes[0]).toMatch(/none is stored for 2 of 3 months \(2026-01 to 2026-02\)/);
  });

  it("says there is no service data rather than inventing figures", async () => {
    const { store } = await useTempStore("crm-kpi-");
    await addCustomers(store, { 1: "A" });
    await addPurchases(store, [[1, "2026-01-05T10:00:00Z"]]);
    const report = await kpiReport(store, { asOf: AS_OF });
    expect(report.period).toEqual({ from: "2025-04", to: "2026-03" });
    expect(report.months).toHaveLength(12);
    expect(report.service).toMatchObject({
      tickets: 0,
      resolution_rate: null,
      first_response_hours: { median: null },
    });
    expect(report.service.note).toMatch(/no service tickets/);
    expect(report.emotion.index).toBeNull();
    expect(report.notes.join("\n")).toMatch(/no service tickets[\s\S]*no emotion index/);
  });

  it("refuses periods it cannot read, with what to do instead", async () => {
    const { store } = await useTempStore("crm-kpi-");
    await addCustomers(store, { 1: "A" });
    await expect(kpiReport(store, { asOf: AS_OF, to: "2026-05" })).rejects.toThrow(
      /after the as-of month 2026-03/,
    );
    await expect(kpiReport(store, { asOf: AS_OF, from: "2026-03", to: "2026-01" })).rejects.toThrow(
      /swap them/,
    );
    await expect(kpiReport(store, { asOf: AS_OF, from: "March" })).rejects.toThrow(KpiPeriodError);
    await expect(kpiReport(store, { asOf: AS_OF, from: "2020-01" })).rejects.toThrow(/at most 60/);
    await expect(kpiReport(store, { asOf: AS_OF, owner: "Nobody" })).rejects.toThrow(
      /owners in this book: A/,
    );
  });
});

describe("CHI aggregates over a score set", () => {
  /**
   * Four scored purchasers (rate = purchase days × 365.25 / max(T, 90)):
   *   1: rate 2, spend 300, churn 0.1 -> F 37.5, V 87.5, R 90 -> CHI 73.5 (healthy)
   *   2: rate 4, spend 50, churn 0.5 -> F 62.5, V 25, R 50 -> CHI 46.25
   *   3: rate 4.058 (T floored at 90), spend 50, churn 0.9 -> F 87.5, V 25, R 10 -> CHI 37.75 (at risk)
   *   4: rate 0.5, spend 200, churn 0.1 -> F 12.5, V 62.5, R 90 -> CHI 58.5
   * plus a customer who never bought and one who could not be scored (neither has a CHI).
   */
  async function scoredBook(store: Store): Promise<number> {
    await addCustomers(store, { 1: "A", 2: "A", 3: "B", 4: "B", 5: "A", 6: "B" });
    const { lastID } = await store.db.run(
      `INSERT INTO score_sets (as_of, horizon_days, data_version, model_version, computed_at, seconds, customers, models)
       VALUES ('2026-03-31T23:59:59Z', 90, 0, 'test', '2026-03-31T23:59:59Z', 0, 6, '{}')`,
    );
    await createScoresTable(store.db, scoresTable(lastID));
    const rows: [number, number, number, number, number, number | null, string | null][] = [
      // customer, orders, purchase days, T, average spend, churn, problem
      [1, 2, 2, 365.25, 300, 0.1, null],
      [2, 4, 4, 365.25, 50, 0.5, null],
      [3, 1, 1, 10, 50, 0.9, null],
      [4, 1, 1, 730.5, 200, 0.1, null],
      [5, 0, 0, 0, 0, null, null],
      [6, 3, 3, 400, 80, 0.3, "an amount that is not a real one"],
    ];
    for (const [customer, orders, days, T, spend, churn, problem] of rows) {
      await store.db.run(
        `INSERT INTO ${scoresTable(lastID)} (customer_id, orders, revenue, x, tx, t, monetary, margin_rate,
           churn_probability, clv, value_if_retained, risk_score, risk_level, value_at_risk, lifecycle_stage,
           open_complaints, score_problem, purchase_days, won_back, average_spend, feedback_count, negative_feedback_count)
         VALUES (?, ?, 0, ?, 0, ?, 0, 0.3, ?, 0, 0, 0, 'low', 0, 'active', 0, ?, ?, 0, ?, 0, 0)`,
        [customer, orders, Math.max(0, days - 1), T, churn, problem, days, spend],
      );
    }
    return lastID;
  }

  it("averages the book's and each owner's CHI with percentiles ranked over the whole book", async () => {
    const { store } = await useTempStore("crm-kpi-chi-");
    const setId = await scoredBook(store);
    const chi = await setChi(store, setId);
    const book = scopeOf(chi, undefined);
    expect(book).toEqual({
      customers: 4,
      meanIndex: expect.closeTo((73.5 + 46.25 + 37.75 + 58.5) / 4, 9),
      meanFrequency: expect.closeTo(50, 9),
      meanValue: expect.closeTo(50, 9),
      meanRetention: expect.closeTo(60, 9),
      healthy: 1,
      watch: 2,
      atRisk: 1,
    });
    const ownerA = scopeOf(chi, "a");
    expect(ownerA).toMatchObject({ customers: 2, healthy: 1, watch: 1, atRisk: 0 });
    expect(ownerA.meanIndex).toBeCloseTo((73.5 + 46.25) / 2, 9);
    expect(ownerA.meanValue).toBeCloseTo((87.5 + 25) / 2, 9);
    expect(scopeOf(chi, "B").meanIndex).toBeCloseTo((37.75 + 58.5) / 2, 9);
  });

  it("ranks one customer against the book's sorted columns as the core formula expects", async () => {
    const { store } = await useTempStore("crm-kpi-chi-");
    const setId = await scoredBook(store);
    const { columns } = await setChi(store, setId);
    expect([...columns.rates]).toEqual([0.5, 2, 4, 365.25 / 90]);
    expect([...columns.spends]).toEqual([50, 50, 200, 300]);
    const inputs = (await customerChiInputs(store, setId, 3))!;
    expect(inputs).toEqual({ rate: 365.25 / 90, spend: 50, churnProbability: 0.9 });
    const rate = rankCounts(columns.rates, inputs.rate);
    const spend = rankCounts(columns.spends, inputs.spend);
    expect([rate, spend]).toEqual([
      { below: 3, equal: 1 },
      { below: 0, equal: 2 },
    ]);
    const health = customerHealthIndex({
      frequencyPercentile: midRankPercentile(rate.below, rate.equal, columns.rates.length),
      valuePercentile: midRankPercentile(spend.below, spend.equal, columns.spends.length),
      churnProbability: inputs.churnProbability,
    });
    expect(health.index).toBeCloseTo(37.75, 9);
    expect(health.band).toBe("at-risk");
    expect(await customerChiInputs(store, setId, 5)).toBeUndefined();
    expect(await customerChiInputs(store, setId, 6)).toBeUndefined();
  });
});
