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
  points: z.number().describe("points this factor adds to the 0-100 risk score"),
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
