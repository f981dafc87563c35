import { z } from "zod";
import { DATE_WINDOW, MAX_LENGTH, SCORE_RANGE } from "../limits.js";
import { customerIdInput, customerRefOutput } from "./common.js";
import { ticketOutput } from "./listTickets.js";
import { occurredAtInput, withoutControlCharacters, writeAuditOutput } from "./logInteraction.js";

export const RECORD_FEEDBACK = "record_feedback";

export const feedbackSources = ["survey", "nps", "review", "ticket", "complaint"] as const;

/** Longest feedback text the tool accepts (see `MAX_LENGTH` for why it is below the import's). */
export const MAX_FEEDBACK_TEXT = MAX_LENGTH.toolFeedbackText;

export const recordFeedbackInput = {
  customer_id: customerIdInput,
  source: z
    .enum(feedbackSources)
    .describe(
      "Where it came from: survey, nps (a 0-10 'would you recommend us' answer), review, ticket or complaint.",
    ),
  score: z
    .number()
    .min(SCORE_RANGE.min)
    .max(SCORE_RANGE.max)
    .optional()
    .describe(
      `The rating on the store's ${SCORE_RANGE.min}-${SCORE_RANGE.max} scale (NPS answers must be whole numbers). Leave out when there is none.`,
    ),
  text: z
    .string()
    .trim()
    .max(MAX_FEEDBACK_TEXT)
    .superRefine(withoutControlCharacters("text", true))
    .optional()
    .describe(
      `What the customer wrote, verbatim (up to ${MAX_FEEDBACK_TEXT} characters). Give a score, a text or both.`,
    ),
  language: z
    .enum(["en", "zh"])
    .optional()
    .describe(
      "Language of the text: 'en' or 'zh'. Default: detected from the text, or the customer's language when there is no text.",
    ),
  status: z
    .enum(["open", "resolved"])
    .optional()
    .describe(
      "Whether it still needs action. Default: open for complaints and tickets, resolved otherwise. An open complaint or ticket opens a service ticket.",
    ),
  occurred_at: occurredAtInput.describe(
    `When it was given: YYYY-MM-DD or an ISO 8601 timestamp with a zone between -14:00 and +14:00. Default: now. Must not be in the future or before ${DATE_WINDOW.first}.`,
  ),
};

export const recordFeedbackOutput = z.object({
  feedback: z.object({
    id: z.number().int(),
    external_id: z.string().describe("mcp:<uuid>"),
    customer: customerRefOutput,
    occurred_at: z.string(),
    source: z.enum(feedbackSources),
    score: z.number().nullable(),
    text: z.string().describe("quoted customer content, stored verbatim"),
    language: z.enum(["en", "zh"]),
    language_detected: z.boolean().describe("true when the language was detected rather than given"),
    status: z.enum(["open", "resolved"]),
    sentiment: z
      .enum(["positive", "neutral", "negative"])
      .nullable()
      .describe("of the text; null without text"),
  }),
  ticket: ticketOutput
    .nullable()
    .describe(
      "the service ticket this feedback opened (an open complaint opens a complaint ticket, an open ticket a request), linked to it; null for other feedback",
    ),
  audit: writeAuditOutput,
});

export type RecordFeedbackResult = z.infer<typeof recordFeedbackOutput>;
