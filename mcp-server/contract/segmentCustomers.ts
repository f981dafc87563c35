import { z } from "zod";
import { asOfInput, bilingualOutput, customerRefOutput, scoreSetOutput } from "./common.js";

export const SEGMENT_CUSTOMERS = "segment_customers";

export const segmentationNames = ["rfm", "lifecycle", "abc", "value_matrix", "kmeans"] as const;
export type Segmentation = (typeof segmentationNames)[number];

/** Sample customers per segment: the default and the cap. */
export const SEGMENT_SAMPLES = { default: 3, max: 10 } as const;

/** Customers per page when a segment's members are listed (`members_of`). */
export const SEGMENT_MEMBERS_PAGE = 25;

/** The segmentations whose segments can list all their members (k-means clusters list samples only). */
export const memberListings = ["rfm", "lifecycle", "abc", "value_matrix"] as const;

/**
 * k-means settings: a fixed seed so the same book always gives the same clusters, and the range
 * of k the silhouette chooses from.
 */
export const SEGMENT_KMEANS = { seed: 42, minK: 2, maxK: 8 } as const;

export const segmentCustomersInput = {
  by: z
    .enum(segmentationNames)
    .describe(
      "How to segment: 'rfm' (the 11 named RFM segments, e.g. champions, at-risk), 'lifecycle' (prospect, onboarding, growth, mature, decline, churned, win-back), " +
        "'abc' (A/B/C tiers by cumulative share of CLV: 80/15/5%), 'value_matrix' (Reinartz-Kumar profit x loyalty: true friends, butterflies, barnacles, strangers) " +
        "or 'kmeans' (data-driven clusters of recency, frequency and spend; k chosen by silhouette).",
    ),
  owner: z
    .string()
    .trim()
    .min(1)
    .max(100)
    .optional()
    .describe(
      "Only count this account manager's customers (exact name, case-insensitive). Segments are still defined on the whole book, so a customer's segment does not depend on who asks.",
    ),
  samples_per_segment: z
    .number()
    .int()
    .min(0)
    .max(SEGMENT_SAMPLES.max)
    .optional()
    .describe(
      `How many example customers to list per segment, highest CLV first (0-${SEGMENT_SAMPLES.max}, default ${SEGMENT_SAMPLES.default}).`,
    ),
  members_of: z
    .string()
    .trim()
    .min(1)
    .max(40)
    .optional()
    .describe(
      `List every customer of this segment of 'by', a page of ${SEGMENT_MEMBERS_PAGE} at a time, highest CLV first: a segment key as segments[].key gives it (e.g. 'A', 'true-friends', 'champions', 'decline'). Not for 'kmeans'.`,
    ),
  page: z
    .number()
    .int()
    .min(1)
    .optional()
    .describe(
      "Which page of members_of to list, 1 = the highest-CLV customers (default 1); members.pages says how many there are.",
    ),
  as_of: asOfInput,
};

export const segmentSampleOutput = z.object({
  customer: customerRefOutput,
  clv: z.number().describe("12-month customer lifetime value"),
  revenue: z.number().describe("net spend up to the as-of date"),
  orders: z.number().int(),
  last_purchase: z.string().nullable(),
  risk_score: z.number(),
});

export const segmentOutput = z.object({
  key: z
    .string()
    .describe("machine key of the segment, e.g. 'champions', 'decline', 'A', 'true-friends', 'cluster-1'"),
  label: bilingualOutput,
  description: bilingualOutput,
  recommended_action: bilingualOutput,
  count: z.number().int().describe("customers in the segment (after the owner filter)"),
  customer_share: z.number().describe("count / customers in scope, 0-1"),
  clv: z.number().describe("total 12-month CLV of the segment"),
  clv_share: z.number().describe("segment CLV / total CLV in scope, 0-1 (0 when the total is not positive)"),
  revenue: z.number().describe("total net spend of the segment up to the as-of date"),
  revenue_share: z.number().describe("segment revenue / total revenue in scope, 0-1"),
  average_clv: z.number().nullable().describe("clv / count; null for an empty segment"),
  samples: z.array(segmentSampleOutput).describe("highest-CLV members (ties by customer id)"),
});

export const segmentMemberOutput = segmentSampleOutput.extend({
  churn_probability: z
    .number()
    .nullable()
    .describe("probability of no purchase in the horizon; null without a purchase"),
  value_at_risk: z.number(),
});

export const segmentMembersOutput = z.object({
  segment: z.string().describe("the segment listed (members_of)"),
  label: bilingualOutput,
  total: z.number().int().describe("customers in the segment (after the owner filter)"),
  page: z.number().int(),
  pages: z.number().int().describe("pages of page_size customers; ask for the next with page"),
  page_size: z.number().int(),
  customers: z
    .array(segmentMemberOutput)
    .describe("this page's customers, highest CLV first (ties by customer id)"),
});

export const kmeansCentroidOutput = z.object({
  key: z.string(),
  cluster: z.number().int().describe("1 = the best cluster (recent, frequent, high spend)"),
  size: z.number().int().describe("customers in the cluster across the whole book"),
  recency_days: z.number().describe("typical days since the last purchase (back-transformed centre)"),
  frequency: z.number().describe("typical number of purchase occasions (repeat purchases + 1)"),
  monetary: z.number().describe("typical total spend"),
  standardised: z
    .object({ recency: z.number(), frequency: z.number(), monetary: z.number() })
    .describe("centre in z-scores of log1p(feature)"),
});

export const kmeansOutput = z.object({
  k: z.number().int().describe("chosen number of clusters (highest mean silhouette)"),
  seed: z.number().int(),
  features: z.string(),
  silhouette_by_k: z.array(z.object({ k: z.number().int(), silhouette: z.number(), inertia: z.number() })),
  silhouette_sample_size: z.number().int(),
  clustered_customers: z
    .number()
    .int()
    .describe("purchasing customers in the whole book that were clustered"),
  centroids: z.array(kmeansCentroidOutput),
});

export const segmentCustomersOutput = z.object({
  by: z.enum(segmentationNames),
  owner: z.string().nullable(),
  customers: z.number().int().describe("customers in scope (the whole book, or the owner's)"),
  total_clv: z.number(),
  total_revenue: z.number(),
  segments: z.array(segmentOutput),
  unsegmented: z
    .object({ count: z.number().int(), reason: bilingualOutput })
    .nullable()
    .describe("customers in scope the segmentation does not place (e.g. prospects without purchases)"),
  kmeans: kmeansOutput.nullable().describe("the clustering behind by='kmeans'; null otherwise"),
  rfm_grid: z
    .array(
      z.object({
        r: z.number().int().describe("recency score, 5 = most recent"),
        fm: z.number().int().describe("frequency-and-spend score floor((f + m) / 2), 5 = highest"),
        segment: z.string().describe("the RFM segment the cell belongs to"),
        customers: z.number().int(),
        clv_share: z
          .number()
          .describe("the cell's CLV / total CLV in scope, 0-1 (0 when the total is not positive)"),
      }),
    )
    .nullable()
    .describe("by='rfm': customers and CLV share in each occupied cell of the 5 × 5 grid; null otherwise"),
  members: segmentMembersOutput
    .nullable()
    .describe("with members_of: one page of all the segment's customers; null otherwise"),
  scores: scoreSetOutput,
});

export type SegmentMembers = z.infer<typeof segmentMembersOutput>;
export type SegmentCustomersResult = z.infer<typeof segmentCustomersOutput>;
export type SegmentOutput = z.infer<typeof segmentOutput>;
