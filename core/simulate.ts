/**
 * Simulation from the models' generative processes, for parameter-recovery tests, benchmarks and
 * demo data. Every draw comes from a seeded {@link Rng}, so a seed fixes the whole data set.
 */

import type { BgNbdParams } from "./bgNbd.js";
import type { ParetoNbdParams } from "./paretoNbd.js";
import type { GammaGammaParams } from "./gammaGamma.js";
import { createRng, type Rng } from "./random.js";

/** A simulated BG/NBD customer summary. */
export interface SimulatedCustomer {
  x: number;
  tx: number;
  T: number;
}

/** Options for {@link simulateBgNbd}. */
export interface SimulateBgNbdOptions {
  /** Number of customers. */
  customers: number;
  /** Each customer's age T: one number for all, or a function of the customer's index. */
  T: number | ((index: number) => number);
  /** Seed of the random stream. */
  seed: number;
}

function checkBgNbdParams(params: BgNbdParams): void {
  for (const name of ["r", "alpha", "a", "b"] as const) {
    if (!(params[name] > 0) || !Number.isFinite(params[name])) {
      throw new RangeError(`BG/NBD parameter ${name} must be a positive finite number, got ${params[name]}`);
    }
  }
}

/**
 * Repeat purchase times in (0, T] of one customer drawn from the BG/NBD process of Fader, Hardie
 * and Lee (2005), Marketing Science, section 3: λ ~ Gamma(r, rate α), p ~ Beta(a, b); purchases
 * follow a Poisson process of rate λ from the first purchase at time 0, and after each repeat
 * purchase the customer drops out for good with probability p. Times are ascending.
 */
export function simulateBgNbdPurchaseTimes(params: BgNbdParams, T: number, rng: Rng): number[] {
  return betaGeometricPurchaseTimes(params, T, rng, false);
}

/** BG/NBD's process; with `dropAtStart`, MBG/NBD's extra dropout chance at the first purchase. */
function betaGeometricPurchaseTimes(
  params: BgNbdParams,
  T: number,
  rng: Rng,
  dropAtStart: boolean,
): number[] {
  checkBgNbdParams(params);
  if (!(T >= 0) || !Number.isFinite(T)) throw new RangeError(`age T must be a finite number >= 0, got ${T}`);
  const lambda = rng.gamma(params.r, 1 / params.alpha);
  const p = rng.beta(params.a, params.b);
  const times: number[] = [];
  // BG/NBD draws nothing more here, so its random stream is the same as before MBG/NBD existed.
  if (!(lambda > 0) || (dropAtStart && rng.uniform() < p)) return times;
  let time = 0;
  for (;;) {
    time += rng.exponential(lambda);
    if (time > T) break;
    times.push(time);
    if (rng.uniform() < p) break;
  }
  return times;
}

/**
 * Simulates `customers` BG/NBD customers and returns their (x, tx, T) summaries: x repeat
 * purchases, tx the time of the last one (0 when x = 0), T their age.
 */
export function simulateBgNbd(params: BgNbdParams, options: SimulateBgNbdOptions): SimulatedCustomer[] {
  checkBgNbdParams(params);
  if (!Number.isInteger(options.customers) || options.customers < 0) {
    throw new RangeError(`customers must be a whole number >= 0, got ${options.customers}`);
  }
  const rng = createRng(options.seed);
  const rows: SimulatedCustomer[] = new Array(options.customers);
  for (let i = 0; i < options.customers; i++) {
    const T = typeof options.T === "number" ? options.T : options.T(i);
    const times = simulateBgNbdPurchaseTimes(params, T, rng);
    rows[i] = { x: times.length, tx: times.length > 0 ? times[times.length - 1] : 0, T };
  }
  return rows;
}

/**
 * Repeat purchase times in (0, T] of one customer from the MBG/NBD process (Batislam, Denizel and
 * Filiztekin 2007): as BG/NBD, but the customer may drop out right after the first purchase
 * (at time 0) with the same probability p as after every repeat purchase.
 */
export function simulateMbgNbdPurchaseTimes(params: BgNbdParams, T: number, rng: Rng): number[] {
  return betaGeometricPurchaseTimes(params, T, rng, true);
}

/**
 * Repeat purchase times in (0, T] of one customer from the Pareto/NBD process (Schmittlein,
 * Morrison and Colombo 1987): λ ~ Gamma(r, rate α), μ ~ Gamma(s, rate β); purchases follow a
 * Poisson process of rate λ until an exponential lifetime of rate μ ends.
 */
export function simulateParetoNbdPurchaseTimes(params: ParetoNbdParams, T: number, rng: Rng): number[] {
  for (const name of ["r", "alpha", "s", "beta"] as const) {
    if (!(params[name] > 0) || !Number.isFinite(params[name])) {
      throw new RangeError(
        `Pareto/NBD parameter ${name} must be a positive finite number, got ${params[name]}`,
      );
    }
  }
  if (!(T >= 0) || !Number.isFinite(T)) throw new RangeError(`age T must be a finite number >= 0, got ${T}`);
  const lambda = rng.gamma(params.r, 1 / params.alpha);
  const mu = rng.gamma(params.s, 1 / params.beta);
  const end = Math.min(T, mu > 0 ? rng.exponential(mu) : Infinity);
  const times: number[] = [];
  if (!(lambda > 0)) return times;
  for (let time = rng.exponential(lambda); time <= end; time += rng.exponential(lambda)) times.push(time);
  return times;
}

/**
 * Values of x transactions of one customer from the Gamma-Gamma model (Fader, Hardie and Lee
 * 2005, JMR; Fader and Hardie 2013): ν ~ Gamma(q, rate v) once per customer, then each value
 * ~ Gamma(p, rate ν), so the customer's mean value is p / ν.
 */
export function simulateGammaGammaSpend(params: GammaGammaParams, x: number, rng: Rng): number[] {
  for (const name of ["p", "q", "v"] as const) {
    if (!(params[name] > 0) || !Number.isFinite(params[name])) {
      throw new RangeError(
        `Gamma-Gamma parameter ${name} must be a positive finite number, got ${params[name]}`,
      );
    }
  }
  if (!Number.isInteger(x) || x < 0) throw new RangeError(`x must be a whole number >= 0, got ${x}`);
  const nu = rng.gamma(params.q, 1 / params.v);
  const values: number[] = new Array(x);
  for (let i = 0; i < x; i++) values[i] = rng.gamma(params.p, 1 / nu);
  return values;
}
