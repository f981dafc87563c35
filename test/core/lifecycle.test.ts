import fc from "fast-check";
import { describe, expect, it } from "vitest";
import { customerActivity } from "../../core/activity.js";
import {
  LIFECYCLE_STAGE_KEYS,
  LIFECYCLE_STAGES,
  lifecycleStageKey,
  lifecycleStage,
  type LifecycleInput,
  type LifecycleStageKey,
} from "../../core/lifecycle.js";

const asOf = new Date("2024-06-30T12:00:00Z");
function purchasesAt(daysAgo: number[]): { timestamp: Date; amount: number }[] {
  return daysAgo.map((days) => ({ timestamp: new Date(asOf.getTime() - days * 86_400_000), amount: 80 }));
}

/** An established customer buying every 20 days for two years, steady pace. */
const steady: LifecycleInput = {
  purchaseCount: 36,
  purchaseDays: 36,
  tenureDays: 720,
  daysSinceLastPurchase: 12,
  typicalGapDays: 20,
  purchaseRateTrend: 0.05,
  wonBack: false,
  pAlive: 0.93,
};

const CUSTOMERS: Record<LifecycleStageKey, LifecycleInput> = {
  prospect: { purchaseCount: 0, tenureDays: null, daysSinceLastPurchase: null },
  onboarding: {
    purchaseCount: 1,
    purchaseDays: 1,
    tenureDays: 14,
    daysSinceLastPurchase: 14,
    typicalGapDays: null,
    pAlive: 1,
  },
  growth: { ...steady, purchaseRateTrend: 0.5 },
  mature: steady,
  decline: { ...steady, daysSinceLastPurchase: 55, pAlive: 0.6 },
  churned: { ...steady, daysSinceLastPurchase: 200, pAlive: 0.08 },
  "win-back": { ...steady, wonBack: true, daysSinceLastPurchase: 5, purchaseRateTrend: 1 },
};

describe("lifecycleStage", () => {
  for (const [stage, input] of Object.entries(CUSTOMERS)) {
    it(`puts the hand-made ${stage} customer in exactly that stage`, () => {
      const result = lifecycleStage(input);
      expect(result.stage).toBe(stage);
      expect(result.label).toEqual(LIFECYCLE_STAGES[stage as LifecycleStageKey].label);
      expect(result.reasons.length).toBeGreaterThan(0);
      expect(result.reasonsZh).toHaveLength(result.reasons.length);
    });
  }

  it("labels and gives a strategy for every stage in English and Chinese", () => {
    expect(LIFECYCLE_STAGE_KEYS).toEqual([
      "prospect",
      "onboarding",
      "growth",
      "mature",
      "decline",
      "churned",
      "win-back",
    ]);
    expect(LIFECYCLE_STAGES.churned.label.zh).toBe("终止期");
    expect(LIFECYCLE_STAGES["win-back"].label.zh).toBe("恢复期");
    for (const info of Object.values(LIFECYCLE_STAGES)) {
      for (const text of [info.label, info.strategy, info.description]) {
        expect(text.en).toMatch(/[A-Za-z]/);
        expect(text.zh).toMatch(/\p{Script=Han}/u);
      }
    }
  });

  it("calls a customer in decline when the purchase rate falls even if not yet overdue", () => {
    expect(lifecycleStage({ ...steady, purchaseRateTrend: -0.6 }).stage).toBe("decline");
  });

  it("does not call a long silence churned before 180 days", () => {
    expect(lifecycleStage({ ...steady, daysSinceLastPurchase: 170, pAlive: 0.05 }).stage).toBe("decline");
  });

  it("calls a far-overdue customer churned even without a model P(alive)", () => {
    const result = lifecycleStage({ ...steady, daysSinceLastPurchase: 400, pAlive: null });
    expect(result.stage).toBe("churned");
    expect(result.reasons.join(" ")).toContain("400 days");
    expect(result.reasonsZh.join(" ")).toContain("400天");
  });

  it("moves a one-time buyer from onboarding to decline to churned as the silence grows", () => {
    const oneTime = (days: number) =>
      lifecycleStage({ ...customerActivity(purchasesAt([days]), asOf), pAlive: 1 }).stage;
    expect(oneTime(30)).toBe("onboarding");
    expect(oneTime(200)).toBe("decline");
    expect(oneTime(400)).toBe("churned");
  });

  it("recognises a win-back from real purchase history", () => {
    const activity = customerActivity(purchasesAt([700, 680, 660, 640, 10]), asOf);
    expect(lifecycleStage({ ...activity, pAlive: 0.9 }).stage).toBe("win-back");
  });

  it("sees growth from real purchase history of a customer buying faster", () => {
    const activity = customerActivity(purchasesAt([360, 300, 240, 180, 150, 120, 80, 60, 40, 20, 5]), asOf);
    expect(activity.purchaseRateTrend).toBeGreaterThanOrEqual(0.3);
    expect(lifecycleStage({ ...activity, pAlive: 0.95 }).stage).toBe("growth");
  });

  it("rejects a P(alive) outside [0, 1]", () => {
    expect(() => lifecycleStage({ ...steady, pAlive: 1.2 })).toThrow(/pAlive/);
  });
});

describe("lifecycleStageKey", () => {
  it("gives the stage lifecycleStage gives, for any inputs the rules accept", () => {
    const maybe = <T>(arbitrary: fc.Arbitrary<T>) => fc.option(arbitrary, { nil: null });
    const inputs = fc.record({
      purchaseCount: fc.integer({ min: 0, max: 50 }),
      purchaseDays: fc.integer({ min: 0, max: 40 }),
      tenureDays: fc.integer({ min: 0, max: 3000 }),
      daysSinceLastPurchase: fc.integer({ min: 0, max: 2000 }),
      typicalGapDays: maybe(fc.double({ min: 0, max: 400, noNaN: true })),
      purchaseRateTrend: maybe(fc.double({ min: -1, max: 1, noNaN: true })),
      wonBack: fc.boolean(),
      pAlive: maybe(fc.double({ min: 0, max: 1, noNaN: true })),
      churnProbability: maybe(fc.double({ min: 0, max: 1, noNaN: true })),
    });
    fc.assert(
      fc.property(inputs, (input) => {
        expect(lifecycleStageKey(input)).toBe(lifecycleStage(input).stage);
      }),
      { numRuns: 2000 },
    );
  });
});
