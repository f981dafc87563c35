import fc from "fast-check";
import { describe, expect, it } from "vitest";
import type { BgNbdParams } from "../../core/bgNbd.js";
import { portfolioLifetimeValue } from "../../core/clv.js";
import { horizonSums } from "../../core/clvHorizon.js";
import { gammaGammaExpectedSpend, type GammaGammaParams } from "../../core/gammaGamma.js";
import { modelPAlive, type PurchaseModel } from "../../core/purchaseModel.js";

const BG_NBD: PurchaseModel = {
  kind: "bg-nbd",
  params: { r: 0.243, alpha: 4.414, a: 0.793, b: 2.426 } as BgNbdParams,
};
const PARETO: PurchaseModel = { kind: "pareto-nbd", params: { r: 0.55, alpha: 10.58, s: 0.61, beta: 11.67 } };
const GAMMA_GAMMA: GammaGammaParams = { p: 6.25, q: 3.74, v: 15.44 };

const customer = fc
  .record({
    x: fc.integer({ min: 0, max: 40 }),
    T: fc.integer({ min: 0, max: 700 }),
    gap: fc.double({ min: 0, max: 1, noNaN: true }),
  })
  .map(({ x, T, gap }) => ({ x, T, tx: x === 0 ? 0 : Math.floor(gap * T), monetary: 20 + 5 * x }));

describe("horizon sums", () => {
  it("multiplied by P(alive), spend and margin give the core's lifetime values", () => {
    for (const model of [BG_NBD, PARETO]) {
      fc.assert(
        fc.property(
          fc.array(customer, { minLength: 1, maxLength: 20 }),
          fc.integer({ min: 1, max: 48 }),
          fc.double({ min: 0, max: 0.5, noNaN: true }),
          fc.double({ min: 0, max: 1, noNaN: true }),
          (customers, horizonMonths, annualDiscountRate, margin) => {
            const options = { horizonMonths, annualDiscountRate, unit: "days" as const };
            const portfolio = portfolioLifetimeValue(model, GAMMA_GAMMA, customers, { ...options, margin });
            const sums = horizonSums(model, customers, options);
            customers.forEach((c, i) => {
              const pAlive = modelPAlive(model, c.x, c.tx, c.T);
              const spend = gammaGammaExpectedSpend(GAMMA_GAMMA, c.x, c.monetary);
              const expected = portfolio.customers[i];
              expect(pAlive * sums[i].purchases).toBe(expected.expectedPurchases);
              expect(margin * spend * sums[i].discounted * pAlive).toBe(expected.discountedValue);
            });
          },
        ),
        { numRuns: 30 },
      );
    }
  });

  it("grow with the horizon, and discounting never adds", () => {
    const [short, long] = [6, 24].map(
      (horizonMonths) => horizonSums(BG_NBD, [{ x: 3, T: 200 }], { horizonMonths, unit: "days" })[0],
    );
    expect(long.purchases).toBeGreaterThan(short.purchases);
    expect(long.discounted).toBeLessThanOrEqual(long.purchases);
    expect(horizonSums(BG_NBD, [{ x: 3, T: 200 }], { horizonMonths: 0, unit: "days" })).toEqual([
      { purchases: 0, discounted: 0 },
    ]);
  });

  it("names the broken rule for bad settings and pairs", () => {
    expect(() => horizonSums(BG_NBD, [], { horizonMonths: 1.5, unit: "days" })).toThrow(/horizonMonths/);
    expect(() => horizonSums(BG_NBD, [], { annualDiscountRate: -1, unit: "days" })).toThrow(
      /annualDiscountRate/,
    );
    expect(() => horizonSums(BG_NBD, [{ x: -1, T: 3 }], { unit: "days" })).toThrow(/pairs\[0\]/);
    expect(() => horizonSums(BG_NBD, [{ x: 1, T: Number.NaN }], { unit: "days" })).toThrow(/finite age T/);
  });
});
