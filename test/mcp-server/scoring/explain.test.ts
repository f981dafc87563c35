import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { seedDemo } from "../../../mcp-server/demo/seed.js";
import { churnScorer } from "../../../mcp-server/scoring/churnModel.js";
import { customerState, dayOf } from "../../../mcp-server/scoring/customerState.js";
import { lifecycleOf } from "../../../mcp-server/scoring/explain.js";
import { ensureScores, readScore, type ScoreSet } from "../../../mcp-server/scoring/scoreCache.js";
import { historyChunks } from "../../../mcp-server/scoring/storeHistory.js";
import { createTempStore, type TempStore } from "../../helpers/tempStore.js";

const AS_OF = new Date("2026-06-30T23:59:59Z");

describe("reasons worded on read", () => {
  let temp: TempStore;
  let set: ScoreSet;
  beforeAll(async () => {
    temp = await createTempStore("crm-explain-");
    await seedDemo(temp.store, { seed: 11, customers: 400, asOf: AS_OF });
    set = await ensureScores(temp.store, AS_OF);
  });
  afterAll(() => temp.dispose());

  it("are the reasons the churn model gives the customer's full history, for every customer of a book", async () => {
    const scorer = churnScorer(set.models.churn, dayOf(AS_OF));
    let compared = 0;
    for await (const chunk of historyChunks(temp.store, AS_OF, 150)) {
      for (const history of chunk) {
        const stored = (await readScore(temp.store, set, history.id))!;
        const state = customerState(history, dayOf(AS_OF));
        if (!state) {
          expect(stored.riskReasons).toEqual([]);
          expect(stored.lifecycleReasons.en).toEqual(["no purchase yet"]);
          continue;
        }
        const direct = scorer(state);
        expect(stored.churnProbability).toBe(direct.churnProbability);
        expect(stored.riskReasons).toEqual(direct.reasons);
        const lifecycle = lifecycleOf(stored);
        expect(lifecycle.stage).toBe(stored.lifecycleStage);
        expect(stored.lifecycleReasons).toEqual({ en: lifecycle.reasons, zh: lifecycle.reasonsZh });
        compared++;
      }
    }
    expect(compared).toBeGreaterThan(300);
  });

  it("keeps a score set's rows small: numbers only, no worded text", async () => {
    const row = await temp.store.db.get<{ bytes: number }>(
      `SELECT AVG(length(CAST(lifecycle_stage AS BLOB)) + length(CAST(risk_level AS BLOB))
                  + IFNULL(length(first_purchase), 0) + IFNULL(length(last_purchase), 0)
                  + IFNULL(length(last_interaction), 0) + IFNULL(length(score_problem), 0)) AS bytes
       FROM customer_scores WHERE score_set_id = ?`,
      [set.id],
    );
    expect(row!.bytes).toBeLessThan(120);
  });
});
