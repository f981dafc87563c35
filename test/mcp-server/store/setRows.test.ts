import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { seedDemo } from "../../../mcp-server/demo/seed.js";
import { carryScoreSets } from "../../../mcp-server/scoring/carryScores.js";
import { ensureScores, type ScoreSet } from "../../../mcp-server/scoring/scoreCache.js";
import { scopeOf, setChi } from "../../../mcp-server/scoring/setChi.js";
import {
  portfolioScoreTotals,
  rfmGridTotals,
  segmentGroups,
  topSegmentMembers,
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

  /** Customers and CLV per segment read through the set's CLV index: what a scan must agree with. */
  function totalsByIndex(column: string, owner?: string) {
    return temp.store.db.all<{ key: string | null; customers: number; clv: number }>(
      `SELECT s.${column} AS key, COUNT(*) AS customers, TOTAL(s.clv) AS clv
       FROM customer_scores s INDEXED BY customer_scores_clv JOIN customers c ON c.id = s.customer_id
       WHERE s.score_set_id = ?${owner ? " AND c.owner = ? COLLATE NOCASE" : ""} GROUP BY s.${column} ORDER BY 1`,
      [second.id, ...(owner ? [owner] : [])],
    );
  }

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
      segments: await segmentGroups(temp.store, { setId: second.id }, "rfm_segment", 3),
      owned: await segmentGroups(temp.store, { setId: second.id, owner: "Chen Jing" }, "lifecycle_stage", 3),
      grid: await rfmGridTotals(temp.store, { setId: second.id }),
      portfolio: await portfolioScoreTotals(temp.store, second.id, undefined),
      chi: scopeOf(await setChi(temp.store, second.id), undefined),
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
    const indexed = await totalsByIndex("rfm_segment");
    expect(indexed.map(({ key, customers }) => ({ key, customers }))).toEqual(
      recorded.segments.map(({ key, customers }) => ({ key, customers })),
    );
    indexed.forEach((row, index) => expect(recorded.segments[index].clv).toBeCloseTo(row.clv, 6));
  });

  it("lists a segment's members, totals and top members as the set's CLV index orders them", async () => {
    const scopes = [{ setId: second.id }, { setId: second.id, owner: "Chen Jing" }];
    let compared = 0;
    for (const scope of scopes) {
      const owner = scope.owner ? " AND c.owner = ? COLLATE NOCASE" : "";
      const byIndex = (key: string, limit: number, offset: number) =>
        temp.store.db.all<{ id: number }>(
          `SELECT c.id FROM customer_scores s INDEXED BY customer_scores_clv JOIN customers c ON c.id = s.customer_id
           WHERE s.score_set_id = ? AND s.lifecycle_stage = ?${owner} ORDER BY s.clv DESC, s.customer_id LIMIT ? OFFSET ?`,
          [second.id, key, ...(scope.owner ? [scope.owner] : []), limit, offset],
        );
      const totals = await totalsByIndex("lifecycle_stage", scope.owner);
      const groups = await segmentGroups(temp.store, scope, "lifecycle_stage", 4);
      expect(groups.map(({ key, customers }) => ({ key, customers }))).toEqual(
        totals.map(({ key, customers }) => ({ key, customers })),
      );
      for (const group of groups) {
        expect(group.clv).toBeCloseTo(totals.find((row) => row.key === group.key)!.clv, 6);
        if (group.key === null) continue;
        expect(group.topIds).toEqual((await byIndex(group.key, 4, 0)).map((row) => row.id));
        for (const [limit, offset] of [
          [5, 0],
          [7, 3],
          [25, 25],
        ]) {
          const listed = await topSegmentMembers(
            temp.store,
            scope,
            "lifecycle_stage",
            group.key,
            limit,
            offset,
          );
          expect(listed.map((row) => row.id)).toEqual(
            (await byIndex(group.key, limit, offset)).map((row) => row.id),
          );
          expect(listed.length).toBe(Math.max(0, Math.min(limit, group.customers - offset)));
          compared += listed.length;
        }
      }
    }
    expect(compared).toBeGreaterThan(50);
  });

  it("scans a set by its rowid range, not through one of its indexes", async () => {
    const plan = await temp.store.db.all<{ detail: string }>(
      `EXPLAIN QUERY PLAN SELECT COUNT(*), TOTAL(clv) ${fromSet(second.id).sql}`,
      fromSet(second.id).params,
    );
    const details = plan.map((row) => row.detail).join("\n");
    expect(details).toMatch(/SEARCH customer_scores USING INTEGER PRIMARY KEY \(rowid>\? AND rowid<\?\)/);
    expect(details).not.toMatch(/customer_scores USING (COVERING )?INDEX/);
  });
});
