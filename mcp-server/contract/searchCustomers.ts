import { z } from "zod";
import {
  asOfInput,
  cursorInput,
  customerRefOutput,
  lifecycleStageNames,
  limitInput,
  ownerInput,
  paginationOutput,
  rfmSegmentNames,
  riskLevelNames,
  scoreSetOutput,
} from "./common.js";

export const SEARCH_CUSTOMERS = "search_customers";

export const searchCustomersInput = {
  query: z
    .string()
    .trim()
    .min(1)
    .max(200)
    .optional()
    .describe(
      "Text to look for in the name, company, email or customer id (case-insensitive substring, taken literally). Omit to list everyone.",
    ),
  owner: ownerInput,
  tag: z
    .string()
    .trim()
    .min(1)
    .max(100)
    .optional()
    .describe("Only customers carrying this tag (exact tag, case-insensitive), e.g. vip."),
  segment: z.enum(rfmSegmentNames).optional().describe("Only customers in this RFM segment (as of as_of)."),
  lifecycle_stage: z
    .enum(lifecycleStageNames)
    .optional()
    .describe("Only customers in this lifecycle stage (as of as_of)."),
  limit: limitInput,
  cursor: cursorInput,
  as_of: asOfInput,
};

export const customerListingOutput = z.object({
  customer: customerRefOutput,
  email: z.string().nullable(),
  tags: z.array(z.string()),
  do_not_contact: z.boolean(),
  orders: z.number().int().describe("purchase transactions up to as_of"),
  revenue: z.number().describe("net spend up to as_of"),
  last_purchase: z.string().nullable(),
  churn_probability: z
    .number()
    .nullable()
    .describe("probability of no purchase in the next horizon_days; null without a purchase"),
  risk_score: z.number().describe("0-100: round(100 × churn_probability)"),
  risk_level: z.enum(riskLevelNames),
  p_alive: z.number().nullable(),
  clv: z.number().describe("12-month customer lifetime value"),
  rfm_segment: z.enum(rfmSegmentNames).nullable(),
  lifecycle_stage: z.enum(lifecycleStageNames),
});

export const searchCustomersOutput = z.object({
  customers: z.array(customerListingOutput).describe("in store id order"),
  ...paginationOutput,
  scores: scoreSetOutput,
});

export type SearchCustomersResult = z.infer<typeof searchCustomersOutput>;
