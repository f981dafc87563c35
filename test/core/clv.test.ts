import { describe, expect, it } from "vitest";
import fc from "fast-check";
import { bgNbdConditionalExpected, bgNbdPAlive, type BgNbdParams } from "../../core/bgNbd.js";
import {
  CLV_DEFAULTS,
  DAYS_PER_MONTH,
  customerLifetimeValue,
  portfolioLifetimeValue,
} from "../../core/clv.js";
import { gammaGammaExpectedSpend, type GammaGammaParams } from "../../core/gammaGamma.js";

const BG_NBD: BgNbdParams = { r: 0.243, alpha: 4.414, a: 0.793, b: 2.426 };
const GAMMA_GAMMA: GammaGammaParams = { p: 6.25, q: 3.74, v: 15.44 };
const CUSTOMER = { x: 2, tx: 30.43, T: 38.86, monetary: 22.35 };

describe("customer lifetime value", () => {
  it("exports the defaults: 12 months, 30% margin, 10% a year", () => {
    expect(CLV_DEFAULTS).toEqual({ horizonMonths: 12, margin: 0.3, annualDiscountRate: 0.1 });
  });

  it("is the discounted sum of monthly expected profit", () => {
    const options = { horizonMonths: 24, margin: 0.25, annualDiscountRate: 0.12, unit: "weeks" as const };
    const value = customerLifetimeValue(BG_NBD, GAMMA_GAMMA, CUSTOMER, options);
    const month = DAYS_PER_MONTH / 7;
    const d = Math.pow(1.12, 1 / 12) - 1;
    const spend = gammaGammaExpectedSpend(GAMMA_GAMMA, CUSTOMER.x, CUSTOMER.monetary);
    let expected = 0;
    let previous = 0;
    for (let m = 1; m <= 24; m++) {
      const current = bgNbdConditionalExpected(BG_NBD, m * month, CUSTOMER.x, CUSTOMER.tx, CUSTOMER.T);
      expected += (0.25 * spend * (current - previous)) / Math.pow(1 + d, m);
      previous = current;
    }
    expect(value.discountedValue).toBeCloseTo(expected, 10);
    expect(value.expectedPurchases).toBeCloseTo(previous, 10);
    expect(value.expectedSpendPerPurchase).toBeCloseTo(spend, 12);
    expect(value.expectedRevenue).toBeCloseTo(previous * spend, 10);
    expect(value.pAlive).toBeCloseTo(bgNbdPAlive(BG_NBD, CUSTOMER.x, CUSTOMER.tx, CUSTOMER.T), 14);
  });

  it("is the same in days and in weeks for the same customer and model", () => {
    const weekly = customerLifetimeValue(BG_NBD, GAMMA_GAMMA, CUSTOMER, { unit: "weeks" });
    const daily = customerLifetimeValue(
      { ...BG_NBD, alpha: BG_NBD.alpha * 7 },
      GAMMA_GAMMA,
      { ...CUSTOMER, tx: CUSTOMER.tx * 7, T: CUSTOMER.T * 7 },
      { unit: "days" },
    );
    expect(daily.discountedValue).toBeCloseTo(weekly.discountedValue, 10);
  });

  it("portfolio totals equal the sum of the customers' values", () => {
    const customers = [
      CUSTOMER,
      { x: 0, tx: 0, T: 30, monetary: 0 },
      { x: 7, tx: 35, T: 36, monetary: 73.74 },
      CUSTOMER,
    ];
    const options = { unit: "weeks" as const };
    const portfolio = portfolioLifetimeValue(BG_NBD, GAMMA_GAMMA, customers, options);
    const one = customers.map((c) => customerLifetimeValue(BG_NBD, GAMMA_GAMMA, c, options));
    portfolio.customers.forEach((value, i) => expect(value).toEqual(one[i]));
    expect(portfolio.totals.customers).toBe(4);
    expect(portfolio.totals.discountedValue).toBeCloseTo(
      one.reduce((sum, v) => sum + v.discountedValue, 0),
      10,
    );
    expect(portfolio.totals.expectedActiveCustomers).toBeCloseTo(
      one.reduce((sum, v) => sum + v.pAlive, 0),
      12,
    );
  });

  it("rejects settings with messages that name the broken rule", () => {
    const value = (options: object) => () =>
      customerLifetimeValue(BG_NBD, GAMMA_GAMMA, CUSTOMER, { unit: "weeks", ...options });
    expect(value({ horizonMonths: 1.5 })).toThrow("horizonMonths must be a whole number of months");
    expect(value({ margin: -0.1 })).toThrow("margin must be a finite number >= 0");
    expect(value({ annualDiscountRate: -1 })).toThrow("annualDiscountRate must be a finite number above -1");
    expect(value({ unit: "months" })).toThrow('unit must be "days" or "weeks"');
  });
});

const param = fc.double({ min: Math.log(1e-3), max: Math.log(1e3), noNaN: true }).map(Math.exp);
const bgNbd = fc.record({ r: param, alpha: param, a: param, b: param });
const gammaGamma = fc.record({ p: param, q: param.map((q) => 1 + q), v: param });
const customer = fc
  .tuple(
    fc.integer({ min: 0, max: 500 }),
    fc.double({ min: 0, max: 10_000, noNaN: true }),
    fc.double({ min: 0, max: 1, noNaN: true }),
    fc.double({ min: 0, max: 1e5, noNaN: true }),
  )
  .map(([x, T, share, monetary]) => ({ x, T, tx: x === 0 ? 0 : T * share, monetary }));

describe("customer lifetime value invariants", () => {
  it("is finite, non-negative and non-decreasing in margin and in horizon", () => {
    fc.assert(
      fc.property(
        bgNbd,
        gammaGamma,
        customer,
        fc.double({ min: 0, max: 1, noNaN: true }),
        fc.double({ min: 0, max: 1, noNaN: true }),
        fc.integer({ min: 0, max: 36 }),
        fc.double({ min: 0, max: 0.5, noNaN: true }),
        (bg, gg, c, margin1, margin2, horizon, rate) => {
          const [low, high] = margin1 <= margin2 ? [margin1, margin2] : [margin2, margin1];
          const options = { horizonMonths: horizon, annualDiscountRate: rate, unit: "days" as const };
          const base = customerLifetimeValue(bg, gg, c, { ...options, margin: low });
          const moreMargin = customerLifetimeValue(bg, gg, c, { ...options, margin: high });
          const longer = customerLifetimeValue(bg, gg, c, {
            ...options,
            margin: low,
            horizonMonths: horizon + 1,
          });
          for (const value of [base, moreMargin, longer]) {
            for (const field of Object.values(value)) {
              expect(Number.isFinite(field)).toBe(true);
              expect(field).toBeGreaterThanOrEqual(0);
            }
          }
          expect(moreMargin.discountedValue).toBeGreaterThanOrEqual(base.discountedValue);
          expect(longer.discountedValue).toBeGreaterThanOrEqual(base.discountedValue);
          expect(longer.expectedPurchases).toBeGreaterThanOrEqual(base.expectedPurchases);
        },
      ),
      { numRuns: 200 },
    );
  });
});
