/**
 * The part of a customer's lifetime value that the horizon and the discount rate change. With the
 * CLV of `clv.ts` (Fader, Hardie and Lee 2005, JMR 42(4), discounted month by month),
 *
 *   CLV = margin × E[spend] × P(alive | x, tx, T) × Σ_{m=1..H} ΔE_alive(m; x, T) / (1 + d)^m,
 *   E[purchases over H] = P(alive | x, tx, T) × Σ_{m=1..H} ΔE_alive(m; x, T),
 *
 * where E_alive(m; x, T) is the purchase model's expected purchases in the next m months for a
 * customer known to be active (eq. 10 of Fader, Hardie and Lee 2005, Marketing Science, without
 * its P(alive) factor) and ΔE_alive(m) = E_alive(m) - E_alive(m - 1). P(alive) and the
 * Gamma-Gamma E[spend] do not depend on the settings, and the margin is a plain factor; only the
 * two sums do, and they depend on (x, T) alone. So a segment valued under new settings needs one
 * pair of sums per distinct (x, T), a few thousand even in a million customers, and then one
 * multiplication per customer, which a database can do.
 *
 * The sums are computed exactly as `customerLifetimeValue` computes them (same steps, same order),
 * so multiplying them out gives its values.
 */

import { CLV_DEFAULTS, DAYS_PER_MONTH } from "./clv.js";
import { modelExpectedIfAlive, type PurchaseModel } from "./purchaseModel.js";

/** The settings the horizon sums depend on; omitted ones take {@link CLV_DEFAULTS}. */
export interface HorizonOptions {
  /** Whole months to look ahead (default 12). */
  horizonMonths?: number;
  /** Annual discount rate, > -1 (default 0.1). */
  annualDiscountRate?: number;
  /** The time unit the purchase model was fitted in. */
  unit: "days" | "weeks";
}

/** The two sums for one (x, T). */
export interface HorizonSums {
  /** Σ_m ΔE_alive(m): expected purchases over the horizon if active now. */
  purchases: number;
  /** Σ_m ΔE_alive(m) / (1 + d)^m: the same, each month discounted. */
  discounted: number;
}

/**
 * Computes {@link HorizonSums} for many (x, T) pairs under one set of settings. Increments are
 * clamped at 0, as in `clv.ts`: they are non-negative in exact arithmetic, and clamping keeps
 * rounding from breaking monotonicity.
 */
export function horizonSums(
  purchaseModel: PurchaseModel,
  pairs: readonly { x: number; T: number }[],
  options: HorizonOptions,
): HorizonSums[] {
  const horizon = options.horizonMonths ?? CLV_DEFAULTS.horizonMonths;
  const rate = options.annualDiscountRate ?? CLV_DEFAULTS.annualDiscountRate;
  if (!Number.isInteger(horizon) || horizon < 0) {
    throw new RangeError(`horizonSums: horizonMonths must be a whole number of months >= 0, got ${horizon}`);
  }
  if (!(rate > -1) || !Number.isFinite(rate)) {
    throw new RangeError(`horizonSums: annualDiscountRate must be a finite number above -1, got ${rate}`);
  }
  if (options.unit !== "days" && options.unit !== "weeks") {
    throw new RangeError(`horizonSums: unit must be "days" or "weeks", got ${String(options.unit)}`);
  }
  const monthLength = options.unit === "weeks" ? DAYS_PER_MONTH / 7 : DAYS_PER_MONTH;
  const monthlyFactor = Math.pow(1 + rate, 1 / 12);
  const discount = new Float64Array(horizon + 1);
  for (let m = 1; m <= horizon; m++) discount[m] = Math.pow(monthlyFactor, -m);
  return pairs.map(({ x, T }, index) => {
    if (!Number.isInteger(x) || x < 0 || !(T >= 0) || !Number.isFinite(T)) {
      throw new RangeError(
        `horizonSums: pairs[${index}] needs a whole number of repeat purchases x >= 0 and a finite age T >= 0, got x=${x}, T=${T}`,
      );
    }
    let previous = 0;
    let purchases = 0;
    let discounted = 0;
    for (let m = 1; m <= horizon; m++) {
      const current = modelExpectedIfAlive(purchaseModel, m * monthLength, x, T);
      const increment = Math.max(0, current - previous);
      purchases += increment;
      discounted += increment * discount[m];
      previous = Math.max(previous, current);
    }
    return { purchases, discounted };
  });
}
