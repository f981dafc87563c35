import { afterEach, beforeEach, describe, expect, it } from "vitest";
import { seedDemo } from "../../../mcp-server/demo/seed.js";
import { carryScoreSets } from "../../../mcp-server/scoring/carryScores.js";
import { ensureScores, type ScoreSet } from "../../../mcp-server/scoring/scoreCache.js";
import type { ScoreFigures } from "../../../mcp-server/scoring/explain.js";
import { scoreBook } from "../../../mcp-server/scoring/scoreCustomers.js";
import { storeSource } from "../../../mcp-server/scoring/storeHistory.js";
import { auditedWrite } from "../../../mcp-server/store/audit.js";
import { scoresTable } from "../../../mcp-server/store/setTables.js";
import { createTempStore, type TempStore } from "../../helpers/tempStore.js";

const AS_OF = new Date("2026-06-30T23:59:59Z");

/** Every customer's score in a full rescore with the set's own fits, by customer id. */
async function fullRescore(temp: TempStore, set: ScoreSet): Promise<Map<number, ScoreFigures>> {
  const scores = new Map<number, ScoreFigures>();
  const { churn, gammaGamma, notes, fit } = set.models;
  await scoreBook(
    await storeSource(temp.store, AS_OF),
    AS_OF,
    { horizonDays: set.horizonDays, reuse: { churn, gammaGamma, notes, fit } },
    (chunk) => chunk.forEach((score) => scores.set(score.customerId, score)),
  );
  return scores;
}

async function storedRow(temp: TempStore, setId: number, customerId: number) {
  return temp.store.db.get<Record<string, unknown>>(
    "SELECT * FROM customer_scores WHERE score_set_id = ? AND customer_id = ?",
    [setId, customerId],
  );
}

describe("score sets carried over a write", () => {
  let temp: TempStore;
  beforeEach(async () => {
    temp = await createTempStore("crm-carry-");
    await seedDemo(temp.store, { seed: 9, customers: 300, asOf: AS_OF });
  });
  afterEach(() => temp.dispose());

  async function write(customerId: number, sql: string, params: (string | number)[]) {
    return auditedWrite(
      temp.store,
      { at: "2026-06-30T12:00:00.000Z", actor: "test", action: "test", customerId, details: {} },
      { changesScores: true, carryScores: (from, to) => carryScoreSets(temp.store, [customerId], from, to) },
      () => temp.store.db.run(sql, params),
    );
  }

  it("serves the same set after an interaction is logged, with the customer scored as a full rescore would", async () => {
    const before = await ensureScores(temp.store, AS_OF);
    // A buyer silent for a while: a fresh contact changes their inactivity signal.
    const target = await temp.store.db.get<{ customer_id: number }>(
      `SELECT customer_id FROM customer_scores WHERE score_set_id = ? AND churn_probability IS NOT NULL
       ORDER BY IFNULL(last_interaction, '') LIMIT 1`,
      [before.id],
    );
    const id = target!.customer_id;
    const old = await storedRow(temp, before.id, id);
    await write(
      id,
      "INSERT INTO interactions (external_id, customer_id, occurred_at, channel, direction, summary) VALUES ('t-1', ?, '2026-06-30T10:00:00.000Z', 'phone', 'outbound', 'checked in')",
      [id],
    );
    const after = await ensureScores(temp.store, AS_OF);
    expect(after.id).toBe(before.id);
    expect(after.dataVersion).toBe(before.dataVersion + 1);
    const carried = await storedRow(temp, after.id, id);
    expect(carried!.last_interaction).toBe("2026-06-30T10:00:00Z");
    expect(carried!.churn_probability).not.toBe(old!.churn_probability);

    const full = (await fullRescore(temp, after)).get(id)!;
    expect(carried!.churn_probability).toBe(full.churnProbability);
    expect(carried!.value_at_risk).toBe(full.valueAtRisk);
    expect(carried!.lifecycle_stage).toBe(full.lifecycleStage);
    expect(carried!.clv).toBe(full.clv);
    expect(carried!.rfm_segment).toBe(full.rfm?.segment ?? null);
    expect(carried!.abc_tier).toBe(full.abcTier);
    expect(carried!.value_quadrant).toBe(full.valueQuadrant);
  });

  it("ranks a customer whose purchase moves them against the rest of the set exactly as a full rescore does", async () => {
    const set = await ensureScores(temp.store, AS_OF);
    const rows = await temp.store.db.all<{ customer_id: number }>(
      "SELECT customer_id FROM customer_scores WHERE score_set_id = ? AND churn_probability IS NOT NULL ORDER BY customer_id LIMIT 6",
      [set.id],
    );
    for (const [index, { customer_id: id }] of rows.entries()) {
      await write(
        id,
        "INSERT INTO transactions (external_id, customer_id, occurred_at, amount, channel) VALUES (?, ?, '2026-06-29T09:00:00.000Z', ?, 'web')",
        [`t-${index}`, id, 400 + 250 * index],
      );
      const carried = await storedRow(temp, set.id, id);
      const full = (await fullRescore(temp, set)).get(id)!;
      expect(carried!.days_since_last_purchase).toBe(1);
      expect(carried!.revenue).toBeCloseTo(full.revenue, 9);
      expect(carried!.churn_probability).toBe(full.churnProbability);
      expect([carried!.rfm_r, carried!.rfm_f, carried!.rfm_m]).toEqual([
        full.rfm!.r,
        full.rfm!.f,
        full.rfm!.m,
      ]);
      expect(carried!.rfm_segment).toBe(full.rfm!.segment);
      expect(carried!.value_quadrant).toBe(full.valueQuadrant);
      expect(carried!.abc_tier).toBe(full.abcTier);
    }
  });

  it("lets the write land and leaves the set stale when carrying fails", async () => {
    const set = await ensureScores(temp.store, AS_OF);
    await auditedWrite(
      temp.store,
      { at: "2026-06-30T12:00:00.000Z", actor: "test", action: "test", customerId: 1, details: {} },
      {
        changesScores: true,
        carryScores: async () => {
          await temp.store.db.run(`UPDATE ${scoresTable(set.id)} SET clv = -1`);
          throw new Error("boom");
        },
      },
      () =>
        temp.store.db.run(
          "INSERT INTO interactions (external_id, customer_id, occurred_at, channel, direction, summary) VALUES ('t-9', 1, '2026-06-30T10:00:00.000Z', 'phone', 'outbound', 'hi')",
        ),
    );
    expect((await temp.store.counts()).interactions).toBeGreaterThan(0);
    const stale = await temp.store.db.get<{ data_version: number; low: number }>(
      "SELECT data_version, (SELECT MIN(clv) FROM customer_scores WHERE score_set_id = ?) AS low FROM score_sets WHERE id = ?",
      [set.id, set.id],
    );
    expect(stale!.data_version).toBe(set.dataVersion);
    expect(stale!.low).toBeGreaterThanOrEqual(0);
    const next = await ensureScores(temp.store, AS_OF);
    expect(next.id).not.toBe(set.id);
  });
});
