import { afterAll, beforeAll, describe, expect, it } from "vitest";
import {
  DEFAULT_MIN_RISK,
  FIND_AT_RISK_CUSTOMERS,
  findAtRiskCustomersOutput,
} from "../../../mcp-server/contract/findAtRiskCustomers.js";
import { createMcpHarness, DEMO_AS_OF, textOf, type McpHarness } from "../../helpers/mcpClient.js";

interface CachedRow {
  external_id: string;
  owner: string | null;
  risk_score: number;
  churn_probability: number | null;
  value_if_retained: number;
  value_at_risk: number;
  clv: number;
  lifecycle_stage: string;
  rfm_segment: string | null;
  customer_id: number;
}

let harness: McpHarness;
let cached: CachedRow[];

async function find(args: Record<string, unknown>) {
  const result = await harness.call(FIND_AT_RISK_CUSTOMERS, { as_of: DEMO_AS_OF, ...args });
  expect(result.isError, textOf(result)).toBeFalsy();
  return findAtRiskCustomersOutput.parse(result.structuredContent);
}

/**
 * The expected ranking, straight from the cached scores, sorted in JavaScript; customers the book
 * counts as lost (churned) only when asked for.
 */
function expected(
  filter: (row: CachedRow) => boolean,
  by: "value_at_risk" | "risk" = "value_at_risk",
  includeLost = false,
): string[] {
  return cached
    .filter(
      (row) =>
        row.risk_score >= DEFAULT_MIN_RISK &&
        (includeLost || row.lifecycle_stage !== "churned") &&
        filter(row),
    )
    .sort((a, b) =>
      by === "risk"
        ? b.risk_score - a.risk_score || b.value_at_risk - a.value_at_risk || a.customer_id - b.customer_id
        : b.value_at_risk - a.value_at_risk || b.risk_score - a.risk_score || a.customer_id - b.customer_id,
    )
    .map((row) => row.external_id);
}

beforeAll(async () => {
  harness = await createMcpHarness();
  await find({ limit: 1 }); // computes and caches the scores for the demo as-of
  cached = await harness.store.db.all<CachedRow>(
    `SELECT c.external_id, c.owner, s.risk_score, s.churn_probability, s.value_if_retained, s.value_at_risk, s.clv,
       s.lifecycle_stage, s.rfm_segment, s.customer_id
     FROM customer_scores s JOIN customers c ON c.id = s.customer_id
     WHERE s.score_set_id = (SELECT MAX(id) FROM score_sets)`,
  );
});
afterAll(() => harness.close());

describe("find_at_risk_customers", () => {
  it("ranks customers by value at risk, exactly as the cached scores order them", async () => {
    const page = await find({ limit: 20 });
    expect(page.customers.map((row) => row.customer.customer_id)).toEqual(expected(() => true).slice(0, 20));
    expect(page.total).toBe(expected(() => true).length);
    expect(page.customers.map((row) => row.rank)).toEqual(
      Array.from({ length: 20 }, (_, index) => index + 1),
    );
  });

  it("ranks by risk score when asked", async () => {
    const page = await find({ limit: 15, sort_by: "risk" });
    expect(page.customers.map((row) => row.customer.customer_id)).toEqual(
      expected(() => true, "risk").slice(0, 15),
    );
  });

  it("gives each row its churn probability, reasons with numbers, value at risk = value if retained × churn probability and a next action", async () => {
    const { customers } = await find({ limit: 10 });
    for (const row of customers) {
      expect(row.risk_score).toBeGreaterThanOrEqual(DEFAULT_MIN_RISK);
      expect(row.risk_score).toBe(Math.round(100 * row.churn_probability));
      expect(row.list).toBe("at-risk");
      // Both factors are rounded for display (to cents and to 4 decimals).
      expect(Math.abs(row.value_at_risk - row.value_if_retained * row.churn_probability)).toBeLessThanOrEqual(
        row.value_if_retained * 0.0001 + 0.02,
      );
      expect(row.value_if_retained).toBeGreaterThanOrEqual(row.clv - 0.01);
      expect(row.top_reasons.length).toBeGreaterThan(0);
      expect(
        row.top_reasons.every((reason) => reason.points > 0 && /\d/.test(reason.en) && /\d/.test(reason.zh)),
      ).toBe(true);
      expect(row.p_alive).toBeGreaterThanOrEqual(0);
      expect(row.p_alive).toBeLessThanOrEqual(1);
      expect(row.next_action.en.length).toBeGreaterThan(10);
      expect(row.lifecycle_label.zh).toMatch(/期/);
    }
  });

  it("pages with cursors: no overlap, no gaps, and a cursor only works for its own query", async () => {
    const all = expected(() => true);
    const seen: string[] = [];
    let cursor: string | undefined;
    do {
      const page = await find({ limit: 50, cursor });
      seen.push(...page.customers.map((row) => row.customer.customer_id));
      cursor = page.next_cursor ?? undefined;
    } while (cursor);
    expect(seen).toEqual(all);
    const first = await find({ limit: 5 });
    const misuse = await harness.call(FIND_AT_RISK_CUSTOMERS, {
      as_of: DEMO_AS_OF,
      owner: "Chen Jing",
      cursor: first.next_cursor,
    });
    expect(misuse.isError).toBe(true);
    expect(textOf(misuse)).toMatch(/cursor does not belong to this query/);
  });

  it("filters by owner, segment, lifecycle stage, minimum CLV and minimum risk", async () => {
    const owner = await find({ owner: "chen jing", limit: 100 });
    expect(owner.customers.map((row) => row.customer.customer_id)).toEqual(
      expected((row) => row.owner === "Chen Jing").slice(0, 100),
    );
    const stage = await find({ lifecycle_stage: "decline", limit: 100 });
    expect(stage.total).toBe(expected((row) => row.lifecycle_stage === "decline").length);
    const segment = await find({ segment: "at-risk", limit: 100 });
    expect(segment.total).toBe(expected((row) => row.rfm_segment === "at-risk").length);
    const clv = await find({ min_clv: 500, limit: 100 });
    expect(clv.customers.every((row) => row.clv >= 500)).toBe(true);
    expect(clv.total).toBe(expected((row) => row.clv >= 500).length);
    const risky = await find({ min_risk: 75, limit: 100 });
    expect(risky.customers.every((row) => row.risk_score >= 75)).toBe(true);
    const combined = await find({ owner: "Wang Lei", lifecycle_stage: "churned", limit: 100 });
    expect(combined.total).toBe(
      expected((row) => row.owner === "Wang Lei" && row.lifecycle_stage === "churned", "value_at_risk", true)
        .length,
    );
    expect(combined.customers.every((row) => row.list === "win-back")).toBe(true);
  });

  it("leaves customers the book counts as lost out of the list, counts them, and lists them labelled win-back when asked", async () => {
    const lostIds = cached
      .filter((row) => row.risk_score >= DEFAULT_MIN_RISK && row.lifecycle_stage === "churned")
      .map((row) => row.external_id);
    expect(lostIds.length).toBeGreaterThan(0);
    const page = await find({ limit: 100 });
    expect(page.lost_customers).toBe(lostIds.length);
    expect(page.customers.some((row) => lostIds.includes(row.customer.customer_id))).toBe(false);
    const withLost = await find({ limit: 100, include_lost: true });
    expect(withLost.total).toBe(expected(() => true, "value_at_risk", true).length);
    for (const row of withLost.customers) {
      expect(row.list).toBe(lostIds.includes(row.customer.customer_id) ? "win-back" : "at-risk");
    }
    expect(textOf(await harness.call(FIND_AT_RISK_CUSTOMERS, { as_of: DEMO_AS_OF, limit: 5 }))).toMatch(
      new RegExp(`${lostIds.length} more the book already counts as lost`),
    );
  });

  it("says so plainly when nothing matches", async () => {
    const result = await harness.call(FIND_AT_RISK_CUSTOMERS, { as_of: DEMO_AS_OF, owner: "Nobody At All" });
    expect(result.isError).toBeFalsy();
    expect(textOf(result)).toMatch(/No customers at risk match/);
  });

  it("rejects bad input with isError and changes nothing", async () => {
    const before = await harness.store.counts();
    for (const args of [
      { limit: 0 },
      { limit: 101 },
      { limit: "ten" },
      { min_risk: 120 },
      { sort_by: "revenue" },
      { lifecycle_stage: "zombie" },
      { as_of: "30/06/2026" },
      { owner: "'; DROP TABLE customers; --" },
    ]) {
      const result = await harness.call(FIND_AT_RISK_CUSTOMERS, args);
      if ("owner" in args) {
        expect(result.isError, JSON.stringify(args)).toBeFalsy();
        expect(findAtRiskCustomersOutput.parse(result.structuredContent).total).toBe(0);
      } else {
        expect(result.isError, JSON.stringify(args)).toBe(true);
      }
    }
    expect(await harness.store.counts()).toEqual(before);
  });
});
