/**
 * The Gamma-Gamma model of spend per transaction: Fader, Hardie and Lee (2005), "RFM and CLV:
 * Using Iso-Value Curves for Customer Base Analysis", Journal of Marketing Research 42(4),
 * 415-430, in the notation of Fader and Hardie (2013), "The Gamma-Gamma Model of Monetary Value".
 *
 * A customer's transaction values are Gamma(p, ν) around their mean p/ν, and ν ~ Gamma(q, v)
 * across customers. It is fitted on returning customers (x > 0 repeat transactions with mean
 * value m̄ = `monetary` > 0) and assumes spend is independent of frequency, which is why the fit
 * reports the correlation between the two.
 */

import { digamma, lgamma } from "./special.js";
import { minimizeSteps, minimizeWithPilotSteps, runSteps, type Steps } from "./optimize.js";

/** Gamma-Gamma parameters: transaction values ~ Gamma(p, ν), ν ~ Gamma(q, v). */
export interface GammaGammaParams {
  p: number;
  q: number;
  v: number;
}

/** One customer (or `weight` identical customers) for fitting. */
export interface GammaGammaRow {
  /** Repeat transactions. */
  x: number;
  /** Mean value of the repeat transactions. */
  monetary: number;
  /** How many customers share these values (default 1). */
  weight?: number;
}

/** The maximum-likelihood fit. */
export interface GammaGammaFit extends GammaGammaParams {
  /** Total log-likelihood at the estimate over the fitted customers. */
  logLikelihood: number;
  /** Whether the optimiser's convergence test passed. */
  converged: boolean;
  /** Optimiser iterations, summed over starting points. */
  iterations: number;
  /** Customers fitted (x > 0 and monetary > 0; the sum of their weights). */
  customers: number;
  /** Customers left out because x = 0 or monetary <= 0 (the sum of their weights). */
  ignoredCustomers: number;
  /**
   * Pearson correlation between x and monetary over the fitted customers. The model assumes
   * spend does not depend on frequency; a value far from 0 (say beyond ±0.3) argues against it.
   */
  frequencyMonetaryCorrelation: number;
}

function checkParam(name: string, value: number): void {
  if (!(value > 0) || !Number.isFinite(value)) {
    throw new RangeError(`Gamma-Gamma parameter ${name} must be a positive finite number, got ${value}`);
  }
}

function checkParams(params: GammaGammaParams): void {
  checkParam("p", params.p);
  checkParam("q", params.q);
  checkParam("v", params.v);
}

/**
 * Expected mean transaction value of a customer with x repeat transactions of mean value m̄,
 * the conditional expectation of Fader, Hardie and Lee (2005, JMR) as derived in Fader and Hardie
 * (2013), "The Gamma-Gamma Model of Monetary Value": E[M | x, m̄] = p (v + x m̄) / (p x + q - 1), a weighted
 * average of the population mean p v / (q - 1) and the customer's own mean.
 *
 * For x = 0, and for a customer whose mean repeat value is not positive (returns outweighed
 * purchases, which the model cannot represent), the result is the population mean p v / (q - 1).
 * Throws when that mean is infinite (q <= 1), or when p x + q <= 1.
 */
export function gammaGammaExpectedSpend(params: GammaGammaParams, x: number, monetary: number): number {
  checkParams(params);
  if (!(x >= 0) || !Number.isFinite(x))
    throw new RangeError(`frequency x must be a finite number >= 0, got ${x}`);
  if (!Number.isFinite(monetary)) throw new RangeError(`monetary must be a finite number, got ${monetary}`);
  const { p, q, v } = params;
  if (x === 0 || monetary <= 0) {
    if (!(q > 1)) {
      throw new RangeError(
        `Gamma-Gamma population mean spend p v / (q - 1) is infinite: q must exceed 1, got ${q}`,
      );
    }
    return (p * v) / (q - 1);
  }
  const denominator = p * x + q - 1;
  if (!(denominator > 0)) {
    throw new RangeError(`Gamma-Gamma expected spend is infinite: p x + q must exceed 1, got ${p * x + q}`);
  }
  // Written as the weighted average so large x or m̄ cannot overflow the product.
  const weight = (p * x) / denominator;
  return (p * v) / denominator + weight * monetary;
}

/** Returning customers prepared for the likelihood: per-row logs are computed once. */
interface SpendRows {
  xIndex: Int32Array;
  xValues: Float64Array;
  logM: Float64Array;
  logX: Float64Array;
  xm: Float64Array;
  weight: Float64Array;
  total: number;
}

/** Above this many customers, fits first converge on a subsample (see `minimizeWithPilot`). */
const PILOT_ROWS = 40_000;

/** Every k-th row, weighted by k, so the subsample's mean log-likelihood estimates the full one. */
function subsampleRows(rows: SpendRows, target: number): SpendRows {
  const step = Math.max(1, Math.ceil(rows.weight.length / target));
  const count = Math.ceil(rows.weight.length / step);
  const xIndex = new Int32Array(count);
  const logM = new Float64Array(count);
  const logX = new Float64Array(count);
  const xm = new Float64Array(count);
  const weight = new Float64Array(count);
  let total = 0;
  for (let i = 0; i < count; i++) {
    const k = i * step;
    xIndex[i] = rows.xIndex[k];
    logM[i] = rows.logM[k];
    logX[i] = rows.logX[k];
    xm[i] = rows.xm[k];
    weight[i] = rows.weight[k] * step;
    total += weight[i];
  }
  return { xIndex, xValues: rows.xValues, logM, logX, xm, weight, total };
}

/**
 * Mean negative log-likelihood per customer and its gradient with respect to (ln p, ln q, ln v).
 * The gamma functions depend on x only and are computed once per distinct x; each row costs one
 * logarithm.
 */
function makeObjective(rows: SpendRows) {
  const { xIndex, xValues, logM, logX, xm, weight, total } = rows;
  const n = weight.length;
  const nX = xValues.length;
  const constX = new Float64Array(nX);
  const psiPxQ = new Float64Array(nX);
  const psiPx = new Float64Array(nX);
  const evaluate = (theta: readonly number[], gradient: number[] | null): number => {
    const p = Math.exp(theta[0]);
    const q = Math.exp(theta[1]);
    const v = Math.exp(theta[2]);
    if (!(p > 0 && q > 0 && v > 0) || !Number.isFinite(p + q + v)) return Infinity;
    const logV = Math.log(v);
    const lgQ = lgamma(q);
    const psiQ = digamma(q);
    for (let i = 0; i < nX; i++) {
      const px = p * xValues[i];
      constX[i] = lgamma(px + q) - lgamma(px) - lgQ + q * logV;
      psiPxQ[i] = digamma(px + q);
      psiPx[i] = digamma(px);
    }
    // The gradient is always accumulated: BFGS asks for it at every point it evaluates.
    let ll = 0;
    let gP = 0;
    let gQ = 0;
    let gV = 0;
    for (let k = 0; k < n; k++) {
      const xi = xIndex[k];
      const x = xValues[xi];
      const w = weight[k];
      const px = p * x;
      const denominator = v + xm[k];
      const logDenominator = Math.log(denominator);
      ll += w * (constX[xi] + (px - 1) * logM[k] + px * logX[k] - (px + q) * logDenominator);
      gP += w * x * (psiPxQ[xi] - psiPx[xi] + logM[k] + logX[k] - logDenominator);
      gQ += w * (psiPxQ[xi] - psiQ + logV - logDenominator);
      gV += w * (q / v - (px + q) / denominator);
    }
    const scale = 1 / total;
    if (gradient) {
      gradient[0] = -gP * p * scale;
      gradient[1] = -gQ * q * scale;
      gradient[2] = -gV * v * scale;
    }
    return -ll * scale;
  };
  return {
    value: (theta: readonly number[]) => evaluate(theta, null),
    valueAndGradient: (theta: readonly number[], gradient: number[]) => evaluate(theta, gradient),
  };
}

/**
 * Maximum-likelihood estimates of the Gamma-Gamma parameters from the marginal density of the
 * observed mean value m̄ given x (Fader and Hardie 2013, "The Gamma-Gamma Model of Monetary Value"):
 * ln f(m̄ | x) = lnΓ(px+q) - lnΓ(px) - lnΓ(q) + q ln v + (px-1) ln m̄ + px ln x - (px+q) ln(v + x m̄),
 * maximised over log-parameters by BFGS with an analytic gradient from several starting points
 * (on a subsample first when there are many customers, finished on all of them).
 * Rows with x = 0 or monetary <= 0 are ignored and counted in `ignoredCustomers`.
 */
export function fitGammaGamma(
  rows: readonly GammaGammaRow[],
  options: { maxIterations?: number } = {},
): GammaGammaFit {
  return runSteps(fitGammaGammaSteps(rows, options));
}

/** {@link fitGammaGamma}, yielding after each evaluation of the likelihood (see `Steps`). */
export function* fitGammaGammaSteps(
  rows: readonly GammaGammaRow[],
  options: { maxIterations?: number } = {},
): Steps<GammaGammaFit> {
  const xMap = new Map<number, number>();
  const xIndexList: number[] = [];
  const logM: number[] = [];
  const logX: number[] = [];
  const xm: number[] = [];
  const weights: number[] = [];
  let ignored = 0;
  let total = 0;
  let sumX = 0;
  let sumM = 0;
  let sumXX = 0;
  let sumMM = 0;
  let sumXM = 0;
  let sumLogM = 0;
  for (let i = 0; i < rows.length; i++) {
    const { x, monetary } = rows[i];
    const weight = rows[i].weight ?? 1;
    if (!(x >= 0) || !Number.isFinite(x))
      throw new RangeError(`row ${i}: frequency x must be a finite number >= 0, got ${x}`);
    if (!Number.isFinite(monetary))
      throw new RangeError(`row ${i}: monetary must be a finite number, got ${monetary}`);
    if (!(weight >= 0) || !Number.isFinite(weight)) {
      throw new RangeError(`row ${i}: weight must be a finite number >= 0, got ${weight}`);
    }
    if (x === 0 || monetary <= 0) {
      ignored += weight;
      continue;
    }
    let xi = xMap.get(x);
    if (xi === undefined) xMap.set(x, (xi = xMap.size));
    xIndexList.push(xi);
    logM.push(Math.log(monetary));
    logX.push(Math.log(x));
    xm.push(x * monetary);
    weights.push(weight);
    total += weight;
    sumX += weight * x;
    sumM += weight * monetary;
    sumXX += weight * x * x;
    sumMM += weight * monetary * monetary;
    sumXM += weight * x * monetary;
    sumLogM += weight * Math.log(monetary);
  }
  if (!(total > 0)) {
    throw new RangeError("fitGammaGamma needs at least one customer with x > 0 and monetary > 0");
  }
  const full: SpendRows = {
    xIndex: Int32Array.from(xIndexList),
    xValues: Float64Array.from(xMap.keys()),
    logM: Float64Array.from(logM),
    logX: Float64Array.from(logX),
    xm: Float64Array.from(xm),
    weight: Float64Array.from(weights),
    total,
  };
  const objective = makeObjective(full);
  yield;

  // Starting points around the method-of-moments link E[m̄] ≈ p v / (q - 1).
  const meanM = Math.exp(sumLogM / total);
  const starts = [
    [1, 2],
    [5, 4],
    [0.5, 1.5],
  ].map(([p, q]) => [Math.log(p), Math.log(q), Math.log((meanM * (q - 1)) / p)]);
  const bound = 30;
  const settings = {
    maxIterations: options.maxIterations ?? 1000,
    gradientTolerance: 1e-9,
    valueTolerance: 1e-14,
    screenIterations: 8,
    lower: [-bound, -bound, -bound],
    upper: [bound, bound, bound],
  };
  const result =
    full.weight.length > PILOT_ROWS
      ? yield* minimizeWithPilotSteps(
          objective,
          makeObjective(subsampleRows(full, PILOT_ROWS / 2)),
          starts,
          settings,
        )
      : yield* minimizeSteps(objective, starts, settings);
  const [p, q, v] = result.x.map(Math.exp);
  const covariance = sumXM / total - (sumX / total) * (sumM / total);
  const varianceX = sumXX / total - (sumX / total) ** 2;
  const varianceM = sumMM / total - (sumM / total) ** 2;
  const correlation = varianceX > 0 && varianceM > 0 ? covariance / Math.sqrt(varianceX * varianceM) : 0;
  return {
    p,
    q,
    v,
    logLikelihood: -result.value * total,
    converged: result.converged,
    iterations: result.iterations,
    customers: total,
    ignoredCustomers: ignored,
    frequencyMonetaryCorrelation: Math.max(-1, Math.min(1, correlation)),
  };
}
