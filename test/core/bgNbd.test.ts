import { describe, expect, it } from "vitest";
import fc from "fast-check";
import {
  bgNbdConditionalExpected,
  bgNbdExpected,
  bgNbdLogLikelihood,
  bgNbdPAlive,
  bgNbdProbN,
  fitBgNbd,
  type BgNbdParams,
} from "../../core/bgNbd.js";
import { hyp2f1 } from "../../core/special.js";
import { simulateBgNbd } from "../../core/simulate.js";
import { cdnowAvailable, loadCdnowSummary } from "./cdnow.js";

/** Fader, Hardie and Lee (2005), table 1 / the BTYD package: the CDNOW estimates. */
const PUBLISHED: BgNbdParams = { r: 0.243, alpha: 4.414, a: 0.793, b: 2.426 };

/**
 * E[X(t)] from eq. (9) evaluated with mpmath's hyp2f1 at 60 digits (mpmath 1.3.0), including
 * extremes (a = 1 + 1e-7, parameters from 1e-3 to 1e3, t/α up to 1e7): [r, α, a, b, t, E[X(t)]].
 */
const MPMATH_EXPECTED: [number, number, number, number, number, number][] = [
  [0.243, 4.414, 0.793, 2.426, 39, 1.196723193320817],
  [0.243, 4.414, 0.793, 2.426, 1000, 6.580391613738232],
  [1, 1, 1, 1, 5, 1.791759469228055],
  [0.5, 2, 1.0000001, 3, 10, 1.5013726246310317],
  [2, 1, 0.3, 0.2, 100, 22.044002769003068],
  [0.001, 0.001, 0.001, 0.001, 10000.0, 4924.996648890456],
  [1000.0, 0.001, 1000.0, 1000.0, 10000.0, 2.001001001001001],
  [1000.0, 1000.0, 0.001, 1000.0, 1, 0.9999994996675835],
  [500.2, 10, 0.5, 500.5, 365, 5124.916905969176],
  [0.001, 1000.0, 1000.0, 0.001, 10000.0, 0.0023950241076801473],
  [3, 0.01, 2, 5, 10000.0, 5.999985000059998],
  [0.7, 30, 0.8, 2.4, 3650, 10.363414007467135],
  [0.24, 4.4, 0.8, 502.4, 39, 2.1091097136123214],
  [300.24, 14.4, 0.8, 302.4, 1000, 2023.0765432921842],
  [
    0.006400080914317202, 121.50731428549985, 38.25143337376783, 0.033916744080123774, 9.388809398100538,
    0.0004762574506148236,
  ],
  [
    0.0014212653426599606, 1.7720453689675566, 431.41473727805385, 0.1937427349546603, 0.1993408853429518,
    0.00015150249851727133,
  ],
  [
    902.1120273388764, 144.43723724521806, 0.0053129993017665906, 0.09912224099034536, 213.25854680761836,
    1220.6185034072,
  ],
  [
    0.010915519491260649, 1.962422742800362, 16.528923604454704, 11.140764219305202, 1.7709982131552824,
    0.007869226066566941,
  ],
  [
    41.98931975953062, 1.7286405275040224, 145.1238106453314, 0.024720472551353196, 12.095671377026559,
    1.000171522473911,
  ],
  [
    0.002171399758171075, 165.9819762072499, 2.6302437860767958, 0.015813810165234792, 10.6738920083183,
    0.00013534702718808446,
  ],
  [
    0.03402234471347157, 112.32307740068076, 10.931535075851764, 0.003157946926401185, 0.012593422698076824,
    3.814291337705065e-6,
  ],
  [
    0.001386141179661363, 0.208613605235847, 0.3353606287887654, 0.013434943009342205, 0.04493349030666271,
    0.0002714037346630401,
  ],
];

describe.skipIf(!cdnowAvailable)("BG/NBD on the CDNOW sample", () => {
  const rows = cdnowAvailable ? loadCdnowSummary() : [];
  const fit = cdnowAvailable ? fitBgNbd(rows) : null!;

  it("fit recovers the published CDNOW estimates r = 0.243, alpha = 4.414, a = 0.793, b = 2.426", () => {
    expect(fit.converged).toBe(true);
    expect(fit.customers).toBe(2357);
    expect(fit.r.toFixed(2)).toBe(PUBLISHED.r.toFixed(2));
    expect(fit.alpha.toFixed(2)).toBe(PUBLISHED.alpha.toFixed(2));
    expect(fit.a.toFixed(2)).toBe(PUBLISHED.a.toFixed(2));
    expect(fit.b.toFixed(2)).toBe(PUBLISHED.b.toFixed(2));
    // The published parameters are rounded to three decimals; so is our estimate's agreement.
    expect(Math.abs(fit.r - PUBLISHED.r)).toBeLessThan(1e-3);
    expect(Math.abs(fit.alpha - PUBLISHED.alpha)).toBeLessThan(1e-3);
    expect(Math.abs(fit.a - PUBLISHED.a)).toBeLessThan(1e-3);
    expect(Math.abs(fit.b - PUBLISHED.b)).toBeLessThan(1e-3);
  });

  it("fit reaches the published log-likelihood -9582.4", () => {
    expect(fit.logLikelihood.toFixed(1)).toBe("-9582.4");
    let sum = 0;
    for (const row of rows) sum += bgNbdLogLikelihood(fit, row.x, row.tx, row.T);
    expect(sum).toBeCloseTo(fit.logLikelihood, 8);
  });

  it("conditional expectation for x = 2, tx = 30.43, T = 38.86 over 39 weeks is 1.226 (Hardie's spreadsheet)", () => {
    expect(Math.abs(bgNbdConditionalExpected(fit, 39, 2, 30.43, 38.86) - 1.226)).toBeLessThan(1e-3);
  });

  it("E[X(t)] matches Hardie's spreadsheet values used by lifetimes' tests", () => {
    const times = [0.1429, 1.0, 3.0, 31.8571, 32.0, 78.0];
    const expected = [0.0078, 0.0532, 0.1506, 1.0405, 1.0437, 1.8576];
    times.forEach((t, i) => expect(Math.abs(bgNbdExpected(fit, t) - expected[i])).toBeLessThan(5e-4));
  });

  it("fitting the same customers as weighted unique rows gives the same fit", () => {
    const counts = new Map<string, { x: number; tx: number; T: number; weight: number }>();
    for (const row of rows) {
      const key = `${row.x},${row.tx},${row.T}`;
      const entry = counts.get(key);
      if (entry) entry.weight++;
      else counts.set(key, { x: row.x, tx: row.tx, T: row.T, weight: 1 });
    }
    const weighted = fitBgNbd([...counts.values()]);
    expect(weighted.customers).toBe(2357);
    expect(weighted.logLikelihood).toBeCloseTo(fit.logLikelihood, 6);
    expect(weighted.r).toBeCloseTo(fit.r, 4);
  });

  it("P(alive) is 1 without repeat purchases and within [0, 1] over lifetimes' test grid", () => {
    expect(bgNbdPAlive(fit, 0, 1, 1)).toBe(1);
    for (let x = 0; x < 100; x += 10) {
      for (let tx = 0; tx < 100; tx += 10) {
        for (let T = tx; T < 100; T += 10) {
          const p = bgNbdPAlive(fit, x, tx, T);
          expect(p).toBeGreaterThanOrEqual(0);
          expect(p).toBeLessThanOrEqual(1);
        }
      }
    }
  });
});

describe("BG/NBD predictions at the published CDNOW parameters", () => {
  it("P(X(t) = n) matches the BTYD package's values", () => {
    expect(bgNbdProbN(PUBLISHED, 2, 10) / 1.07869e-7).toBeCloseTo(1, 4);
    expect(Math.abs(bgNbdProbN(PUBLISHED, 39, 0) - 0.5737864)).toBeLessThan(1e-7);
    const pmf = [
      0.0019995214, 0.0015170236, 0.001163315, 0.0009003148, 0.0007023638, 0.0005517902, 0.0004361913,
      0.0003467171, 0.0002769613, 0.000222226,
    ];
    pmf.forEach((expected, i) =>
      expect(Math.abs(bgNbdProbN(PUBLISHED, 30, 11 + i) - expected)).toBeLessThan(1e-10),
    );
  });

  it("P(X(t) = n) sums to 1 over n and its mean equals E[X(t)]", () => {
    for (const t of [0.5, 39, 78, 500]) {
      let total = 0;
      let mean = 0;
      for (let n = 0; n < 20000; n++) {
        const p = bgNbdProbN(PUBLISHED, t, n);
        total += p;
        mean += n * p;
        if (n > 100 && p < 1e-18) break;
      }
      expect(total).toBeCloseTo(1, 9);
      expect(mean / bgNbdExpected(PUBLISHED, t)).toBeCloseTo(1, 6);
    }
  });

  it("E[X(t)] agrees with mpmath's eq. (9) to 1e-9 relative, extremes included", () => {
    for (const [r, alpha, a, b, t, expected] of MPMATH_EXPECTED) {
      const actual = bgNbdExpected({ r, alpha, a, b }, t);
      expect(Math.abs(actual - expected) / expected).toBeLessThan(1e-9);
    }
  });

  it("E[X(t)] agrees with eq. (9) written with the hypergeometric series", () => {
    const { r, alpha, a, b } = PUBLISHED;
    for (const t of [1, 10, 39, 100]) {
      const z = t / (alpha + t);
      const closedForm =
        ((a + b - 1) / (a - 1)) * (1 - Math.pow(alpha / (alpha + t), r) * hyp2f1(r, b, a + b - 1, z));
      expect(bgNbdExpected(PUBLISHED, t)).toBeCloseTo(closedForm, 10);
    }
  });

  it("the conditional expectation agrees with eq. (10) written with the hypergeometric series", () => {
    const { r, alpha, a, b } = PUBLISHED;
    const [x, tx, T, t] = [2, 30.43, 38.86, 39];
    const z = t / (alpha + T + t);
    const numerator =
      ((a + b + x - 1) / (a - 1)) *
      (1 - Math.pow((alpha + T) / (alpha + T + t), r + x) * hyp2f1(r + x, b + x, a + b + x - 1, z));
    const denominator = 1 + (a / (b + x - 1)) * Math.pow((alpha + T) / (alpha + tx), r + x);
    expect(bgNbdConditionalExpected(PUBLISHED, t, x, tx, T)).toBeCloseTo(numerator / denominator, 10);
  });

  it("the log-likelihood equals eq. (6) computed directly", () => {
    const { r, alpha, a, b } = PUBLISHED;
    const beta = (p: number, q: number) => Math.exp(lgammaRatio(p, q));
    const lgammaRatio = (p: number, q: number) => logGamma(p) + logGamma(q) - logGamma(p + q);
    const [x, tx, T] = [3, 20, 35];
    const common = (Math.exp(logGamma(r + x) - logGamma(r)) * Math.pow(alpha, r)) / beta(a, b);
    const direct =
      common *
      (beta(a, b + x) / Math.pow(alpha + T, r + x) + beta(a + 1, b + x - 1) / Math.pow(alpha + tx, r + x));
    expect(bgNbdLogLikelihood(PUBLISHED, x, tx, T)).toBeCloseTo(Math.log(direct), 10);
    expect(bgNbdLogLikelihood(PUBLISHED, 0, 0, 35)).toBeCloseTo(r * Math.log(alpha / (alpha + 35)), 12);
  });

  it("P(alive) matches Fader, Hardie and Lee's closed form", () => {
    const { r, alpha, a, b } = PUBLISHED;
    const [x, tx, T] = [2, 30.43, 38.86];
    const expected = 1 / (1 + (a / (b + x - 1)) * Math.pow((alpha + T) / (alpha + tx), r + x));
    expect(bgNbdPAlive(PUBLISHED, x, tx, T)).toBeCloseTo(expected, 14);
  });
});

// Stirling-free log-gamma for the direct check above (small positive arguments only).
function logGamma(x: number): number {
  // Lanczos g = 7, independent of core/special.ts.
  const c = [
    0.99999999999980993, 676.5203681218851, -1259.1392167224028, 771.32342877765313, -176.61502916214059,
    12.507343278686905, -0.13857109526572012, 9.9843695780195716e-6, 1.5056327351493116e-7,
  ];
  if (x < 0.5) return Math.log(Math.PI / Math.sin(Math.PI * x)) - logGamma(1 - x);
  const z = x - 1;
  let sum = c[0];
  for (let i = 1; i < 9; i++) sum += c[i] / (z + i);
  const t = z + 7.5;
  return 0.5 * Math.log(2 * Math.PI) + (z + 0.5) * Math.log(t) - t + Math.log(sum);
}

describe("BG/NBD parameter recovery", () => {
  it("recovers known parameters from 20,000 simulated customers", () => {
    const truth: BgNbdParams = { r: 0.5, alpha: 6, a: 0.7, b: 2.5 };
    const rows = simulateBgNbd(truth, { customers: 20_000, T: (i) => 26 + (i % 53), seed: 7 });
    const fit = fitBgNbd(rows);
    expect(fit.converged).toBe(true);
    // Likelihood-ratio check: 2 (ℓ(fit) - ℓ(truth)) ~ χ²(4); 18.5 is its 99.9% quantile.
    let atTruth = 0;
    for (const row of rows) atTruth += bgNbdLogLikelihood(truth, row.x, row.tx, row.T);
    expect(fit.logLikelihood).toBeGreaterThanOrEqual(atTruth);
    expect(2 * (fit.logLikelihood - atTruth)).toBeLessThan(18.5);
    // r and alpha are estimated to a few percent at this size; a and b (the dropout) more loosely.
    expect(Math.abs(fit.r / truth.r - 1)).toBeLessThan(0.1);
    expect(Math.abs(fit.alpha / truth.alpha - 1)).toBeLessThan(0.1);
    expect(Math.abs(fit.a / truth.a - 1)).toBeLessThan(0.25);
    expect(Math.abs(fit.b / truth.b - 1)).toBeLessThan(0.25);
    expect(bgNbdExpected(fit, 52) / bgNbdExpected(truth, 52)).toBeCloseTo(1, 1);
  });
});

const param = fc.double({ min: Math.log(1e-3), max: Math.log(1e3), noNaN: true }).map(Math.exp);
const params = fc.record({ r: param, alpha: param, a: param, b: param });
const history = fc
  .tuple(
    fc.integer({ min: 0, max: 500 }),
    fc.double({ min: 0, max: 10_000, noNaN: true }),
    fc.double({ min: 0, max: 1, noNaN: true }),
  )
  .map(([x, T, share]) => ({ x, T, tx: x === 0 ? 0 : T * share }));
const time = fc.double({ min: 0, max: 10_000, noNaN: true });

describe("BG/NBD invariants", () => {
  it("P(alive) lies in [0, 1], and is 1 when x = 0", () => {
    fc.assert(
      fc.property(params, history, (p, { x, tx, T }) => {
        const alive = bgNbdPAlive(p, x, tx, T);
        expect(alive).toBeGreaterThanOrEqual(0);
        expect(alive).toBeLessThanOrEqual(1);
        expect(bgNbdPAlive(p, 0, 0, T)).toBe(1);
      }),
      { numRuns: 500 },
    );
  });

  it("expectations are finite, non-negative and non-decreasing in t", () => {
    fc.assert(
      fc.property(params, history, time, time, (p, { x, tx, T }, t1, t2) => {
        const [early, late] = t1 <= t2 ? [t1, t2] : [t2, t1];
        const e1 = bgNbdExpected(p, early);
        const e2 = bgNbdExpected(p, late);
        const c1 = bgNbdConditionalExpected(p, early, x, tx, T);
        const c2 = bgNbdConditionalExpected(p, late, x, tx, T);
        for (const value of [e1, e2, c1, c2]) {
          expect(Number.isFinite(value)).toBe(true);
          expect(value).toBeGreaterThanOrEqual(0);
        }
        // Non-decreasing up to rounding (the two values come from independent sums).
        expect(e2).toBeGreaterThanOrEqual(e1 * (1 - 1e-9));
        expect(c2).toBeGreaterThanOrEqual(c1 * (1 - 1e-9));
      }),
      { numRuns: 300 },
    );
  });

  it("log-likelihood and P(X(t) = n) are finite everywhere in the valid domain", () => {
    fc.assert(
      fc.property(params, history, time, fc.integer({ min: 0, max: 1000 }), (p, { x, tx, T }, t, n) => {
        expect(Number.isFinite(bgNbdLogLikelihood(p, x, tx, T))).toBe(true);
        const probability = bgNbdProbN(p, t, n);
        expect(Number.isFinite(probability)).toBe(true);
        expect(probability).toBeGreaterThanOrEqual(0);
        expect(probability).toBeLessThanOrEqual(1);
      }),
      { numRuns: 500 },
    );
  });

  it("extreme histories stay finite: x = 500, T = 10,000 days, tx = 0 and tx = T", () => {
    for (const p of [
      PUBLISHED,
      { r: 1e-3, alpha: 1e3, a: 1e-3, b: 1e3 },
      { r: 1e3, alpha: 1e-3, a: 1e3, b: 1e-3 },
    ]) {
      for (const [x, tx, T] of [
        [500, 0, 10_000],
        [500, 10_000, 10_000],
        [500, 1e-9, 1e-9],
        [0, 0, 0],
        [1, 0, 0],
      ]) {
        for (const value of [
          bgNbdLogLikelihood(p, x, tx, T),
          bgNbdPAlive(p, x, tx, T),
          bgNbdConditionalExpected(p, 365, x, tx, T),
          bgNbdConditionalExpected(p, 10_000, x, tx, T),
        ]) {
          expect(Number.isFinite(value)).toBe(true);
        }
      }
    }
  });
});

describe("BG/NBD input checks", () => {
  it("rejects inputs with messages that name the broken rule", () => {
    expect(() => bgNbdPAlive(PUBLISHED, 2, 40, 30)).toThrow("recency tx must not exceed age T");
    expect(() => bgNbdPAlive(PUBLISHED, 1.5, 1, 3)).toThrow("frequency x must be a non-negative integer");
    expect(() => bgNbdExpected({ ...PUBLISHED, a: 0 }, 1)).toThrow(
      "parameter a must be a positive finite number",
    );
    expect(() => bgNbdExpected(PUBLISHED, -1)).toThrow("time t must be a finite number >= 0");
    expect(() => bgNbdProbN(PUBLISHED, 1, 0.5)).toThrow("count n must be a non-negative integer");
    expect(() => fitBgNbd([])).toThrow("at least one customer");
  });
});
