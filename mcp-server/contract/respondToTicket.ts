import { z } from "zod";
import { DATE_WINDOW, MAX_LENGTH } from "../limits.js";
import { ticketInput, ticketOutput } from "./listTickets.js";
import { occurredAtInput, withoutControlCharacters, writeAuditOutput } from "./logInteraction.js";

export const RESPOND_TO_TICKET = "respond_to_ticket";

/** Longest response note the tool accepts: an interaction summary's length. */
export const MAX_TICKET_NOTE = MAX_LENGTH.toolSummary;

export const respondToTicketInput = {
  ticket: ticketInput,
  note: z
    .string()
    .trim()
    .min(1)
    .max(MAX_TICKET_NOTE)
    .superRefine(withoutControlCharacters("note", true))
    .optional()
    .describe(
      `What was answered, in a sentence or a few (up to ${MAX_TICKET_NOTE} characters); kept in the audit log.`,
    ),
  responded_at: occurredAtInput.describe(
    `When the customer was answered: YYYY-MM-DD or an ISO 8601 timestamp with a zone. Default: now. Not before the ticket was opened, not in the future, not before ${DATE_WINDOW.first}.`,
  ),
};

export const respondToTicketOutput = z.object({
  ticket: ticketOutput,
  first_response: z
    .boolean()
    .describe(
      "true when this call stamped the ticket's first response; false when it had one already (kept)",
    ),
  note: z.string().nullable(),
  audit: writeAuditOutput,
});

export type RespondToTicketResult = z.infer<typeof respondToTicketOutput>;
