import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { customerActivity } from "../../../core/activity.js";
import { LIFECYCLE_STAGES } from "../../../core/lifecycle.js";
import { RFM_SEGMENTS } from "../../../core/rfm.js";
import { GET_CUSTOMER, getCustomerOutput, RECENT_ITEMS } from "../../../mcp-server/contract/getCustomer.js";
import type { Store } from "../../../mcp-server/store/store.js";
import type { FeedbackRow, InteractionRow, TransactionRow } from "../../../mcp-server/store/rows.js";
import { createMcpHarness, DEMO_AS_OF, textOf, type McpHarness } from "../../helpers/mcpClient.js";

const END = `${DEMO_AS_OF}T23:59:59Z`;

/** Everything a read-only call must leave alone, the score cache included. */
async function tableCounts(store: Store) {
  const extra = await store.db.get<{ audit: number; score_sets: number; customer_scores: number }>(
    `SELECT (SELECT COUNT(*) FROM audit_log) AS audit, (SELECT COUNT(*) FROM score_sets) AS score_sets,
            (SELECT COUNT(*) FROM customer_scores) AS customer_scores`,
  );
  return { ...(await store.counts()), ...extra, dataVersion: await store.dataVersion() };
}

function structured(result: Awaited<ReturnType<McpHarness["call"]>>) {
  expect(result.isError, textOf(result)).toBeFalsy();
  return getCustomerOutput.parse(result.structuredContent);
}

let harness: McpHarness;

beforeAll(async () => {
  harness = await createMcpHarness();
});

afterAll(async () => {
  await harness?.close();
});

describe("get_customer", () => {
  it("is listed with its output schema, read-only annotations and described inputs", async () => {
    const { tools } = await harness.client.listTools();
    const tool = tools.find((candidate) => candidate.name === GET_CUSTOMER);
    expect(tool).toBeDefined();
    expect(tool!.outputSchema?.type).toBe("object");
    expect(Object.keys(tool!.outputSchema?.properties ?? {})).toEqual(
      expect.arrayContaining([
        "customer",
        "profile",
        "risk",
        "value",
        "rfm",
        "lifecycle",
        "recent_transactions",
      ]),
    );
    expect(tool!.annotations).toMatchObject({
      readOnlyHint: true,
      destructiveHint: false,
      idempotentHint: true,
      openWorldHint: false,
    });
    expect(tool!.inputSchema.required).toEqual(["customer_id"]);
    for (const [name, property] of Object.entries(tool!.inputSchema.properties ?? {})) {
      expect((property as { description?: string }).description, name).toBeTruthy();
    }
  });

  it("returns C00001's profile, scores and history with the demo's exact values", async () => {
    const result = structured(await harness.call(GET_CUSTOMER, { customer_id: "C00001", as_of: DEMO_AS_OF }));
    expect(result.customer).toEqual({
      customer_id: "C00001",
      store_id: 1,
      name: "徐娜",
      company: "广州锦程供应链有限公司",
      owner: "Wang Lei",
      language: "zh",
    });
    expect(result.profile).toMatchObject({ email: "xu.1@example.cn", tags: [], do_not_contact: false });
    expect(result.purchases).toMatchObject({
      orders: 14,
      last_purchase: expect.stringMatching(/^2026-06-24T/),
      days_since_last_purchase: 6,
      typical_gap_days: 11,
    });
    expect(result.purchases.revenue).toBeCloseTo(4568.93, 2);
    expect(result.risk.level).toBe("low");
    expect(result.risk.churn_probability).toBeCloseTo(0.1028, 4);
    expect(result.risk.score).toBe(10);
    expect(result.risk.value_if_retained).toBeCloseTo(828.85, 2);
    expect(result.risk.value_at_risk).toBeCloseTo(0.1028 * 828.85, 1);
    expect(result.risk.not_scored).toBeNull();
    expect(result.risk.reasons.at(-1)).toMatchObject({ factor: "model" });
    expect(result.risk.reasons.at(-1)!.en).toMatch(
      /^BG\/NBD purchase model: 10% chance of no purchase in 90 days \(-\d+ points\)$/,
    );
    expect(result.value.p_alive).toBeCloseTo(0.9559, 4);
    expect(result.value.clv).toBeCloseTo(792.3, 2);
    expect(result.value.expected_purchases).toBeCloseTo(10.15, 2);
    expect(result.value.expected_spend_per_purchase).toBeCloseTo(334.56, 2);
    expect(result.value.expected_revenue).toBeCloseTo(3397.46, 2);
    expect(result.value).toMatchObject({
      horizon_months: 12,
      abc_tier: "A",
      value_quadrant: "true-friends",
      value_quadrant_label: { en: "True friends", zh: "真朋友" },
    });
    expect(result.rfm).toMatchObject({ r: 5, f: 5, m: 5, code: "555", segment: "champions" });
    expect(result.rfm!.label).toEqual(RFM_SEGMENTS.champions.label);
    expect(result.lifecycle.stage).toBe("mature");
    expect(result.lifecycle.label).toEqual({ en: "Mature", zh: "稳定期" });
    expect(result.lifecycle.strategy).toEqual(LIFECYCLE_STAGES.mature.strategy);
    expect(result.lifecycle.reasons.en.length).toBeGreaterThan(0);
    expect(result.lifecycle.reasons.zh.length).toBe(result.lifecycle.reasons.en.length);
    expect(result.history_counts).toEqual({ transactions: 14, interactions: 11, feedback: 0 });
    expect(result.recent_transactions).toHaveLength(RECENT_ITEMS);
    expect(result.recent_transactions[0]).toMatchObject({ amount: 428.15, channel: "online" });
    expect(result.recent_interactions).toHaveLength(RECENT_ITEMS);
    expect(result.scores.as_of).toBe(DEMO_AS_OF);
    const text = textOf(await harness.call(GET_CUSTOMER, { customer_id: "C00001", as_of: DEMO_AS_OF }));
    expect(text).toContain("徐娜 (C00001)");
    expect(text).toContain("稳定期");
  });

  it("matches the store and the core activity features for a customer with long histories", async () => {
    // The customer with the most feedback, so every recent list is cut at RECENT_ITEMS.
    const pick = await harness.store.db.get<{ id: number; external_id: string }>(
      `SELECT c.id, c.external_id FROM customers c JOIN feedback f ON f.customer_id = c.id
       WHERE f.occurred_at <= ? GROUP BY c.id ORDER BY COUNT(*) DESC, c.id LIMIT 1`,
      [END],
    );
    const { id, external_id } = pick!;
    const result = structured(
      await harness.call(GET_CUSTOMER, { customer_id: external_id, as_of: DEMO_AS_OF }),
    );
    const db = harness.store.db;
    const transactions = await db.all<TransactionRow>(
      "SELECT * FROM transactions WHERE customer_id = ? AND occurred_at <= ? ORDER BY occurred_at DESC, id DESC",
      [id, END],
    );
    const interactions = await db.all<InteractionRow>(
      "SELECT * FROM interactions WHERE customer_id = ? AND occurred_at <= ? ORDER BY occurred_at DESC, id DESC",
      [id, END],
    );
    const feedback = await db.all<FeedbackRow>(
      "SELECT * FROM feedback WHERE customer_id = ? AND occurred_at <= ? ORDER BY occurred_at DESC, id DESC",
      [id, END],
    );
    expect(feedback.length).toBeGreaterThan(0);
    expect(result.history_counts).toEqual({
      transactions: transactions.length,
      interactions: interactions.length,
      feedback: feedback.length,
    });
    expect(result.recent_transactions.map((row) => row.transaction_id)).toEqual(
      transactions.slice(0, RECENT_ITEMS).map((row) => row.external_id),
    );
    expect(result.recent_interactions.map((row) => row.interaction_id)).toEqual(
      interactions.slice(0, RECENT_ITEMS).map((row) => row.external_id),
    );
    expect(result.recent_feedback).toEqual(
      feedback.slice(0, RECENT_ITEMS).map((row) => ({
        feedback_id: row.external_id,
        occurred_at: row.occurred_at,
        source: row.source,
        score: row.score,
        text: row.text,
        language: row.language,
        status: row.status,
      })),
    );

    const activity = customerActivity(
      transactions.map((row) => ({ timestamp: new Date(row.occurred_at), amount: row.amount })),
      new Date(END),
    );
    expect(result.purchases.orders).toBe(activity.purchaseCount);
    expect(result.purchases.revenue).toBeCloseTo(activity.totalSpend, 6);
    expect(result.purchases.days_since_last_purchase).toBe(activity.daysSinceLastPurchase);
    expect(result.purchases.typical_gap_days).toBe(activity.typicalGapDays);

    const cached = await db.get<Record<string, number | string | null>>(
      `SELECT s.* FROM customer_scores s JOIN score_sets ss ON ss.id = s.score_set_id
       WHERE ss.as_of = ? AND s.customer_id = ?`,
      [END, id],
    );
    expect(result.risk.score).toBe(cached!.risk_score);
    expect(result.risk.level).toBe(cached!.risk_level);
    expect(result.risk.reasons.length).toBeGreaterThan(0);
    expect(result.value.clv).toBe(cached!.clv);
    expect(result.value.p_alive).toBe(cached!.p_alive);
    expect(result.lifecycle.stage).toBe(cached!.lifecycle_stage);
    expect(result.rfm?.segment ?? null).toBe(cached!.rfm_segment);
    expect(result.open_complaints).toBe(
      feedback.filter((row) => row.source === "complaint" && row.status === "open").length,
    );
  });

  it("finds the same customer by store id and by external id", async () => {
    const byExternal = structured(
      await harness.call(GET_CUSTOMER, { customer_id: "C00002", as_of: DEMO_AS_OF }),
    );
    const byStoreId = structured(await harness.call(GET_CUSTOMER, { customer_id: "2", as_of: DEMO_AS_OF }));
    expect(byStoreId).toEqual(byExternal);
  });

  it("reports a customer without purchases as a prospect with no RFM segment or P(alive)", async () => {
    const prospect = await harness.store.db.get<{ external_id: string }>(
      "SELECT external_id FROM customers c WHERE NOT EXISTS (SELECT 1 FROM transactions t WHERE t.customer_id = c.id AND t.occurred_at <= ?) ORDER BY id LIMIT 1",
      [END],
    );
    const result = structured(
      await harness.call(GET_CUSTOMER, { customer_id: prospect!.external_id, as_of: DEMO_AS_OF }),
    );
    expect(result.purchases).toMatchObject({
      orders: 0,
      revenue: 0,
      last_purchase: null,
      typical_gap_days: null,
    });
    expect(result.rfm).toBeNull();
    expect(result.value.p_alive).toBeNull();
    expect(result.value.clv).toBe(0);
    expect(result.lifecycle.stage).toBe("prospect");
    expect(result.recent_transactions).toEqual([]);
  });

  it("shows only what happened up to an earlier as_of", async () => {
    const asOf = "2025-12-31";
    const result = structured(await harness.call(GET_CUSTOMER, { customer_id: "C00001", as_of: asOf }));
    expect(result.scores.as_of).toBe(asOf);
    const all = [...result.recent_transactions, ...result.recent_interactions, ...result.recent_feedback];
    expect(all.length).toBeGreaterThan(0);
    for (const item of all) expect(item.occurred_at <= `${asOf}T23:59:59Z`).toBe(true);
    const count = await harness.store.db.get<{ n: number }>(
      "SELECT COUNT(*) AS n FROM transactions WHERE customer_id = 1 AND occurred_at <= ?",
      [`${asOf}T23:59:59Z`],
    );
    expect(result.history_counts.transactions).toBe(count!.n);
    expect(result.purchases.orders).toBe(count!.n);
    expect(result.purchases.last_purchase! <= `${asOf}T23:59:59Z`).toBe(true);
  });

  it("rejects unknown ids, wrong types and bad dates with isError and changes nothing", async () => {
    await harness.call(GET_CUSTOMER, { customer_id: "C00001", as_of: DEMO_AS_OF });
    const before = await tableCounts(harness.store);
    const unknown = await harness.call(GET_CUSTOMER, { customer_id: "C99999", as_of: DEMO_AS_OF });
    expect(unknown.isError).toBe(true);
    expect(textOf(unknown)).toContain("no customer with id C99999");
    expect(textOf(unknown)).toContain("search_customers");
    const injection = await harness.call(GET_CUSTOMER, { customer_id: "1 OR 1=1; DROP TABLE customers; --" });
    expect(injection.isError).toBe(true);
    expect(textOf(injection)).toContain("no customer with id");
    for (const args of [
      {},
      { customer_id: 1 },
      { customer_id: "" },
      { customer_id: "   " },
      { customer_id: ["C00001"] },
      { customer_id: "x".repeat(101) },
      { customer_id: "C00001", as_of: "30/06/2026" },
      { customer_id: "C00001", as_of: "2026-02-30" },
      { customer_id: "C00001", as_of: 20260630 },
    ]) {
      const result = await harness.call(GET_CUSTOMER, args);
      expect(result.isError, JSON.stringify(args)).toBe(true);
      expect(result.structuredContent).toBeUndefined();
    }
    expect(await tableCounts(harness.store)).toEqual(before);
  });

  it("masks emails and phone numbers when the server redacts", async () => {
    const redacting = await createMcpHarness({ redact: true });
    try {
      const result = await redacting.call(GET_CUSTOMER, { customer_id: "C00001", as_of: DEMO_AS_OF });
      const parsed = getCustomerOutput.parse(result.structuredContent);
      expect(parsed.profile.email).toBe("x***@example.cn");
      expect(parsed.profile.phone).toBe("+***10");
      expect(textOf(result)).not.toContain("xu.1@example.cn");
      expect(textOf(result)).not.toContain("4648 9910");
    } finally {
      await redacting.close();
    }
  });
});
