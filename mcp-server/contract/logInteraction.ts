import { z } from "zod";
import { DATE_WINDOW, MAX_LENGTH, forbiddenCharacter } from "../limits.js";
import { customerIdInput, customerRefOutput } from "./common.js";

export const LOG_INTERACTION = "log_interaction";

export const interactionChannels = ["email", "phone", "meeting", "chat", "social", "in-store"] as const;

/** Longest interaction summary the tool accepts (see `MAX_LENGTH` for why it is below the import's). */
export const MAX_SUMMARY = MAX_LENGTH.toolSummary;
/** Longest outcome the tool accepts; the same as an imported outcome. */
export const MAX_OUTCOME = MAX_LENGTH.shortText;

/**
 * A zod check that refuses control characters (NUL, escape, ...) in a text field, as the
 * importer does; `lineBreaks` lets free text keep its tabs and line breaks.
 */
export function withoutControlCharacters(field: string, lineBreaks: boolean) {
  return (text: string, context: z.RefinementCtx) => {
    const forbidden = forbiddenCharacter(text, lineBreaks);
    if (forbidden) {
      context.addIssue({
        code: "custom",
        message: `${field} holds a control character, ${forbidden}; remove it and call again`,
      });
    }
  };
}

/**
 * A moment given as a day (YYYY-MM-DD, read as 00:00 UTC) or a full ISO 8601 timestamp with a
 * zone (2026-06-30T14:05:00Z, 2026-06-30T22:05:00+08:00). Zone-less times are refused because
 * they would silently be read in the server's zone.
 */
export const occurredAtInput = z
  .string()
  .trim()
  .regex(
    /^\d{4}-\d{2}-\d{2}(T\d{2}:\d{2}(:\d{2}(\.\d{1,3})?)?(Z|[+-]\d{2}:\d{2}))?$/,
    "occurred_at must be YYYY-MM-DD or an ISO 8601 timestamp with a zone, e.g. 2026-06-30T14:05:00Z",
  )
  .optional();

export const logInteractionInput = {
  customer_id: customerIdInput,
  channel: z.enum(interactionChannels).describe("How the contact happened."),
  direction: z
    .enum(["inbound", "outbound"])
    .optional()
    .describe("outbound (default): we contacted the customer; inbound: the customer contacted us."),
  summary: z
    .string()
    .trim()
    .min(1, "summary must not be empty: say in a sentence what was discussed")
    .max(MAX_SUMMARY)
    .superRefine(withoutControlCharacters("summary", true))
    .describe(`What was discussed, in a sentence or a few (1-${MAX_SUMMARY} characters).`),
  outcome: z
    .string()
    .trim()
    .min(1)
    .max(MAX_OUTCOME)
    .superRefine(withoutControlCharacters("outcome", true))
    .optional()
    .describe(
      `The result in a few words, e.g. 'order placed', 'call back next week' (up to ${MAX_OUTCOME} characters).`,
    ),
  occurred_at: occurredAtInput.describe(
    `When it happened: YYYY-MM-DD or an ISO 8601 timestamp with a zone between -14:00 and +14:00 (e.g. 2026-06-30T14:05:00Z). Default: now. Must not be in the future or before ${DATE_WINDOW.first}.`,
  ),
};

export const writeAuditOutput = z.object({
  audit_id: z.number().int().describe("the audit_log entry of this write"),
  actor: z.string(),
  at: z.string(),
  data_version: z
    .number()
    .int()
    .describe("the store's data version after the write; cached scores recompute on their next read"),
});

export const logInteractionOutput = z.object({
  interaction: z.object({
    id: z.number().int(),
    external_id: z.string().describe("mcp:<uuid>"),
    customer: customerRefOutput,
    occurred_at: z.string(),
    channel: z.enum(interactionChannels),
    direction: z.enum(["inbound", "outbound"]),
    summary: z.string(),
    outcome: z.string().nullable(),
  }),
  audit: writeAuditOutput,
});

export type LogInteractionResult = z.infer<typeof logInteractionOutput>;
