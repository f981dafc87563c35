import { z } from "zod";
import { LIFECYCLE_STAGE_KEYS, type LifecycleStageKey } from "../../core/lifecycle.js";
import { RFM_SEGMENT_KEYS, type RfmSegmentKey } from "../../core/rfm.js";

/** Page sizes: a default that reads well in chat, and a hard cap. */
export const PAGE = { default: 20, max: 100 } as const;

export const customerIdInput = z
  .string()
  .trim()
  .min(1)
  .max(100)
  .describe(
    "The customer: the store's numeric id or the external id from your own system (e.g. C00042). Find ids with search_customers.",
  );

export const asOfInput = z
  .string()
  .regex(/^\d{4}-\d{2}-\d{2}$/, "as_of must be a date written YYYY-MM-DD")
  .optional()
  .describe("Score as of the end of this day (YYYY-MM-DD). Default: today. Anything after it is ignored.");

export const limitInput = z
  .number()
  .int()
  .min(1)
  .max(PAGE.max)
  .optional()
  .describe(`How many rows to return (1-${PAGE.max}, default ${PAGE.default}).`);

export const cursorInput = z
  .string()
  .max(200)
  .optional()
  .describe("Opaque cursor from a previous page's next_cursor, to fetch the next page.");

export const languageOutput = z.enum(["en", "zh"]);

/** A customer as tools name them in results. */
export const customerRefOutput = z.object({
  customer_id: z.string().describe("external id; pass it back as customer_id"),
  store_id: z.number().int(),
  name: z.string(),
  company: z.string().nullable(),
  owner: z.string().nullable(),
  language: languageOutput,
});

export const bilingualOutput = z.object({ en: z.string(), zh: z.string() });

export const reasonOutput = z.object({
  factor: z.string(),
  points: z
    .number()
    .describe("percentage points this signal adds to the churn probability (negative: it lowers it)"),
  en: z.string(),
  zh: z.string(),
});

/** Stage and segment names come from the core, so the contract cannot drift from the scoring. */
export const lifecycleStageNames = LIFECYCLE_STAGE_KEYS as [LifecycleStageKey, ...LifecycleStageKey[]];
export const rfmSegmentNames = RFM_SEGMENT_KEYS as [RfmSegmentKey, ...RfmSegmentKey[]];

export const paginationOutput = {
  total: z.number().int().describe("rows matching the filters"),
  next_cursor: z.string().nullable().describe("pass as cursor for the next page; null on the last page"),
};

export const scoreSetOutput = z.object({
  as_of: z.string(),
  computed_at: z.string(),
  model_version: z.string(),
  horizon_days: z.number().int().describe("churn probability = P(no purchase in the next horizon_days)"),
  stale: z
    .boolean()
    .describe(
      "true when these are the previous scores, served while the ones for this question are computed (see warnings)",
    ),
  warnings: z
    .array(z.string())
    .describe("what to know before trusting these scores, e.g. an as-of date long after the newest purchase"),
});

/** Filter by account manager, as the listing tools spell it. */
export const ownerInput = z
  .string()
  .trim()
  .min(1)
  .max(100)
  .optional()
  .describe("Only this account manager's customers (exact name, case-insensitive).");

export const riskLevelNames = ["low", "medium", "high", "critical"] as const;
export const abcTierNames = ["A", "B", "C"] as const;
export const valueQuadrantNames = ["true-friends", "butterflies", "barnacles", "strangers"] as const;

/** The purchase model a score set uses (BG/NBD, MBG/NBD or Pareto/NBD) and how sound its fit is. */
export const purchaseModelOutput = z.object({
  kind: z.enum(["bg-nbd", "mbg-nbd", "pareto-nbd"]),
  label: z.string(),
  params: z.record(z.string(), z.number()).describe("the paper's parameters, e.g. r, alpha, a, b"),
  log_likelihood: z.number(),
  converged: z.boolean().describe("the optimiser converged and the fit is not degenerate"),
  degenerate: z
    .boolean()
    .describe("parameters at the edge, a flat likelihood or a Hessian that is not positive definite"),
  problems: z.array(z.string()),
  iterations: z.number().int(),
  customers_fitted: z.number(),
});

/** How the churn probabilities of a score set were made, and the latest backtest. */
export const churnModelOutput = z.object({
  horizon_days: z.number().int().describe("churn probability = P(no purchase in the next horizon_days)"),
  method: z
    .enum(["calibrated-logistic", "calibrated-dropout-mixture", "model", "heuristic"])
    .describe("calibrated on the book's own history, or a stated fallback"),
  purchase_model: purchaseModelOutput.nullable(),
  selection: z.string().describe("why this purchase model"),
  calibration: z
    .object({
      inner_horizon_days: z.number().int(),
      origins: z.array(z.string()),
      examples: z.number().int(),
      churn_rate: z.number(),
      weights: z.array(z.object({ feature: z.string(), weight: z.number() })),
    })
    .nullable(),
  notes: z.array(z.string()),
  fitted_as_of: z
    .string()
    .nullable()
    .describe(
      "the as-of date the models were fitted at (a set reuses fits up to a week old); null if unknown",
    ),
  fits_reused: z
    .boolean()
    .describe("true when this score set reused an earlier set's fits instead of refitting"),
  last_backtest: z
    .object({
      ran_at: z.string(),
      as_of: z.string(),
      horizon_days: z.number().int(),
      customers: z.number().int(),
      auc: z.number().describe("AUC of the churn probability for 'no purchase in the horizon'"),
      recency_auc: z.number().describe("the same for days since the last purchase, the baseline"),
      expected_calibration_error: z.number(),
      rankings: z
        .array(
          z.object({
            name: z.string(),
            label: z.string(),
            auc: z.number(),
            top_decile_rate: z.number().describe("churn rate among the top 10% by this ranking"),
            top_decile_lift: z.number(),
          }),
        )
        .describe("the churn probability and the baselines it is judged against, each with its AUC"),
      calibration_bins: z
        .array(
          z.object({ customers: z.number().int(), mean_predicted: z.number(), observed_rate: z.number() }),
        )
        .describe("the reliability diagram: equal-count bins by churn probability, predicted vs observed"),
    })
    .nullable()
    .describe("the latest `crm backtest`: how far to trust the at-risk list; null when none has run"),
});
