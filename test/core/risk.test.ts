import fc from "fast-check";
import { describe, expect, it } from "vitest";
import { DEFAULT_RISK_WEIGHTS, riskLevel, riskScore, type RiskInput } from "../../core/risk.js";

const optional = <T>(arbitrary: fc.Arbitrary<T>) => fc.option(arbitrary, { nil: null });
const riskInputs: fc.Arbitrary<RiskInput> = fc
  .record({
    pAlive: optional(fc.double({ min: 0, max: 1, noNaN: true })),
    daysSinceLastPurchase: optional(fc.double({ min: 0, max: 3000, noNaN: true })),
    typicalGapDays: optional(fc.double({ min: 1, max: 500, noNaN: true })),
    spendTrend: optional(fc.double({ min: 0, max: 20, noNaN: true })),
    latestNps: optional(fc.integer({ min: 0, max: 10 })),
    feedbackCount: optional(fc.integer({ min: 0, max: 50 })),
    openComplaints: optional(fc.integer({ min: 0, max: 20 })),
    daysSinceLastInteraction: optional(fc.double({ min: 0, max: 2000, noNaN: true })),
    clv: optional(fc.double({ min: 0, max: 1e6, noNaN: true })),
  })
  .chain((input) =>
    fc
      .integer({ min: 0, max: input.feedbackCount ?? 0 })
      .map((negative) => ({ ...input, negativeFeedbackCount: negative })),
  );

describe("riskScore", () => {
  it("keeps the score in [0, 100] and the contributions summing to it", () => {
    fc.assert(
      fc.property(riskInputs, (input) => {
        const result = riskScore(input);
        const sum = result.reasons.reduce((total, reason) => total + reason.contribution, 0);
        return (
          result.score >= 0 &&
          result.score <= 100 &&
          Math.abs(sum - result.score) < 1e-9 &&
          !Number.isNaN(result.score)
        );
      }),
    );
  });

  it("never lowers the score when the customer is more overdue", () => {
    fc.assert(
      fc.property(
        riskInputs,
        fc.double({ min: 0, max: 1000, noNaN: true }),
        fc.double({ min: 0, max: 1000, noNaN: true }),
        (input, a, b) => {
          const gap = input.typicalGapDays ?? 30;
          const [less, more] = a <= b ? [a, b] : [b, a];
          return (
            riskScore({ ...input, typicalGapDays: gap, daysSinceLastPurchase: less }).score <=
            riskScore({ ...input, typicalGapDays: gap, daysSinceLastPurchase: more }).score
          );
        },
      ),
    );
  });

  it("never lowers the score when the churn probability rises", () => {
    fc.assert(
      fc.property(
        riskInputs,
        fc.double({ min: 0, max: 1, noNaN: true }),
        fc.double({ min: 0, max: 1, noNaN: true }),
        (input, a, b) => {
          const [lowChurn, highChurn] = a >= b ? [a, b] : [b, a]; // as P(alive): higher = lower churn
          return (
            riskScore({ ...input, pAlive: lowChurn }).score <=
            riskScore({ ...input, pAlive: highChurn }).score
          );
        },
      ),
    );
  });

  it("sets value at risk to CLV x score / 100", () => {
    fc.assert(
      fc.property(riskInputs, fc.double({ min: 0, max: 1e6, noNaN: true }), (input, clv) => {
        const result = riskScore({ ...input, clv });
        return result.valueAtRisk === (clv * result.score) / 100;
      }),
    );
    expect(riskScore({ pAlive: 0.5 }).valueAtRisk).toBeNull();
  });

  it("explains an overdue customer with the real numbers in English and Chinese", () => {
    const result = riskScore({
      daysSinceLastPurchase: 94,
      typicalGapDays: 21,
      pAlive: 0.35,
      openComplaints: 2,
      clv: 1200,
    });
    const overdue = result.reasons.find((reason) => reason.factor === "overdue");
    expect(overdue?.en).toContain("last order 94 days ago; usually every 21 days");
    expect(overdue?.zh).toContain("上次下单在94天前；通常每21天一次");
    expect(overdue?.en).toContain("4.5x");
    const churn = result.reasons.find((reason) => reason.factor === "churnProbability");
    expect(churn?.en).toContain("65%");
    expect(churn?.zh).toContain("65%");
    const complaints = result.reasons.find((reason) => reason.factor === "openComplaints");
    expect(complaints?.en).toBe("2 open complaints");
    expect(complaints?.zh).toBe("有2个未解决的投诉");
  });

  it("ranks reasons by contribution", () => {
    const result = riskScore({
      pAlive: 0.9,
      daysSinceLastPurchase: 200,
      typicalGapDays: 20,
      latestNps: 2,
      openComplaints: 0,
    });
    const contributions = result.reasons.map((reason) => reason.contribution);
    expect(contributions).toEqual([...contributions].sort((a, b) => b - a));
    expect(result.reasons[0].factor).toBe("overdue");
    expect(result.reasons.at(-1)?.factor).toBe("openComplaints");
    expect(result.reasons.find((reason) => reason.factor === "nps")?.zh).toBe("最近一次NPS评分为2（贬损者）");
  });

  it("leaves out missing factors instead of counting them as safe", () => {
    const onlyChurn = riskScore({ pAlive: 0.2 });
    expect(onlyChurn.score).toBeCloseTo(80);
    expect(onlyChurn.coverage).toBeCloseTo(DEFAULT_RISK_WEIGHTS.churnProbability);
    expect(onlyChurn.reasons.map((reason) => reason.factor)).toEqual(["churnProbability"]);
    const nothing = riskScore({});
    expect(nothing).toMatchObject({ score: 0, coverage: 0, reasons: [] });
  });

  it("merges a partial weights override with the defaults", () => {
    const input: RiskInput = { pAlive: 1, latestNps: 0 };
    // Defaults: churn 0.3 x 0 + nps 0.1 x 1 over 0.4 = 25.
    expect(riskScore(input).score).toBeCloseTo(25);
    expect(riskScore(input, { nps: 0.3 }).score).toBeCloseTo(50);
    expect(riskScore(input, { churnProbability: 0 }).score).toBeCloseTo(100);
    expect(() => riskScore(input, { bogus: 1 } as never)).toThrow(/unknown risk weight "bogus"/);
    expect(() => riskScore(input, { nps: -1 })).toThrow(/weight nps/);
  });

  it("rejects inputs out of range with a message naming the field", () => {
    expect(() => riskScore({ pAlive: 2 })).toThrow(/pAlive must be a probability/);
    expect(() => riskScore({ feedbackCount: 1, negativeFeedbackCount: 3 })).toThrow(/exceeds feedbackCount/);
  });
});

describe("riskLevel", () => {
  it("bands scores into low, medium, high and critical", () => {
    expect([0, 24.9, 25, 49.9, 50, 74.9, 75, 100].map(riskLevel)).toEqual([
      "low",
      "low",
      "medium",
      "medium",
      "high",
      "high",
      "critical",
      "critical",
    ]);
  });
});
