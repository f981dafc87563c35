import { describe, expect, it } from "vitest";
import { bgNbdExpected, bgNbdProbN, type BgNbdParams } from "../../core/bgNbd.js";
import { createRng } from "../../core/random.js";
import { simulateBgNbd, simulateBgNbdPurchaseTimes, simulateGammaGammaSpend } from "../../core/simulate.js";

const PARAMS: BgNbdParams = { r: 0.5, alpha: 6, a: 0.7, b: 2.5 };

describe("simulation", () => {
  it("is reproducible from its seed", () => {
    const options = { customers: 200, T: 52, seed: 3 };
    expect(simulateBgNbd(PARAMS, options)).toEqual(simulateBgNbd(PARAMS, options));
    expect(simulateBgNbd(PARAMS, { ...options, seed: 4 })).not.toEqual(simulateBgNbd(PARAMS, options));
  });

  it("gives ascending purchase times in (0, T] and consistent summaries", () => {
    const rng = createRng(5);
    for (let i = 0; i < 2000; i++) {
      const times = simulateBgNbdPurchaseTimes(PARAMS, 40, rng);
      for (let k = 0; k < times.length; k++) {
        expect(times[k]).toBeGreaterThan(k === 0 ? 0 : times[k - 1]);
        expect(times[k]).toBeLessThanOrEqual(40);
      }
    }
    const rows = simulateBgNbd(PARAMS, { customers: 2000, T: (i) => 10 + (i % 30), seed: 6 });
    for (const [i, row] of rows.entries()) {
      expect(row.T).toBe(10 + (i % 30));
      expect(row.tx).toBeLessThanOrEqual(row.T);
      if (row.x === 0) expect(row.tx).toBe(0);
    }
  });

  it("matches the model's P(X(t) = n) and E[X(t)] (Fader, Hardie and Lee 2005, eqs. 8 and 9)", () => {
    const customers = 50_000;
    const rows = simulateBgNbd(PARAMS, { customers, T: 39, seed: 8 });
    const counts = new Map<number, number>();
    let total = 0;
    for (const row of rows) {
      counts.set(row.x, (counts.get(row.x) ?? 0) + 1);
      total += row.x;
    }
    const mean = bgNbdExpected(PARAMS, 39);
    // Mean within 4 standard errors (the variance of X(39) is below 3 · mean² here).
    expect(Math.abs(total / customers - mean)).toBeLessThan(4 * Math.sqrt((3 * mean * mean) / customers));
    for (let n = 0; n <= 3; n++) {
      const p = bgNbdProbN(PARAMS, 39, n);
      const observed = (counts.get(n) ?? 0) / customers;
      expect(Math.abs(observed - p)).toBeLessThan(4 * Math.sqrt((p * (1 - p)) / customers));
    }
  });

  it("draws Gamma-Gamma spends around the customer's mean p / ν with population mean p v / (q - 1)", () => {
    const params = { p: 6, q: 4, v: 15 };
    const rng = createRng(9);
    let sum = 0;
    let count = 0;
    for (let i = 0; i < 20_000; i++) {
      const values = simulateGammaGammaSpend(params, 3, rng);
      expect(values).toHaveLength(3);
      for (const value of values) {
        expect(value).toBeGreaterThan(0);
        sum += value;
        count++;
      }
    }
    expect(sum / count / ((6 * 15) / 3)).toBeCloseTo(1, 1);
    expect(simulateGammaGammaSpend(params, 0, rng)).toEqual([]);
  });

  it("rejects invalid settings", () => {
    expect(() => simulateBgNbd({ ...PARAMS, b: -1 }, { customers: 1, T: 1, seed: 1 })).toThrow(
      "parameter b must be a positive",
    );
    expect(() => simulateBgNbd(PARAMS, { customers: 1.5, T: 1, seed: 1 })).toThrow(
      "customers must be a whole number",
    );
    expect(() => simulateBgNbdPurchaseTimes(PARAMS, -1, createRng(1))).toThrow(
      "age T must be a finite number >= 0",
    );
  });
});
