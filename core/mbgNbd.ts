/**
 * The MBG/NBD model of repeat buying: Batislam, Denizel and Filiztekin (2007), "Empirical
 * validation and comparison of models for customer base analysis", International Journal of
 * Research in Marketing 24(3), 201-209.
 *
 * As BG/NBD (purchases at a Poisson rate λ ~ Gamma(r, α), dropout with probability p ~ Beta(a, b)
 * after a purchase), except that the customer may also drop out right after the first purchase.
 * That one change is what makes it fit books of one-time buyers: under BG/NBD a customer who
 * never came back is certainly alive (P(alive) = 1), under MBG/NBD they are alive with
 * probability 1 / (1 + a/b ((α+T)/α)^r), falling the longer they stay away.
 */

import {
  betaGeometricExpected,
  betaGeometricObjective,
  fitBetaGeometricSteps,
  noPurchaseGivenPAlive,
  pAliveUnchecked as betaGeometricPAlive,
  type BgNbdFit,
  type BgNbdParams,
  type FitBgNbdOptions,
} from "./bgNbd.js";
import { runSteps } from "./optimize.js";
import {
  checkCustomer,
  checkPositiveParams,
  checkTime,
  groupRows,
  type PurchaseRow,
} from "./purchaseRows.js";

/** MBG/NBD parameters: the same as BG/NBD's, λ ~ Gamma(r, α), p ~ Beta(a, b). */
export type MbgNbdParams = BgNbdParams;
/** The MBG/NBD maximum-likelihood fit. */
export type MbgNbdFit = BgNbdFit;

function checkParams(params: MbgNbdParams): void {
  checkPositiveParams("MBG/NBD", { r: params.r, alpha: params.alpha, a: params.a, b: params.b });
}

/**
 * Log-likelihood of one customer (Batislam et al. 2007, eq. 7):
 * L = B(a, b+x+1)/B(a, b) Γ(r+x) α^r / (Γ(r) (α+T)^(r+x)) + B(a+1, b+x)/B(a, b) Γ(r+x) α^r / (Γ(r) (α+tx)^(r+x)),
 * computed with the BG/NBD objective's modified branch so both share one tested implementation.
 */
export function mbgNbdLogLikelihood(params: MbgNbdParams, x: number, tx: number, T: number): number {
  checkParams(params);
  checkCustomer(x, tx, T);
  const objective = betaGeometricObjective(groupRows([{ x, tx, T }], "mbgNbdLogLikelihood"), true);
  return -objective.value([params.r, params.alpha, params.a, params.b].map(Math.log));
}

/** P(alive) = 1 / (1 + a/(b+x) ((α+T)/(α+tx))^(r+x)), for every x including 0. */
export function mbgNbdPAlive(params: MbgNbdParams, x: number, tx: number, T: number): number {
  checkParams(params);
  checkCustomer(x, tx, T);
  return pAliveUnchecked(params, x, tx, T);
}

const pAliveUnchecked = (params: MbgNbdParams, x: number, tx: number, T: number) =>
  betaGeometricPAlive(params, x, tx, T, true);

/**
 * Expected repeat purchases in (0, t] for a new customer. The customer survives the first
 * dropout chance with probability 1 - p and then behaves as a BG/NBD customer, so
 * E[X(t)] = E[(1-p) X_BG(t | p)] = b/(a+b) E_BG[X(t)] under (r, α, a, b+1), which is
 * b/(a-1) [1 - (α/(α+t))^r 2F1(r, b+1; a+b; t/(α+t))] (Batislam et al. 2007, eq. 8).
 */
export function mbgNbdExpected(params: MbgNbdParams, t: number): number {
  checkParams(params);
  checkTime(t);
  const { r, alpha, a, b } = params;
  return (b / (a + b)) * betaGeometricExpected(r, alpha, a, b + 1, t);
}

/**
 * Expected purchases in the next t for a customer with history (x, tx, T): P(alive) times the
 * BG/NBD expectation under the posterior (r+x, α+T, a, b+x+1), since an active customer has now
 * survived x+1 dropout chances (Batislam et al. 2007, eq. 9).
 */
export function mbgNbdConditionalExpected(
  params: MbgNbdParams,
  t: number,
  x: number,
  tx: number,
  T: number,
): number {
  checkParams(params);
  checkTime(t);
  checkCustomer(x, tx, T);
  const { r, alpha, a, b } = params;
  return pAliveUnchecked(params, x, tx, T) * betaGeometricExpected(r + x, alpha + T, a, b + x + 1, t);
}

/** P(no purchase in the next t | x, tx, T) = 1 - P(alive) + P(alive) ((α+T)/(α+T+t))^(r+x). */
export function mbgNbdPNoPurchase(params: MbgNbdParams, t: number, x: number, tx: number, T: number): number {
  checkParams(params);
  checkTime(t);
  checkCustomer(x, tx, T);
  return noPurchaseGivenPAlive(pAliveUnchecked(params, x, tx, T), params.r + x, params.alpha + T, t);
}

/**
 * Maximum-likelihood estimates of the MBG/NBD parameters, fitted as BG/NBD's are (grouped rows,
 * BFGS over log-parameters, several starts, diagnostics; see `fitBgNbd`).
 */
export function fitMbgNbd(rows: readonly PurchaseRow[], options: FitBgNbdOptions = {}): MbgNbdFit {
  return runSteps(fitBetaGeometricSteps(rows, options, true, "fitMbgNbd"));
}
