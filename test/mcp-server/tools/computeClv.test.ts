import { Client } from "@modelcontextprotocol/sdk/client/index.js";
import { InMemoryTransport } from "@modelcontextprotocol/sdk/inMemory.js";
import type { CallToolResult } from "@modelcontextprotocol/sdk/types.js";
import { afterAll, beforeAll, describe, expect, it, vi } from "vitest";
import { fitPurchaseModelSteps } from "../../../core/purchaseModel.js";
import { customerLifetimeValue, portfolioLifetimeValue } from "../../../core/clv.js";
import { fitGammaGammaSteps } from "../../../core/gammaGamma.js";
import { customerSummary } from "../../../core/summary.js";
import {
  COMPUTE_CLV,
  computeClvOutput,
  type ComputeClvResult,
} from "../../../mcp-server/contract/computeClv.js";
import type { BookModels } from "../../../mcp-server/scoring/scoreCustomers.js";
import { createServer } from "../../../mcp-server/server/createServer.js";
import { Store } from "../../../mcp-server/store/store.js";
import { createMcpHarness, DEMO_AS_OF, TEST_NOW, textOf, type McpHarness } from "../../helpers/mcpClient.js";
import { useTempDir } from "../../helpers/tempFiles.js";

// Count model fits, to prove compute_clv reuses the cached ones.
vi.mock("../../../core/purchaseModel.js", async (importOriginal) => {
  const actual = await importOriginal<typeof import("../../../core/purchaseModel.js")>();
  return { ...actual, fitPurchaseModelSteps: vi.fn(actual.fitPurchaseModelSteps) };
});
vi.mock("../../../core/gammaGamma.js", async (importOriginal) => {
  const actual = await importOriginal<typeof import("../../../core/gammaGamma.js")>();
  return { ...actual, fitGammaGammaSteps: vi.fn(actual.fitGammaGammaSteps) };
});

const END = `${DEMO_AS_OF}T23:59:59Z`;

let harness: McpHarness;
let models: BookModels;
let scoreSetId: number;

async function tableCounts(store: Store) {
  const extra = await store.db.get<{ audit: number; score_sets: number; customer_scores: number }>(
    `SELECT (SELECT COUNT(*) FROM audit_log) AS audit, (SELECT COUNT(*) FROM score_sets) AS score_sets,
            (SELECT COUNT(*) FROM customer_scores) AS customer_scores`,
  );
  return { ...(await store.counts()), ...extra, dataVersion: await store.dataVersion() };
}

function parsed(result: CallToolResult): ComputeClvResult {
  expect(result.isError, textOf(result)).toBeFalsy();
  return computeClvOutput.parse(result.structuredContent);
}

async function clv(args: Record<string, unknown>): Promise<ComputeClvResult> {
  return parsed(await harness.call(COMPUTE_CLV, { as_of: DEMO_AS_OF, ...args }));
}

/** x, tx, T, monetary and the margin rate recomputed from the store's transactions. */
async function summaryFromStore(customerId: number) {
  const rows = await harness.store.db.all<{ occurred_at: string; amount: number; margin: number | null }>(
    "SELECT occurred_at, amount, margin FROM transactions WHERE customer_id = ? AND occurred_at <= ? ORDER BY occurred_at",
    [customerId, END],
  );
  const summary = customerSummary(
    rows.map((row) => ({ timestamp: new Date(row.occurred_at), amount: row.amount })),
    { asOf: new Date(END), unit: "days" },
  );
  const withMargin = rows.filter((row) => row.margin !== null && row.amount > 0);
  const marginRate =
    withMargin.reduce((sum, row) => sum + row.margin!, 0) /
    withMargin.reduce((sum, row) => sum + row.amount, 0);
  return { summary, marginRate };
}

beforeAll(async () => {
  harness = await createMcpHarness();
  await clv({ customer_id: "C00001" }); // computes the score set once
  const row = await harness.store.db.get<{ id: number; models: string }>(
    "SELECT id, models FROM score_sets WHERE as_of = ?",
    [END],
  );
  scoreSetId = row!.id;
  models = JSON.parse(row!.models);
});

afterAll(async () => {
  await harness?.close();
});

describe("compute_clv", () => {
  it("is listed with its output schema, read-only annotations and described inputs", async () => {
    const { tools } = await harness.client.listTools();
    const tool = tools.find((candidate) => candidate.name === COMPUTE_CLV)!;
    expect(Object.keys(tool.outputSchema?.properties ?? {})).toEqual(
      expect.arrayContaining(["selection", "settings", "customers", "totals", "models", "formula"]),
    );
    expect(tool.annotations).toMatchObject({
      readOnlyHint: true,
      destructiveHint: false,
      idempotentHint: true,
      openWorldHint: false,
    });
    for (const [name, property] of Object.entries(tool.inputSchema.properties ?? {}))
      expect((property as { description?: string }).description, name).toBeTruthy();
  });

  it("with default settings reproduces the cached CLV of C00001 and reports the fitted models", async () => {
    const result = await clv({ customer_id: "C00001" });
    expect(result.selection).toEqual({ by: "customer_id", value: "C00001" });
    expect(result.settings).toEqual({
      horizon_months: 12,
      margin: null,
      annual_discount_rate: 0.1,
      monthly_discount_rate: Math.pow(1.1, 1 / 12) - 1,
    });
    expect(result.total).toBe(1);
    const [row] = result.customers;
    const cached = await harness.store.db.get<Record<string, number>>(
      "SELECT * FROM customer_scores WHERE score_set_id = ? AND customer_id = 1",
      [scoreSetId],
    );
    expect(row).toMatchObject({
      rank: 1,
      customer: { customer_id: "C00001", store_id: 1 },
      x: cached!.x,
      tx: cached!.tx,
      T: cached!.t,
      monetary: cached!.monetary,
      margin: cached!.margin_rate,
      margin_source: "observed",
      modelled: true,
      p_alive: cached!.p_alive,
      clv: cached!.clv,
      note: null,
    });
    expect(row.expected_purchases).toBeCloseTo(cached!.expected_purchases, 9);
    expect(row.expected_spend_per_purchase).toBeCloseTo(cached!.expected_spend, 9);
    // Pinned for the fixed demo book (seed 42, 600 customers, as of 2026-06-30).
    expect(row.clv).toBeCloseTo(792.3, 2);
    expect(row.p_alive).toBeCloseTo(0.9559, 4);
    expect(row.expected_revenue).toBeCloseTo(3397.46, 2);
    expect(result.totals).toMatchObject({ customers: 1, modelled_customers: 1, clv: row.clv });

    expect(result.models).toMatchObject({
      fitted: true,
      unit: "days",
      purchasing_customers: 565,
      returning_customers: 461,
      purchase_model: {
        kind: "bg-nbd",
        label: "BG/NBD",
        params: models.churn.purchaseModel!.params,
        log_likelihood: models.churn.purchaseModel!.logLikelihood,
        degenerate: false,
        converged: true,
        customers_fitted: 565,
      },
      gamma_gamma: {
        p: models.gammaGamma!.p,
        q: models.gammaGamma!.q,
        v: models.gammaGamma!.v,
        log_likelihood: models.gammaGamma!.logLikelihood,
        converged: true,
        customers_fitted: 461,
        frequency_monetary_correlation: models.gammaGamma!.frequencyMonetaryCorrelation,
      },
      notes: [],
    });
    // The demo book is simulated from BG/NBD, and the per-book model choice picks it.
    expect(result.models.purchase_model!.params.r).toBeCloseTo(0.982, 3);
    expect(result.models.gamma_gamma!.frequency_monetary_correlation).toBeCloseTo(-0.033, 3);
    expect(result.formula).toMatch(/margin × E\[spend per purchase\].*\(1 \+ d\)\^m/);
    expect(textOf(await harness.call(COMPUTE_CLV, { customer_id: "C00001", as_of: DEMO_AS_OF }))).toContain(
      "792.30",
    );
  });

  it("matches the core CLV computed from the store's transactions for custom settings", async () => {
    for (const [reference, id] of [
      ["C00001", 1],
      ["C00002", 2],
      ["C00199", 199],
    ] as const) {
      const { summary, marginRate } = await summaryFromStore(id);
      const settings = { horizonMonths: 36, annualDiscountRate: 0.08, unit: "days" as const };
      const own = await clv({ customer_id: reference, horizon_months: 36, annual_discount_rate: 0.08 });
      const given = await clv({
        customer_id: reference,
        horizon_months: 36,
        annual_discount_rate: 0.08,
        margin: 0.25,
      });
      for (const [result, margin] of [
        [own, marginRate],
        [given, 0.25],
      ] as const) {
        const expected = customerLifetimeValue(models.churn.purchaseModel!, models.gammaGamma!, summary, {
          ...settings,
          margin,
        });
        const [row] = result.customers;
        expect(row).toMatchObject({ x: summary.x, tx: summary.tx, T: summary.T });
        expect(row.monetary).toBeCloseTo(summary.monetary, 9);
        expect(row.margin).toBeCloseTo(margin, 12);
        expect(row.p_alive).toBeCloseTo(expected.pAlive, 12);
        expect(row.expected_purchases).toBeCloseTo(expected.expectedPurchases, 9);
        expect(row.expected_spend_per_purchase).toBeCloseTo(expected.expectedSpendPerPurchase, 9);
        expect(row.expected_revenue).toBeCloseTo(expected.expectedRevenue, 8);
        expect(row.clv).toBeCloseTo(expected.discountedValue, 8);
        // Discounting only ever lowers the profit.
        expect(row.clv!).toBeLessThan(margin * row.expected_revenue!);
      }
      expect(own.customers[0].margin_source).toBe("observed");
      expect(given.customers[0].margin_source).toBe("given");
      expect(given.settings.margin).toBe(0.25);
    }
  });

  it("grows with the horizon and is zero at a zero margin", async () => {
    const values = [];
    for (const horizon of [1, 6, 12, 24, 60, 120]) {
      values.push((await clv({ customer_id: "C00001", horizon_months: horizon })).customers[0].clv!);
    }
    for (let i = 1; i < values.length; i++) expect(values[i]).toBeGreaterThan(values[i - 1]);
    const zero = await clv({ segment: "loyal", margin: 0 });
    expect(zero.totals.clv).toBe(0);
    expect(zero.customers.every((row) => row.clv === 0 && row.margin_source === "given")).toBe(true);
  });

  it("values a list of ids once each, highest CLV first, with totals that add up", async () => {
    const result = await clv({ customer_ids: ["C00001", "2", "C00003", "1", "C00199"] });
    expect(result.total).toBe(4);
    expect(result.customers.map((row) => row.customer.customer_id).sort()).toEqual([
      "C00001",
      "C00002",
      "C00003",
      "C00199",
    ]);
    expect(result.customers.map((row) => row.rank)).toEqual([1, 2, 3, 4]);
    const values = result.customers.map((row) => row.clv!);
    expect([...values].sort((a, b) => b - a)).toEqual(values);
    const sum = (pick: (row: ComputeClvResult["customers"][number]) => number) =>
      result.customers.reduce((total, row) => total + pick(row), 0);
    expect(result.totals.clv).toBeCloseTo(
      sum((row) => row.clv!),
      9,
    );
    expect(result.totals.expected_revenue).toBeCloseTo(
      sum((row) => row.expected_revenue!),
      9,
    );
    expect(result.totals.expected_purchases).toBeCloseTo(
      sum((row) => row.expected_purchases!),
      9,
    );
    expect(result.totals.expected_active_customers).toBeCloseTo(
      sum((row) => row.p_alive!),
      12,
    );
    expect(result.next_cursor).toBeNull();
  });

  it("values a whole RFM segment page by page, with totals over all of it", async () => {
    const cached = await harness.store.db.all<{ customer_id: number; clv: number; p_alive: number }>(
      "SELECT customer_id, clv, p_alive FROM customer_scores WHERE score_set_id = ? AND rfm_segment = 'champions'",
      [scoreSetId],
    );
    expect(cached).toHaveLength(115);
    const seen: number[] = [];
    let cursor: string | undefined;
    let totals: ComputeClvResult["totals"] | undefined;
    for (let page = 0; page < 10; page++) {
      const result = await clv({ segment: "champions", limit: 50, cursor });
      expect(result.total).toBe(115);
      totals ??= result.totals;
      expect(result.totals).toEqual(totals);
      seen.push(...result.customers.map((row) => row.customer.store_id));
      expect(result.customers.map((row) => row.rank)).toEqual(
        result.customers.map((_row, index) => page * 50 + index + 1),
      );
      if (!result.next_cursor) break;
      cursor = result.next_cursor;
    }
    expect(seen).toHaveLength(115);
    expect(new Set(seen)).toEqual(new Set(cached.map((row) => row.customer_id)));
    expect(totals!.customers).toBe(115);
    expect(totals!.modelled_customers).toBe(115);
    expect(totals!.clv).toBeCloseTo(
      cached.reduce((sum, row) => sum + row.clv, 0),
      6,
    );
    expect(totals!.clv).toBeCloseTo(77711.4, 1);
    expect(totals!.expected_active_customers).toBeCloseTo(
      cached.reduce((sum, row) => sum + row.p_alive, 0),
      9,
    );
    const ranked = (await clv({ segment: "champions", limit: 100 })).customers.map((row) => row.clv!);
    expect([...ranked].sort((a, b) => b - a)).toEqual(ranked);

    const other = await clv({ segment: "loyal", limit: 5 });
    const mixed = await harness.call(COMPUTE_CLV, {
      as_of: DEMO_AS_OF,
      segment: "champions",
      cursor: other.next_cursor,
    });
    expect(mixed.isError).toBe(true);
    expect(textOf(mixed)).toContain("does not belong to this query");
  });

  it("values a lifecycle stage and says why prospects have no CLV", async () => {
    const mature = await clv({ lifecycle_stage: "mature" });
    // Customers in the critical churn band are never mature (see core/lifecycle.ts).
    expect(mature.total).toBe(45);
    const prospects = await clv({ lifecycle_stage: "prospect", limit: 100 });
    expect(prospects.total).toBe(35);
    expect(prospects.totals).toMatchObject({ customers: 35, modelled_customers: 0, clv: 0 });
    for (const row of prospects.customers) {
      expect(row).toMatchObject({ modelled: false, clv: null, p_alive: null, x: 0, T: 0 });
      expect(row.note).toContain("no purchase");
    }
  });

  it("never refits the models: every value comes from the cached fits", async () => {
    vi.mocked(fitPurchaseModelSteps).mockClear();
    vi.mocked(fitGammaGammaSteps).mockClear();
    const before = await tableCounts(harness.store);
    await clv({ customer_id: "C00010", horizon_months: 48, margin: 0.4, annual_discount_rate: 0.2 });
    await clv({ lifecycle_stage: "decline", horizon_months: 3 });
    await clv({ segment: "at-risk" });
    expect(fitPurchaseModelSteps).not.toHaveBeenCalled();
    expect(fitGammaGammaSteps).not.toHaveBeenCalled();
    expect(await tableCounts(harness.store)).toEqual(before);
    // The spies do see fits: a new as-of date is scored (and fitted) once, then cached.
    await clv({ customer_id: "C00010", as_of: "2026-03-31" });
    const fits = vi.mocked(fitPurchaseModelSteps).mock.calls.length;
    expect(fits).toBeGreaterThan(0);
    await clv({ segment: "loyal", as_of: "2026-03-31", horizon_months: 24 });
    expect(fitPurchaseModelSteps).toHaveBeenCalledTimes(fits);
    expect(fitGammaGammaSteps).toHaveBeenCalledTimes(1);
  });

  it("asks for exactly one selector and rejects bad settings without side effects", async () => {
    const before = await tableCounts(harness.store);
    const none = await harness.call(COMPUTE_CLV, { as_of: DEMO_AS_OF });
    expect(none.isError).toBe(true);
    expect(textOf(none)).toContain(
      "give exactly one of customer_id, customer_ids, segment or lifecycle_stage",
    );
    const two = await harness.call(COMPUTE_CLV, {
      as_of: DEMO_AS_OF,
      customer_id: "C00001",
      segment: "loyal",
    });
    expect(two.isError).toBe(true);
    expect(textOf(two)).toContain("customer_id and segment");
    const unknown = await harness.call(COMPUTE_CLV, {
      as_of: DEMO_AS_OF,
      customer_ids: ["C00001", "C99998", "NOPE'; DROP TABLE customers; --"],
    });
    expect(unknown.isError).toBe(true);
    expect(textOf(unknown)).toContain("no customer with id C99998, NOPE'; DROP TABLE customers; --");
    expect(textOf(unknown)).toContain("search_customers");
    for (const args of [
      { customer_id: "C00001", horizon_months: 0 },
      { customer_id: "C00001", horizon_months: 121 },
      { customer_id: "C00001", horizon_months: 1.5 },
      { customer_id: "C00001", horizon_months: "12" },
      { customer_id: "C00001", margin: 1.5 },
      { customer_id: "C00001", margin: -0.1 },
      { customer_id: "C00001", annual_discount_rate: 2 },
      { customer_id: "C00001", annual_discount_rate: -0.05 },
      { customer_id: 1 },
      { customer_ids: [] },
      { customer_ids: "C00001" },
      { customer_ids: Array.from({ length: 101 }, (_value, index) => String(index + 1)) },
      { segment: "vip" },
      { lifecycle_stage: "dead" },
      { segment: "loyal", limit: 0 },
      { segment: "loyal", limit: 101 },
      { segment: "loyal", cursor: "forged" },
    ]) {
      const result = await harness.call(COMPUTE_CLV, { as_of: DEMO_AS_OF, ...args });
      expect(result.isError, JSON.stringify(args)).toBe(true);
    }
    expect(await tableCounts(harness.store)).toEqual(before);
  });
});

describe("compute_clv on a book too small to fit", () => {
  it("says the models could not be fitted and returns no CLV", async () => {
    const dir = useTempDir("crm-clv-tiny-");
    const store = await Store.open(dir.join("crm.db"));
    const server = createServer({
      store,
      allowWrites: false,
      redact: false,
      actor: "test",
      now: () => TEST_NOW,
    });
    const client = new Client({ name: "crm-test", version: "1.0.0" });
    try {
      for (const [index, dates] of [
        ["2026-01-05", "2026-03-01", "2026-05-20"],
        ["2026-02-10"],
        ["2025-11-11", "2026-06-01"],
      ].entries()) {
        const { lastID } = await store.db.run(
          "INSERT INTO customers (external_id, name, created_at) VALUES (?, ?, '2025-01-01T00:00:00Z')",
          [`T${index + 1}`, `Tiny ${index + 1}`],
        );
        for (const [number, date] of dates.entries()) {
          await store.db.run(
            "INSERT INTO transactions (external_id, customer_id, occurred_at, amount, margin) VALUES (?, ?, ?, 100, 30)",
            [`T${index + 1}-${number}`, lastID, `${date}T10:00:00Z`],
          );
        }
      }
      await store.markChanged();
      const [clientTransport, serverTransport] = InMemoryTransport.createLinkedPair();
      await Promise.all([server.connect(serverTransport), client.connect(clientTransport)]);
      const result = (await client.callTool({
        name: COMPUTE_CLV,
        arguments: { customer_ids: ["T1", "T2", "T3"], as_of: DEMO_AS_OF },
      })) as CallToolResult;
      const parsedResult = parsed(result);
      expect(parsedResult.models).toMatchObject({
        fitted: false,
        purchase_model: null,
        gamma_gamma: null,
        purchasing_customers: 3,
      });
      expect(parsedResult.models.notes).toEqual([
        "No purchase model: 3 purchasing customers, at least 20 needed.",
        "No calibration: only 3 customers could be labelled in the inner windows (at least 200 needed).",
        "Churn probability is a rule of thumb from each customer's silence against their usual gap (too few customers for a model).",
        "Gamma-Gamma not fitted: 2 returning customers, at least 10 needed; spend per purchase is each customer's own average.",
      ]);
      expect(parsedResult.totals).toMatchObject({ customers: 3, modelled_customers: 0, clv: null });
      for (const row of parsedResult.customers) {
        expect(row).toMatchObject({ modelled: false, clv: null, margin: 0.3, margin_source: "observed" });
        expect(row.note).toContain("not fitted");
      }
      expect(textOf(result)).toContain("No CLV: the models could not be fitted");
    } finally {
      await client.close();
      await server.close();
      await store.close();
    }
  });
});

describe("compute_clv answers from SQL", () => {
  /** Every page of a selection, in order. */
  async function allPages(args: Record<string, unknown>) {
    const rows: ComputeClvResult["customers"] = [];
    let cursor: string | undefined;
    let first: ComputeClvResult | undefined;
    for (let page = 0; page < 20; page++) {
      const result = await clv({ ...args, limit: 100, cursor });
      first ??= result;
      rows.push(...result.customers);
      if (!result.next_cursor) break;
      cursor = result.next_cursor;
    }
    return { first: first!, rows };
  }

  it("values a segment under other settings exactly as the core values each customer in JavaScript", async () => {
    const scores = await harness.store.db.all<{
      customer_id: number;
      x: number;
      tx: number;
      t: number;
      monetary: number;
      margin_rate: number;
      orders: number;
    }>(
      "SELECT customer_id, x, tx, t, monetary, margin_rate, orders FROM customer_scores WHERE score_set_id = ? AND lifecycle_stage = 'decline'",
      [scoreSetId],
    );
    for (const margin of [undefined, 0.2]) {
      const settings = { horizonMonths: 30, annualDiscountRate: 0.07, unit: "days" as const };
      const buyers = scores.filter((row) => row.orders > 0);
      const values = buyers.map(
        (row) =>
          portfolioLifetimeValue(
            models.churn.purchaseModel!,
            models.gammaGamma!,
            [{ x: row.x, tx: row.tx, T: row.t, monetary: row.monetary }],
            { ...settings, margin: margin ?? row.margin_rate },
          ).customers[0],
      );
      const { first, rows } = await allPages({
        lifecycle_stage: "decline",
        horizon_months: 30,
        annual_discount_rate: 0.07,
        ...(margin === undefined ? {} : { margin }),
      });
      expect(first.total).toBe(scores.length);
      expect(first.totals.modelled_customers).toBe(buyers.length);
      const sum = (pick: (value: (typeof values)[number]) => number) =>
        values.reduce((total, value) => total + pick(value), 0);
      expect(first.totals.clv).toBeCloseTo(
        sum((value) => value.discountedValue),
        6,
      );
      expect(first.totals.expected_purchases).toBeCloseTo(
        sum((value) => value.expectedPurchases),
        9,
      );
      expect(first.totals.expected_revenue).toBeCloseTo(
        sum((value) => value.expectedRevenue),
        6,
      );
      expect(first.totals.expected_active_customers).toBeCloseTo(
        sum((value) => value.pAlive),
        9,
      );
      const expected = buyers
        .map((row, index) => ({ id: row.customer_id, value: values[index] }))
        .sort((a, b) => b.value.discountedValue - a.value.discountedValue || a.id - b.id);
      const modelled = rows.filter((row) => row.modelled);
      expect(modelled.map((row) => row.customer.store_id)).toEqual(expected.map((row) => row.id));
      modelled.forEach((row, index) => {
        const value = expected[index].value;
        expect(row.clv).toBeCloseTo(value.discountedValue, 9);
        expect(row.expected_purchases).toBeCloseTo(value.expectedPurchases, 12);
        expect(row.expected_revenue).toBeCloseTo(value.expectedRevenue, 9);
        expect(row.p_alive).toBe(value.pAlive);
      });
      expect(rows.slice(modelled.length).every((row) => !row.modelled && row.clv === null)).toBe(true);
    }
  });

  it("reads the cached values with the settings the scores were made with, giving the same as asking for them", async () => {
    const implicit = await allPages({ segment: "at-risk" });
    const explicit = await allPages({ segment: "at-risk", horizon_months: 12, annual_discount_rate: 0.1 });
    expect(explicit.rows).toEqual(implicit.rows);
    expect(explicit.first.totals).toEqual(implicit.first.totals);
    const cached = await harness.store.db.all<{
      customer_id: number;
      clv: number;
      expected_purchases: number;
    }>(
      "SELECT customer_id, clv, expected_purchases FROM customer_scores WHERE score_set_id = ? AND rfm_segment = 'at-risk' ORDER BY clv DESC, customer_id",
      [scoreSetId],
    );
    expect(implicit.rows.map((row) => [row.customer.store_id, row.clv])).toEqual(
      cached.map((row) => [row.customer_id, row.clv]),
    );
  });
});
