import { describe, expect, it } from "vitest";
import {
  fitChurnCalibration,
  fitChurnCalibrationSteps,
  type CalibrationExample,
} from "../../core/churnCalibration.js";
import { CHURN_FEATURE_KEYS, type ChurnFeatureValues } from "../../core/churnFeatures.js";
import { fitGammaGamma, fitGammaGammaSteps } from "../../core/gammaGamma.js";
import type { Steps } from "../../core/optimize.js";
import { fitPurchaseModel, fitPurchaseModelSteps, PURCHASE_MODEL_KINDS } from "../../core/purchaseModel.js";
import { createRng } from "../../core/random.js";
import { simulateBgNbd } from "../../core/simulate.js";

/** Steps a fit to its end, counting the turns it gives its caller. */
function stepped<T>(steps: Steps<T>): { result: T; turns: number } {
  let turns = 0;
  for (;;) {
    const step = steps.next();
    if (step.done) return { result: step.value, turns };
    turns++;
  }
}

/**
 * A server fitting a large book steps the fits and answers calls between the steps
 * (`mcp-server/scoring/yieldToCalls.ts`): each fit must hand control back between evaluations of
 * its objective and end exactly where the plain function ends.
 */
describe("fits step by step", () => {
  const rows = simulateBgNbd(
    { r: 0.24, alpha: 4.41, a: 0.79, b: 2.43 },
    { customers: 4_000, T: (i) => 20 + (i % 60), seed: 11 },
  );

  it.each(PURCHASE_MODEL_KINDS)(
    "%s: a turn between evaluations, the same fit as the plain function",
    (kind) => {
      const { result, turns } = stepped(fitPurchaseModelSteps(kind, rows));
      expect(result).toEqual(fitPurchaseModel(kind, rows));
      // At least one turn per optimiser iteration, plus the Hessian's gradient evaluations.
      expect(turns).toBeGreaterThan(result.iterations);
      expect(result.iterations).toBeGreaterThan(5);
    },
  );

  it("Gamma-Gamma: a turn between evaluations, the same fit as the plain function", () => {
    const rng = createRng(5);
    const spend = rows
      .filter((row) => row.x > 0)
      .map((row) => ({ x: row.x, monetary: 10 + 40 * rng.uniform() * (1 + 1 / row.x) }));
    const { result, turns } = stepped(fitGammaGammaSteps(spend));
    expect(result).toEqual(fitGammaGamma(spend));
    expect(turns).toBeGreaterThan(result.iterations);
  });

  it("churn calibration: a turn between evaluations, the same weights as the plain function", () => {
    const rng = createRng(8);
    const examples: CalibrationExample[] = Array.from({ length: 3_000 }, () => {
      const features = Object.fromEntries(
        CHURN_FEATURE_KEYS.map((key) => [key, rng.uniform()]),
      ) as ChurnFeatureValues;
      const [first] = CHURN_FEATURE_KEYS;
      return {
        features,
        survivalIfAlive: 0.5 + 0.4 * rng.uniform(),
        churned: rng.uniform() < 0.3 + 0.4 * (features[first] ?? 0) ? 1 : 0,
      };
    });
    for (const mode of ["logistic", "dropout-mixture"] as const) {
      const { result, turns } = stepped(fitChurnCalibrationSteps(examples, mode));
      expect(result).toEqual(fitChurnCalibration(examples, mode));
      expect(result.converged).toBe(true);
      expect(turns).toBeGreaterThan(5);
    }
  });
});
