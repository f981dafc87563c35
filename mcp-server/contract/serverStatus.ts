import { z } from "zod";
import { churnModelOutput } from "./common.js";

export const SERVER_STATUS = "server_status";

export const serverStatusInput = {};

export const serverStatusOutput = z.object({
  store: z.string().describe("path of the SQLite customer store this server reads"),
  schema_version: z.number().int(),
  data_version: z
    .number()
    .int()
    .describe("bumped by every import and write; cached scores record the version they used"),
  writes_enabled: z
    .boolean()
    .describe("whether log_interaction, record_feedback and saving drafts work (--allow-writes)"),
  redacting: z.boolean().describe("whether emails and phone numbers are masked in every output (--redact)"),
  latest_scores: z
    .object({
      as_of: z.string(),
      horizon_days: z.number().int(),
      data_version: z.number().int(),
      computed_at: z.string(),
      customers: z.number().int(),
      seconds: z.number().describe("how long computing them took"),
      current: z.boolean().describe("computed from the current data version"),
      newest_purchase: z.string().nullable().describe("the newest purchase on or before as_of"),
      warnings: z.array(z.string()).describe("what to know before trusting these scores"),
      unscored_customers: z.number().int().describe("customers whose history could not be scored"),
      carried_over: z
        .object({
          from_as_of: z.string().describe("the earlier set on the same data they came from"),
          customers: z.number().int(),
        })
        .nullable()
        .describe(
          "customers whose history-derived figures were carried over from an earlier set instead of read again (null: every history was read)",
        ),
    })
    .nullable()
    .describe("the most recently computed score set; null before the first scoring"),
  churn_model: churnModelOutput
    .nullable()
    .describe(
      "how the latest scores' churn probabilities were made and the latest backtest; null before the first scoring",
    ),
  llm_endpoint: z
    .object({ base_url: z.string(), model: z.string() })
    .nullable()
    .describe("the OpenAI-compatible endpoint drafts and summaries may use; null when none is configured"),
});

export type ServerStatusResult = z.infer<typeof serverStatusOutput>;
