import type { McpServer } from "@modelcontextprotocol/sdk/server/mcp.js";
import {
  RESPOND_TO_TICKET,
  respondToTicketInput,
  respondToTicketOutput,
  type RespondToTicketResult,
} from "../contract/respondToTicket.js";
import { carryScoreSets } from "../scoring/carryScores.js";
import type { ServerDeps } from "../server/deps.js";
import { auditedWrite } from "../store/audit.js";
import type { CustomerRow } from "../store/rows.js";
import { requireTicket, slaOf, ticketAsOf, ticketByStoreId, type TicketRow } from "../store/ticketQueries.js";
import { storedTime } from "../store/timestamps.js";
import { parseOccurredAt } from "./logInteraction.js";
import { ticketOutputOf } from "./listTickets.js";
import { cell, requireWrites, toolResult } from "./support.js";

type Input = { ticket: string; note?: string; responded_at?: string };

/** A moment given to a ticket tool, checked as `parseOccurredAt` checks it, named as the tool's field. */
export function parseTicketMoment(text: string | undefined, now: Date, field: string): string {
  try {
    return parseOccurredAt(text, now);
  } catch (error) {
    throw new Error((error as Error).message.replace(/^occurred_at/, field));
  }
}

/** The customer a ticket belongs to (by store id: the foreign key guarantees one). */
export async function ticketCustomer(deps: ServerDeps, ticket: TicketRow): Promise<CustomerRow> {
  return (await deps.store.db.get<CustomerRow>("SELECT * FROM customers WHERE id = ?", [
    ticket.customer_id,
  ]))!;
}

/**
 * The write tools' options for `auditedWrite`: tickets feed the churn features of one customer,
 * and resolving one resolves the complaint it was opened for.
 */
export function ticketWriteOptions(deps: ServerDeps, customerId: number) {
  return {
    changesScores: true,
    areas: ["tickets", "feedback"] as const,
    carryScores: (from: number, to: number) => carryScoreSets(deps.store, [customerId], from, to),
  };
}

/**
 * Records an answer to a ticket, audited: the first one stamps the ticket's first response and
 * moves it from open to answered; later ones keep that stamp and are kept in the audit log only.
 */
export async function respondToTicket(deps: ServerDeps, input: Input): Promise<RespondToTicketResult> {
  requireWrites(deps, RESPOND_TO_TICKET);
  const ticket = await requireTicket(deps.store, input.ticket);
  if (ticket.status === "resolved") {
    throw new Error(
      `ticket ${ticket.external_id} was resolved${ticket.resolved_at ? ` at ${ticket.resolved_at}` : ""}; there is nothing left to answer, and nothing was written. If the customer came back about it, record that with record_feedback, which opens a new ticket`,
    );
  }
  const now = deps.now();
  const respondedAt = parseTicketMoment(input.responded_at, now, "responded_at");
  if (respondedAt < ticket.opened_at) {
    throw new Error(
      `responded_at ${respondedAt} is before ticket ${ticket.external_id} was opened (${ticket.opened_at}); give the time the customer was answered`,
    );
  }
  const customer = await ticketCustomer(deps, ticket);
  const at = storedTime(now);
  const {
    result: stamped,
    auditId,
    dataVersion,
  } = await auditedWrite(
    deps.store,
    { at, actor: deps.actor, action: RESPOND_TO_TICKET, customerId: customer.id, details: input },
    ticketWriteOptions(deps, customer.id),
    async () => {
      // Only the first answer is the first response; the guard keeps it so under concurrent calls.
      const { changes } = await deps.store.db.run(
        `UPDATE tickets SET first_response_at = ?, status = CASE WHEN status = 'open' THEN 'answered' ELSE status END
         WHERE id = ? AND first_response_at IS NULL AND status <> 'resolved'`,
        [respondedAt, ticket.id],
      );
      return changes === 1;
    },
  );
  const updated = (await ticketByStoreId(deps.store, ticket.id))!;
  return {
    ticket: ticketOutputOf(ticketAsOf(updated, now, await slaOf(deps.store)), customer),
    first_response: stamped,
    note: input.note ?? null,
    audit: { audit_id: auditId, actor: deps.actor, at, data_version: dataVersion },
  };
}

function toMarkdown(result: RespondToTicketResult): string {
  const t = result.ticket;
  return [
    result.first_response
      ? `Recorded the first response to ticket ${cell(t.ticket_id)} (${t.kind}) of ${cell(t.customer.name)} (${cell(t.customer.customer_id)}) at ${t.first_response_at}; status ${t.status}.`
      : `Ticket ${cell(t.ticket_id)} already had its first response (${t.first_response_at}); kept it, and recorded this answer in the audit log. Status ${t.status}.`,
    ...(result.note ? [`Note: ${cell(result.note)}`] : []),
    t.status === "resolved" ? "" : `Resolve it by ${t.resolution_due_at} (resolve_ticket).`,
    `Audit entry #${result.audit.audit_id} by ${result.audit.actor} (data version ${result.audit.data_version}).`,
  ]
    .filter(Boolean)
    .join("\n");
}

/** Registered whether or not writes are allowed; see `registerLogInteraction` for why. */
export function registerRespondToTicket(server: McpServer, deps: ServerDeps): void {
  server.registerTool(
    RESPOND_TO_TICKET,
    {
      title: "Respond to a ticket",
      description:
        (deps.allowWrites
          ? ""
          : "DISABLED on this server (started without --allow-writes); calls return an error. ") +
        "Records that a service ticket was answered: the first answer stamps the ticket's first response (which the SLA and service KPIs measure) and moves it from open to answered; " +
        "the note is kept in the audit log. Writes one audit-log entry and refreshes the customer's scores. Find tickets with list_tickets.",
      inputSchema: respondToTicketInput,
      outputSchema: respondToTicketOutput,
      annotations: {
        readOnlyHint: false,
        destructiveHint: false,
        idempotentHint: false,
        openWorldHint: false,
      },
    },
    async (input) => {
      const result = await respondToTicket(deps, input);
      return toolResult(deps, result, toMarkdown(result));
    },
  );
}
