import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { seedDemo } from "../../../mcp-server/demo/seed.js";
import { ensureScores } from "../../../mcp-server/scoring/scoreCache.js";
import type { ServerDeps } from "../../../mcp-server/server/deps.js";
import { portfolioOverview } from "../../../mcp-server/tools/portfolioOverview.js";
import { recordFeedback } from "../../../mcp-server/tools/recordFeedback.js";
import { segmentCustomers } from "../../../mcp-server/tools/segmentCustomers.js";
import { writableDeps } from "../../helpers/deps.js";
import { createTempStore, type TempStore } from "../../helpers/tempStore.js";

const AS_OF = "2026-06-30";

describe("aggregates of a score set a write carried over", () => {
  let temp: TempStore;
  let deps: ServerDeps;
  beforeAll(async () => {
    temp = await createTempStore("crm-carried-aggregates-");
    await seedDemo(temp.store, { seed: 21, customers: 300, asOf: new Date(`${AS_OF}T23:59:59Z`) });
    deps = writableDeps(temp.store, new Date("2026-07-01T09:00:00Z"));
  });
  afterAll(() => temp.dispose());

  /** Customers per lifecycle stage as the set's rows hold them now. */
  async function stagesInSet(): Promise<Record<string, number>> {
    const set = await ensureScores(temp.store, new Date(`${AS_OF}T23:59:59Z`));
    const rows = await temp.store.db.all<{ stage: string; n: number }>(
      "SELECT lifecycle_stage AS stage, COUNT(*) AS n FROM customer_scores WHERE score_set_id = ? GROUP BY 1",
      [set.id],
    );
    return Object.fromEntries(rows.map((row) => [row.stage, row.n]));
  }

  it("counts a customer a carried complaint moved to another stage in its new stage", async () => {
    const segmentsBefore = await segmentCustomers(deps, { by: "lifecycle", as_of: AS_OF });
    const overviewBefore = await portfolioOverview(deps, { as_of: AS_OF });
    const before = await stagesInSet();
    // Complaints raise the churn probability, and the stage reads it: some of these customers move.
    const customers = await temp.store.db.all<{ id: number }>(
      `SELECT customer_id AS id FROM customer_scores
       WHERE lifecycle_stage IN ('mature', 'growth') ORDER BY churn_probability DESC LIMIT 25`,
    );
    for (const { id } of customers) {
      await recordFeedback(deps, {
        customer_id: String(id),
        source: "complaint",
        text: "Nothing works and nobody answers.",
        occurred_at: "2026-06-30T12:00:00Z",
      });
    }
    const after = await stagesInSet();
    expect(after).not.toEqual(before);

    const segments = await segmentCustomers(deps, { by: "lifecycle", as_of: AS_OF });
    expect(segments.scores.as_of).toBe(segmentsBefore.scores.as_of);
    expect(
      Object.fromEntries(segments.segments.filter((s) => s.count > 0).map((s) => [s.key, s.count])),
    ).toEqual(after);
    const overview = await portfolioOverview(deps, { as_of: AS_OF });
    expect(overview).not.toEqual(overviewBefore);
    expect(
      Object.fromEntries(
        overview.lifecycle_stages.filter((row) => row.customers > 0).map((row) => [row.stage, row.customers]),
      ),
    ).toEqual(after);
  });
});
