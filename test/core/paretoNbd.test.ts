import fc from "fast-check";
import { describe, expect, it } from "vitest";
import {
  fitParetoNbd,
  paretoNbdConditionalExpected,
  paretoNbdExpected,
  paretoNbdLogLikelihood,
  paretoNbdNoPurchaseIfAlive,
  paretoNbdPAlive,
  paretoNbdPNoPurchase,
  type ParetoNbdParams,
} from "../../core/paretoNbd.js";
import { createRng } from "../../core/random.js";
import { simulateParetoNbdPurchaseTimes } from "../../core/simulate.js";
import { cdnowAvailable, loadCdnowSummary } from "./cdnow.js";

/**
 * Fader, Hardie and Lee (2005), "A Note on Implementing the Pareto/NBD Model in MATLAB": the
 * estimates on the CDNOW sample (weeks), r = 0.553, α = 10.578, s = 0.606, β = 11.669, LL = -9595.0.
 */
const PUBLISHED = { r: 0.553, alpha: 10.578, s: 0.606, beta: 11.669 };
/** The BTYD package's estimates on the same data (BTYD walkthrough vignette). */
const BTYD: ParetoNbdParams = { r: 0.5534, alpha: 10.5802, s: 0.6061, beta: 11.6562 };

describe.skipIf(!cdnowAvailable)("Pareto/NBD on the CDNOW sample", () => {
  const rows = cdnowAvailable ? loadCdnowSummary() : [];

  it("fit recovers the published estimates and log-likelihood", () => {
    const fit = fitParetoNbd(rows);
    expect(fit.r).toBeCloseTo(PUBLISHED.r, 3);
    expect(fit.alpha).toBeCloseTo(PUBLISHED.alpha, 2);
    expect(fit.s).toBeCloseTo(PUBLISHED.s, 3);
    expect(Math.abs(fit.beta - PUBLISHED.beta)).toBeLessThan(0.005);
    expect(fit.logLikelihood).toBeCloseTo(-9595.0, 1);
    expect(fit.converged).toBe(true);
    expect(fit.diagnostics.degenerate).toBe(false);
  });

  it("P(alive) matches BTYD's pnbd.PAlive for x = 26, tx = 30.86, T = 31", () => {
    expect(paretoNbdPAlive(BTYD, 26, 30.86, 31)).toBeCloseTo(0.9979, 4);
  });

  it("conditional expectation matches the BTYD walkthrough's 25.46 for 52 weeks ahead", () => {
    const fit = fitParetoNbd(rows);
    expect(paretoNbdConditionalExpected(fit, 52, 26, 30.86, 31)).toBeCloseTo(25.46, 2);
  });
});

describe("Pareto/NBD expressions", () => {
  it("E[X(t)] is eq. 17 of Fader and Hardie's derivation note", () => {
    const { r, alpha, s, beta } = BTYD;
    for (const t of [1, 9, 39, 200]) {
      const formula = ((r * beta) / (alpha * (s - 1))) * (1 - Math.pow(beta / (beta + t), s - 1));
      expect(paretoNbdExpected(BTYD, t)).toBeCloseTo(formula, 12);
    }
  });

  it("E[X(t)] is continuous through s = 1", () => {
    const near = paretoNbdExpected({ ...BTYD, s: 1 + 1e-10 }, 20);
    const at = paretoNbdExpected({ ...BTYD, s: 1 }, 20);
    expect(at).toBeCloseTo(((BTYD.r * BTYD.beta) / BTYD.alpha) * Math.log1p(20 / BTYD.beta), 12);
    expect(near).toBeCloseTo(at, 8);
  });

  it("the log-likelihood's integral agrees with a brute-force sum over the death time", () => {
    // L / (Γ(r+x) α^r β^s / Γ(r)) = (α+T)^-(r+x) (β+T)^-s + s ∫ (α+τ)^-(r+x) (β+τ)^-(s+1) dτ.
    const params = { r: 0.7, alpha: 3, s: 2.5, beta: 400 };
    const [x, tx, T] = [4, 20, 300];
    const steps = 400_000;
    let integral = 0;
    for (let i = 0; i < steps; i++) {
      const tau = tx + ((i + 0.5) * (T - tx)) / steps;
      integral +=
        Math.pow(params.alpha + tau, -(params.r + x)) * Math.pow(params.beta + tau, -(params.s + 1));
    }
    integral *= (T - tx) / steps;
    const { r, alpha, s, beta } = params;
    // Γ(r+4)/Γ(r) = r (r+1) (r+2) (r+3).
    const brute =
      Math.log(r * (r + 1) * (r + 2) * (r + 3)) +
      r * Math.log(alpha) +
      s * Math.log(beta) +
      Math.log(Math.pow(alpha + T, -(r + x)) * Math.pow(beta + T, -s) + s * integral);
    expect(paretoNbdLogLikelihood(params, x, tx, T)).toBeCloseTo(brute, 7);
  });

  it("P(no purchase in t) agrees with simulating the process", () => {
    // New customers (x = 0, T = 0) are all alive: compare with simulated first purchase times.
    const params = { r: 0.9, alpha: 20, s: 0.8, beta: 60 };
    const rng = createRng(7);
    const t = 45;
    let silent = 0;
    const n = 200_000;
    for (let i = 0; i < n; i++) if (simulateParetoNbdPurchaseTimes(params, t, rng).length === 0) silent++;
    expect(paretoNbdNoPurchaseIfAlive(params, t, 0, 0)).toBeCloseTo(silent / n, 2);
    expect(paretoNbdPNoPurchase(params, t, 0, 0, 0)).toBeCloseTo(silent / n, 2);
  });

  it("fit recovers simulated parameters", () => {
    const truth = { r: 0.8, alpha: 15, s: 0.7, beta: 40 };
    const rng = createRng(11);
    const rows = Array.from({ length: 8000 }, (_, i) => {
      const T = 100 + (i % 200);
      const times = simulateParetoNbdPurchaseTimes(truth, T, rng);
      return { x: times.length, tx: times.at(-1) ?? 0, T };
    });
    const fit = fitParetoNbd(rows);
    expect(fit.diagnostics.degenerate).toBe(false);
    const errors = fit.diagnostics.logStandardErrors!;
    expect(Math.abs(Math.log(fit.r / truth.r))).toBeLessThan(4 * errors.r);
    expect(Math.abs(Math.log(fit.alpha / truth.alpha))).toBeLessThan(4 * errors.alpha);
    expect(Math.abs(Math.log(fit.s / truth.s))).toBeLessThan(4 * errors.s);
    expect(Math.abs(Math.log(fit.beta / truth.beta))).toBeLessThan(4 * errors.beta);
  });

  it("flags a book with no dropout as degenerate instead of converged", () => {
    // Pure NBD buyers who never drop out: the dropout rate runs to zero.
    const rng = createRng(3);
    const rows = Array.from({ length: 3000 }, (_, i) => {
      const T = 200 + (i % 100);
      const lambda = rng.gamma(1.2, 1 / 40);
      let time = rng.exponential(lambda);
      const times: number[] = [];
      while (time <= T) {
        times.push(time);
        time += rng.exponential(lambda);
      }
      return { x: times.length, tx: times.at(-1) ?? 0, T };
    });
    const fit = fitParetoNbd(rows);
    expect(fit.diagnostics.degenerate).toBe(true);
    expect(fit.converged).toBe(false);
    expect(fit.diagnostics.problems.join(" ")).toMatch(/no dropout|edge|flat|not curved|exploding/);
  });
});

describe("Pareto/NBD invariants", () => {
  const params = fc.record({
    r: fc.double({ min: 0.01, max: 50, noNaN: true }),
    alpha: fc.double({ min: 0.01, max: 500, noNaN: true }),
    s: fc.double({ min: 0.01, max: 50, noNaN: true }),
    beta: fc.double({ min: 0.01, max: 5000, noNaN: true }),
  });
  const customer = fc
    .record({
      x: fc.integer({ min: 0, max: 300 }),
      T: fc.double({ min: 0, max: 5000, noNaN: true }),
      share: fc.double({ min: 0, max: 1, noNaN: true }),
    })
    .map(({ x, T, share }) => ({ x, T, tx: x === 0 ? 0 : share * T }));

  it("keeps P(alive) and P(no purchase) in [0, 1] and finite, the latter falling with t", () => {
    fc.assert(
      fc.property(params, customer, fc.double({ min: 0, max: 2000, noNaN: true }), (p, c, t) => {
        const alive = paretoNbdPAlive(p, c.x, c.tx, c.T);
        const none = paretoNbdPNoPurchase(p, t, c.x, c.tx, c.T);
        const later = paretoNbdPNoPurchase(p, t + 30, c.x, c.tx, c.T);
        return alive >= 0 && alive <= 1 && none >= 0 && none <= 1 && later <= none + 1e-9;
      }),
    );
  });

  it("gives a longer silence a lower P(alive) (at the same x and T)", () => {
    fc.assert(
      fc.property(params, customer, (p, c) => {
        if (c.x === 0) return true;
        return paretoNbdPAlive(p, c.x, c.tx * 0.5, c.T) <= paretoNbdPAlive(p, c.x, c.tx, c.T) + 1e-9;
      }),
    );
  });
});
