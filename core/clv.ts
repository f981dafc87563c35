/**
 * Customer lifetime value as the net present value of expected future profit, combining the
 * BG/NBD purchase model with the Gamma-Gamma spend model as in Fader, Hardie and Lee (2005),
 * "RFM and CLV: Using Iso-Value Curves for Customer Base Analysis", Journal of Marketing
 * Research 42(4), with the discounting done month by month:
 *
 *   CLV = Σ_{m=1..H} margin × E[spend] × (E[X(0, m)] - E[X(0, m-1)]) / (1 + d)^m,
 *   d = (1 + annualDiscountRate)^(1/12) - 1,
 *
 * where E[X(0, m)] is the BG/NBD conditional expectation (eq. 10 of Fader, Hardie and Lee 2005,
 * Marketing Science) of purchases in the next m months and E[spend] the Gamma-Gamma conditional
 * expected spend per purchase. A month is 365.25 / 12 days (or that divided by 7 in weeks).
 * MBG/NBD and Pareto/NBD fits can stand in for BG/NBD (`purchaseModel.ts`): every conditional
 * expectation is P(alive) × E[purchases | active], so the same sums apply.
 *
 * The value if retained is the same sum for a customer known to be active (without the P(alive)
 * factor): what keeping the customer is worth, the base of the value at risk.
 */

import type { BgNbdParams } from "./bgNbd.js";
import { gammaGammaExpectedSpend, type GammaGammaParams } from "./gammaGamma.js";
import { asPurchaseModel, modelExpectedIfAlive, modelPAlive, type PurchaseModel } from "./purchaseModel.js";

/** Default CLV settings: a 12-month horizon, a 30% margin and a 10% annual discount rate. */
export const CLV_DEFAULTS = Object.freeze({ horizonMonths: 12, margin: 0.3, annualDiscountRate: 0.1 });

/** Days in an average month, 365.25 / 12. */
export const DAYS_PER_MONTH = 365.25 / 12;

/** A customer's summary, in the same time unit as the BG/NBD fit. */
export interface ClvCustomer {
  x: number;
  tx: number;
  T: number;
  /** Mean repeat spend (0 or anything when x = 0). */
  monetary: number;
}

/** How to value customers; omitted settings take {@link CLV_DEFAULTS}. */
export interface ClvOptions {
  /** Whole months to look ahead (default 12). */
  horizonMonths?: number;
  /** Profit margin on revenue, >= 0 (default 0.3). */
  margin?: number;
  /** Annual discount rate, > -1 (default 0.1). */
  annualDiscountRate?: number;
  /** The time unit the BG/NBD model was fitted in. */
  unit: "days" | "weeks";
}

/** One customer's value. */
export interface CustomerLifetimeValue {
  /** Expected purchases over the horizon, E[X(0, H)] (undiscounted). */
  expectedPurchases: number;
  /** Gamma-Gamma expected spend per purchase. */
  expectedSpendPerPurchase: number;
  /** expectedPurchases × expectedSpendPerPurchase (undiscounted, before margin). */
  expectedRevenue: number;
  /** The CLV: discounted expected profit over the horizon. */
  discountedValue: number;
  /** The purchase model's probability that the customer is still active. */
  pAlive: number;
  /** The discounted value if the customer is active now: discountedValue / pAlive. */
  retainedValue: number;
}

/** Sums over a portfolio of customers. */
export interface PortfolioLifetimeValue {
  /** One value per customer, in input order. */
  customers: CustomerLifetimeValue[];
  totals: {
    customers: number;
    expectedPurchases: number;
    expectedRevenue: number;
    discountedValue: number;
    /** Expected number of customers still active, Σ P(alive). */
    expectedActiveCustomers: number;
  };
}

interface Settings {
  horizon: number;
  margin: number;
  monthLength: number;
  discount: Float64Array;
}

function checkOptions(options: ClvOptions): Settings {
  const horizon = options.horizonMonths ?? CLV_DEFAULTS.horizonMonths;
  const margin = options.margin ?? CLV_DEFAULTS.margin;
  const rate = options.annualDiscountRate ?? CLV_DEFAULTS.annualDiscountRate;
  if (!Number.isInteger(horizon) || horizon < 0) {
    throw new RangeError(`CLV horizonMonths must be a whole number of months >= 0, got ${horizon}`);
  }
  if (!(margin >= 0) || !Number.isFinite(margin))
    throw new RangeError(`CLV margin must be a finite number >= 0, got ${margin}`);
  if (!(rate > -1) || !Number.isFinite(rate)) {
    throw new RangeError(`CLV annualDiscountRate must be a finite number above -1, got ${rate}`);
  }
  if (options.unit !== "days" && options.unit !== "weeks") {
    throw new RangeError(`CLV unit must be "days" or "weeks", got ${String(options.unit)}`);
  }
  const monthlyFactor = Math.pow(1 + rate, 1 / 12);
  const discount = new Float64Array(horizon + 1);
  for (let m = 1; m <= horizon; m++) discount[m] = Math.pow(monthlyFactor, -m);
  return {
    horizon,
    margin,
    monthLength: options.unit === "weeks" ? DAYS_PER_MONTH / 7 : DAYS_PER_MONTH,
    discount,
  };
}

/**
 * The part of the CLV that depends only on (x, T): with E_alive(m) the expected purchases in
 * the next m months given the customer is alive (eq. 10 without its P(alive) factor), returns
 * [Σ_m ΔE_alive(m), Σ_m ΔE_alive(m) / (1 + d)^m]. Increments are clamped at 0: they are
 * non-negative in exact arithmetic, and clamping keeps rounding from breaking monotonicity.
 */
function aliveValue(model: PurchaseModel, x: number, T: number, settings: Settings): [number, number] {
  let previous = 0;
  let purchases = 0;
  let discounted = 0;
  for (let m = 1; m <= settings.horizon; m++) {
    const current = modelExpectedIfAlive(model, m * settings.monthLength, x, T);
    const increment = Math.max(0, current - previous);
    purchases += increment;
    discounted += increment * settings.discount[m];
    previous = Math.max(previous, current);
  }
  return [purchases, discounted];
}

function assemble(
  model: PurchaseModel,
  gammaGamma: GammaGammaParams,
  customer: ClvCustomer,
  settings: Settings,
  alive: [number, number],
): CustomerLifetimeValue {
  const pAlive = modelPAlive(model, customer.x, customer.tx, customer.T);
  const spend = gammaGammaExpectedSpend(gammaGamma, customer.x, customer.monetary);
  const expectedPurchases = pAlive * alive[0];
  const retainedValue = settings.margin * spend * alive[1];
  return {
    expectedPurchases,
    expectedSpendPerPurchase: spend,
    expectedRevenue: expectedPurchases * spend,
    discountedValue: retainedValue * pAlive,
    pAlive,
    retainedValue,
  };
}

/**
 * One customer's lifetime value over the next `horizonMonths` months (see the module comment for
 * the formula). The customer's x, tx, T must be in the unit the BG/NBD model was fitted in.
 */
export function customerLifetimeValue(
  purchaseModel: PurchaseModel | BgNbdParams,
  gammaGamma: GammaGammaParams,
  customer: ClvCustomer,
  options: ClvOptions,
): CustomerLifetimeValue {
  const settings = checkOptions(options);
  const model = asPurchaseModel(purchaseModel);
  // P(alive) first: it validates x, tx and T before the horizon sums use them.
  modelPAlive(model, customer.x, customer.tx, customer.T);
  return assemble(model, gammaGamma, customer, settings, aliveValue(model, customer.x, customer.T, settings));
}

/**
 * Lifetime values of many customers and their totals. The horizon sums depend only on (x, T), so
 * they are computed once per distinct pair; the rest is a few operations per customer.
 */
export function portfolioLifetimeValue(
  purchaseModel: PurchaseModel | BgNbdParams,
  gammaGamma: GammaGammaParams,
  customers: readonly ClvCustomer[],
  options: ClvOptions,
): PortfolioLifetimeValue {
  const settings = checkOptions(options);
  const model = asPurchaseModel(purchaseModel);
  const cache = new Map<number, Map<number, [number, number]>>();
  const values: CustomerLifetimeValue[] = new Array(customers.length);
  let expectedPurchases = 0;
  let expectedRevenue = 0;
  let discountedValue = 0;
  let expectedActiveCustomers = 0;
  for (let i = 0; i < customers.length; i++) {
    const customer = customers[i];
    let byT = cache.get(customer.x);
    if (!byT) cache.set(customer.x, (byT = new Map()));
    let alive = byT.get(customer.T);
    if (!alive) {
      // Validate x, tx and T before caching, so a bad row cannot poison the cache.
      modelPAlive(model, customer.x, customer.tx, customer.T);
      byT.set(customer.T, (alive = aliveValue(model, customer.x, customer.T, settings)));
    }
    const value = assemble(model, gammaGamma, customer, settings, alive);
    values[i] = value;
    expectedPurchases += value.expectedPurchases;
    expectedRevenue += value.expectedRevenue;
    discountedValue += value.discountedValue;
    expectedActiveCustomers += value.pAlive;
  }
  return {
    customers: values,
    totals: {
      customers: customers.length,
      expectedPurchases,
      expectedRevenue,
      discountedValue,
      expectedActiveCustomers,
    },
  };
}

/** Many customers' inputs as columns, the layout scoring keeps a large book in. */
export interface ClvColumns {
  x: ArrayLike<number>;
  tx: ArrayLike<number>;
  T: ArrayLike<number>;
  monetary: ArrayLike<number>;
  /** Per-customer margin rates, each finite and >= 0. */
  margin: ArrayLike<number>;
}

/** The horizon sums of {@link lifetimeValueColumns} by x, then T. */
export type HorizonSums = Map<number, Map<number, [number, number]>>;

/** Per-customer results of {@link lifetimeValueColumns}, one entry per input row. */
export interface ClvColumnValues {
  expectedPurchases: Float64Array;
  expectedSpendPerPurchase: Float64Array;
  discountedValue: Float64Array;
  pAlive: Float64Array;
  retainedValue: Float64Array;
}

/**
 * {@link portfolioLifetimeValue} over columns, each customer with their own margin. The value is
 * linear in the margin, so the horizon sums are shared across every customer with the same
 * (x, T) whatever their margins; nothing is allocated per customer. `options.margin` is ignored.
 * `horizonSums` may be shared by calls with the same models and options (the chunks of one
 * scoring): a book read a chunk at a time then sums each (x, T) once, not once per chunk.
 */
export function lifetimeValueColumns(
  purchaseModel: PurchaseModel | BgNbdParams,
  gammaGamma: GammaGammaParams,
  columns: ClvColumns,
  options: ClvOptions,
  horizonSums: HorizonSums = new Map(),
): ClvColumnValues {
  const settings = checkOptions({ ...options, margin: 1 });
  const model = asPurchaseModel(purchaseModel);
  const count = columns.x.length;
  const result: ClvColumnValues = {
    expectedPurchases: new Float64Array(count),
    expectedSpendPerPurchase: new Float64Array(count),
    discountedValue: new Float64Array(count),
    pAlive: new Float64Array(count),
    retainedValue: new Float64Array(count),
  };
  const cache = horizonSums;
  for (let i = 0; i < count; i++) {
    const customer = { x: columns.x[i], tx: columns.tx[i], T: columns.T[i], monetary: columns.monetary[i] };
    const margin = columns.margin[i];
    if (!(margin >= 0) || !Number.isFinite(margin))
      throw new RangeError(`CLV margin must be a finite number >= 0, got ${margin} for row ${i}`);
    let byT = cache.get(customer.x);
    if (!byT) cache.set(customer.x, (byT = new Map()));
    let alive = byT.get(customer.T);
    if (!alive) {
      modelPAlive(model, customer.x, customer.tx, customer.T);
      byT.set(customer.T, (alive = aliveValue(model, customer.x, customer.T, settings)));
    }
    const value = assemble(model, gammaGamma, customer, settings, alive);
    result.expectedPurchases[i] = value.expectedPurchases;
    result.expectedSpendPerPurchase[i] = value.expectedSpendPerPurchase;
    result.discountedValue[i] = value.discountedValue * margin;
    result.pAlive[i] = value.pAlive;
    result.retainedValue[i] = value.retainedValue * margin;
  }
  return result;
}
