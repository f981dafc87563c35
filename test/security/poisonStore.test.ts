import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { createMcpHarness, DEMO_AS_OF, textOf, type McpHarness } from "../helpers/mcpClient.js";

/**
 * Values an older version, a hand edit or another tool may have left in a store, written straight
 * with SQL past every import check. Scoring must isolate the customers they belong to and every
 * tool, resource and prompt must still answer.
 */
const POISON: [string, string][] = [
  [
    "an amount of 1e308 twice (their sum overflows)",
    "INSERT INTO transactions (external_id, customer_id, occurred_at, amount) VALUES ('P1', 1, '2026-05-01T10:00:00Z', 1e308), ('P2', 1, '2026-05-02T10:00:00Z', 1e308)",
  ],
  [
    "an infinite amount",
    "INSERT INTO transactions (external_id, customer_id, occurred_at, amount) VALUES ('P3', 2, '2026-05-03T10:00:00Z', 9e999)",
  ],
  [
    "an infinite quantity and margin",
    "INSERT INTO transactions (external_id, customer_id, occurred_at, amount, quantity, margin) VALUES ('P4', 3, '2026-05-04T10:00:00Z', 10, 9e999, -9e999)",
  ],
  [
    "a timestamp that is not a date",
    "INSERT INTO transactions (external_id, customer_id, occurred_at, amount) VALUES ('P5', 4, 'not a date', 25)",
  ],
  [
    "a year-0 timestamp",
    "INSERT INTO transactions (external_id, customer_id, occurred_at, amount) VALUES ('P6', 5, '0000-01-01T00:00:00Z', 25)",
  ],
  [
    "a purchase in the year 2999",
    "INSERT INTO transactions (external_id, customer_id, occurred_at, amount) VALUES ('P7', 6, '2999-01-01T00:00:00Z', 25)",
  ],
  [
    "a 0.7 MB review",
    "INSERT INTO feedback (external_id, customer_id, occurred_at, source, score, text) VALUES ('P8', 7, '2026-06-01T10:00:00Z', 'review', 1, printf('%.*c', 700000, 'x'))",
  ],
  [
    "an NPS answer of 1e308",
    "INSERT INTO feedback (external_id, customer_id, occurred_at, source, score, text) VALUES ('P9', 8, '2026-06-02T10:00:00Z', 'nps', 1e308, 'ok')",
  ],
  [
    "feedback dated 'garbage'",
    "INSERT INTO feedback (external_id, customer_id, occurred_at, source, score, text) VALUES ('P10', 9, 'garbage', 'review', 3, 'fine')",
  ],
  [
    "a name with NUL and control characters",
    "UPDATE customers SET name = 'Eve' || char(0) || char(7) || 'Mallory', company = char(27) || '[31mACME' WHERE id = 10",
  ],
  [
    "a 1 MB interaction summary",
    "INSERT INTO interactions (external_id, customer_id, occurred_at, channel, summary) VALUES ('P11', 11, '2026-06-10T10:00:00Z', 'phone', printf('%.*c', 1000000, 'y'))",
  ],
  [
    "an interaction dated 'soon'",
    "INSERT INTO interactions (external_id, customer_id, occurred_at, channel, summary) VALUES ('P12', 12, 'soon', 'email', 'hi')",
  ],
];

describe("a store holding values no import would accept", () => {
  let harness: McpHarness;

  beforeAll(async () => {
    harness = await createMcpHarness();
    for (const [, sql] of POISON) await harness.store.db.run(sql);
    await harness.store.markChanged();
  });
  afterAll(() => harness.close());

  const CALLS: [string, Record<string, unknown>][] = [
    ["find_at_risk_customers", { as_of: DEMO_AS_OF, limit: 100 }],
    ["find_at_risk_customers", { as_of: DEMO_AS_OF, include_lost: true, limit: 100 }],
    ["search_customers", { as_of: DEMO_AS_OF, text: "Mallory" }],
    ["segment_customers", { as_of: DEMO_AS_OF, by: "rfm" }],
    ["segment_customers", { as_of: DEMO_AS_OF, by: "kmeans" }],
    ["portfolio_overview", { as_of: DEMO_AS_OF }],
    ["summarise_feedback", { as_of: DEMO_AS_OF }],
    ["compute_clv", { as_of: DEMO_AS_OF, segment: "champions" }],
    ["server_status", {}],
    ...Array.from({ length: 12 }, (_, i): [string, Record<string, unknown>] => [
      "get_customer",
      { as_of: DEMO_AS_OF, customer_id: String(i + 1) },
    ]),
    ...Array.from({ length: 12 }, (_, i): [string, Record<string, unknown>] => [
      "compute_clv",
      { as_of: DEMO_AS_OF, customer_id: String(i + 1) },
    ]),
    ...Array.from({ length: 12 }, (_, i): [string, Record<string, unknown>] => [
      "draft_follow_up",
      { as_of: DEMO_AS_OF, customer_id: String(i + 1) },
    ]),
  ];

  it.each(CALLS)("%s %j still answers", async (tool, args) => {
    const result = await harness.call(tool, args);
    expect(result.isError ?? false, textOf(result)).toBe(false);
    expect(textOf(result)).not.toMatch(/SQLITE|Infinity|NaN|Maximum call stack/);
  });

  it("scores the rest of the book and names the customers it could not score", async () => {
    const status = await harness.call("server_status");
    const latest = (
      status.structuredContent as { latest_scores: { unscored_customers: number; warnings: string[] } }
    ).latest_scores;
    expect(latest.unscored_customers).toBeGreaterThan(0);
    expect(latest.warnings.join(" ")).toMatch(/could not be scored/);
    const scored = await harness.store.db.get<{ n: number }>(
      "SELECT COUNT(*) AS n FROM customer_scores WHERE churn_probability IS NOT NULL AND score_set_id = (SELECT MAX(id) FROM score_sets)",
    );
    expect(scored!.n).toBeGreaterThan(500);
  });

  it("still reads every resource and prompt", async () => {
    for (const uri of ["crm://reports/at-risk", "crm://schema", "crm://customers/1", "crm://customers/10"]) {
      const resource = await harness.client.readResource({ uri });
      expect(JSON.stringify(resource)).not.toMatch(/SQLITE/);
    }
    for (const [name, args] of [
      ["retention_plan", { customer_id: "1" }],
      ["weekly_account_review", { owner: "Wang Lei" }],
      ["feedback_digest", { period: "30d" }],
    ] as const) {
      const prompt = await harness.client.getPrompt({ name, arguments: args });
      expect(prompt.messages.length).toBeGreaterThan(0);
    }
  });
});
