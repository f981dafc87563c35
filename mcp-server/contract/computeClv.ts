import { z } from "zod";
import {
  asOfInput,
  purchaseModelOutput,
  customerIdInput,
  customerRefOutput,
  cursorInput,
  lifecycleStageNames,
  PAGE,
  paginationOutput,
  rfmSegmentNames,
  scoreSetOutput,
} from "./common.js";

export const COMPUTE_CLV = "compute_clv";

/** Most customers one call may name in customer_ids. */
export const MAX_CUSTOMER_IDS = 100;
/** Longest horizon: ten years, beyond which the models' assumptions are not worth much. */
export const MAX_HORIZON_MONTHS = 120;
/** The selectors, of which a call gives exactly one. */
export const CLV_SELECTORS = ["customer_id", "customer_ids", "segment", "lifecycle_stage"] as const;

export const computeClvInput = {
  customer_id: customerIdInput
    .optional()
    .describe(
      "Value one customer: the store's numeric id or your external id (e.g. C00042). Give exactly one of customer_id, customer_ids, segment, lifecycle_stage.",
    ),
  customer_ids: z
    .array(z.string().trim().min(1).max(100))
    .min(1)
    .max(MAX_CUSTOMER_IDS)
    .optional()
    .describe(`Value a list of customers (1-${MAX_CUSTOMER_IDS} ids) and their total.`),
  segment: z
    .enum(rfmSegmentNames)
    .optional()
    .describe("Value every customer in this RFM segment (as of as_of) and their total."),
  lifecycle_stage: z
    .enum(lifecycleStageNames)
    .optional()
    .describe("Value every customer in this lifecycle stage (as of as_of) and their total."),
  horizon_months: z
    .number()
    .int()
    .min(1)
    .max(MAX_HORIZON_MONTHS)
    .optional()
    .describe(`Whole months to look ahead (1-${MAX_HORIZON_MONTHS}, default 12).`),
  margin: z
    .number()
    .min(0)
    .max(1)
    .optional()
    .describe(
      "Profit margin on revenue as a fraction (0.25 = 25%). Default: each customer's margin rate observed in the data, else 0.3.",
    ),
  annual_discount_rate: z
    .number()
    .min(0)
    .max(1)
    .optional()
    .describe("Yearly discount rate for future profit as a fraction (default 0.1 = 10%)."),
  limit: z
    .number()
    .int()
    .min(1)
    .max(PAGE.max)
    .optional()
    .describe(
      `How many customers to list, highest CLV first (1-${PAGE.max}; default ${PAGE.default}, or every id given in customer_ids). Totals always cover the whole selection.`,
    ),
  cursor: cursorInput,
  as_of: asOfInput,
};

export const clvCustomerOutput = z.object({
  rank: z.number().int().describe("1 = highest CLV in the selection"),
  customer: customerRefOutput,
  x: z.number().int().describe("repeat purchase days after the first"),
  tx: z.number().describe("days from the first to the last purchase day"),
  T: z.number().describe("days from the first purchase day to as_of"),
  monetary: z.number().describe("mean spend per repeat purchase day (0 when x = 0)"),
  margin: z.number(),
  margin_source: z.enum(["given", "observed", "default"]),
  modelled: z.boolean().describe("false when the customer has no purchase yet or the models are not fitted"),
  p_alive: z.number().nullable().describe("the purchase model's probability the customer is still active"),
  expected_purchases: z
    .number()
    .nullable()
    .describe("expected purchases over the horizon (already weighted by P(alive))"),
  expected_spend_per_purchase: z.number().nullable().describe("Gamma-Gamma expected spend per purchase"),
  expected_revenue: z.number().nullable().describe("expected purchases × spend per purchase, undiscounted"),
  clv: z.number().nullable().describe("discounted expected profit over the horizon"),
  note: z.string().nullable(),
});

export const gammaGammaOutput = z.object({
  p: z.number(),
  q: z.number(),
  v: z.number(),
  log_likelihood: z.number(),
  converged: z.boolean(),
  iterations: z.number().int(),
  customers_fitted: z.number(),
  frequency_monetary_correlation: z
    .number()
    .describe("Pearson correlation of x and monetary; the model assumes about 0 (beyond ±0.3 is suspect)"),
});

export const clvModelsOutput = z.object({
  fitted: z.boolean().describe("false when the book is too small to fit both models; no CLV then"),
  unit: z.literal("days"),
  purchasing_customers: z.number().int(),
  returning_customers: z.number().int(),
  purchase_model: purchaseModelOutput.nullable(),
  gamma_gamma: gammaGammaOutput.nullable(),
  notes: z.array(z.string()).describe("why a model is missing, and fit-quality warnings"),
});

export const computeClvOutput = z.object({
  selection: z.object({
    by: z.enum(CLV_SELECTORS),
    value: z.string().describe("the id, the ids joined with commas, the segment or the stage"),
  }),
  settings: z.object({
    horizon_months: z.number().int(),
    margin: z.number().nullable().describe("the margin given; null when each customer's own rate is used"),
    annual_discount_rate: z.number(),
    monthly_discount_rate: z.number().describe("(1 + annual)^(1/12) - 1"),
  }),
  customers: z.array(clvCustomerOutput),
  ...paginationOutput,
  totals: z.object({
    customers: z.number().int().describe("customers in the selection"),
    modelled_customers: z.number().int(),
    expected_purchases: z.number().nullable(),
    expected_revenue: z.number().nullable(),
    clv: z.number().nullable(),
    expected_active_customers: z.number().nullable().describe("sum of P(alive)"),
  }),
  models: clvModelsOutput,
  formula: z.string(),
  scores: scoreSetOutput,
});

export type ComputeClvResult = z.infer<typeof computeClvOutput>;
