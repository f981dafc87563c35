import fc from "fast-check";
import { describe, expect, it } from "vitest";
import { auc, calibration, midRanks, spearman, topDecile, topShareCaptured } from "../../core/evaluation.js";

describe("auc", () => {
  it("is the share of (churner, stayer) pairs ranked the right way, ties counting half", () => {
    // Pairs: (0.9 vs 0.1) right, (0.9 vs 0.5) right, (0.5 vs 0.1) right, (0.5 vs 0.5) tie.
    expect(auc([0.9, 0.5, 0.5, 0.1], [1, 1, 0, 0])).toBeCloseTo(3.5 / 4, 12);
    expect(auc([1, 2, 3, 4], [0, 0, 1, 1])).toBe(1);
    expect(auc([1, 2, 3, 4], [1, 1, 0, 0])).toBe(0);
    expect(auc([5, 5, 5, 5], [1, 0, 1, 0])).toBe(0.5);
  });

  it("is 0.5 when one outcome is missing, and refuses scores that are not numbers", () => {
    expect(auc([0.2, 0.4], [1, 1])).toBe(0.5);
    expect(() => auc([0.2, Number.NaN], [1, 0])).toThrow(/score 1 is not a finite number/);
    expect(() => auc([0.2], [1, 0])).toThrow(/1 scores but 2 labels/);
  });

  it("equals the brute-force pair count and flips to 1 - AUC for reversed scores", () => {
    fc.assert(
      fc.property(
        fc.array(fc.tuple(fc.integer({ min: 0, max: 20 }), fc.integer({ min: 0, max: 1 })), {
          minLength: 2,
          maxLength: 60,
        }),
        (rows) => {
          const scores = rows.map(([score]) => score);
          const labels = rows.map(([, label]) => label);
          let pairs = 0;
          let right = 0;
          rows.forEach(([a, la]) =>
            rows.forEach(([b, lb]) => {
              if (la !== 1 || lb !== 0) return;
              pairs++;
              right += a > b ? 1 : a === b ? 0.5 : 0;
            }),
          );
          const expected = pairs === 0 ? 0.5 : right / pairs;
          return (
            Math.abs(auc(scores, labels) - expected) < 1e-12 &&
            Math.abs(
              auc(
                scores.map((score) => -score),
                labels,
              ) - (pairs === 0 ? 0.5 : 1 - expected),
            ) < 1e-12
          );
        },
      ),
    );
  });
});

describe("topDecile", () => {
  it("reports the churn rate among the top 10% by score and its lift over the base rate", () => {
    const scores = Array.from({ length: 100 }, (_, i) => i);
    const labels = scores.map((score) => (score >= 95 || score % 10 === 0 ? 1 : 0));
    const decile = topDecile(scores, labels);
    expect(decile.customers).toBe(10);
    expect(decile.rate).toBeCloseTo(0.6, 12); // 90..99: 90 and 95-99
    expect(decile.lift).toBeCloseTo(0.6 / (labels.filter(Boolean).length / 100), 12);
  });
});

describe("calibration", () => {
  it("cuts sorted predictions into ten equal-count bins and averages |predicted - observed|", () => {
    const probabilities = Array.from({ length: 20 }, (_, i) => i / 20);
    const labels = probabilities.map((_, i) => (i % 2 === 0 ? 1 : 0));
    const result = calibration(probabilities, labels);
    expect(result.bins).toHaveLength(10);
    expect(result.bins.every((bin) => bin.customers === 2 && bin.observedRate === 0.5)).toBe(true);
    expect(result.bins[0].meanPredicted).toBeCloseTo(0.025, 12);
    const expected = result.bins.reduce((sum, bin) => sum + Math.abs(bin.meanPredicted - 0.5) * 2, 0) / 20;
    expect(result.expectedCalibrationError).toBeCloseTo(expected, 12);
    expect(result.observedRate).toBe(0.5);
  });

  it("is 0 for predictions that equal the observed rate in every bin", () => {
    const probabilities = [0.1, 0.1, 0.1, 0.1, 0.1, 0.1, 0.1, 0.1, 0.1, 0.1];
    const labels = [1, 0, 0, 0, 0, 0, 0, 0, 0, 0];
    expect(calibration(probabilities, labels, 1).expectedCalibrationError).toBeCloseTo(0, 12);
  });
});

describe("rank statistics", () => {
  it("mid-ranks share the mean rank among ties", () => {
    expect([...midRanks([10, 20, 20, 5])]).toEqual([2, 3.5, 3.5, 1]);
  });

  it("Spearman is 1 for a monotone relation and -1 for a reversed one", () => {
    const a = [1, 2, 3, 4, 5];
    expect(
      spearman(
        a,
        a.map((v) => v ** 3),
      ),
    ).toBeCloseTo(1, 12);
    expect(
      spearman(
        a,
        a.map((v) => -v),
      ),
    ).toBeCloseTo(-1, 12);
    expect(spearman(a, [7, 7, 7, 7, 7])).toBe(0);
  });

  it("topShareCaptured gives the share of the total held by the top fifth by prediction", () => {
    expect(topShareCaptured([5, 4, 3, 2, 1], [50, 10, 10, 10, 20])).toBeCloseTo(0.5, 12);
  });
});
