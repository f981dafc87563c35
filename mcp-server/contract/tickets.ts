/**
 * Ticket vocabulary shared by the tool contracts, the store and the import. It lives with the
 * contracts so that the extension bundle, which imports contracts, carries no store code.
 */
export const TICKET_KINDS = ["complaint", "question", "request", "return"] as const;
export const TICKET_STATUSES = ["open", "answered", "resolved"] as const;
export type TicketKind = (typeof TICKET_KINDS)[number];
export type TicketStatus = (typeof TICKET_STATUSES)[number];

/** Most open tickets one customer's profile or facts sheet lists; the count is always exact. */
export const OPEN_TICKETS_SHOWN = 10;
