import { describe, expect, it } from "vitest";
import fc from "fast-check";
import { fitGammaGamma, gammaGammaExpectedSpend, type GammaGammaParams } from "../../core/gammaGamma.js";
import { createRng } from "../../core/random.js";
import { simulateGammaGammaSpend } from "../../core/simulate.js";
import { summarizeCustomers } from "../../core/summary.js";
import {
  CDNOW_CALIBRATION_END,
  CDNOW_OBSERVATION_END,
  cdnowAvailable,
  loadCdnowSummaryWithValue,
  loadCdnowTransactions,
} from "./cdnow.js";

/** Fader, Hardie and Lee (2005, JMR): the CDNOW spend estimates. */
const PUBLISHED: GammaGammaParams = { p: 6.25, q: 3.74, v: 15.44 };

describe.skipIf(!cdnowAvailable)("Gamma-Gamma on the CDNOW sample", () => {
  it("fit on the raw transactions recovers the published p = 6.25, q = 3.74, v = 15.44", () => {
    const summaries = summarizeCustomers(loadCdnowTransactions(), {
      asOf: CDNOW_OBSERVATION_END,
      calibrationEnd: CDNOW_CALIBRATION_END,
      unit: "weeks",
    });
    const fit = fitGammaGamma([...summaries.values()]);
    expect(fit.converged).toBe(true);
    expect(fit.customers).toBe(946);
    expect(fit.ignoredCustomers).toBe(2357 - 946);
    expect(fit.p.toFixed(2)).toBe("6.25");
    expect(fit.q.toFixed(2)).toBe("3.74");
    expect(fit.v.toFixed(2)).toBe("15.44");
  });

  it("fit on the summary file, whose zbar is rounded to cents, matches lifetimes (v = 15.45) within 0.01 of the paper", () => {
    const fit = fitGammaGamma(loadCdnowSummaryWithValue());
    expect(fit.customers).toBe(946);
    expect(fit.p.toFixed(2)).toBe("6.25");
    expect(fit.q.toFixed(2)).toBe("3.74");
    // lifetimes prints "v: 15.45" on this file; the paper's 15.44 used unrounded values.
    expect(fit.v.toFixed(2)).toBe("15.45");
    expect(Math.abs(fit.v - PUBLISHED.v)).toBeLessThan(0.01);
    // The model assumes spend and frequency are independent; CDNOW's correlation is small.
    expect(Math.abs(fit.frequencyMonetaryCorrelation)).toBeLessThan(0.2);
  });

  it("conditional expected spend matches lifetimes' documented CDNOW values", () => {
    const rows = loadCdnowSummaryWithValue();
    const fit = fitGammaGamma(rows);
    const expected = [
      24.658619, 18.911489, 35.170981, 35.170981, 35.170981, 71.462843, 18.911489, 35.170981, 27.282408,
      35.170981,
    ];
    rows.slice(0, 10).forEach((row, i) => {
      expect(Math.abs(gammaGammaExpectedSpend(fit, row.x, row.monetary) - expected[i])).toBeLessThan(1e-4);
    });
    let total = 0;
    for (const row of rows) total += gammaGammaExpectedSpend(fit, row.x, row.monetary);
    expect(total / rows.length).toBeCloseTo(35.2529588256, 4);
  });
});

describe("Gamma-Gamma expected spend", () => {
  it("is the population mean p v / (q - 1) for customers without repeat purchases", () => {
    expect(gammaGammaExpectedSpend(PUBLISHED, 0, 0)).toBeCloseTo((6.25 * 15.44) / 2.74, 12);
    expect(gammaGammaExpectedSpend(PUBLISHED, 3, -5)).toBeCloseTo((6.25 * 15.44) / 2.74, 12);
  });

  it("is the weighted average of the population mean and the customer's mean", () => {
    const { p, q, v } = PUBLISHED;
    const [x, m] = [2, 22.35];
    const weight = (p * x) / (p * x + q - 1);
    expect(gammaGammaExpectedSpend(PUBLISHED, x, m)).toBeCloseTo(
      (1 - weight) * ((p * v) / (q - 1)) + weight * m,
      12,
    );
  });

  it("rejects parameters with an infinite mean", () => {
    expect(() => gammaGammaExpectedSpend({ p: 1, q: 0.5, v: 1 }, 0, 0)).toThrow("q must exceed 1");
    expect(() => gammaGammaExpectedSpend({ p: 0.1, q: 0.5, v: 1 }, 2, 10)).toThrow("p x + q must exceed 1");
    expect(() => gammaGammaExpectedSpend({ p: 0, q: 2, v: 1 }, 2, 10)).toThrow(
      "parameter p must be a positive finite number",
    );
  });

  it("is finite, positive and between the population and the customer's mean", () => {
    const param = fc.double({ min: Math.log(1e-3), max: Math.log(1e3), noNaN: true }).map(Math.exp);
    fc.assert(
      fc.property(
        param,
        param.map((q) => 1 + q),
        param,
        fc.integer({ min: 0, max: 500 }),
        fc.double({ min: 1e-3, max: 1e6, noNaN: true }),
        (p, q, v, x, m) => {
          const spend = gammaGammaExpectedSpend({ p, q, v }, x, m);
          expect(Number.isFinite(spend)).toBe(true);
          expect(spend).toBeGreaterThan(0);
          const population = (p * v) / (q - 1);
          if (x > 0) {
            expect(spend).toBeGreaterThanOrEqual(Math.min(population, m) * (1 - 1e-12));
            expect(spend).toBeLessThanOrEqual(Math.max(population, m) * (1 + 1e-12));
          }
        },
      ),
      { numRuns: 500 },
    );
  });
});

describe("Gamma-Gamma parameter recovery", () => {
  it("recovers known parameters from 20,000 simulated returning customers", () => {
    const truth: GammaGammaParams = { p: 4, q: 5, v: 20 };
    const rng = createRng(11);
    const rows = Array.from({ length: 20_000 }, (_, i) => {
      const x = 1 + (i % 8);
      const values = simulateGammaGammaSpend(truth, x, rng);
      return { x, monetary: values.reduce((sum, value) => sum + value, 0) / x };
    });
    const fit = fitGammaGamma(rows);
    expect(fit.converged).toBe(true);
    // About three standard errors at this size (seeds 11-16 give p within ±5%, q ±3%, v ±8%).
    expect(Math.abs(fit.p / truth.p - 1)).toBeLessThan(0.1);
    expect(Math.abs(fit.q / truth.q - 1)).toBeLessThan(0.1);
    expect(Math.abs(fit.v / truth.v - 1)).toBeLessThan(0.15);
    // The population mean spend p v / (q - 1) is what CLV uses; it is pinned down tightly.
    const mean = (params: GammaGammaParams) => (params.p * params.v) / (params.q - 1);
    expect(mean(fit) / mean(truth)).toBeCloseTo(1, 1);
    // Spend was simulated independently of frequency.
    expect(Math.abs(fit.frequencyMonetaryCorrelation)).toBeLessThan(0.05);
  });

  it("ignores and counts customers without repeat purchases or with non-positive spend", () => {
    const fit = fitGammaGamma([
      { x: 0, monetary: 0 },
      { x: 2, monetary: -3 },
      { x: 1, monetary: 10, weight: 3 },
      { x: 2, monetary: 12 },
      { x: 3, monetary: 30 },
      { x: 4, monetary: 8 },
    ]);
    expect(fit.customers).toBe(6);
    expect(fit.ignoredCustomers).toBe(2);
    expect(() => fitGammaGamma([{ x: 0, monetary: 5 }])).toThrow(
      "at least one customer with x > 0 and monetary > 0",
    );
  });
});
