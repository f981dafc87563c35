import fc from "fast-check";
import { describe, expect, it } from "vitest";
import { ABC_TIERS, VALUE_QUADRANTS, abcTiers, valueMatrix } from "../../core/valueTiers.js";

const TIER_ORDER = { A: 0, B: 1, C: 2 } as const;
const valuesArbitrary = fc.array(fc.double({ min: -100, max: 10_000, noNaN: true }), {
  minLength: 1,
  maxLength: 120,
});
const toCustomers = (values: number[]) =>
  values.map((value, i) => ({ id: `c${String(i).padStart(3, "0")}`, value }));

describe("abcTiers", () => {
  it("puts the customer who crosses 80% in A and the one who crosses 95% in B", () => {
    const result = abcTiers([
      { id: "a", value: 50 },
      { id: "b", value: 30 },
      { id: "c", value: 10 },
      { id: "d", value: 5 },
      { id: "e", value: 3 },
      { id: "f", value: 2 },
    ]);
    expect(result.customers.map((c) => c.tier)).toEqual(["A", "A", "B", "B", "C", "C"]);
    // b brings the cumulative share to exactly 80%; c starts above it.
    expect(result.customers[1].cumulativeShare).toBeCloseTo(0.8);
    expect(result.tiers.A).toMatchObject({ count: 2, value: 80 });
    expect(result.tiers.A.valueShare).toBeCloseTo(0.8);
    expect(result.tiers.B.valueShare).toBeCloseTo(0.15);
    expect(result.tiers.C.valueShare).toBeCloseTo(0.05);
  });

  it("keeps tier shares summing to 1 and customer shares summing to 1", () => {
    fc.assert(
      fc.property(valuesArbitrary, (values) => {
        const result = abcTiers(toCustomers(values));
        const valueShares = result.tiers.A.valueShare + result.tiers.B.valueShare + result.tiers.C.valueShare;
        const customerShares =
          result.tiers.A.customerShare + result.tiers.B.customerShare + result.tiers.C.customerShare;
        const last = result.customers.at(-1)!;
        return (
          Math.abs(customerShares - 1) < 1e-9 &&
          (result.totalValue === 0 ||
            (Math.abs(valueShares - 1) < 1e-9 && Math.abs(last.cumulativeShare - 1) < 1e-9))
        );
      }),
    );
  });

  it("never puts a more valuable customer in a lower tier, and A always holds at least 80%", () => {
    fc.assert(
      fc.property(fc.array(fc.integer({ min: -5, max: 50 }), { minLength: 1, maxLength: 120 }), (values) => {
        const result = abcTiers(toCustomers(values));
        const monotone = result.customers.every((a) =>
          result.customers.every((b) => !(a.value > b.value) || TIER_ORDER[a.tier] <= TIER_ORDER[b.tier]),
        );
        const sameValueSameTier = result.customers.every((a) =>
          result.customers.every((b) => a.value !== b.value || a.tier === b.tier),
        );
        return (
          monotone &&
          sameValueSameTier &&
          (result.totalValue === 0 || result.tiers.A.valueShare >= 0.8 - 1e-9)
        );
      }),
    );
  });

  it("ranks equal values by id so the result does not depend on input order", () => {
    const customers = toCustomers([5, 5, 5, 1, 9, 9]);
    expect(abcTiers([...customers].reverse())).toEqual(abcTiers(customers));
  });

  it("puts everyone in C when nobody has positive value", () => {
    expect(abcTiers(toCustomers([0, -3])).customers.map((c) => c.tier)).toEqual(["C", "C"]);
    expect(ABC_TIERS.A.label.zh).toContain("A类");
  });
});

describe("valueMatrix", () => {
  it("places the four corners in the four Reinartz-Kumar quadrants", () => {
    const result = valueMatrix([
      { id: "friend", profit: 900, loyalty: 0.95 },
      { id: "butterfly", profit: 800, loyalty: 0.1 },
      { id: "barnacle", profit: 20, loyalty: 0.9 },
      { id: "stranger", profit: 10, loyalty: 0.05 },
    ]);
    expect(Object.fromEntries(result.customers.map((c) => [c.id, c.quadrant]))).toEqual({
      friend: "true-friends",
      butterfly: "butterflies",
      barnacle: "barnacles",
      stranger: "strangers",
    });
    expect(result.counts).toEqual({ "true-friends": 1, butterflies: 1, barnacles: 1, strangers: 1 });
    expect(result.profitSplit).toBe(410);
  });

  it("splits at the median: half high and half low on distinct values", () => {
    fc.assert(
      fc.property(
        fc.uniqueArray(fc.double({ min: 0, max: 1e6, noNaN: true }), { minLength: 2, maxLength: 100 }),
        (profits) => {
          const result = valueMatrix(profits.map((profit, i) => ({ id: `c${i}`, profit, loyalty: i })));
          const high = result.customers.filter((c) => c.highProfit).length;
          return high === Math.floor(profits.length / 2);
        },
      ),
    );
  });

  it("keeps a majority of zero-profit customers on the low side", () => {
    const result = valueMatrix([0, 0, 0, 0, 5, 9].map((profit, i) => ({ id: `c${i}`, profit, loyalty: 1 })));
    expect(result.customers.filter((c) => c.highProfit).map((c) => c.id)).toEqual(["c4", "c5"]);
  });

  it("uses fixed thresholds when given", () => {
    const result = valueMatrix([{ id: "x", profit: 100, loyalty: 0.5 }], {
      profitThreshold: 50,
      loyaltyThreshold: 0.6,
    });
    expect(result.customers[0].quadrant).toBe("butterflies");
  });

  it("labels the quadrants in English and Chinese", () => {
    expect(VALUE_QUADRANTS["true-friends"].label).toEqual({ en: "True friends", zh: "真朋友" });
    expect(VALUE_QUADRANTS.barnacles.label.zh).toBe("藤壶");
  });
});
