import { z } from "zod";
import { DATE_WINDOW, MAX_LENGTH } from "../limits.js";
import { ticketInput, ticketOutput } from "./listTickets.js";
import { occurredAtInput, withoutControlCharacters, writeAuditOutput } from "./logInteraction.js";

export const RESOLVE_TICKET = "resolve_ticket";

/** Longest resolution note the tool accepts: an interaction summary's length. */
export const MAX_RESOLUTION = MAX_LENGTH.toolSummary;

export const resolveTicketInput = {
  ticket: ticketInput,
  resolution: z
    .string()
    .trim()
    .min(1, "resolution must not be empty: say in a sentence how the ticket was resolved")
    .max(MAX_RESOLUTION)
    .superRefine(withoutControlCharacters("resolution", true))
    .describe(`How the ticket was resolved, in a sentence or a few (1-${MAX_RESOLUTION} characters).`),
  resolved_at: occurredAtInput.describe(
    `When it was resolved: YYYY-MM-DD or an ISO 8601 timestamp with a zone. Default: now. Not before the ticket was opened or first answered, not in the future, not before ${DATE_WINDOW.first}.`,
  ),
};

export const resolveTicketOutput = z.object({
  ticket: ticketOutput,
  complaint_resolved: z
    .string()
    .nullable()
    .describe(
      "the id of the open complaint (feedback) the ticket was opened for, now marked resolved too; null if none",
    ),
  audit: writeAuditOutput,
});

export type ResolveTicketResult = z.infer<typeof resolveTicketOutput>;
