import { afterAll, beforeAll, describe, expect, it, vi } from "vitest";
import { seedDemo } from "../../../mcp-server/demo/seed.js";
import { carryScoreSets } from "../../../mcp-server/scoring/carryScores.js";
import { ensureScores, type ScoreSet } from "../../../mcp-server/scoring/scoreCache.js";
import { KEPT_SCORE_SETS } from "../../../mcp-server/scoring/settings.js";
import { scopeOf, setChi } from "../../../mcp-server/scoring/setChi.js";
import {
  portfolioScoreTotals,
  rfmGridTotals,
  scopeTotals,
  segmentGroups,
  topSegmentMembers,
} from "../../../mcp-server/store/scoreQueries.js";
import { createScoresTable, fromSet, scoresTable } from "../../../mcp-server/store/setTables.js";
import { storedTime } from "../../../mcp-server/store/timestamps.js";
import { createTempStore, type TempStore } from "../../helpers/tempStore.js";

const day = (text: string) => new Date(`${text}T23:59:59Z`);

describe("a table per score set", () => {
  let temp: TempStore;
  let first: ScoreSet;
  let second: ScoreSet;
  beforeAll(async () => {
    temp = await createTempStore("crm-set-tables-");
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
       FROM ${scoresTable(second.id, "s")} INDEXED BY ${scoresTable(second.id)}_clv JOIN customers c ON c.id = s.customer_id
       WHERE TRUE${owner ? " AND c.owner = ? COLLATE NOCASE" : ""} GROUP BY s.${column} ORDER BY 1`,
      owner ? [owner] : [],
    );
  }

  /** Rows per set id as the view `customer_scores` shows them. */
  async function viewCounts() {
    return temp.store.db.all<{ id: number; rows: number }>(
      "SELECT score_set_id AS id, COUNT(*) AS rows FROM customer_scores GROUP BY score_set_id ORDER BY 1",
    );
  }

  it("publishes each set into a table of its own with its value indexes, and leaves no pending table", async () => {
    for (const set of [first, second]) {
      const row = await temp.store.db.get<{ rows: number }>(
        `SELECT COUNT(*) AS rows FROM ${scoresTable(set.id)}`,
      );
      expect(row!.rows).toBe(set.customers);
      const indexes = await temp.store.db.all<{ name: string }>(
        "SELECT name FROM sqlite_schema WHERE type = 'index' AND tbl_name = ? ORDER BY name",
        [scoresTable(set.id)],
      );
      expect(indexes.map(({ name }) => name)).toEqual(
        ["by_risk", "by_value_at_risk", "clv"].map((suffix) => `${scoresTable(set.id)}_${suffix}`),
      );
    }
    expect(await viewCounts()).toEqual([
      { id: first.id, rows: first.customers },
      { id: second.id, rows: second.customers },
    ]);
    expect(await temp.store.db.all("SELECT name FROM sqlite_schema WHERE name LIKE 'pending%'")).toEqual([]);
  });

  it("updates a customer's row in each set's table when a write carries the sets over", async () => {
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
    // Dated after the first set's as-of date: only the second set sees the contact.
    const contact = async (set: ScoreSet) =>
      (
        await temp.store.db.get<{ last_interaction: string | null }>(
          `SELECT last_interaction FROM ${scoresTable(set.id)} WHERE customer_id = ?`,
          [customer!.id],
        )
      )?.last_interaction;
    expect(await contact(first)).not.toBe(storedTime(day("2026-07-01").getTime() - 3_600_000));
    expect(await contact(second)).toBe(storedTime(day("2026-07-01").getTime() - 3_600_000));
    expect(await viewCounts()).toEqual([
      { id: first.id, rows: first.customers },
      { id: second.id, rows: second.customers },
    ]);
  });

  it("answers whole-set aggregates as a walk of the set's CLV index does", async () => {
    const aggregates = async () => ({
      segments: await segmentGroups(temp.store, { setId: second.id }, "rfm_segment", 3),
      owned: await segmentGroups(temp.store, { setId: second.id, owner: "Chen Jing" }, "lifecycle_stage", 3),
      grid: await rfmGridTotals(temp.store, { setId: second.id }),
      portfolio: await portfolioScoreTotals(temp.store, second.id, undefined),
      chi: scopeOf(await setChi(temp.store, second.id), undefined),
    });
    const recorded = await aggregates();
    expect(recorded.segments.reduce((sum, row) => sum + row.customers, 0)).toBe(second.customers);
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
          `SELECT c.id FROM ${scoresTable(second.id, "s")} INDEXED BY ${scoresTable(second.id)}_clv
           JOIN customers c ON c.id = s.customer_id
           WHERE s.lifecycle_stage = ?${owner} ORDER BY s.clv DESC, s.customer_id LIMIT ? OFFSET ?`,
          [key, ...(scope.owner ? [scope.owner] : []), limit, offset],
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

  it("scans a set's table in storage order, and pages the at-risk list along an index without sorting", async () => {
    const plan = async (sql: string) =>
      (await temp.store.db.all<{ detail: string }>(`EXPLAIN QUERY PLAN ${sql}`, [0, 20]))
        .map((row) => row.detail)
        .join("\n");
    const scan = await plan(
      `SELECT COUNT(*), TOTAL(clv), TOTAL(revenue) ${fromSet(second.id)} AND ? >= 0 LIMIT ?`,
    );
    expect(scan).toMatch(new RegExp(`SCAN ${scoresTable(second.id)}$`, "m"));
    for (const [index, order] of [
      ["by_value_at_risk", "s.value_at_risk DESC, s.risk_score DESC, s.customer_id"],
      ["by_risk", "s.risk_score DESC, s.value_at_risk DESC, s.customer_id"],
    ]) {
      const page = await plan(
        `SELECT s.*, c.* FROM ${scoresTable(second.id, "s")} JOIN customers c ON c.id = s.customer_id
         WHERE +s.risk_score >= ? ORDER BY ${order} LIMIT ?`,
      );
      expect(page).toContain(`SCAN s USING INDEX ${scoresTable(second.id)}_${index}`);
      expect(page).not.toContain("TEMP B-TREE");
    }
  });

  it("drops the tables of sets it no longer keeps, and of sets whose rows were deleted by hand", async () => {
    await createScoresTable(temp.store.db, scoresTable(9_999));
    const kept: ScoreSet[] = [first, second];
    vi.useFakeTimers({ toFake: ["Date"] });
    try {
      for (const [index, text] of ["2026-07-02", "2026-07-03", "2026-07-04", "2026-07-05"].entries()) {
        // Past the minute in which a set just handed out may still be read.
        vi.setSystemTime(Date.now() + 2 * 60_000 * (index + 1));
        kept.push(await ensureScores(temp.store, day(text)));
      }
    } finally {
      vi.useRealTimers();
    }
    const tables = await temp.store.db.all<{ name: string }>(
      "SELECT name FROM sqlite_schema WHERE type = 'table' AND name LIKE 'customer\\_scores\\_%' ESCAPE '\\' ORDER BY name",
    );
    const newest = kept.slice(-KEPT_SCORE_SETS);
    expect(tables.map(({ name }) => name).sort()).toEqual(newest.map((set) => scoresTable(set.id)).sort());
    expect((await viewCounts()).map(({ id }) => id)).toEqual(newest.map((set) => set.id));
    const sets = await temp.store.db.all<{ id: number }>("SELECT id FROM score_sets ORDER BY id");
    expect(sets.map(({ id }) => id)).toEqual(newest.map((set) => set.id));
    // A call still holding a dropped set (another process dropped it) is told to ask again.
    await expect(scopeTotals(temp.store, { setId: first.id })).rejects.toThrow(
      /replaced by newer ones while it read them .*; try again/,
    );
  });
});
