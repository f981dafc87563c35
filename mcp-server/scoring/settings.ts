import { CLV_DEFAULTS } from "../../core/clv.js";

/**
 * The CLV settings cached scores use (the core's defaults: a one-year horizon, a 30% margin when
 * the data records none, a 10% annual discount rate).
 */
export const SCORING_DEFAULTS = CLV_DEFAULTS;

/** Bump when the scoring changes, so cached scores from older code are recomputed. */
export const MODEL_VERSION =
  "crm-scores/2: BG/NBD, MBG/NBD or Pareto/NBD chosen per book + Gamma-Gamma (days), churn probability calibrated on inner windows, CLV 12m, RFM, lifecycle";

/** How many score sets (as-of dates and data versions) the store keeps. */
export const KEPT_SCORE_SETS = 4;

/**
 * A new score set reuses the newest set's fits (purchase model, calibration, Gamma-Gamma) while
 * its as-of date is at most this many days after theirs: a week of new data barely moves
 * parameters fitted on years, and refitting is most of a rescore's time.
 */
export const REFIT_AFTER_DAYS = 7;
/** ... and while the book's customers and transactions have changed by at most this share. */
export const REFIT_AFTER_CHANGE = 0.01;
