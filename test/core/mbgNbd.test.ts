import fc from "fast-check";
import { describe, expect, it } from "vitest";
import { bgNbdExpected, bgNbdPAlive } from "../../core/bgNbd.js";
import {
  fitMbgNbd,
  mbgNbdConditionalExpected,
  mbgNbdExpected,
  mbgNbdLogLikelihood,
  mbgNbdPAlive,
  mbgNbdPNoPurchase,
} from "../../core/mbgNbd.js";
import { createRng } from "../../core/random.js";
import { simulateMbgNbdPurchaseTimes } from "../../core/simulate.js";
import { cdnowAvailable, loadCdnowSummary } from "./cdnow.js";

/** BTYDplus's mbgnbd estimates on the CDNOW sample (weeks), also pinned in the lifetimes tests. */
const PUBLISHED = { r: 0.525, alpha: 6.183, a: 0.891, b: 1.614 };

describe.skipIf(!cdnowAvailable)("MBG/NBD on the CDNOW sample", () => {
  const rows = cdnowAvailable ? loadCdnowSummary() : [];

  it("fit recovers the published estimates", () => {
    const fit = fitMbgNbd(rows);
    expect(fit.r).toBeCloseTo(PUBLISHED.r, 3);
    expect(fit.alpha).toBeCloseTo(PUBLISHED.alpha, 3);
    expect(fit.a).toBeCloseTo(PUBLISHED.a, 3);
    expect(fit.b).toBeCloseTo(PUBLISHED.b, 3);
    expect(fit.converged).toBe(true);
  });

  it("fits CDNOW better than BG/NBD (log-likelihood -9582.1 against -9582.4)", () => {
    expect(fitMbgNbd(rows).logLikelihood).toBeCloseTo(-9582.13, 1);
  });
});

describe("MBG/NBD expressions", () => {
  const params = PUBLISHED;

  it("gives one-time buyers a P(alive) below 1 that falls with time away, unlike BG/NBD", () => {
    expect(bgNbdPAlive(params, 0, 0, 30)).toBe(1);
    const soon = mbgNbdPAlive(params, 0, 0, 5);
    const late = mbgNbdPAlive(params, 0, 0, 60);
    expect(soon).toBeLessThan(1);
    expect(late).toBeLessThan(soon);
    const { r, alpha, a, b } = params;
    expect(late).toBeCloseTo(1 / (1 + (a / b) * Math.pow((alpha + 60) / alpha, r)), 12);
  });

  it("log-likelihood is the two-term expression of Batislam et al. (2007)", () => {
    const { r, alpha, a, b } = params;
    const [x, tx, T] = [3, 20, 38];
    const lbeta = (p: number, q: number) => lgammaOf(p) + lgammaOf(q) - lgammaOf(p + q);
    const common = lgammaOf(r + x) - lgammaOf(r) + r * Math.log(alpha);
    const first = lbeta(a, b + x + 1) - lbeta(a, b) - (r + x) * Math.log(alpha + T);
    const second = lbeta(a + 1, b + x) - lbeta(a, b) - (r + x) * Math.log(alpha + tx);
    const expected = common + Math.log(Math.exp(first) + Math.exp(second));
    expect(mbgNbdLogLikelihood(params, x, tx, T)).toBeCloseTo(expected, 9);
  });

  it("E[X(t)] grows like b/(a+b) r t / α for small t and equals a simulation", () => {
    const t = 1e-4;
    expect(mbgNbdExpected(params, t) / t).toBeCloseTo(
      (params.b / (params.a + params.b)) * (params.r / params.alpha),
      4,
    );
    const rng = createRng(5);
    const n = 100_000;
    let total = 0;
    for (let i = 0; i < n; i++) total += simulateMbgNbdPurchaseTimes(params, 52, rng).length;
    expect(mbgNbdExpected(params, 52)).toBeCloseTo(total / n, 1);
    expect(mbgNbdExpected(params, 52)).toBeLessThan(bgNbdExpected(params, 52));
  });

  it("conditional expectation is P(alive) times the expectation of an active customer", () => {
    const value = mbgNbdConditionalExpected(params, 39, 2, 30.43, 38.86);
    // lifetimes checks its MBG/NBD against Hardie's BG/NBD sheet (1.226) with a 0.05 tolerance.
    expect(Math.abs(value - 1.226)).toBeLessThan(0.05);
  });

  it("P(no purchase) is 1 - P(alive) at t -> infinity and 1 at t = 0", () => {
    expect(mbgNbdPNoPurchase(params, 0, 4, 10, 30)).toBeCloseTo(1, 12);
    expect(mbgNbdPNoPurchase(params, 1e12, 4, 10, 30)).toBeCloseTo(1 - mbgNbdPAlive(params, 4, 10, 30), 6);
  });

  it("fit recovers simulated parameters", () => {
    const truth = { r: 0.7, alpha: 12, a: 0.9, b: 3 };
    const rng = createRng(21);
    const rows = Array.from({ length: 10_000 }, (_, i) => {
      const T = 60 + (i % 120);
      const times = simulateMbgNbdPurchaseTimes(truth, T, rng);
      return { x: times.length, tx: times.at(-1) ?? 0, T };
    });
    const fit = fitMbgNbd(rows);
    const errors = fit.diagnostics.logStandardErrors!;
    for (const name of ["r", "alpha", "a", "b"] as const) {
      expect(Math.abs(Math.log(fit[name] / truth[name]))).toBeLessThan(4 * errors[name]);
    }
  });

  it("keeps probabilities in [0, 1] and expectations finite for extreme customers", () => {
    fc.assert(
      fc.property(
        fc.integer({ min: 0, max: 1000 }),
        fc.double({ min: 0, max: 20_000, noNaN: true }),
        fc.double({ min: 0, max: 1, noNaN: true }),
        fc.double({ min: 0, max: 5000, noNaN: true }),
        (x, T, share, t) => {
          const tx = x === 0 ? 0 : share * T;
          const alive = mbgNbdPAlive(params, x, tx, T);
          const none = mbgNbdPNoPurchase(params, t, x, tx, T);
          const expected = mbgNbdConditionalExpected(params, t, x, tx, T);
          return (
            alive >= 0 && alive <= 1 && none >= 0 && none <= 1 && Number.isFinite(expected) && expected >= 0
          );
        },
      ),
    );
  });
});

function lgammaOf(value: number): number {
  // Stirling series with shift: accurate to ~1e-12 for the arguments used here.
  let x = value;
  let shift = 0;
  while (x < 10) {
    shift -= Math.log(x);
    x += 1;
  }
  return (
    shift +
    (x - 0.5) * Math.log(x) -
    x +
    0.5 * Math.log(2 * Math.PI) +
    1 / (12 * x) -
    1 / (360 * x ** 3) +
    1 / (1260 * x ** 5)
  );
}
