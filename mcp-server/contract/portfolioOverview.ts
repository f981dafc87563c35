import { z } from "zod";
import {
  abcTierNames,
  asOfInput,
  bilingualOutput,
  lifecycleStageNames,
  ownerInput,
  riskLevelNames,
  churnModelOutput,
  scoreSetOutput,
} from "./common.js";
import { kpiSummaryOutput } from "./kpi.js";

export const PORTFOLIO_OVERVIEW = "portfolio_overview";

export const portfolioOverviewInput = {
  owner: ownerInput,
  as_of: asOfInput,
};

const shareOutput = z.number().describe("a fraction in [0, 1]");

export const abcTierSummaryOutput = z.object({
  tier: z.enum(abcTierNames),
  label: bilingualOutput,
  customers: z.number().int(),
  customer_share: shareOutput,
  clv: z.number(),
  value_share: shareOutput.describe("share of the selection's total positive CLV"),
});

export const portfolioOverviewOutput = z.object({
  owner: z.string().nullable().describe("the account manager, or null for the whole book"),
  customers: z.number().int().describe("customers on record"),
  customers_with_purchases: z.number().int().describe("customers with at least one purchase up to as_of"),
  active_customers: z.number().int().describe("customers with a purchase in the 365 days up to as_of"),
  repeat_rate: shareOutput.describe("of customers with purchases, the share who bought more than once"),
  retention: z.object({
    previous_window_customers: z
      .number()
      .int()
      .describe(
        "customers with a purchase in the 12-month window before the latest one (days 366-730 before as_of)",
      ),
    retained: z.number().int().describe("of those, customers who also bought in the latest 365 days"),
    churned: z.number().int().describe("of those, customers with no purchase in the latest 365 days"),
    churn_rate: shareOutput.nullable().describe("churned / previous_window_customers; null when that is 0"),
    retention_rate: shareOutput.nullable().describe("1 - churn_rate"),
  }),
  revenue_last_12_months: z.number().describe("net revenue in the 365 days up to as_of"),
  revenue_concentration: z.object({
    customers_with_revenue: z.number().int().describe("customers with positive revenue in the last 365 days"),
    top_10_percent_share: shareOutput
      .nullable()
      .describe("share of that revenue from the top ceil(10%) of them"),
    top_20_percent_share: shareOutput
      .nullable()
      .describe("share of that revenue from the top ceil(20%) of them"),
  }),
  abc_tiers: z
    .array(abcTierSummaryOutput)
    .describe("ABC tiers by 12-month CLV, as assigned across the whole book"),
  nps: z
    .object({
      score: z.number().describe("-100..100: % promoters (9-10) - % detractors (0-6)"),
      responses: z.number().int(),
      promoters: z.number().int(),
      passives: z.number().int(),
      detractors: z.number().int(),
    })
    .nullable()
    .describe("over NPS survey answers in the last 365 days; null without answers"),
  total_clv: z.number().describe("sum of 12-month CLV"),
  total_value_at_risk: z.number().describe("sum of value if retained × churn probability"),
  expected_churners: z
    .number()
    .describe(
      "sum of churn probabilities: how many of the buying customers are expected not to buy in the horizon",
    ),
  lifecycle_stages: z.array(
    z.object({ stage: z.enum(lifecycleStageNames), label: bilingualOutput, customers: z.number().int() }),
  ),
  risk_levels: z
    .array(z.object({ level: z.enum(riskLevelNames), label: bilingualOutput, customers: z.number().int() }))
    .describe(
      "customers with a purchase by churn-probability band (low < 25% <= medium < 50% <= high < 75% <= critical)",
    ),
  churn_model: churnModelOutput,
  kpi: kpiSummaryOutput.describe(
    "the relationship indices: customer health (CHI), service efficiency (SE), emotion (EI), lifetime value 12 months vs 5 years and first-month activation, over the 12 months up to as_of, with their formulas",
  ),
  scores: scoreSetOutput,
});

export type PortfolioOverviewResult = z.infer<typeof portfolioOverviewOutput>;
