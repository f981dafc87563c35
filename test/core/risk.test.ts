import fc from "fast-check";
import { describe, expect, it } from "vitest";
import type { ChurnSignals } from "../../core/churnFeatures.js";
import { RISK_LEVELS, riskLevel, riskReasons, riskScore, valueAtRisk } from "../../core/risk.js";

const signals: ChurnSignals = {
  x: 3,
  tenureDays: 400,
  daysSinceLastPurchase: 120,
  typicalGapDays: 40,
  referenceGapDays: 60,
  averageSpend: 52.5,
  spendTrend: 0.4,
  latestNps: 4,
  feedbackCount: 3,
  negativeFeedbackCount: 2,
  openComplaints: 1,
  daysSinceLastInteraction: 200,
  modelNoPurchase: 0.71,
};
const context = { horizonDays: 90, modelLabel: "BG/NBD" };

describe("risk score and level", () => {
  it("is the churn probability in whole percent", () => {
    expect(riskScore(0)).toBe(0);
    expect(riskScore(0.734)).toBe(73);
    expect(riskScore(0.735)).toBe(74);
    expect(riskScore(1)).toBe(100);
  });

  it("puts probabilities in the documented bands", () => {
    expect(riskLevel(0.2499)).toBe("low");
    expect(riskLevel(0.25)).toBe("medium");
    expect(riskLevel(0.5)).toBe("high");
    expect(riskLevel(0.75)).toBe("critical");
    expect(Object.values(RISK_LEVELS).map((level) => level.minProbability)).toEqual([0, 0.25, 0.5, 0.75]);
  });

  it("never lowers the score or level when the probability rises", () => {
    const order = ["low", "medium", "high", "critical"];
    fc.assert(
      fc.property(
        fc.double({ min: 0, max: 1, noNaN: true }),
        fc.double({ min: 0, max: 1, noNaN: true }),
        (a, b) => {
          const [low, high] = a <= b ? [a, b] : [b, a];
          return (
            riskScore(low) <= riskScore(high) &&
            order.indexOf(riskLevel(low)) <= order.indexOf(riskLevel(high))
          );
        },
      ),
    );
  });

  it("refuses a probability outside [0, 1] with the rule in the message", () => {
    expect(() => riskScore(1.2)).toThrow(/churn probability must be in \[0, 1\]/);
    expect(() => riskLevel(Number.NaN)).toThrow(/churn probability/);
  });
});

describe("value at risk", () => {
  it("is the value if retained times the churn probability", () => {
    expect(valueAtRisk(1000, 0.3)).toBeCloseTo(300, 10);
  });

  it("is never negative, even for a loss-making customer", () => {
    expect(valueAtRisk(-50, 0.9)).toBe(0);
  });

  it("refuses a value that is not a finite number", () => {
    expect(() => valueAtRisk(Infinity, 0.5)).toThrow(/finite/);
  });
});

describe("risk reasons", () => {
  const prediction = {
    probability: 0.8,
    dropoutProbability: null,
    contributions: [
      { key: "overdue" as const, logOdds: 0.9, points: 14.6 },
      { key: "frequency" as const, logOdds: -0.3, points: -4.2 },
      { key: "nps" as const, logOdds: 0.5, points: 7.1 },
      { key: "tenure" as const, logOdds: 0.01, points: 0.2 },
    ],
  };

  it("lists the signals pushing towards churn first, then those holding it back", () => {
    const reasons = riskReasons(prediction, signals, context);
    expect(reasons.map((reason) => reason.factor)).toEqual(["overdue", "nps", "frequency"]);
    expect(reasons.map((reason) => reason.contribution)).toEqual([14.6, 7.1, -4.2]);
  });

  it("leaves out contributions under half a point", () => {
    expect(riskReasons(prediction, signals, context).some((reason) => reason.factor === "tenure")).toBe(
      false,
    );
  });

  it("says each reason with the customer's own numbers and its points in both languages", () => {
    const [overdue, nps, frequency] = riskReasons(prediction, signals, context);
    expect(overdue.en).toBe("120 days since the last purchase, 3x their usual 40-day gap (+15 points)");
    expect(overdue.zh).toBe("距上次购买120天，是其平时40天间隔的3倍（+15个百分点）");
    expect(nps.en).toBe("latest NPS 4 (detractor) (+7 points)");
    expect(frequency.en).toBe("3 repeat purchase days (-4 points)");
    expect(frequency.zh).toBe("复购3天次（-4个百分点）");
  });

  it("explains a one-time buyer against the book's usual gap", () => {
    const [reason] = riskReasons(
      { ...prediction, contributions: [{ key: "overdue", logOdds: 1, points: 20 }] },
      { ...signals, x: 0, typicalGapDays: null },
      context,
    );
    expect(reason.en).toBe("one purchase only, 120 days ago (2x the book's usual 60-day gap) (+20 points)");
  });
});
