import { z } from "zod";
import { asOfInput, bilingualOutput, customerRefOutput, scoreSetOutput } from "./common.js";

export const SEGMENT_CUSTOMERS = "segment_customers";

export const segmentationNames = ["rfm", "lifecycle", "abc", "value_matrix", "kmeans"] as const;
export type Segmentation = (typeof segmentationNames)[number];

/** Sample customers per segment: the default and the cap. */
export const SEGMENT_SAMPLES = { default: 3, max: 10 } as const;

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
  scores: scoreSetOutput,
});

export type SegmentCustomersResult = z.infer<typeof segmentCustomersOutput>;
export type SegmentOutput = z.infer<typeof segmentOutput>;
