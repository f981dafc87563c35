import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { seedDemo } from "../../../mcp-server/demo/seed.js";
import { ensureScores, type ScoreSet } from "../../../mcp-server/scoring/scoreCache.js";
import { searchCustomers } from "../../../mcp-server/store/customerQueries.js";
import { createTempStore, type TempStore } from "../../helpers/tempStore.js";

describe("searchCustomers", () => {
  let temp: TempStore;
  let set: ScoreSet;
  beforeAll(async () => {
    temp = await createTempStore("crm-search-");
    const asOf = new Date("2026-06-30T23:59:59Z");
    await seedDemo(temp.store, { seed: 3, customers: 300, asOf });
    set = await ensureScores(temp.store, asOf);
  });
  afterAll(() => temp.dispose());

  it("counts every match of a segment filter on every page, and on a page past the end", async () => {
    const counted = await temp.store.db.get<{ n: number }>(
      "SELECT COUNT(*) AS n FROM customer_scores WHERE score_set_id = ? AND rfm_segment = 'lost'",
      [set.id],
    );
    expect(counted!.n).toBeGreaterThan(10);
    const ids: number[] = [];
    for (let offset = 0; offset <= counted!.n + 10; offset += 7) {
      const page = await searchCustomers(temp.store, {
        scores: { setId: set.id, segment: "lost" },
        limit: 7,
        offset,
      });
      expect(page.total).toBe(counted!.n);
      for (const row of page.rows) {
        expect(row).not.toHaveProperty("matches");
        ids.push(row.id);
      }
    }
    expect(ids).toHaveLength(counted!.n);
    expect([...ids].sort((a, b) => a - b)).toEqual(ids);
  });
});
