import { mkdtempSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { DEMO_DEFAULTS } from "../../../mcp-server/demo/generate.js";
import { seedDemo } from "../../../mcp-server/demo/seed.js";
import { ensureScores } from "../../../mcp-server/scoring/scoreCache.js";
import type { SqlValue } from "../../../mcp-server/store/database.js";
import { Store } from "../../../mcp-server/store/store.js";

/**
 * The signals each built-in playbook of issue 12 acts on, counted in SQL over the default demo
 * book (default seed and size) and its score set, written independently of the playbook engine:
 * the demo must give every playbook something to fire on. Checked as of two days far apart,
 * since `crm demo` seeds the book as of today.
 */
const DAY = 86_400_000;
const folder = mkdtempSync(join(tmpdir(), "crm-demo-signals-"));
afterAll(() => rmSync(folder, { recursive: true, force: true }));

describe.each(["2026-06-30", "2027-02-11"])("the default demo book as of %s", (day) => {
  const asOf = new Date(`${day}T23:59:59Z`);
  const AS_OF = `${day}T23:59:59Z`;
  /** The start of the UTC day `offset` days from the as-of day, as stored text. */
  const dayStart = (offset: number) =>
    new Date(Date.parse(`${day}T00:00:00Z`) + offset * DAY).toISOString().replace(/\.\d{3}Z$/, "Z");
  let store: Store;
  let setId: number;
  const count = async (sql: string, params: SqlValue[] = []) =>
    (await store.db.get<{ n: number }>(`SELECT COUNT(*) AS n FROM (${sql}) signal`, params))!.n;
  /** Customers the playbooks may contact. */
  const contactable = "JOIN customers c ON c.id = s.customer_id AND c.do_not_contact = 0";

  beforeAll(async () => {
    store = await Store.open(join(folder, `${day}.db`));
    await seedDemo(store, { seed: DEMO_DEFAULTS.seed, customers: DEMO_DEFAULTS.customers, asOf });
    setId = (await ensureScores(store, asOf, () => new Date(asOf.getTime() + 1000))).id;
  });
  afterAll(() => store.close());

  it("has customers overdue against their own rhythm (1.5 times their typical gap), not yet lost", async () => {
    const overdue = await count(
      `SELECT s.customer_id FROM customer_scores s ${contactable}
       WHERE s.score_set_id = ? AND s.typical_gap_days > 0
         AND s.days_since_last_purchase >= 1.5 * s.typical_gap_days AND s.lifecycle_stage <> 'churned'`,
      [setId],
    );
    expect(overdue).toBeGreaterThanOrEqual(5);
  });

  it("has top-tier (A) customers with a churn probability of 50% or more", async () => {
    const atRisk = await count(
      `SELECT s.customer_id FROM customer_scores s ${contactable}
       WHERE s.score_set_id = ? AND s.abc_tier = 'A' AND s.churn_probability >= 0.5`,
      [setId],
    );
    expect(atRisk).toBeGreaterThanOrEqual(5);
  });

  it("has NPS detractors and negative reviews in the last 7 days", async () => {
    const unhappy = await count(
      `SELECT DISTINCT s.customer_id FROM feedback s ${contactable}
       WHERE s.occurred_at >= ? AND s.occurred_at <= ?
         AND ((s.source = 'nps' AND s.score <= 6)
              OR (s.source = 'review' AND (s.score <= 4 OR s.sentiment_label = 'negative')))`,
      [dayStart(-6), AS_OF],
    );
    expect(unhappy).toBeGreaterThanOrEqual(5);
  });

  it("has tickets still unanswered 24 hours after they were opened", async () => {
    const deadline = new Date(asOf.getTime() - 24 * 3_600_000).toISOString().replace(/\.\d{3}Z$/, "Z");
    const unanswered = await count(
      `SELECT s.id FROM tickets s ${contactable}
       WHERE s.status = 'open' AND s.first_response_at IS NULL AND s.opened_at <= ?`,
      [deadline],
    );
    expect(unanswered).toBeGreaterThanOrEqual(3);
  });

  /** Customers whose first purchase fell `from` to `to` days before the as-of day. */
  const firstBought = (from: number, to: number, onlyOnce: boolean) =>
    count(
      `SELECT s.customer_id FROM transactions s ${contactable}
       GROUP BY s.customer_id
       HAVING MIN(s.occurred_at) >= ? AND MIN(s.occurred_at) < ?
         ${onlyOnce ? "AND COUNT(DISTINCT substr(s.occurred_at, 1, 10)) = 1" : ""}`,
      [dayStart(-to), dayStart(-from + 1)],
    );

  it("has new customers with no second purchase by day 30 (first bought 30 to 43 days ago)", async () => {
    expect(await firstBought(30, 43, true)).toBeGreaterThanOrEqual(3);
  });

  it("has new customers in their second week, due a welcome touch (first bought 7 to 13 days ago)", async () => {
    expect(await firstBought(7, 13, false)).toBeGreaterThanOrEqual(1);
  });

  it("has customers who viewed or carted a category 3 to 9 days ago and bought nothing since", async () => {
    const browsed = await count(
      `SELECT DISTINCT s.customer_id FROM events s ${contactable}
       WHERE s.type IN ('page_view', 'cart') AND s.occurred_at >= ? AND s.occurred_at < ?
         AND NOT EXISTS (SELECT 1 FROM transactions t
                         WHERE t.customer_id = s.customer_id AND t.occurred_at >= s.occurred_at AND t.occurred_at <= ?)`,
      [dayStart(-9), dayStart(-2), AS_OF],
    );
    expect(browsed).toBeGreaterThanOrEqual(5);
  });

  it("has birthdays on the as-of day and first-purchase anniversaries on it", async () => {
    const monthDay = day.slice(5);
    const birthdays = await count(
      `SELECT s.id FROM customers s JOIN customers c ON c.id = s.id AND c.do_not_contact = 0
       WHERE substr(s.birthday, 6, 5) = ?`,
      [monthDay],
    );
    expect(birthdays).toBeGreaterThanOrEqual(1);
    const anniversaries = await count(
      `SELECT s.customer_id FROM customer_scores s ${contactable}
       WHERE s.score_set_id = ? AND substr(s.first_purchase, 6, 5) = ? AND substr(s.first_purchase, 1, 4) < ?
         AND s.lifecycle_stage <> 'churned'`,
      [setId, monthDay, day.slice(0, 4)],
    );
    expect(anniversaries).toBeGreaterThanOrEqual(1);
  });

  it("has lost customers just past the churn threshold (180 to 209 days without a purchase)", async () => {
    const winBack = await count(
      `SELECT s.customer_id FROM customer_scores s ${contactable}
       WHERE s.score_set_id = ? AND s.lifecycle_stage = 'churned'
         AND s.days_since_last_purchase >= 180 AND s.days_since_last_purchase < 210`,
      [setId],
    );
    expect(winBack).toBeGreaterThanOrEqual(3);
  });
});
