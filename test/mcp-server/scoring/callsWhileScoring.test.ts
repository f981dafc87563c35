import { describe, expect, it } from "vitest";
import type { ScoreFigures } from "../../../mcp-server/scoring/explain.js";
import type { CustomerRecord } from "../../../mcp-server/scoring/history.js";
import {
  recordSource,
  scoreBook,
  type BookModels,
  type ScoringOptions,
} from "../../../mcp-server/scoring/scoreCustomers.js";

const AS_OF = new Date("2026-06-30T23:59:59Z");
const DAY = 86_400_000;

/** Repeat buyers with spread-out habits, some of whom stopped: enough for every fit. */
function book(count: number): CustomerRecord[] {
  return Array.from({ length: count }, (_, i) => {
    const gap = 15 + ((i * 37) % 120);
    const stoppedDaysAgo = i % 3 === 0 ? 100 + ((i * 53) % 400) : (i * 7) % 30;
    const purchases = 1 + (i % 9);
    return {
      id: i + 1,
      transactions: Array.from({ length: purchases }, (_, k) => ({
        timestamp: new Date(AS_OF.getTime() - (stoppedDaysAgo + (purchases - 1 - k) * gap) * DAY - 3_600_000),
        amount: 20 + ((i * 13 + k * 7) % 90),
        margin: null,
      })),
      feedback: [],
      interactions: [],
    };
  });
}

/**
 * A server scores in the process that answers tool calls, so a call that arrives while a book is
 * scored must get a turn within a time slice (`Slices`), also while the models are fitted. With
 * a slice of 0 every step of the scoring, each evaluation of a fit's objective included, turns the
 * event loop. An in-memory book does no I/O, so the turns counted here are those steps alone.
 */
describe("calls answered while a book is scored", () => {
  const records = book(800);

  async function score(
    options: ScoringOptions,
  ): Promise<{ models: BookModels; scores: ScoreFigures[]; turns: number }> {
    let turns = 0;
    let scoring = true;
    const turn = () => {
      if (!scoring) return;
      turns++;
      setImmediate(turn);
    };
    setImmediate(turn);
    const scores: ScoreFigures[] = [];
    const models = await scoreBook(recordSource(records, AS_OF), AS_OF, options, (part) => {
      scores.push(...part);
    });
    scoring = false;
    return { models, scores, turns };
  }

  it("turns the event loop between the fits' evaluations, and scores as a pass without slices", async () => {
    const sliced = await score({ horizonDays: 90, sliceMs: 0 });
    const unsliced = await score({ horizonDays: 90, sliceMs: Infinity });
    expect(sliced.models.fit.reused).toBe(false);
    expect(sliced.models.churn.method).toMatch(/^calibrated/);
    // The final purchase-model fit and Gamma-Gamma alone yield more often than they iterate; the
    // candidates, the inner windows and the calibration add theirs.
    const iterations = sliced.models.churn.purchaseModel!.iterations + sliced.models.gammaGamma!.iterations;
    expect(sliced.turns).toBeGreaterThan(iterations);
    // Without slices an in-memory book gives the event loop (next to) no turn at all.
    expect(unsliced.turns).toBeLessThan(20);
    expect(sliced.models).toEqual(unsliced.models);
    expect(sliced.scores).toEqual(unsliced.scores);
  });
});
