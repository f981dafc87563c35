import fc from "fast-check";
import { describe, expect, it } from "vitest";
import {
  activationRate,
  CHI_BANDS,
  CHI_RATE_FLOOR_DAYS,
  CHI_WEIGHTS,
  chiBand,
  customerHealthIndex,
  emotionIndex,
  ltvMultiple,
  midRankPercentile,
  monthIndex,
  monthKey,
  monthRange,
  purchaseRatePerYear,
  quantile,
  rankCounts,
  quantilePositions,
  retentionRow,
} from "../../core/kpi.js";

const percentile = fc.double({ min: 0, max: 100, noNaN: true });
const probability = fc.double({ min: 0, max: 1, noNaN: true });

/** NPS and review counts that add up: parts never exceed their totals. */
const emotionCounts = fc
  .record({
    promoters: fc.nat(50),
    passives: fc.nat(50),
    detractors: fc.nat(50),
    positiveReviews: fc.nat(50),
    neutralReviews: fc.nat(50),
    negativeReviews: fc.nat(50),
  })
  .map((parts) => ({
    npsResponses: parts.promoters + parts.passives + parts.detractors,
    promoters: parts.promoters,
    detractors: parts.detractors,
    reviews: parts.positiveReviews + parts.neutralReviews + parts.negativeReviews,
    positiveReviews: parts.positiveReviews,
    negativeReviews: parts.negativeReviews,
  }));

describe("customer health index", () => {
  it("weighs frequency, value and retention as documented", () => {
    const health = customerHealthIndex({
      frequencyPercentile: 80,
      valuePercentile: 40,
      churnProbability: 0.25,
    });
    expect(health.components).toEqual({ frequency: 80, value: 40, retention: 75 });
    expect(health.index).toBeCloseTo(0.3 * 80 + 0.3 * 40 + 0.4 * 75, 12);
    expect(CHI_WEIGHTS.frequency + CHI_WEIGHTS.value + CHI_WEIGHTS.retention).toBeCloseTo(1, 12);
  });

  it("stays within 0-100 and matches its band", () => {
    fc.assert(
      fc.property(
        percentile,
        percentile,
        probability,
        (frequencyPercentile, valuePercentile, churnProbability) => {
          const health = customerHealthIndex({ frequencyPercentile, valuePercentile, churnProbability });
          expect(health.index).toBeGreaterThanOrEqual(0);
          expect(health.index).toBeLessThanOrEqual(100);
          expect(health.band).toBe(chiBand(health.index));
        },
      ),
    );
  });

  it("never falls when frequency or value rank higher or churn gets less likely", () => {
    fc.assert(
      fc.property(
        percentile,
        percentile,
        probability,
        fc.double({ min: 0, max: 100, noNaN: true }),
        (frequency, value, churn, step) => {
          const base = customerHealthIndex({
            frequencyPercentile: frequency,
            valuePercentile: value,
            churnProbability: churn,
          }).index;
          const better = [
            {
              frequencyPercentile: Math.min(100, frequency + step),
              valuePercentile: value,
              churnProbability: churn,
            },
            {
              frequencyPercentile: frequency,
              valuePercentile: Math.min(100, value + step),
              churnProbability: churn,
            },
            {
              frequencyPercentile: frequency,
              valuePercentile: value,
              churnProbability: Math.max(0, churn - step / 100),
            },
          ];
          for (const input of better) expect(customerHealthIndex(input).index).toBeGreaterThanOrEqual(base);
        },
      ),
    );
  });

  it("puts the band edges where CHI_BANDS says", () => {
    expect(chiBand(CHI_BANDS.healthy)).toBe("healthy");
    expect(chiBand(CHI_BANDS.healthy - 0.01)).toBe("watch");
    expect(chiBand(CHI_BANDS.atRisk)).toBe("watch");
    expect(chiBand(CHI_BANDS.atRisk - 0.01)).toBe("at-risk");
  });

  it("refuses a churn probability or component outside its range", () => {
    expect(() =>
      customerHealthIndex({ frequencyPercentile: 50, valuePercentile: 50, churnProbability: 1.2 }),
    ).toThrow(/churnProbability must be in \[0, 1\]/);
    expect(() =>
      customerHealthIndex({ frequencyPercentile: 120, valuePercentile: 50, churnProbability: 0.2 }),
    ).toThrow(/frequency must be in \[0, 100\]/);
  });
});

describe("percentiles and purchase rates", () => {
  it("gives a book of equals, and a customer alone, the 50th percentile", () => {
    expect(midRankPercentile(0, 1, 1)).toBe(50);
    expect(midRankPercentile(0, 7, 7)).toBe(50);
    expect(midRankPercentile(3, 1, 4)).toBe(87.5);
  });

  it("stays within 0-100 and rises with the count below", () => {
    fc.assert(
      fc.property(fc.nat(100), fc.integer({ min: 1, max: 100 }), fc.nat(100), (below, equal, above) => {
        const total = below + equal + above;
        const value = midRankPercentile(below, equal, total);
        expect(value).toBeGreaterThan(0);
        expect(value).toBeLessThan(100);
        if (above > 0) expect(midRankPercentile(below + 1, equal, total)).toBeGreaterThan(value);
      }),
    );
  });

  it("counts values below and equal to a value by binary search, as a scan would", () => {
    fc.assert(
      fc.property(
        fc.array(fc.integer({ min: 0, max: 20 }), { maxLength: 60 }),
        fc.integer({ min: -1, max: 21 }),
        (values, value) => {
          const sorted = Float64Array.from(values).sort();
          expect(rankCounts(sorted, value)).toEqual({
            below: values.filter((v) => v < value).length,
            equal: values.filter((v) => v === value).length,
          });
        },
      ),
    );
  });

  it("floors a new customer's age at the documented days", () => {
    expect(purchaseRatePerYear(1, 3)).toBeCloseTo(365.25 / CHI_RATE_FLOOR_DAYS, 12);
    expect(purchaseRatePerYear(4, 730.5)).toBeCloseTo(2, 12);
  });
});

describe("emotion index", () => {
  it("blends NPS and review balance half and half", () => {
    // NPS: 5 promoters, 3 passives, 2 detractors = 30 -> 65 points; reviews: 3 positive, 1 neutral, 0 negative -> 87.5.
    const result = emotionIndex({
      npsResponses: 10,
      promoters: 5,
      detractors: 2,
      reviews: 4,
      positiveReviews: 3,
      negativeReviews: 0,
    });
    expect(result.nps).toBe(30);
    expect(result.npsPoints).toBe(65);
    expect(result.reviewPoints).toBe(87.5);
    expect(result.index).toBe(76.25);
  });

  it("uses the half that exists, and says nothing without either", () => {
    const none = {
      npsResponses: 0,
      promoters: 0,
      detractors: 0,
      reviews: 0,
      positiveReviews: 0,
      negativeReviews: 0,
    };
    expect(emotionIndex(none).index).toBeNull();
    expect(emotionIndex({ ...none, npsResponses: 4, promoters: 1, detractors: 3 }).index).toBe(25);
    expect(emotionIndex({ ...none, reviews: 2, negativeReviews: 2 }).index).toBe(0);
  });

  it("stays within 0-100 and rises with a promoter or a positive review", () => {
    fc.assert(
      fc.property(emotionCounts, (counts) => {
        const base = emotionIndex(counts).index;
        if (base !== null) {
          expect(base).toBeGreaterThanOrEqual(0);
          expect(base).toBeLessThanOrEqual(100);
        }
        const morePromoters = emotionIndex({
          ...counts,
          npsResponses: counts.npsResponses + 1,
          promoters: counts.promoters + 1,
        });
        const morePositive = emotionIndex({
          ...counts,
          reviews: counts.reviews + 1,
          positiveReviews: counts.positiveReviews + 1,
        });
        for (const result of [morePromoters, morePositive]) {
          expect(result.index).not.toBeNull();
          if (base !== null) expect(result.index!).toBeGreaterThanOrEqual(base - 1e-9);
        }
      }),
    );
  });

  it("refuses parts larger than their totals", () => {
    expect(() =>
      emotionIndex({
        npsResponses: 1,
        promoters: 1,
        detractors: 1,
        reviews: 0,
        positiveReviews: 0,
        negativeReviews: 0,
      }),
    ).toThrow(/promoters \+ detractors exceed/);
  });
});

describe("quantiles", () => {
  it("interpolates between order statistics like R's type 7", () => {
    expect(quantile([1, 2, 3, 4], 0.5)).toBe(2.5);
    expect(quantile([10, 20, 30, 40, 50], 0.9)).toBe(46);
    expect(quantile([7], 0.9)).toBe(7);
    expect(quantile([], 0.5)).toBeNull();
  });

  it("lies between the minimum and maximum and never falls as p rises", () => {
    fc.assert(
      fc.property(
        fc.array(fc.double({ min: -1e6, max: 1e6, noNaN: true }), { minLength: 1, maxLength: 40 }),
        probability,
        probability,
        (values, p, q) => {
          const sorted = [...values].sort((a, b) => a - b);
          const low = quantile(sorted, Math.min(p, q))!;
          const high = quantile(sorted, Math.max(p, q))!;
          expect(low).toBeGreaterThanOrEqual(sorted[0]);
          expect(high).toBeLessThanOrEqual(sorted[sorted.length - 1]);
          expect(high).toBeGreaterThanOrEqual(low);
          const { lower, upper } = quantilePositions(sorted.length, p);
          expect(1 <= lower && lower <= upper && upper <= sorted.length).toBe(true);
        },
      ),
    );
  });
});

describe("activation and cohorts", () => {
  it("counts activation over the cohort members whose window has closed", () => {
    expect(activationRate({ customers: 10, eligible: 8, activated: 2 })).toBe(0.25);
    expect(activationRate({ customers: 3, eligible: 0, activated: 0 })).toBeNull();
    expect(() => activationRate({ customers: 3, eligible: 2, activated: 3 })).toThrow(
      /activated \(3\) <= eligible/,
    );
  });

  it("keeps retention shares in [0, 1], one per observed month", () => {
    fc.assert(
      fc.property(
        fc.integer({ min: 1, max: 50 }),
        fc.nat(24),
        fc.array(fc.nat(50), { maxLength: 24 }),
        (customers, months, counts) => {
          const buyers = new Map(
            counts.map((count, offset) => [offset, Math.min(count, customers)] as [number, number]),
          );
          const row = retentionRow(customers, buyers, months);
          expect(row).toHaveLength(months);
          for (const share of row) expect(share >= 0 && share <= 1).toBe(true);
        },
      ),
    );
    expect(
      retentionRow(
        4,
        new Map([
          [0, 4],
          [2, 1],
        ]),
        3,
      ),
    ).toEqual([1, 0, 0.25]);
  });

  it("walks months across year ends", () => {
    expect(monthRange("2025-11", "2026-02")).toEqual(["2025-11", "2025-12", "2026-01", "2026-02"]);
    expect(monthRange("2026-03", "2026-02")).toEqual([]);
    fc.assert(
      fc.property(fc.integer({ min: 12 * 1900, max: 12 * 2100 }), (index) => {
        expect(monthIndex(monthKey(index))).toBe(index);
      }),
    );
    expect(() => monthIndex("2026-13")).toThrow(/YYYY-MM/);
  });

  it("states the 5-year value as a multiple of the 12-month one", () => {
    expect(ltvMultiple(100, 320)).toBe(3.2);
    expect(ltvMultiple(0, 50)).toBeNull();
  });
});
