import { afterEach, beforeEach, describe, expect, it } from "vitest";
import { seedDemo } from "../../../mcp-server/demo/seed.js";
import { COLUMNS, ensureScores, scoreToRow } from "../../../mcp-server/scoring/scoreCache.js";
import { scoreBook, type ReusedModels, type ScoreRanks } from "../../../mcp-server/scoring/scoreCustomers.js";
import type { ScoreFigures } from "../../../mcp-server/scoring/explain.js";
import { storeSource } from "../../../mcp-server/scoring/storeHistory.js";
import { scoresTable } from "../../../mcp-server/store/setTables.js";
import { createTempStore, type TempStore } from "../../helpers/tempStore.js";

const day = (text: string) => new Date(`${text}T23:59:59Z`);
const HORIZON = 90;

/**
 * A pass with reused fits hands each chunk's scores over as it is read and the ranks at the end
 * (`ScoringOptions.early`), and the store writes them through a second connection; these tests
 * hold both to the whole-book pass, figure for figure.
 */
describe("scores handed over chunk by chunk with reused fits", () => {
  let temp: TempStore;
  let reuse: ReusedModels;
  beforeEach(async () => {
    temp = await createTempStore("crm-early-");
    await seedDemo(temp.store, { seed: 9, customers: 700, asOf: day("2026-06-30") });
    // A customer no import would accept (an amount beyond any real one) is left unscored.
    await temp.store.db.run(
      "INSERT INTO transactions (external_id, customer_id, occurred_at, amount) VALUES ('absurd', 5, '2026-05-01T10:00:00Z', 1e300)",
    );
    const models = await scoreBook(
      await storeSource(temp.store, day("2026-06-30")),
      day("2026-06-30"),
      { horizonDays: HORIZON },
      () => undefined,
    );
    reuse = { churn: models.churn, gammaGamma: models.gammaGamma, notes: models.notes, fit: models.fit };
  });
  afterEach(() => temp.dispose());

  it("gives every customer the same figures and ranks as the whole-book pass, over chunks of any size", async () => {
    const asOf = day("2026-07-02");
    const whole: ScoreFigures[] = [];
    const wholeModels = await scoreBook(
      await storeSource(temp.store, asOf, 700),
      asOf,
      { horizonDays: HORIZON, reuse },
      (scores) => void whole.push(...scores),
    );
    for (const chunk of [97, 250, 1000]) {
      const scores: ScoreFigures[] = [];
      const ranks: ScoreRanks[] = [];
      let toMainSink = 0;
      const models = await scoreBook(
        await storeSource(temp.store, asOf, chunk),
        asOf,
        {
          horizonDays: HORIZON,
          reuse,
          early: { scores: (part) => void scores.push(...part), ranks: (part) => void ranks.push(...part) },
        },
        (part) => void (toMainSink += part.length),
      );
      expect(toMainSink).toBe(0);
      expect(ranks.map((rank) => rank.customerId)).toEqual(scores.map((score) => score.customerId));
      const merged = scores.map((score, index) => ({
        ...score,
        rfm: ranks[index].rfm,
        abcTier: ranks[index].abcTier,
        valueQuadrant: ranks[index].valueQuadrant,
      }));
      expect(merged).toEqual(whole);
      expect(models).toEqual(wholeModels);
    }
    expect(whole.find((score) => score.customerId === 5)?.scoreProblem).toMatch(/not a real one/);
    expect(whole.filter((score) => score.rfm !== null).length).toBeGreaterThan(300);
  });

  it("stores the same rows for a day change as the whole-book pass computes, and leaves no pending table", async () => {
    await ensureScores(temp.store, day("2026-06-30"));
    const set = await ensureScores(temp.store, day("2026-07-02"));
    expect(set.models.fit.reused).toBe(true);
    const whole: ScoreFigures[] = [];
    await scoreBook(
      await storeSource(temp.store, day("2026-07-02")),
      day("2026-07-02"),
      {
        horizonDays: HORIZON,
        reuse: { churn: set.models.churn, gammaGamma: set.models.gammaGamma, notes: [], fit: set.models.fit },
      },
      (scores) => void whole.push(...scores),
    );
    const stored = await temp.store.db.all(
      `SELECT ${COLUMNS.join(", ")} FROM ${scoresTable(set.id)} ORDER BY customer_id`,
    );
    expect(stored).toEqual(
      whole.map((score) =>
        Object.fromEntries(scoreToRow(score).map((value, index) => [COLUMNS[index], value])),
      ),
    );
    expect(await temp.store.db.all("SELECT name FROM sqlite_schema WHERE name LIKE 'pending%'")).toEqual([]);
  });

  it("drops the pending tables a scoring process left behind when it died, and keeps a live one's", async () => {
    await ensureScores(temp.store, day("2026-06-30"));
    const dead = 2 ** 22 + 17; // above Linux's default pid_max, so no process has it
    await temp.store.db.exec(`CREATE TABLE pending_scores_${dead}_1 (x)`);
    await temp.store.db.exec(`CREATE TABLE pending_ranks_${dead}_1 (x)`);
    await temp.store.db.exec(`CREATE TABLE pending_scores_${process.ppid}_1 (x)`);
    await ensureScores(temp.store, day("2026-07-01"));
    expect(
      await temp.store.db.all("SELECT name FROM sqlite_schema WHERE name LIKE 'pending%' ORDER BY name"),
    ).toEqual([{ name: `pending_scores_${process.ppid}_1` }]);
  });
});
