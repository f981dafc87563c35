import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { npsScore } from "../../../core/feedback.js";
import { abcTiers } from "../../../core/valueTiers.js";
import {
  PORTFOLIO_OVERVIEW,
  portfolioOverviewOutput,
  type PortfolioOverviewResult,
} from "../../../mcp-server/contract/portfolioOverview.js";
import { bookStats } from "../../../mcp-server/store/bookStats.js";
import type { Store } from "../../../mcp-server/store/store.js";
import {
  createMcpHarness,
  DEMO_AS_OF,
  DEMO_CUSTOMERS,
  textOf,
  type McpHarness,
} from "../../helpers/mcpClient.js";

const END = `${DEMO_AS_OF}T23:59:59Z`;
const DAY_MS = 86_400_000;
const iso = (ms: number) => new Date(ms).toISOString().replace(/\.\d{3}Z$/, "Z");
const YEAR_AGO = iso(Date.parse(END) - 365 * DAY_MS);
const TWO_YEARS_AGO = iso(Date.parse(END) - 730 * DAY_MS);

let harness: McpHarness;

async function tableCounts(store: Store) {
  const extra = await store.db.get<{ audit: number; score_sets: number; customer_scores: number }>(
    `SELECT (SELECT COUNT(*) FROM audit_log) AS audit, (SELECT COUNT(*) FROM score_sets) AS score_sets,
            (SELECT COUNT(*) FROM customer_scores) AS customer_scores`,
  );
  return { ...(await store.counts()), ...extra, dataVersion: await store.dataVersion() };
}

async function overview(args: Record<string, unknown> = {}): Promise<PortfolioOverviewResult> {
  const result = await harness.call(PORTFOLIO_OVERVIEW, { as_of: DEMO_AS_OF, ...args });
  expect(result.isError, textOf(result)).toBeFalsy();
  return portfolioOverviewOutput.parse(result.structuredContent);
}

/** The overview's facts recomputed in plain code from the raw tables and the cached scores. */
async function independent(owner?: string) {
  const db = harness.store.db;
  const customers = (
    await db.all<{ id: number; owner: string | null }>("SELECT id, owner FROM customers")
  ).filter((customer) => owner === undefined || customer.owner === owner);
  const mine = new Set(customers.map((customer) => customer.id));
  const transactions = (
    await db.all<{ customer_id: number; occurred_at: string; amount: number }>(
      "SELECT customer_id, occurred_at, amount FROM transactions WHERE occurred_at <= ?",
      [END],
    )
  ).filter((row) => mine.has(row.customer_id));
  const orders = new Map<number, number>();
  const latest = new Set<number>();
  const previous = new Set<number>();
  const revenue = new Map<number, number>();
  for (const row of transactions) {
    orders.set(row.customer_id, (orders.get(row.customer_id) ?? 0) + 1);
    if (row.occurred_at > YEAR_AGO) {
      latest.add(row.customer_id);
      revenue.set(row.customer_id, (revenue.get(row.customer_id) ?? 0) + row.amount);
    } else if (row.occurred_at > TWO_YEARS_AGO) previous.add(row.customer_id);
  }
  const positive = [...revenue.values()].filter((value) => value > 0).sort((a, b) => b - a);
  const positiveTotal = positive.reduce((sum, value) => sum + value, 0);
  const top = (fraction: number) =>
    positive.slice(0, Math.ceil(positive.length * fraction)).reduce((sum, value) => sum + value, 0) /
    positiveTotal;
  const retained = [...previous].filter((id) => latest.has(id)).length;
  const nps = (
    await db.all<{ customer_id: number; score: number }>(
      "SELECT customer_id, score FROM feedback WHERE source = 'nps' AND score IS NOT NULL AND occurred_at > ? AND occurred_at <= ?",
      [YEAR_AGO, END],
    )
  ).filter((row) => mine.has(row.customer_id));
  const scores = (
    await db.all<{
      customer_id: number;
      clv: number;
      value_at_risk: number;
      lifecycle_stage: string;
      risk_level: string;
      churn_probability: number | null;
      abc_tier: string;
    }>(`SELECT s.* FROM customer_scores s JOIN score_sets ss ON ss.id = s.score_set_id WHERE ss.as_of = ?`, [
      END,
    ])
  ).filter((row) => mine.has(row.customer_id));
  const countBy = (key: "lifecycle_stage" | "risk_level" | "abc_tier", rows = scores) => {
    const counts: Record<string, number> = {};
    for (const row of rows) counts[row[key]] = (counts[row[key]] ?? 0) + 1;
    return counts;
  };
  const promoters = nps.filter((row) => row.score >= 9).length;
  const detractors = nps.filter((row) => row.score <= 6).length;
  return {
    customers: customers.length,
    withPurchases: orders.size,
    active: latest.size,
    repeatRate: [...orders.values()].filter((count) => count > 1).length / orders.size,
    previous: previous.size,
    retained,
    revenue: [...revenue.values()].reduce((sum, value) => sum + value, 0),
    buyers: positive.length,
    top10: top(0.1),
    top20: top(0.2),
    nps: {
      score: (100 * (promoters - detractors)) / nps.length,
      responses: nps.length,
      promoters,
      passives: nps.length - promoters - detractors,
      detractors,
    },
    totalClv: scores.reduce((sum, row) => sum + row.clv, 0),
    valueAtRisk: scores.reduce((sum, row) => sum + row.value_at_risk, 0),
    stages: countBy("lifecycle_stage"),
    // Risk levels are bands of the churn probability, which only buyers have.
    levels: countBy(
      "risk_level",
      scores.filter((row) => row.churn_probability !== null),
    ),
    tiers: countBy("abc_tier"),
    scores,
  };
}

function expectMatches(result: PortfolioOverviewResult, facts: Awaited<ReturnType<typeof independent>>) {
  expect(result.customers).toBe(facts.customers);
  expect(result.customers_with_purchases).toBe(facts.withPurchases);
  expect(result.active_customers).toBe(facts.active);
  expect(result.repeat_rate).toBeCloseTo(facts.repeatRate, 12);
  expect(result.retention.previous_window_customers).toBe(facts.previous);
  expect(result.retention.retained).toBe(facts.retained);
  expect(result.retention.churned).toBe(facts.previous - facts.retained);
  expect(result.retention.churn_rate).toBeCloseTo(1 - facts.retained / facts.previous, 12);
  expect(result.retention.retention_rate).toBeCloseTo(facts.retained / facts.previous, 12);
  expect(result.revenue_last_12_months).toBeCloseTo(facts.revenue, 6);
  expect(result.revenue_concentration.customers_with_revenue).toBe(facts.buyers);
  expect(result.revenue_concentration.top_10_percent_share).toBeCloseTo(facts.top10, 12);
  expect(result.revenue_concentration.top_20_percent_share).toBeCloseTo(facts.top20, 12);
  expect(result.nps).not.toBeNull();
  expect(result.nps!.score).toBeCloseTo(facts.nps.score, 12);
  expect({ ...result.nps, score: 0 }).toEqual({ ...facts.nps, score: 0 });
  expect(result.total_clv).toBeCloseTo(facts.totalClv, 6);
  expect(result.total_value_at_risk).toBeCloseTo(facts.valueAtRisk, 6);
  for (const row of result.lifecycle_stages)
    expect(row.customers, row.stage).toBe(facts.stages[row.stage] ?? 0);
  for (const row of result.risk_levels) expect(row.customers, row.level).toBe(facts.levels[row.level] ?? 0);
  for (const row of result.abc_tiers) expect(row.customers, row.tier).toBe(facts.tiers[row.tier] ?? 0);
}

beforeAll(async () => {
  harness = await createMcpHarness();
});

afterAll(async () => {
  await harness?.close();
});

describe("portfolio_overview", () => {
  it("is listed with its output schema, read-only annotations, described inputs and the churn definition", async () => {
    const { tools } = await harness.client.listTools();
    const tool = tools.find((candidate) => candidate.name === PORTFOLIO_OVERVIEW)!;
    expect(Object.keys(tool.outputSchema?.properties ?? {})).toEqual(
      expect.arrayContaining(["active_customers", "retention", "revenue_concentration", "abc_tiers", "nps"]),
    );
    expect(tool.annotations).toMatchObject({
      readOnlyHint: true,
      destructiveHint: false,
      idempotentHint: true,
      openWorldHint: false,
    });
    expect(tool.description).toContain(
      "Churn rate = of the customers who bought in the previous 12-month window",
    );
    expect(tool.description).toContain("retention rate = 1 - churn rate");
    for (const [name, property] of Object.entries(tool.inputSchema.properties ?? {}))
      expect((property as { description?: string }).description, name).toBeTruthy();
  });

  it("gives the demo book's exact headline numbers", async () => {
    const result = await overview();
    expect(result).toMatchObject({
      owner: null,
      customers: DEMO_CUSTOMERS,
      customers_with_purchases: 565,
      active_customers: 445,
      retention: { previous_window_customers: 292, retained: 172, churned: 120 },
      revenue_concentration: { customers_with_revenue: 445 },
      nps: { responses: 195, promoters: 72, passives: 66, detractors: 57 },
    });
    expect(result.repeat_rate).toBeCloseTo(0.819, 3);
    expect(result.retention.churn_rate).toBeCloseTo(120 / 292, 12);
    expect(result.revenue_last_12_months).toBeCloseTo(551433.1, 2);
    expect(result.revenue_concentration.top_10_percent_share).toBeCloseTo(0.396, 3);
    expect(result.revenue_concentration.top_20_percent_share).toBeCloseTo(0.582, 3);
    expect(result.nps!.score).toBeCloseTo((100 * 15) / 195, 12);
    expect(result.total_clv).toBeCloseTo(134467.06, 2);
    expect(result.total_value_at_risk).toBeCloseTo(95238.03, 2);
    expect(result.expected_churners).toBeCloseTo(382.35, 2);
    expect(result.churn_model).toMatchObject({
      horizon_days: 90,
      method: "calibrated-logistic",
      purchase_model: { kind: "bg-nbd", degenerate: false },
      last_backtest: null,
    });
    expect(result.abc_tiers.map((row) => [row.tier, row.customers])).toEqual([
      ["A", 192],
      ["B", 146],
      ["C", 262],
    ]);
    expect(result.lifecycle_stages.map((row) => [row.stage, row.customers])).toEqual([
      ["prospect", 35],
      ["onboarding", 80],
      ["growth", 39],
      ["mature", 45],
      ["decline", 175],
      ["churned", 185],
      ["win-back", 41],
    ]);
    expect(result.risk_levels.map((row) => [row.level, row.customers])).toEqual([
      ["low", 60],
      ["medium", 112],
      ["high", 98],
      ["critical", 295],
    ]);
    const text = textOf(await harness.call(PORTFOLIO_OVERVIEW, { as_of: DEMO_AS_OF }));
    expect(text).toContain("Churn: 41.1% (120 of the 292 customers");
    expect(text).toContain("551,433.10");
  });

  it("agrees with the raw tables, the core NPS and the core ABC tiers", async () => {
    const result = await overview();
    const facts = await independent();
    expectMatches(result, facts);
    const scores = await harness.store.db.all<{ score: number }>(
      "SELECT score FROM feedback WHERE source = 'nps' AND occurred_at > ? AND occurred_at <= ?",
      [YEAR_AGO, END],
    );
    expect(result.nps!.score).toBe(npsScore(scores.map((row) => row.score)).score);
    const tiers = abcTiers(facts.scores.map((row) => ({ id: String(row.customer_id), value: row.clv })));
    for (const row of result.abc_tiers) {
      expect(row.customers).toBe(tiers.tiers[row.tier].count);
      expect(row.value_share).toBeCloseTo(tiers.tiers[row.tier].valueShare, 12);
      expect(row.customer_share).toBeCloseTo(tiers.tiers[row.tier].customerShare, 12);
    }
    expect(result.abc_tiers[0].value_share).toBeGreaterThanOrEqual(0.8);
    const concentration = result.revenue_concentration;
    expect(concentration.top_10_percent_share!).toBeLessThan(concentration.top_20_percent_share!);
  });

  it("narrows to one owner (case-insensitive) and the owners add up to the whole book", async () => {
    const owners = (
      await harness.store.db.all<{ owner: string }>("SELECT DISTINCT owner FROM customers ORDER BY owner")
    ).map((row) => row.owner);
    expect(owners.length).toBeGreaterThan(1);
    const whole = await overview();
    const parts: PortfolioOverviewResult[] = [];
    for (const owner of owners) {
      const part = await overview({ owner });
      expect(part.owner).toBe(owner);
      expectMatches(part, await independent(owner));
      parts.push(part);
    }
    const sum = (pick: (part: PortfolioOverviewResult) => number) =>
      parts.reduce((total, part) => total + pick(part), 0);
    expect(sum((part) => part.customers)).toBe(whole.customers);
    expect(sum((part) => part.active_customers)).toBe(whole.active_customers);
    expect(sum((part) => part.retention.churned)).toBe(whole.retention.churned);
    expect(sum((part) => part.nps!.responses)).toBe(whole.nps!.responses);
    expect(sum((part) => part.revenue_last_12_months)).toBeCloseTo(whole.revenue_last_12_months, 6);
    expect(sum((part) => part.total_clv)).toBeCloseTo(whole.total_clv, 6);
    for (const [index, stage] of whole.lifecycle_stages.entries())
      expect(sum((part) => part.lifecycle_stages[index].customers)).toBe(stage.customers);

    const lower = await overview({ owner: owners[0].toLowerCase() });
    expect(lower).toEqual(await overview({ owner: owners[0] }));
  });

  it("rejects unknown owners and bad input with isError and changes nothing", async () => {
    await overview();
    const before = await tableCounts(harness.store);
    const unknown = await harness.call(PORTFOLIO_OVERVIEW, { as_of: DEMO_AS_OF, owner: "Nobody Here" });
    expect(unknown.isError).toBe(true);
    expect(textOf(unknown)).toContain('no customers have the owner "Nobody Here"');
    expect(textOf(unknown)).toContain("Wang Lei");
    const injection = await harness.call(PORTFOLIO_OVERVIEW, {
      as_of: DEMO_AS_OF,
      owner: "x' OR '1'='1'; DROP TABLE customers; --",
    });
    expect(injection.isError).toBe(true);
    expect(textOf(injection)).toContain("no customers have the owner");
    for (const args of [{ owner: 5 }, { owner: "" }, { owner: "x".repeat(101) }, { as_of: "2026-6-30" }]) {
      const result = await harness.call(PORTFOLIO_OVERVIEW, { as_of: DEMO_AS_OF, ...args });
      expect(result.isError, JSON.stringify(args)).toBe(true);
    }
    expect(await tableCounts(harness.store)).toEqual(before);
  });
});

describe("book facts behind portfolio_overview and crm stats", () => {
  it("equal a plain computation from the transactions, for the book and each owner", async () => {
    const customers = await harness.store.db.all<{ id: number; owner: string | null; language: string }>(
      "SELECT id, owner, language FROM customers",
    );
    const transactions = await harness.store.db.all<{
      customer_id: number;
      occurred_at: string;
      amount: number;
    }>(
      "SELECT customer_id, occurred_at, amount FROM transactions WHERE occurred_at <= ? ORDER BY occurred_at",
      [END],
    );
    for (const owner of [undefined, "Alice Martin", "Wang Lei"]) {
      const mine = new Set(
        customers.filter((c) => owner === undefined || c.owner === owner).map((c) => c.id),
      );
      const rows = transactions.filter((row) => mine.has(row.customer_id));
      const orders = new Map<number, number>();
      const last = new Map<number, string>();
      for (const row of rows) {
        orders.set(row.customer_id, (orders.get(row.customer_id) ?? 0) + 1);
        last.set(row.customer_id, row.occurred_at);
      }
      const stats = await bookStats(harness.store, new Date(END), owner);
      expect(stats.customers).toBe(mine.size);
      expect(stats.customersWithPurchases).toBe(orders.size);
      expect(stats.transactions).toBe(rows.length);
      expect(stats.revenue).toBeCloseTo(
        rows.reduce((sum, row) => sum + row.amount, 0),
        6,
      );
      expect(stats.revenueLastYear).toBeCloseTo(
        rows.filter((row) => row.occurred_at > YEAR_AGO).reduce((sum, row) => sum + row.amount, 0),
        6,
      );
      expect(stats.activeCustomers).toBe([...last.values()].filter((at) => at > YEAR_AGO).length);
      expect(stats.repeatRate).toBeCloseTo(
        [...orders.values()].filter((n) => n > 1).length / orders.size,
        12,
      );
      expect(stats.firstTransaction).toBe(rows[0].occurred_at);
      expect(stats.lastTransaction).toBe(rows.at(-1)!.occurred_at);
      const languages = customers.filter((c) => mine.has(c.id));
      expect(stats.languages).toEqual({
        en: languages.filter((c) => c.language === "en").length,
        zh: languages.filter((c) => c.language === "zh").length,
      });
      expect(stats.owners.reduce((sum, row) => sum + row.customers, 0)).toBe(mine.size);
    }
  });

  it("are remembered per data version, so a purchase written since shows in the next answer", async () => {
    const before = await overview();
    const prospect = await harness.store.db.get<{ id: number }>(
      "SELECT id FROM customers WHERE id NOT IN (SELECT customer_id FROM transactions) ORDER BY id LIMIT 1",
    );
    await harness.store.db.run(
      "INSERT INTO transactions (external_id, customer_id, occurred_at, amount) VALUES ('BENCH-NEW', ?, ?, 1000)",
      [prospect!.id, `${DEMO_AS_OF}T12:00:00Z`],
    );
    await harness.store.markChanged();
    try {
      const after = await overview();
      expect(after.customers_with_purchases).toBe(before.customers_with_purchases + 1);
      expect(after.active_customers).toBe(before.active_customers + 1);
      expect(after.revenue_last_12_months).toBeCloseTo(before.revenue_last_12_months + 1000, 6);
      expect(after.revenue_concentration.customers_with_revenue).toBe(
        before.revenue_concentration.customers_with_revenue + 1,
      );
    } finally {
      await harness.store.db.run("DELETE FROM transactions WHERE external_id = 'BENCH-NEW'");
      await harness.store.markChanged();
    }
    // The book is as it was; the models may now be reused from the newer set (see churn_model.notes).
    const { churn_model: _after, scores: _afterScores, ...restored } = await overview();
    const { churn_model: _before, scores: _beforeScores, ...original } = before;
    expect(restored).toEqual(original);
  });
});
