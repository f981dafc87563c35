import { z } from "zod";

/**
 * The relationship-maintenance indices (`core/kpi.ts`) as results carry them: the headline block
 * portfolio_overview returns, the monthly report `crm kpi --json` prints, and one customer's
 * indices in get_customer. Defined once so the server, the CLI and the extension agree.
 */

const share = z.number().describe("a fraction in [0, 1]");
const points = z.number().describe("0-100");

export const chiComponentsOutput = z.object({
  frequency: points.describe("percentile of the purchase rate among the book's purchasing customers"),
  value: points.describe("percentile of the average spend per purchase day"),
  retention: points.describe("100 × (1 - churn probability)"),
});

export const chiSummaryOutput = z.object({
  index: points.nullable().describe("mean customer health index of the scored customers; null when none"),
  customers: z.number().int().describe("customers with a CHI (bought and scored)"),
  components: chiComponentsOutput.nullable().describe("the components' means"),
  bands: z.object({
    healthy: z.number().int(),
    watch: z.number().int(),
    at_risk: z.number().int(),
  }),
  score_set_as_of: z.string().describe("the score set the churn probabilities come from"),
});

export const serviceSummaryOutput = z.object({
  tickets: z.number().int().describe("tickets opened in the period"),
  responded: z.number().int(),
  resolved: z.number().int(),
  first_response_hours: z.object({ median: z.number().nullable(), p90: z.number().nullable() }),
  resolution_rate: share.nullable().describe("resolved / tickets; null without tickets"),
  resolution_hours_median: z.number().nullable(),
  sla: z.object({ first_response_hours: z.number(), resolution_hours: z.number() }),
  breaching: z.object({
    first_response: z.number().int().describe("answered later than the SLA, or unanswered past it"),
    resolution: z.number().int().describe("resolved later than the SLA, or unresolved past it"),
    any: z.number().int(),
  }),
  note: z.string().nullable().describe("why there are no figures, when there are none"),
});

export const emotionSummaryOutput = z.object({
  index: points.nullable().describe("emotion index; null without NPS answers and reviews"),
  nps: z.number().nullable().describe("-100..100"),
  nps_responses: z.number().int(),
  promoters: z.number().int(),
  detractors: z.number().int(),
  reviews: z.number().int().describe("reviews with a sentiment label"),
  positive_reviews: z.number().int(),
  negative_reviews: z.number().int(),
  review_balance: z.number().nullable().describe("(positive - negative) / reviews"),
});

export const ltvSummaryOutput = z.object({
  customers: z.number().int(),
  twelve_months: z.number().nullable().describe("sum of the 12-month CLV (the score set's)"),
  five_years: z
    .number()
    .nullable()
    .describe("sum of the 5-year discounted value from the same fitted models"),
  five_year_multiple: z.number().nullable().describe("five_years / twelve_months"),
  annual_discount_rate: z.number(),
  note: z.string().nullable(),
});

export const activationSummaryOutput = z.object({
  window_days: z.number().int(),
  new_customers: z.number().int().describe("first purchase in the period"),
  eligible: z.number().int().describe("of them, those whose window closed by as_of"),
  activated: z.number().int().describe("of the eligible, those who bought again within the window"),
  rate: share.nullable(),
});

export const kpiFormulasOutput = z.object({
  chi: z.string(),
  ei: z.string(),
  se: z.string(),
  ltv: z.string(),
  activation: z.string(),
});

export const kpiSummaryOutput = z.object({
  as_of: z.string(),
  owner: z.string().nullable().describe("the account manager, or null for the whole book"),
  period: z
    .object({ from: z.string(), to: z.string() })
    .describe("months (YYYY-MM) SE, EI and activation cover"),
  chi: chiSummaryOutput,
  service: serviceSummaryOutput,
  emotion: emotionSummaryOutput,
  ltv: ltvSummaryOutput,
  activation: activationSummaryOutput,
  formulas: kpiFormulasOutput,
});

export const kpiMonthOutput = z.object({
  month: z.string(),
  chi: z
    .object({ index: points.nullable(), customers: z.number().int(), score_set_as_of: z.string() })
    .nullable()
    .describe("from the score set stored for this month; null when none is"),
  ltv_12_months: z.number().nullable().describe("from the same score set"),
  service: z.object({
    tickets: z.number().int(),
    first_response_median_hours: z.number().nullable(),
    first_response_p90_hours: z.number().nullable(),
    resolution_rate: share.nullable(),
    resolution_median_hours: z.number().nullable(),
    breaching: z.number().int(),
  }),
  emotion: z.object({
    index: points.nullable(),
    nps: z.number().nullable(),
    nps_responses: z.number().int(),
    reviews: z.number().int(),
  }),
  activation: z.object({
    new_customers: z.number().int(),
    eligible: z.number().int(),
    activated: z.number().int(),
    rate: share.nullable(),
  }),
});

export const kpiCohortOutput = z.object({
  cohort: z.string().describe("month of the first purchase"),
  customers: z.number().int(),
  eligible: z.number().int(),
  activated: z.number().int(),
  activation_rate: share.nullable(),
  retention: z
    .array(share)
    .describe("share of the cohort buying in month k after the first purchase (k = 0 first), up to as_of"),
});

export const kpiReportOutput = kpiSummaryOutput.extend({
  months: z.array(kpiMonthOutput),
  cohorts: z.array(kpiCohortOutput),
  notes: z.array(z.string()),
});

/** One customer's indices, as get_customer returns them. */
export const customerKpiOutput = z.object({
  chi: z
    .object({
      index: points,
      band: z.enum(["healthy", "watch", "at-risk"]).describe("healthy >= 70, at risk < 40, watch between"),
      band_label: z.object({ en: z.string(), zh: z.string() }),
      components: chiComponentsOutput,
      purchase_rate_per_year: z.number(),
      average_spend: z.number(),
      churn_probability: share,
    })
    .nullable()
    .describe("null for customers who have not bought or could not be scored"),
  emotion: emotionSummaryOutput.describe("over the 365 days up to as_of"),
  ltv: z.object({
    twelve_months: z.number(),
    five_years: z.number().nullable().describe("null when the models are not fitted"),
  }),
});

export type KpiSummary = z.infer<typeof kpiSummaryOutput>;
export type KpiReport = z.infer<typeof kpiReportOutput>;
export type CustomerKpi = z.infer<typeof customerKpiOutput>;
export type ServiceSummary = z.infer<typeof serviceSummaryOutput>;
export type EmotionSummary = z.infer<typeof emotionSummaryOutput>;
