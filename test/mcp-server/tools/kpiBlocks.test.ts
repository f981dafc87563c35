import { afterAll, beforeAll, describe, expect, it } from "vitest";
import {
  CHI_BAND_LABELS,
  customerHealthIndex,
  midRankPercentile,
  purchaseRatePerYear,
} from "../../../core/kpi.js";
import { GET_CUSTOMER, getCustomerOutput } from "../../../mcp-server/contract/getCustomer.js";
import {
  PORTFOLIO_OVERVIEW,
  portfolioOverviewOutput,
} from "../../../mcp-server/contract/portfolioOverview.js";
import { resolveAsOf } from "../../../mcp-server/asOf.js";
import { kpiReport } from "../../../mcp-server/reports/kpi.js";
import { createMcpHarness, DEMO_AS_OF, textOf, type McpHarness } from "../../helpers/mcpClient.js";

let harness: McpHarness;

beforeAll(async () => {
  harness = await createMcpHarness();
});
afterAll(async () => {
  await harness?.close();
});

async function call(name: string, args: Record<string, unknown>) {
  const result = await harness.call(name, { as_of: DEMO_AS_OF, ...args });
  expect(result.isError, textOf(result)).toBeFalsy();
  return result;
}

/** The demo's scored customers as plain rows, for an independent CHI in JavaScript. */
async function scoredRows() {
  return harness.store.db.all<{
    customer_id: number;
    external_id: string;
    owner: string | null;
    purchase_days: number;
    t: number;
    average_spend: number;
    churn_probability: number;
  }>(
    `SELECT s.customer_id, c.external_id, c.owner, s.purchase_days, s.t, s.average_spend, s.churn_probability
     FROM customer_scores s JOIN customers c ON c.id = s.customer_id
     WHERE s.score_set_id = (SELECT id FROM score_sets WHERE as_of = ? ORDER BY id DESC LIMIT 1)
       AND s.orders > 0 AND s.churn_probability IS NOT NULL AND s.score_problem IS NULL`,
    [`${DEMO_AS_OF}T23:59:59Z`],
  );
}

/** Each scored customer's CHI from the core formula, percentiles counted by scanning the book. */
function independentChi(rows: Awaited<ReturnType<typeof scoredRows>>) {
  const rates = rows.map((row) => purchaseRatePerYear(row.purchase_days, row.t));
  const spends = rows.map((row) => row.average_spend);
  const percentile = (values: number[], value: number) =>
    midRankPercentile(
      values.filter((v) => v < value).length,
      values.filter((v) => v === value).length,
      values.length,
    );
  return rows.map((row, index) => ({
    ...row,
    chi: customerHealthIndex({
      frequencyPercentile: percentile(rates, rates[index]),
      valuePercentile: percentile(spends, spends[index]),
      churnProbability: row.churn_probability,
    }),
  }));
}

describe("the KPI blocks of portfolio_overview and get_customer", () => {
  it("give portfolio_overview the same headline indices as crm kpi, for the book and one owner", async () => {
    const book = portfolioOverviewOutput.parse((await call(PORTFOLIO_OVERVIEW, {})).structuredContent);
    const report = await kpiReport(harness.store, { asOf: resolveAsOf(DEMO_AS_OF) });
    const { months: _months, cohorts: _cohorts, notes: _notes, ...headline } = report;
    expect(book.kpi).toEqual(headline);
    expect(book.kpi.period).toEqual({ from: "2025-07", to: "2026-06" });
    const owner = (await scoredRows()).find((row) => row.owner !== null)!.owner!;
    const mine = portfolioOverviewOutput.parse(
      (await call(PORTFOLIO_OVERVIEW, { owner: owner.toLowerCase() })).structuredContent,
    );
    expect(mine.kpi.owner).toBe(owner);
    const ownerReport = await kpiReport(harness.store, { asOf: resolveAsOf(DEMO_AS_OF), owner });
    expect(mine.kpi.chi).toEqual(ownerReport.chi);
    expect(mine.kpi.ltv.customers).toBe(mine.customers);
  });

  it("averages the CHI a plain computation gives each customer", async () => {
    const chis = independentChi(await scoredRows());
    const overview = portfolioOverviewOutput.parse((await call(PORTFOLIO_OVERVIEW, {})).structuredContent);
    const mean = chis.reduce((sum, row) => sum + row.chi.index, 0) / chis.length;
    expect(overview.kpi.chi.customers).toBe(chis.length);
    expect(overview.kpi.chi.index!).toBeCloseTo(mean, 9);
    expect(overview.kpi.chi.bands).toEqual({
      healthy: chis.filter((row) => row.chi.band === "healthy").length,
      watch: chis.filter((row) => row.chi.band === "watch").length,
      at_risk: chis.filter((row) => row.chi.band === "at-risk").length,
    });
    expect(textOf(await call(PORTFOLIO_OVERVIEW, {}))).toContain(
      "**Relationship KPIs** (2025-07 to 2026-06)",
    );
  });

  it("gives get_customer the customer's CHI with components, EI and LTV over 12 months and 5 years", async () => {
    const chis = independentChi(await scoredRows());
    for (const expected of [chis[0], chis[Math.floor(chis.length / 2)], chis[chis.length - 1]]) {
      const result = await call(GET_CUSTOMER, { customer_id: expected.external_id });
      const profile = getCustomerOutput.parse(result.structuredContent);
      expect(profile.kpi.chi!.index).toBeCloseTo(expected.chi.index, 9);
      expect(profile.kpi.chi!.components.frequency).toBeCloseTo(expected.chi.components.frequency, 9);
      expect(profile.kpi.chi!.components.value).toBeCloseTo(expected.chi.components.value, 9);
      expect(profile.kpi.chi!.band).toBe(expected.chi.band);
      expect(profile.kpi.ltv.twelve_months).toBe(profile.value.clv);
      if (profile.value.clv > 0) expect(profile.kpi.ltv.five_years!).toBeGreaterThan(profile.value.clv);
      expect(profile.kpi.chi!.band_label).toEqual(CHI_BAND_LABELS[expected.chi.band]);
      expect(textOf(result)).toContain(
        `- CHI ${expected.chi.index.toFixed(0)} (${CHI_BAND_LABELS[expected.chi.band][profile.customer.language]}; frequency`,
      );
    }
  });

  it("sums the customers' 5-year values to the book's", async () => {
    const overview = portfolioOverviewOutput.parse((await call(PORTFOLIO_OVERVIEW, {})).structuredContent);
    const ids = await harness.store.db.all<{ external_id: string }>(
      "SELECT external_id FROM customers ORDER BY id",
    );
    let total = 0;
    for (const { external_id } of ids) {
      const profile = getCustomerOutput.parse(
        (await call(GET_CUSTOMER, { customer_id: external_id })).structuredContent,
      );
      total += profile.kpi.ltv.five_years ?? 0;
    }
    expect(total).toBeCloseTo(overview.kpi.ltv.five_years!, 6);
  });

  it("shows a write in the next answer: a new NPS answer and a complaint's ticket", async () => {
    const writer = await createMcpHarness({ allowWrites: true });
    try {
      const overview = async () =>
        portfolioOverviewOutput.parse(
          (await writer.call(PORTFOLIO_OVERVIEW, { as_of: DEMO_AS_OF })).structuredContent,
        ).kpi;
      const before = await overview();
      const customer = (await writer.store.db.get<{ external_id: string }>(
        "SELECT external_id FROM customers ORDER BY id LIMIT 1",
      ))!.external_id;
      for (const args of [
        { source: "nps", score: 10 },
        { source: "complaint", text: "The parcel arrived broken." },
      ]) {
        const result = await writer.call("record_feedback", {
          customer_id: customer,
          occurred_at: `${DEMO_AS_OF}T12:00:00Z`,
          ...args,
        });
        expect(result.isError, textOf(result)).toBeFalsy();
      }
      const after = await overview();
      expect(after.emotion.nps_responses).toBe(before.emotion.nps_responses + 1);
      expect(after.emotion.promoters).toBe(before.emotion.promoters + 1);
      expect(after.service.tickets).toBe(before.service.tickets + 1);
    } finally {
      await writer.close();
    }
  });
});
