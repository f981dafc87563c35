/**
 * The Pareto/NBD model of repeat buying: Schmittlein, Morrison and Colombo (1987), "Counting Your
 * Customers: Who Are They and What Will They Do Next?", Management Science 33(1), 1-24, in the
 * notation of Fader and Hardie (2005), "A Note on Deriving the Pareto/NBD Model and Related
 * Expressions", and Fader, Hardie and Lee (2005), "A Note on Implementing the Pareto/NBD Model in
 * MATLAB".
 *
 * While active, a customer buys at a Poisson rate λ ~ Gamma(r, α) and drops out at an exponential
 * time with rate μ ~ Gamma(s, β), so dropout can happen at any moment, not only after a purchase
 * as in BG/NBD. That is what lets it tell a one-time buyer who left long ago from a new one: under
 * BG/NBD both are certainly alive. Customers are summarised by (x, tx, T) as for BG/NBD.
 *
 * The likelihood's integral over the dropout time is evaluated by quadrature rather than with the
 * Gauss hypergeometric function of the published expressions, whose series converge slowly or
 * cancel badly when α and β differ a lot or tx is close to T:
 *
 *   L(r, α, s, β | x, tx, T) = Γ(r+x) α^r β^s / Γ(r) × [ (α+T)^-(r+x) (β+T)^-s + s I ],
 *   I = ∫_tx^T (α+τ)^-(r+x) (β+τ)^-(s+1) dτ
 *
 * (the first term: still alive at T; the second: died at τ in (tx, T] after the last purchase).
 * Composite Gauss-Legendre panels sized to the integrand's slope (see `dropoutIntegral`), cut where
 * it has fallen by e^-40, give near machine precision for any parameters.
 */

import { lgamma, digamma, logAddExp, gaussLegendre } from "./special.js";
import { explodingShapes, fitLogParametersSteps, fitQuality, type ModelFitQuality } from "./modelFit.js";
import { runSteps, type Steps } from "./optimize.js";
import {
  checkCustomer,
  checkPositiveParams,
  checkTime,
  groupRows,
  subsampleRows,
  type GroupedRows,
  type PurchaseRow,
} from "./purchaseRows.js";

/** Pareto/NBD parameters: purchase rate λ ~ Gamma(shape r, rate α), dropout rate μ ~ Gamma(s, β). */
export interface ParetoNbdParams {
  r: number;
  alpha: number;
  s: number;
  beta: number;
}

/** The maximum-likelihood fit. */
export interface ParetoNbdFit extends ParetoNbdParams, ModelFitQuality {}

function checkParams(params: ParetoNbdParams): void {
  checkPositiveParams("Pareto/NBD", { r: params.r, alpha: params.alpha, s: params.s, beta: params.beta });
}

const NODES = gaussLegendre(8);
/** Largest fall of the log-integrand across one quadrature panel. */
const PANEL_DROP = 6;
/** Where the integrand has fallen this far below its start, the rest is below double precision. */
const CUTOFF_DROP = 40;
const MAX_PANELS = 64;

/** The dropout integral I of one customer and, optionally, its parameter derivatives / I. */
interface DropoutIntegral {
  /** ln I; -Infinity when tx = T. */
  logI: number;
  /** (∂I/∂r, ∂I/∂α, ∂I/∂s, ∂I/∂β) / I. */
  dR: number;
  dAlpha: number;
  dS: number;
  dBeta: number;
}

/**
 * ∫_lo^hi (α+τ)^-k (β+τ)^-m dτ by Gauss-Legendre panels in τ. The log-integrand falls ever more
 * slowly (it is convex), so each panel is as wide as its starting slope allows for a fall of at
 * most PANEL_DROP, and at most as wide as min(α, β) + τ so both factors change by at most a factor
 * of two: a few panels cover a power-law tail and a few more an exponential one (β, s -> ∞), and
 * the sum stops once the integrand has fallen by CUTOFF_DROP. With `out`'s derivatives: the
 * integrals of the integrand times -ln(α+τ), -k/(α+τ), -ln(β+τ) and -m/(β+τ) (the derivatives with
 * respect to k's r, α, m's s and β), each divided by the integral.
 */
function dropoutIntegral(
  alpha: number,
  beta: number,
  k: number,
  m: number,
  lo: number,
  hi: number,
  out: DropoutIntegral,
): DropoutIntegral {
  out.dR = out.dAlpha = out.dS = out.dBeta = 0;
  if (!(hi > lo)) {
    out.logI = -Infinity;
    return out;
  }
  const c = Math.min(alpha, beta);
  const logAt = (tau: number) => -k * Math.log(alpha + tau) - m * Math.log(beta + tau);
  const reference = logAt(lo);
  let sum = 0;
  let sumR = 0;
  let sumAlpha = 0;
  let sumS = 0;
  let sumBeta = 0;
  const { nodes, weights } = NODES;
  let start = lo;
  for (let panel = 0; panel < MAX_PANELS && start < hi; panel++) {
    const slope = k / (alpha + start) + m / (beta + start);
    const width = Math.min(PANEL_DROP / slope, c + start, hi - start);
    const half = 0.5 * width;
    const centre = start + half;
    for (let i = 0; i < nodes.length; i++) {
      const tau = centre + half * nodes[i];
      const logA = Math.log(alpha + tau);
      const logB = Math.log(beta + tau);
      const value = weights[i] * half * Math.exp(-k * logA - m * logB - reference);
      sum += value;
      sumR -= value * logA;
      sumAlpha -= (value * k) / (alpha + tau);
      sumS -= value * logB;
      sumBeta -= (value * m) / (beta + tau);
    }
    start += width;
    if (reference - logAt(start) > CUTOFF_DROP) break;
  }
  out.logI = reference + Math.log(sum);
  out.dR = sumR / sum;
  out.dAlpha = sumAlpha / sum;
  out.dS = sumS / sum;
  out.dBeta = sumBeta / sum;
  return out;
}

/** ln of the bracket [(α+T)^-(r+x) (β+T)^-s + s I] and the share of its first (alive) term. */
function bracket(params: ParetoNbdParams, x: number, tx: number, T: number, scratch: DropoutIntegral) {
  const { r, alpha, s, beta } = params;
  const aliveTerm = -(r + x) * Math.log(alpha + T) - s * Math.log(beta + T);
  dropoutIntegral(alpha, beta, r + x, s + 1, x === 0 ? 0 : tx, T, scratch);
  const deadTerm = Math.log(s) + scratch.logI;
  const total = logAddExp(aliveTerm, deadTerm);
  return { total, aliveTerm, deadTerm, aliveShare: Math.exp(aliveTerm - total) };
}

/** Log-likelihood of one customer (see the module comment). */
export function paretoNbdLogLikelihood(params: ParetoNbdParams, x: number, tx: number, T: number): number {
  checkParams(params);
  checkCustomer(x, tx, T);
  const { r, alpha, s, beta } = params;
  const scratch = {} as DropoutIntegral;
  return (
    lgamma(r + x) -
    lgamma(r) +
    r * Math.log(alpha) +
    s * Math.log(beta) +
    bracket(params, x, tx, T, scratch).total
  );
}

/**
 * Probability that a customer with history (x, tx, T) is still active: the alive term's share of
 * the likelihood, P(alive) = (α+T)^-(r+x) (β+T)^-s / [(α+T)^-(r+x) (β+T)^-s + s I]
 * (Schmittlein, Morrison and Colombo 1987, eq. 11, with the integral kept as an integral).
 */
export function paretoNbdPAlive(params: ParetoNbdParams, x: number, tx: number, T: number): number {
  checkParams(params);
  checkCustomer(x, tx, T);
  return bracket(params, x, tx, T, {} as DropoutIntegral).aliveShare;
}

/** (1 - e^-((s-1)L)) / (s-1), which is L at s = 1. */
function powerIntegral(s: number, logRatio: number): number {
  const k = (s - 1) * logRatio;
  if (Math.abs(k) < 1e-8) return logRatio * (1 - k / 2);
  return -Math.expm1(-k) / (s - 1);
}

/**
 * Expected repeat purchases in (0, t] for a new customer (Fader and Hardie 2005, eq. 17):
 * E[X(t)] = r β / (α (s-1)) [1 - (β/(β+t))^(s-1)], and (r β / α) ln(1 + t/β) at s = 1.
 */
export function paretoNbdExpected(params: ParetoNbdParams, t: number): number {
  checkParams(params);
  checkTime(t);
  const { r, alpha, s, beta } = params;
  return ((r * beta) / alpha) * powerIntegral(s, Math.log1p(t / beta));
}

/**
 * Expected purchases in the next t for a customer who is alive now, with posterior rates
 * λ ~ Gamma(r+x, α+T) and μ ~ Gamma(s, β+T): E[λ] E[(1 - e^-μt)/μ].
 */
export function paretoNbdExpectedIfAlive(params: ParetoNbdParams, t: number, x: number, T: number): number {
  const { r, alpha, s, beta } = params;
  return ((r + x) / (alpha + T)) * (beta + T) * powerIntegral(s, Math.log1p(t / (beta + T)));
}

/**
 * Expected purchases in the next t for a customer with history (x, tx, T) (Fader and Hardie 2005,
 * eq. 18): P(alive) × (r+x)(β+T) / ((α+T)(s-1)) [1 - ((β+T)/(β+T+t))^(s-1)].
 */
export function paretoNbdConditionalExpected(
  params: ParetoNbdParams,
  t: number,
  x: number,
  tx: number,
  T: number,
): number {
  checkParams(params);
  checkTime(t);
  checkCustomer(x, tx, T);
  return paretoNbdPAlive(params, x, tx, T) * paretoNbdExpectedIfAlive(params, t, x, T);
}

/**
 * Probability that a customer who is alive now, with posterior rates λ ~ Gamma(r', α') and
 * μ ~ Gamma(s, β'), makes no purchase in the next t: they either stay silent and alive for all of
 * t, or die at u < t before buying,
 * E[e^-(λ+μ)t] + ∫_0^t E[μ e^-μu] E[e^-λu] du
 * = (α'/(α'+t))^r' (β'/(β'+t))^s + ∫_0^t s β'^s (β'+u)^-(s+1) α'^r' (α'+u)^-r' du.
 */
export function paretoNbdNoPurchaseIfAlive(params: ParetoNbdParams, t: number, x: number, T: number): number {
  const { r, alpha, s, beta } = params;
  if (t === 0) return 1;
  const rPosterior = r + x;
  const alphaPosterior = alpha + T;
  const betaPosterior = beta + T;
  const silent = Math.exp(-rPosterior * Math.log1p(t / alphaPosterior) - s * Math.log1p(t / betaPosterior));
  const integral = dropoutIntegral(
    alphaPosterior,
    betaPosterior,
    rPosterior,
    s + 1,
    0,
    t,
    {} as DropoutIntegral,
  );
  const died = Math.exp(
    Math.log(s) + s * Math.log(betaPosterior) + rPosterior * Math.log(alphaPosterior) + integral.logI,
  );
  return Math.min(1, silent + died);
}

/**
 * Probability of no purchase in the next t for a customer with history (x, tx, T):
 * 1 - P(alive) + P(alive) × P(no purchase in t | alive).
 */
export function paretoNbdPNoPurchase(
  params: ParetoNbdParams,
  t: number,
  x: number,
  tx: number,
  T: number,
): number {
  checkParams(params);
  checkTime(t);
  checkCustomer(x, tx, T);
  const pAlive = paretoNbdPAlive(params, x, tx, T);
  return Math.min(1, Math.max(0, 1 - pAlive * (1 - paretoNbdNoPurchaseIfAlive(params, t, x, T))));
}

/**
 * Mean negative log-likelihood per customer over grouped rows, with its gradient with respect to
 * (ln r, ln α, ln s, ln β). Terms depending only on x are computed once per distinct x.
 */
function makeObjective(data: GroupedRows) {
  const nX = data.xValues.length;
  const constX = new Float64Array(nX);
  const dRX = new Float64Array(nX);
  const scratch = {} as DropoutIntegral;
  const evaluate = (theta: readonly number[], gradient: number[] | null): number => {
    const r = Math.exp(theta[0]);
    const alpha = Math.exp(theta[1]);
    const s = Math.exp(theta[2]);
    const beta = Math.exp(theta[3]);
    if (!(r > 0 && alpha > 0 && s > 0 && beta > 0) || !Number.isFinite(r + alpha + s + beta)) return Infinity;
    const logAlpha = Math.log(alpha);
    const logBeta = Math.log(beta);
    const logS = Math.log(s);
    const lgR = lgamma(r);
    const psiR = digamma(r);
    for (let i = 0; i < nX; i++) {
      const x = data.xValues[i];
      constX[i] = lgamma(r + x) - lgR + r * logAlpha + s * logBeta;
      dRX[i] = digamma(r + x) - psiR + logAlpha;
    }
    let ll = 0;
    let gR = 0;
    let gAlpha = 0;
    let gS = 0;
    let gBeta = 0;
    const { xIndex, txIndex, tIndex, weight, xValues, txValues, tValues, count } = data;
    for (let row = 0; row < count; row++) {
      const xi = xIndex[row];
      const w = weight[row];
      const x = xValues[xi];
      const T = tValues[tIndex[row]];
      const tx = x === 0 ? 0 : txValues[txIndex[row]];
      const rx = r + x;
      const logAT = Math.log(alpha + T);
      const logBT = Math.log(beta + T);
      const aliveTerm = -rx * logAT - s * logBT;
      dropoutIntegral(alpha, beta, rx, s + 1, tx, T, scratch);
      const deadTerm = logS + scratch.logI;
      const total = logAddExp(aliveTerm, deadTerm);
      if (!Number.isFinite(total)) return Infinity;
      const alive = Math.exp(aliveTerm - total);
      const dead = 1 - alive;
      ll += w * (constX[xi] + total);
      gR += w * (dRX[xi] + alive * -logAT + dead * scratch.dR);
      gAlpha += w * (r / alpha + alive * (-rx / (alpha + T)) + dead * scratch.dAlpha);
      gS += w * (logBeta + alive * -logBT + dead * (1 / s + scratch.dS));
      gBeta += w * (s / beta + alive * (-s / (beta + T)) + dead * scratch.dBeta);
    }
    const scale = data.totalWeight > 0 ? 1 / data.totalWeight : 1;
    if (gradient) {
      gradient[0] = -gR * r * scale;
      gradient[1] = -gAlpha * alpha * scale;
      gradient[2] = -gS * s * scale;
      gradient[3] = -gBeta * beta * scale;
    }
    return -ll * scale;
  };
  return {
    value: (theta: readonly number[]) => evaluate(theta, null),
    valueAndGradient: (theta: readonly number[], gradient: number[]) => evaluate(theta, gradient),
  };
}

/** Above this many unique rows the starts run on a subsample first. */
const PILOT_ROWS = 20_000;

/** Options for {@link fitParetoNbd}. */
export interface FitParetoNbdOptions {
  /** Starting points; by default three spread-out ones scaled to the data. */
  starts?: readonly ParetoNbdParams[];
  /** Iteration cap per start (default 1000). */
  maxIterations?: number;
}

/**
 * Maximum-likelihood estimates of the Pareto/NBD parameters (Fader, Hardie and Lee 2005, the
 * MATLAB note's eq. 1 summed over customers), by BFGS over log-parameters from several starts,
 * with the same diagnostics as the other purchase models. A mean dropout rate s/β so small that
 * customers would live a million times the observed span means the fit found no dropout.
 */
export function fitParetoNbd(rows: readonly PurchaseRow[], options: FitParetoNbdOptions = {}): ParetoNbdFit {
  return runSteps(fitParetoNbdSteps(rows, options));
}

/** {@link fitParetoNbd}, yielding after each evaluation of the likelihood. */
export function* fitParetoNbdSteps(
  rows: readonly PurchaseRow[],
  options: FitParetoNbdOptions = {},
): Steps<ParetoNbdFit> {
  const data = groupRows(rows, "fitParetoNbd");
  if (!(data.totalWeight > 0))
    throw new RangeError("fitParetoNbd needs at least one customer with positive weight");
  const rate = Math.max(data.meanX, 0.05) / Math.max(data.meanT, 1e-6);
  const span = Math.max(data.meanT, 1e-6);
  const starts = options.starts ?? [
    { r: 1, alpha: 1 / rate, s: 1, beta: span },
    { r: 0.5, alpha: 0.5 / rate, s: 0.5, beta: span / 2 },
    { r: 2, alpha: 2 / rate, s: 2, beta: 4 * span },
  ];
  for (const start of starts) checkParams(start);
  yield;
  const fit = yield* fitLogParametersSteps({
    names: ["r", "alpha", "s", "beta"],
    objective: makeObjective(data),
    pilot: data.count > PILOT_ROWS ? makeObjective(subsampleRows(data, PILOT_ROWS / 2)) : undefined,
    starts: starts.map((start) => [start.r, start.alpha, start.s, start.beta]),
    customers: data.totalWeight,
    maxIterations: options.maxIterations,
    edgeProblems: ([r, , s, beta]) => {
      const lifetimes = beta / s / span;
      const exploding = explodingShapes(["r", "s"], [r, s]);
      return lifetimes > 1e6
        ? [
            ...exploding,
            `s = ${s.toPrecision(3)}, beta = ${beta.toPrecision(3)}: the mean lifetime β/s is ${lifetimes.toExponential(1)} times the customers' mean age, so the model sees no dropout and P(alive) is near 1 for everyone`,
          ]
        : exploding;
    },
  });
  const [r, alpha, s, beta] = fit.values;
  return { r, alpha, s, beta, ...fitQuality(fit, data.totalWeight) };
}
