/**
 * Defaults the product's numbers rest on, in one place so the tools' documentation, the CLI and
 * the cache agree. CLV defaults follow common practice: a one-year horizon, a 30% margin when the
 * data has none, and a 10% annual discount rate (a typical cost of capital).
 */
export const SCORING_DEFAULTS = {
  horizonMonths: 12,
  margin: 0.3,
  annualDiscountRate: 0.1,
} as const;

/** Bump when the scoring changes, so cached scores from older code are recomputed. */
export const MODEL_VERSION = "crm-scores/1: BG/NBD + Gamma-Gamma (days), CLV 12m, RFM, lifecycle, risk";

/** How many score sets (as-of dates and data versions) the store keeps. */
export const KEPT_SCORE_SETS = 4;
