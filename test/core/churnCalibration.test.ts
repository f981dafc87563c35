import { describe, expect, it } from "vitest";
import {
  calibrationProblem,
  carryByConstantRate,
  fitChurnCalibration,
  heuristicChurnProbability,
  planCalibration,
  predictChurn,
  type CalibrationExample,
} from "../../core/churnCalibration.js";
import { CHURN_FEATURE_KEYS, churnFeatureValues, type ChurnFeatureValues } from "../../core/churnFeatures.js";
import { createRng } from "../../core/random.js";

const blank = (): ChurnFeatureValues =>
  Object.fromEntries(CHURN_FEATURE_KEYS.map((key) => [key, null])) as ChurnFeatureValues;

/** Examples whose churn follows a known logistic law in two features (recency, frequency). */
function logisticBook(n: number, seed: number, survival = 1): CalibrationExample[] {
  const rng = createRng(seed);
  return Array.from({ length: n }, () => {
    const recency = 4 * rng.uniform();
    const frequency = 3 * rng.uniform();
    const p = 1 / (1 + Math.exp(-(-1 + 1.5 * recency - 0.8 * frequency)));
    return {
      features: { ...blank(), recency, frequency },
      survivalIfAlive: survival,
      churned: rng.uniform() < p ? 1 : 0,
    } as CalibrationExample;
  });
}

describe("planCalibration", () => {
  it("observes the full horizon when the history allows, from up to six origins over a year", () => {
    const plan = planCalibration(3 * 365, 90);
    expect(plan).toEqual({
      ok: true,
      innerHorizonDays: 90,
      originOffsetsDays: [90, 163, 236, 309, 382, 455],
      mode: "logistic",
    });
  });

  it("uses a shorter inner window and the dropout mixture when the history is shorter than twice the horizon", () => {
    // CDNOW as of 1997-09-30: 272 days of history, a 273-day horizon.
    const plan = planCalibration(272, 273);
    expect(plan.ok && plan.innerHorizonDays).toBe(136);
    expect(plan.ok && plan.mode).toBe("dropout-mixture");
    // Origins keep 90 days of history before them.
    expect(plan.ok && Math.max(...plan.originOffsetsDays)).toBe(182);
    expect(plan.ok && plan.originOffsetsDays.every((offset) => offset >= 136)).toBe(true);
  });

  it("declines a history too short for a 14-day window, saying why", () => {
    const plan = planCalibration(20, 90);
    expect(plan.ok).toBe(false);
    expect(!plan.ok && plan.reason).toMatch(/history \(20 days\) is too short/);
  });

  it("never places an origin whose window would reach past the as-of date", () => {
    for (const history of [30, 100, 272, 500, 2000])
      for (const horizon of [7, 30, 90, 273, 365]) {
        const plan = planCalibration(history, horizon);
        if (!plan.ok) continue;
        for (const offset of plan.originOffsetsDays) {
          expect(offset).toBeGreaterThanOrEqual(plan.innerHorizonDays);
          expect(offset).toBeLessThanOrEqual(history);
        }
      }
  });
});

describe("fitChurnCalibration", () => {
  it("recovers the weights of a known logistic law (on standardised features)", () => {
    const examples = logisticBook(20_000, 1);
    const fit = fitChurnCalibration(examples, "logistic");
    expect(fit.weights.map((w) => w.key)).toEqual(["recency", "frequency"]);
    const [recency, frequency] = fit.weights;
    expect(recency.weight / recency.sd).toBeCloseTo(1.5, 1);
    expect(frequency.weight / frequency.sd).toBeCloseTo(-0.8, 1);
    expect(fit.churnRate).toBeGreaterThan(0.3);
    expect(fit.converged).toBe(true);
  });

  it("is deterministic: the same examples give the same calibration", () => {
    const examples = logisticBook(2000, 2);
    expect(fitChurnCalibration(examples, "logistic")).toEqual(fitChurnCalibration(examples, "logistic"));
  });

  it("in mixture mode learns the dropout share and carries it to a longer horizon through the survival", () => {
    // Half the customers are gone; active ones stay silent over h with probability 0.6.
    const rng = createRng(4);
    const examples: CalibrationExample[] = Array.from({ length: 10_000 }, () => {
      const gone = rng.uniform() < 0.5;
      const silent = gone || rng.uniform() < 0.6;
      return {
        features: { ...blank(), tenure: rng.uniform() },
        survivalIfAlive: 0.6,
        churned: silent ? 1 : 0,
      };
    });
    const fit = fitChurnCalibration(examples, "dropout-mixture");
    const atH = predictChurn(fit, { ...blank(), tenure: 0.5 }, 0.6);
    expect(atH.dropoutProbability!).toBeCloseTo(0.5, 1);
    expect(atH.probability).toBeCloseTo(0.5 + 0.5 * 0.6, 1);
    // Over a longer horizon the model's survival falls to 0.2: the probability follows.
    expect(predictChurn(fit, { ...blank(), tenure: 0.5 }, 0.2).probability).toBeCloseTo(0.5 + 0.5 * 0.2, 1);
  });

  it("leaves out features most customers lack, and treats a missing value as the average", () => {
    const examples = logisticBook(3000, 5).map((example, i) => ({
      ...example,
      features: { ...example.features, nps: i < 30 ? 3 : null },
    }));
    const fit = fitChurnCalibration(examples, "logistic");
    expect(fit.weights.some((w) => w.key === "nps")).toBe(false);
    const withNps = logisticBook(3000, 5).map((example, i) => ({
      ...example,
      features: { ...example.features, nps: i % 2 ? null : (i % 7) / 7 },
    }));
    const nps = fitChurnCalibration(withNps, "logistic").weights.find((w) => w.key === "nps")!;
    const prediction = predictChurn(fitChurnCalibration(withNps, "logistic"), { ...withNps[1].features }, 1);
    expect(Math.abs(prediction.contributions.find((c) => c.key === "nps")!.logOdds)).toBe(0);
    expect(nps).toBeDefined();
  });

  it("refuses too few examples, or too few of either outcome, saying how many are needed", () => {
    expect(calibrationProblem(logisticBook(150, 6))).toMatch(
      /only 150 customers could be labelled .*\(at least 200 needed\)/,
    );
    const allChurned = logisticBook(500, 6).map((example) => ({ ...example, churned: 1 as const }));
    expect(calibrationProblem(allChurned)).toMatch(/500 customers who did not buy and 0 who did/);
    expect(() => fitChurnCalibration(allChurned, "logistic")).toThrow(/at least 20 of each needed/);
  });
});

describe("predictChurn", () => {
  it("explains each feature by how far the probability would fall at the training average", () => {
    const fit = fitChurnCalibration(logisticBook(5000, 7), "logistic");
    const features = { ...blank(), recency: 3.5, frequency: 0.2 };
    const prediction = predictChurn(fit, features, 1);
    const recency = prediction.contributions.find((c) => c.key === "recency")!;
    const withoutRecency = predictChurn(fit, { ...features, recency: fit.weights[0].mean }, 1).probability;
    expect(recency.points).toBeCloseTo(100 * (prediction.probability - withoutRecency), 9);
    expect(recency.points).toBeGreaterThan(0);
    expect(prediction.probability).toBeGreaterThan(0.7);
  });
});

describe("fallbacks", () => {
  it("the rule of thumb rises with silence and with the horizon, and stays a probability", () => {
    const soon = heuristicChurnProbability(10, 30, 90);
    const late = heuristicChurnProbability(200, 30, 90);
    expect(late).toBeGreaterThan(soon);
    expect(heuristicChurnProbability(10, 30, 180)).toBeLessThan(soon);
    for (const value of [soon, late, heuristicChurnProbability(0, 0, 0)])
      expect(value).toBeGreaterThanOrEqual(0);
    expect(late).toBeLessThanOrEqual(1);
  });

  it("carrying at a constant rate compounds silence: p^(H/h)", () => {
    expect(carryByConstantRate(0.5, 45, 90)).toBeCloseTo(0.25, 12);
  });
});

describe("churnFeatureValues", () => {
  it("uses the book's gap for one-time buyers and leaves unknown signals missing", () => {
    const values = churnFeatureValues({
      x: 0,
      tenureDays: 100,
      daysSinceLastPurchase: 100,
      typicalGapDays: null,
      referenceGapDays: 50,
      averageSpend: -20,
      spendTrend: null,
      latestNps: null,
      feedbackCount: 0,
      negativeFeedbackCount: 0,
      openComplaints: 0,
      daysSinceLastInteraction: null,
      modelNoPurchase: 1,
    });
    expect(values.overdue).toBeCloseTo(Math.log1p(2), 12);
    expect(values.oneTime).toBe(1);
    expect(values.averageSpend).toBe(0);
    expect(values.model).toBeCloseTo(Math.log((1 - 1e-6) / 1e-6), 6);
    expect([values.spendTrend, values.nps, values.negativeFeedback, values.inactivity]).toEqual([
      null,
      null,
      null,
      null,
    ]);
  });
});
