import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { seedDemo } from "../../../mcp-server/demo/seed.js";
import { carryScoreSets } from "../../../mcp-server/scoring/carryScores.js";
import { ensureScores, type ScoreSet } from "../../../mcp-server/scoring/scoreCache.js";
import { chiTotals } from "../../../mcp-server/store/kpiQueries.js";
import {
  portfolioScoreTotals,
  rfmGridTotals,
  segmentTotals,
} from "../../../mcp-server/store/scoreQueries.js";
import { fromSet } from "../../../mcp-server/store/setRows.js";
import { storedTime } from "../../../mcp-server/store/timestamps.js";
import { createTempStore, type TempStore } from "../../helpers/tempStore.js";

const day = (text: string) => new Date(`${text}T23:59:59Z`);

describe("a score set's rows as one range of rowids", () => {
  let temp: TempStore;
  let first: ScoreSet;
  let second: ScoreSet;
  beforeAll(async () => {
    temp = await createTempStore("crm-set-rows-");
    await seedDemo(temp.store, { seed: 5, customers: 250, asOf: day("2026-06-30") });
    first = await ensureScores(temp.store, day("2026-06-30"));
    // The next day reuses the fits: its rows come through the second connection's pending tables.
    second = await ensureScores(temp.store, day("2026-07-01"));
    expect(second.models.fit.reused).toBe(true);
  });
  afterAll(() => temp.dispose());

  /** How the set's rows sit against its recorded range. */
  async function placement(setId: number) {
    return temp.store.db.get<{
      rows: number;
      inside: number;
      others_inside: number;
      first_row: number | null;
    }>(
      `SELECT (SELECT COUNT(*) FROM customer_scores WHERE score_set_id = r.id) AS rows,
              (SELECT COUNT(*) FROM customer_scores WHERE score_set_id = r.id AND rowid BETWEEN r.first_row AND r.last_row) AS inside,
              (SELECT COUNT(*) FROM customer_scores WHERE score_set_id <> r.id AND rowid BETWEEN r.first_row AND r.last_row) AS others_inside,
              r.first_row
       FROM score_sets r WHERE r.id = ?`,
      [setId],
    );
  }

  it("records every published set's rows as a range of rowids that holds them and no other set's", async () => {
    for (const set of [first, second]) {
      const placed = await placement(set.id);
      expect(placed!.first_row).not.toBeNull();
      expect(placed!.rows).toBe(set.customers);
      expect(placed!.inside).toBe(set.customers);
      expect(placed!.others_inside).toBe(0);
    }
  });

  it("keeps a set's rows in its range when a write carries the set over", async () => {
    const customer = await temp.store.db.get<{ id: number }>(
      "SELECT id FROM customers ORDER BY id LIMIT 1 OFFSET 17",
    );
    const before = await temp.store.dataVersion();
    let carried = 0;
    await temp.store.db.transaction(async () => {
      await temp.store.db.run(
        "INSERT INTO interactions (external_id, customer_id, occurred_at, channel, direction, summary) VALUES ('set-rows-test', ?, ?, 'phone', 'outbound', 'checked in')",
        [customer!.id, storedTime(day("2026-07-01").getTime() - 3_600_000)],
      );
      await temp.store.markChanged();
      carried = await carryScoreSets(temp.store, [customer!.id], before, await temp.store.dataVersion());
    });
    expect(carried).toBeGreaterThan(0);
    for (const set of [first, second]) {
      const placed = await placement(set.id);
      expect(placed!.inside).toBe(placed!.rows);
      expect(placed!.others_inside).toBe(0);
    }
  });

  it("answers whole-set aggregates the same with the range recorded, without it, and through the set's index", async () => {
    const aggregates = async () => ({
      segments: await segmentTotals(temp.store, { setId: second.id }, "rfm_segment"),
      owned: await segmentTotals(temp.store, { setId: second.id, owner: "Chen Jing" }, "lifecycle_stage"),
      grid: await rfmGridTotals(temp.store, { setId: second.id }),
      portfolio: await portfolioScoreTotals(temp.store, second.id, undefined),
      chi: await chiTotals(temp.store, second.id, undefined),
    });
    const recorded = await aggregates();
    expect(recorded.segments.reduce((sum, row) => sum + row.customers, 0)).toBe(second.customers);
    const range = await temp.store.db.get<{ first_row: number; last_row: number }>(
      "SELECT first_row, last_row FROM score_sets WHERE id = ?",
      [second.id],
    );
    await temp.store.db.run("UPDATE score_sets SET first_row = NULL, last_row = NULL WHERE id = ?", [
      second.id,
    ]);
    try {
      expect(await aggregates()).toEqual(recorded);
    } finally {
      await temp.store.db.run("UPDATE score_sets SET first_row = ?, last_row = ? WHERE id = ?", [
        range!.first_row,
        range!.last_row,
        second.id,
      ]);
    }
    const indexed = await temp.store.db.all<{ key: string | null; customers: number; clv: number }>(
      `SELECT rfm_segment AS key, COUNT(*) AS customers, TOTAL(clv) AS clv FROM customer_scores INDEXED BY customer_scores_clv
       WHERE score_set_id = ? GROUP BY rfm_segment`,
      [second.id],
    );
    expect(indexed.map(({ key, customers }) => ({ key, customers }))).toEqual(
      recorded.segments.map(({ key, customers }) => ({ key, customers })),
    );
    indexed.forEach((row, index) => expect(recorded.segments[index].clv).toBeCloseTo(row.clv, 6));
  });

  it("scans a set by its rowid range, not through one of its indexes", async () => {
    const plan = await temp.store.db.all<{ detail: string }>(
      `EXPLAIN QUERY PLAN SELECT COUNT(*), TOTAL(clv) ${fromSet().sql}`,
      fromSet().params(second.id),
    );
    const details = plan.map((row) => row.detail).join("\n");
    expect(details).toMatch(/SEARCH customer_scores USING INTEGER PRIMARY KEY \(rowid>\? AND rowid<\?\)/);
    expect(details).not.toMatch(/customer_scores USING (COVERING )?INDEX/);
  });
});
