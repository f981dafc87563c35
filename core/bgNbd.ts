/**
 * The BG/NBD model of repeat buying: Fader, Hardie and Lee (2005), "Counting Your Customers the
 * Easy Way: An Alternative to the Pareto/NBD Model", Marketing Science 24(2), 275-284.
 *
 * While active, a customer buys at a Poisson rate λ ~ Gamma(r, α); after every repeat purchase
 * they drop out for good with probability p ~ Beta(a, b). A customer is summarised by
 * x (repeat purchases), tx (time of the last purchase) and T (time since the first purchase),
 * all measured from their first purchase in one time unit (days or weeks).
 */

import { gaussLegendre, incompleteBeta, lbeta, lgamma, digamma, logAddExp, logSigmoid } from "./special.js";
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

/** BG/NBD parameters: purchase rate λ ~ Gamma(shape r, rate α), dropout p ~ Beta(a, b). */
export interface BgNbdParams {
  r: number;
  alpha: number;
  a: number;
  b: number;
}

/** One customer (or `weight` identical customers) for fitting. */
export type BgNbdRow = PurchaseRow;

/** The maximum-likelihood fit. */
export interface BgNbdFit extends BgNbdParams, ModelFitQuality {}

/** Options for {@link fitBgNbd}. */
export interface FitBgNbdOptions {
  /** Starting points; by default three spread-out ones scaled to the data. */
  starts?: readonly BgNbdParams[];
  /** Iteration cap per start (default 1000). */
  maxIterations?: number;
}

function checkParams(params: BgNbdParams): void {
  checkPositiveParams("BG/NBD", { r: params.r, alpha: params.alpha, a: params.a, b: params.b });
}

/**
 * Log-likelihood of one customer, eq. (6) of Fader, Hardie and Lee (2005), in log space:
 * ln L = A1 + A2 + ln(e^A3 + δ(x>0) e^A4) with A1 = lnΓ(r+x) - lnΓ(r) + r ln α,
 * A2 = ln B(a, b+x) - ln B(a, b), A3 = -(r+x) ln(α+T), A4 = ln(a / (b+x-1)) - (r+x) ln(α+tx).
 */
export function bgNbdLogLikelihood(params: BgNbdParams, x: number, tx: number, T: number): number {
  checkParams(params);
  checkCustomer(x, tx, T);
  const { r, alpha, a, b } = params;
  const a1 = lgamma(r + x) - lgamma(r) + r * Math.log(alpha);
  const a2 = lgamma(a + b) + lgamma(b + x) - lgamma(b) - lgamma(a + b + x);
  const a3 = -(r + x) * Math.log(alpha + T);
  if (x === 0) return a1 + a2 + a3;
  const a4 = Math.log(a) - Math.log(b + x - 1) - (r + x) * Math.log(alpha + tx);
  return a1 + a2 + logAddExp(a3, a4);
}

/**
 * Probability that a customer with history (x, tx, T) is still active under the BG/NBD model of
 * Fader, Hardie and Lee (2005), as derived in Fader, Hardie and Lee (2008), "Computing P(alive)
 * Using the BG/NBD Model":
 * P(alive) = 1 / (1 + δ(x>0) a / (b+x-1) ((α+T)/(α+tx))^(r+x)); 1 when x = 0.
 */
export function bgNbdPAlive(params: BgNbdParams, x: number, tx: number, T: number): number {
  checkParams(params);
  checkCustomer(x, tx, T);
  return pAliveUnchecked(params, x, tx, T);
}

/**
 * P(alive) without input checks, for hot loops whose inputs were checked once. `modified` gives
 * MBG/NBD's 1 / (1 + a/(b+x) ((α+T)/(α+tx))^(r+x)), which has the dropout term at x = 0 too.
 */
export function pAliveUnchecked(
  params: BgNbdParams,
  x: number,
  tx: number,
  T: number,
  modified = false,
): number {
  if (x === 0 && !modified) return 1;
  const { r, alpha, a, b } = params;
  const logOdds =
    Math.log(a) - Math.log(b + x - (modified ? 0 : 1)) + (r + x) * Math.log1p((T - tx) / (alpha + tx));
  // 1 / (1 + e^logOdds), arranged so neither branch overflows.
  if (logOdds > 0) {
    const e = Math.exp(-logOdds);
    return e / (1 + e);
  }
  return 1 / (1 + Math.exp(logOdds));
}

/**
 * Expected number of repeat purchases in (0, t] for a new customer, E[X(t)], eq. (9) of Fader,
 * Hardie and Lee (2005): ((a+b-1)/(a-1)) [1 - (α/(α+t))^r 2F1(r, b; a+b-1; t/(α+t))].
 *
 * Evaluated without the hypergeometric function, which is ill-conditioned near a = 1 and for
 * t ≫ α, by the identity E[X(t)] = Σ_{k>=1} P(N(t) >= k) E[(1-p)^(k-1)]: the k-th repeat
 * purchase happens when the gamma-Poisson count N(t) reaches k and the customer survived the
 * k-1 purchases before it. Swapping the sums gives Σ_j P(N(t) = j) W_j with
 * W_j = Σ_{k<j} B(a, b+k)/B(a, b), a series of positive terms. When the count is spread over too
 * many terms (t ≫ α), the same expectation is integrated over p instead (see
 * `expectedByQuadrature`). Both forms agree with eq. (9) wherever that converges.
 */
export function bgNbdExpected(params: BgNbdParams, t: number): number {
  checkParams(params);
  checkTime(t);
  return betaGeometricExpected(params.r, params.alpha, params.a, params.b, t);
}

/**
 * Expected purchases in the next t time units for a customer with history (x, tx, T), eq. (10)
 * of Fader, Hardie and Lee (2005):
 * E[Y(t) | x, tx, T] = ((a+b+x-1)/(a-1)) [1 - ((α+T)/(α+T+t))^(r+x) 2F1(r+x, b+x; a+b+x-1;
 * t/(α+T+t))] / (1 + δ(x>0) a/(b+x-1) ((α+T)/(α+tx))^(r+x)).
 *
 * The numerator is E[X(t)] of eq. (9) under the posterior parameters (r+x, α+T, a, b+x) and the
 * denominator is 1 / P(alive), so this is P(alive) × bgNbdExpected(posterior, t).
 */
export function bgNbdConditionalExpected(
  params: BgNbdParams,
  t: number,
  x: number,
  tx: number,
  T: number,
): number {
  checkParams(params);
  checkTime(t);
  checkCustomer(x, tx, T);
  const { r, alpha, a, b } = params;
  return pAliveUnchecked(params, x, tx, T) * betaGeometricExpected(r + x, alpha + T, a, b + x, t);
}

/**
 * Probability that a customer with history (x, tx, T) makes no purchase in the next t time units:
 * either they have already dropped out, or they are active and their Poisson process, whose rate
 * given the history is Gamma(r+x, α+T), stays silent for t (the n = 0 case of Fader, Hardie and
 * Lee's P(Y(t) = n | x, tx, T)):
 * P(Y(t) = 0 | x, tx, T) = 1 - P(alive) + P(alive) ((α+T)/(α+T+t))^(r+x).
 */
export function bgNbdPNoPurchase(params: BgNbdParams, t: number, x: number, tx: number, T: number): number {
  checkParams(params);
  checkTime(t);
  checkCustomer(x, tx, T);
  return noPurchaseGivenPAlive(pAliveUnchecked(params, x, tx, T), params.r + x, params.alpha + T, t);
}

/**
 * 1 - pAlive + pAlive (α'/(α'+t))^r' for an active customer whose rate is Gamma(r', α'): the
 * no-purchase probability of the beta-geometric models, arranged so it stays accurate near 0.
 */
export function noPurchaseGivenPAlive(
  pAlive: number,
  rPosterior: number,
  alphaPosterior: number,
  t: number,
): number {
  const silentIfAlive = Math.exp(-rPosterior * Math.log1p(t / alphaPosterior));
  return Math.min(1, Math.max(0, 1 - pAlive * (1 - silentIfAlive)));
}

/**
 * Probability of exactly n repeat purchases in (0, t] for a new customer, eq. (8) of Fader,
 * Hardie and Lee (2005), in log space:
 * P(X(t) = n) = B(a, b+n)/B(a, b) NB(n; r, α/(α+t)) + δ(n>0) B(a+1, b+n-1)/B(a, b) P(N(t) >= n),
 * where the bracket of eq. (8), 1 - Σ_{j<n} NB(j), is the regularised incomplete beta function
 * I_{t/(α+t)}(n, r), computed directly so that small tails keep their precision.
 */
export function bgNbdProbN(params: BgNbdParams, t: number, n: number): number {
  checkParams(params);
  checkTime(t);
  if (!(n >= 0) || !Number.isInteger(n))
    throw new RangeError(`count n must be a non-negative integer, got ${n}`);
  if (t === 0) return n === 0 ? 1 : 0;
  const { r, alpha, a, b } = params;
  const logOneMinusZ = -Math.log1p(t / alpha);
  const logZ = Math.log(t) - Math.log(alpha + t);
  const lbetaAB = lbeta(a, b);
  const term1 =
    lbeta(a, b + n) -
    lbetaAB +
    lgamma(r + n) -
    lgamma(r) -
    lgamma(n + 1) +
    r * logOneMinusZ +
    (n === 0 ? 0 : n * logZ);
  if (n === 0) return Math.min(1, Math.exp(term1));
  const z = t / (alpha + t);
  const tail = z < 0.5 ? incompleteBeta(z, n, r).lower : incompleteBeta(1 / (1 + t / alpha), r, n).upper;
  const term2 = tail > 0 ? lbeta(a + 1, b + n - 1) - lbetaAB + Math.log(tail) : -Infinity;
  return Math.min(1, Math.exp(logAddExp(term1, term2)));
}

/** Most series terms before switching to quadrature. */
const MAX_SERIES_TERMS = 6000;

/** E[X(t)] under (r, α, a, b) without input checks; see {@link bgNbdExpected}. */
export function betaGeometricExpected(r: number, alpha: number, a: number, b: number, t: number): number {
  if (t === 0) return 0;
  const u = t / alpha;
  const mean = r * u;
  const estimatedTerms = mean + 8 * Math.sqrt(mean * (1 + u)) + 40 * (1 + u);
  return estimatedTerms <= MAX_SERIES_TERMS ? expectedBySeries(r, u, a, b) : expectedByQuadrature(r, u, a, b);
}

const LOG_RESCALE = 250 * Math.LN10;

/**
 * Σ_{j>=1} P(N = j) W_j where N ~ NegBin(r, z = u/(1+u)) and W_j = Σ_{k<j} B(a, b+k)/B(a, b).
 * All terms are positive; the pmf is carried with a scale factor so it cannot under- or overflow.
 */
function expectedBySeries(r: number, u: number, a: number, b: number): number {
  const z = u / (1 + u);
  const logP0 = -r * Math.log1p(u);
  let offset = 0;
  let pmf: number;
  if (logP0 < -700) {
    offset = logP0;
    pmf = 1;
  } else pmf = Math.exp(logP0);
  const mode = r > 1 ? (r - 1) * u : 0;
  let survival = 1; // B(a, b+k)/B(a, b) = E[(1-p)^k], for k = j - 1
  let cumulative = 0; // W_j
  let sum = 0;
  for (let j = 1; j <= 4 * MAX_SERIES_TERMS; j++) {
    pmf *= ((r + j - 1) / j) * z;
    cumulative += survival;
    survival *= (b + j - 1) / (a + b + j - 1);
    const term = pmf * cumulative;
    sum += term;
    if (pmf > 1e250) {
      pmf *= 1e-250;
      sum *= 1e-250;
      offset += LOG_RESCALE;
    }
    if (j > mode) {
      // Past the mode the terms fall at least geometrically with this ratio.
      const ratio = Math.max(((r + j) / (j + 1)) * z, z) * (1 + 1 / j);
      if (ratio < 1 && term * ratio <= 1e-17 * (1 - ratio) * sum) break;
    }
  }
  if (offset === 0) return sum;
  return sum === 0 ? 0 : Math.exp(Math.log(sum) + offset);
}

const GAUSS_LEGENDRE_10 = gaussLegendre(10);

/**
 * E[X(t)] = E_p[(1 - (1 + p u)^-r) / p] with p ~ Beta(a, b), integrated over the logit
 * y = ln(p / (1-p)), in which the Beta density is smooth and log-concave for all a, b > 0.
 * Gauss-Legendre panels sized to the density's curvature cover the middle; where the integrand's
 * p-factor is constant to double precision (p < 1e-17 / (1 + (r+1) u), or 1 - p < e^-40) the
 * tails are the incomplete beta function times that constant.
 */
function expectedByQuadrature(r: number, u: number, a: number, b: number): number {
  const logBeta = lbeta(a, b);
  const pFactor = (p: number) => (p > 0 ? -Math.expm1(-r * Math.log1p(p * u)) / p : r * u);
  const logDensity = (y: number) => a * logSigmoid(y) + b * logSigmoid(-y);
  const peak = Math.log(a / b);
  const peakValue = logDensity(peak);
  const drop = 60 + Math.max(0, Math.log(r * u));
  const edge = (direction: number) => {
    let inside = 0;
    let outside = 1;
    while (logDensity(peak + direction * outside) > peakValue - drop && outside < 1e7) {
      inside = outside;
      outside *= 2;
    }
    for (let i = 0; i < 60; i++) {
      const middle = 0.5 * (inside + outside);
      if (logDensity(peak + direction * middle) > peakValue - drop) inside = middle;
      else outside = middle;
    }
    return peak + direction * outside;
  };
  const leftCut = Math.log(1e-17 / (1 + (r + 1) * u));
  const rightCut = 40;
  const sigmoid = (y: number) => (y < 0 ? Math.exp(y) / (1 + Math.exp(y)) : 1 / (1 + Math.exp(-y)));
  let total = r * u * incompleteBeta(sigmoid(leftCut), a, b).lower;
  total += pFactor(1) * incompleteBeta(sigmoid(-rightCut), b, a).lower;
  const left = Math.max(edge(-1), leftCut);
  const right = Math.min(edge(1), rightCut);
  const { nodes, weights } = GAUSS_LEGENDRE_10;
  let y = left;
  while (y < right) {
    const curvatureAt = (v: number) => (a + b) * sigmoid(v) * sigmoid(-v) + 1e-300;
    let width = Math.min(3, 1.5 / Math.sqrt(curvatureAt(y)));
    const nearest = Math.min(Math.max(0, y), y + width);
    width = Math.min(width, 1.5 / Math.sqrt(curvatureAt(nearest)), right - y);
    const half = 0.5 * width;
    const centre = y + half;
    let panel = 0;
    for (let i = 0; i < nodes.length; i++) {
      const v = centre + half * nodes[i];
      panel += weights[i] * Math.exp(logDensity(v) - logBeta) * pFactor(sigmoid(v));
    }
    total += panel * half;
    y += width;
  }
  return total;
}

/**
 * The mean negative log-likelihood per customer over grouped rows and its gradient with respect
 * to the log-parameters (ln r, ln α, ln a, ln b). Everything that depends only on x, only on T or
 * only on tx is computed once per distinct value, so the per-row work is one exp and one log1p.
 *
 * `modified` switches to the MBG/NBD likelihood of Batislam, Denizel and Filiztekin (2007), which
 * differs only in counting one more dropout opportunity (at the first purchase):
 * B(a, b+x) -> B(a, b+x+1), a/(b+x-1) -> a/(b+x), and the second term is there for x = 0 too.
 */
export function betaGeometricObjective(data: GroupedRows, modified = false) {
  const shift = modified ? 1 : 0;
  const nX = data.xValues.length;
  const constX = new Float64Array(nX);
  const logRatioX = new Float64Array(nX);
  const dR = new Float64Array(nX);
  const dA = new Float64Array(nX);
  const dB = new Float64Array(nX);
  const invBx1 = new Float64Array(nX);
  const logT = new Float64Array(data.tValues.length);
  const invT = new Float64Array(data.tValues.length);
  const logTx = new Float64Array(data.txValues.length);
  const invTx = new Float64Array(data.txValues.length);

  const evaluate = (theta: readonly number[], gradient: number[] | null): number => {
    const r = Math.exp(theta[0]);
    const alpha = Math.exp(theta[1]);
    const a = Math.exp(theta[2]);
    const b = Math.exp(theta[3]);
    if (!(r > 0 && alpha > 0 && a > 0 && b > 0) || !Number.isFinite(r + alpha + a + b)) return Infinity;
    const logAlpha = Math.log(alpha);
    const logA = Math.log(a);
    const lgR = lgamma(r);
    const lgAB = lgamma(a + b);
    const lgB = lgamma(b);
    const psiR = digamma(r);
    const psiAB = digamma(a + b);
    const psiB = digamma(b);
    for (let i = 0; i < nX; i++) {
      const x = data.xValues[i];
      const bx = b + x + shift;
      constX[i] = lgamma(r + x) - lgR + r * logAlpha + lgAB + lgamma(bx) - lgB - lgamma(a + bx);
      logRatioX[i] = x > 0 || modified ? logA - Math.log(bx - 1) : 0;
      const psiABX = digamma(a + bx);
      dR[i] = digamma(r + x) - psiR + logAlpha;
      dA[i] = psiAB - psiABX;
      dB[i] = psiAB + digamma(bx) - psiB - psiABX;
      invBx1[i] = x > 0 || modified ? 1 / (bx - 1) : 0;
    }
    for (let i = 0; i < logT.length; i++) {
      logT[i] = Math.log(alpha + data.tValues[i]);
      invT[i] = 1 / (alpha + data.tValues[i]);
    }
    for (let i = 0; i < logTx.length; i++) {
      logTx[i] = Math.log(alpha + data.txValues[i]);
      invTx[i] = 1 / (alpha + data.txValues[i]);
    }
    let ll = 0;
    let gR = 0;
    let gAlpha = 0;
    let gA = 0;
    let gB = 0;
    const { xIndex, txIndex, tIndex, weight, xValues, count } = data;
    // The gradient is always accumulated: BFGS asks for it at every point it evaluates.
    for (let k = 0; k < count; k++) {
      const xi = xIndex[k];
      const w = weight[k];
      const x = xValues[xi];
      const ti = tIndex[k];
      const lT = logT[ti];
      if (x === 0 && !modified) {
        ll += w * (constX[xi] - r * lT);
        gR += w * (dR[xi] - lT);
        gAlpha += w * (r / alpha - r * invT[ti]);
        gA += w * dA[xi];
        gB += w * dB[xi];
        continue;
      }
      const rx = r + x;
      const txi = txIndex[k];
      const lTx = logTx[txi];
      const a3 = -rx * lT;
      const a4 = logRatioX[xi] - rx * lTx;
      // ln(e^a3 + e^a4) and the share ω = e^a4 / (e^a3 + e^a4).
      const difference = a4 - a3;
      const e = Math.exp(-Math.abs(difference));
      const lse = (difference > 0 ? a4 : a3) + Math.log1p(e);
      const omega = difference > 0 ? 1 / (1 + e) : e / (1 + e);
      ll += w * (constX[xi] + lse);
      gR += w * (dR[xi] - lT + omega * (lT - lTx));
      gAlpha += w * (r / alpha - rx * (invT[ti] + omega * (invTx[txi] - invT[ti])));
      gA += w * (dA[xi] + omega / a);
      gB += w * (dB[xi] - omega * invBx1[xi]);
    }
    const scale = data.totalWeight > 0 ? 1 / data.totalWeight : 1;
    if (gradient) {
      gradient[0] = -gR * r * scale;
      gradient[1] = -gAlpha * alpha * scale;
      gradient[2] = -gA * a * scale;
      gradient[3] = -gB * b * scale;
    }
    return -ll * scale;
  };
  return {
    value: (theta: readonly number[]) => evaluate(theta, null),
    valueAndGradient: (theta: readonly number[], gradient: number[]) => evaluate(theta, gradient),
  };
}

/** Above this many unique rows, fits first converge on a subsample (see `minimizeWithPilot`). */
export const PILOT_ROWS = 40_000;

/** Three spread-out starting points scaled to the data's purchase rate. */
export function betaGeometricStarts(data: GroupedRows): BgNbdParams[] {
  const rate = Math.max(data.meanX, 0.05) / Math.max(data.meanT, 1e-6);
  return [
    { r: 1, alpha: 1 / rate, a: 1, b: 1 },
    { r: 0.3, alpha: 0.3 / rate, a: 0.5, b: 3 },
    { r: 3, alpha: 3 / rate, a: 2, b: 8 },
  ];
}

/**
 * Signs that a beta-geometric dropout fit has run to the edge: a mean dropout probability
 * a / (a + b) below one in a million per purchase means the model found no dropout at all, and
 * P(alive) is then 1 for everyone whatever their recency.
 */
export function betaGeometricEdgeProblems([r, , a, b]: readonly number[]): string[] {
  const dropout = a / (a + b);
  const exploding = explodingShapes(["r", "a", "b"], [r, a, b]);
  return dropout < 1e-6
    ? [
        ...exploding,
        `a = ${a.toPrecision(3)}, b = ${b.toPrecision(3)}: the mean dropout probability per purchase is ${dropout.toExponential(1)}, so the model sees no dropout and P(alive) is 1 for everyone`,
      ]
    : exploding;
}

/**
 * Maximum-likelihood estimates of the BG/NBD parameters, eq. (6) of Fader, Hardie and Lee (2005)
 * summed over customers. Rows are grouped by unique (x, tx, T) with weights, and the likelihood is
 * maximised over log-parameters by BFGS with an analytic gradient from several starting points.
 * With many unique rows the starts are first run on a stratified subsample and the best one is
 * then finished on all rows, so the estimate is the full-data maximum at a fraction of the cost.
 * The result carries diagnostics (see `modelFit.ts`); a degenerate fit is not `converged`.
 */
export function fitBgNbd(rows: readonly BgNbdRow[], options: FitBgNbdOptions = {}): BgNbdFit {
  return runSteps(fitBetaGeometricSteps(rows, options, false, "fitBgNbd"));
}

/**
 * The BG/NBD or (modified) MBG/NBD fit, yielding after each evaluation of the likelihood; see
 * {@link fitBgNbd}.
 */
export function* fitBetaGeometricSteps(
  rows: readonly PurchaseRow[],
  options: FitBgNbdOptions,
  modified: boolean,
  caller: string,
): Steps<BgNbdFit> {
  const data = groupRows(rows, caller);
  if (!(data.totalWeight > 0))
    throw new RangeError(`${caller} needs at least one customer with positive weight`);
  const starts = options.starts ?? betaGeometricStarts(data);
  for (const start of starts) checkParams(start);
  yield;
  const fit = yield* fitLogParametersSteps({
    names: ["r", "alpha", "a", "b"],
    objective: betaGeometricObjective(data, modified),
    pilot:
      data.count > PILOT_ROWS
        ? betaGeometricObjective(subsampleRows(data, PILOT_ROWS / 2), modified)
        : undefined,
    starts: starts.map((s) => [s.r, s.alpha, s.a, s.b]),
    customers: data.totalWeight,
    maxIterations: options.maxIterations,
    edgeProblems: betaGeometricEdgeProblems,
  });
  const [r, alpha, a, b] = fit.values;
  return { r, alpha, a, b, ...fitQuality(fit, data.totalWeight) };
}
