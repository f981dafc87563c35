import type { McpServer } from "@modelcontextprotocol/sdk/server/mcp.js";
import {
  RESOLVE_TICKET,
  resolveTicketInput,
  resolveTicketOutput,
  type ResolveTicketResult,
} from "../contract/resolveTicket.js";
import type { ServerDeps } from "../server/deps.js";
import { auditedWrite } from "../store/audit.js";
import { requireTicket, slaOf, ticketAsOf, ticketByStoreId } from "../store/ticketQueries.js";
import { storedTime } from "../store/timestamps.js";
import { ticketOutputOf } from "./listTickets.js";
import { parseTicketMoment, ticketCustomer, ticketWriteOptions } from "./respondToTicket.js";
import { cell, requireWrites, toolResult } from "./support.js";

type Input = { ticket: string; resolution: string; resolved_at?: string };

/**
 * Resolves a ticket, audited: stamps when and how, and resolves the complaint it was opened for
 * in the same transaction, so the complaint stops counting against the customer's churn risk
 * together with the ticket. A ticket resolved without an earlier answer gets its first response
 * stamped at the resolution: resolving it answered the customer.
 */
export async function resolveTicket(deps: ServerDeps, input: Input): Promise<ResolveTicketResult> {
  requireWrites(deps, RESOLVE_TICKET);
  const ticket = await requireTicket(deps.store, input.ticket);
  if (ticket.status === "resolved") {
    throw new Error(
      `ticket ${ticket.external_id} was already resolved${ticket.resolved_at ? ` at ${ticket.resolved_at}` : ""}${ticket.resolution ? ` (${ticket.resolution})` : ""}; nothing was changed`,
    );
  }
  const now = deps.now();
  const resolvedAt = parseTicketMoment(input.resolved_at, now, "resolved_at");
  if (resolvedAt < ticket.opened_at) {
    throw new Error(
      `resolved_at ${resolvedAt} is before ticket ${ticket.external_id} was opened (${ticket.opened_at}); give the time it was resolved`,
    );
  }
  if (ticket.first_response_at !== null && resolvedAt < ticket.first_response_at) {
    throw new Error(
      `resolved_at ${resolvedAt} is before ticket ${ticket.external_id} was first answered (${ticket.first_response_at}); give the time it was resolved`,
    );
  }
  const customer = await ticketCustomer(deps, ticket);
  const at = storedTime(now);
  const {
    result: complaintResolved,
    auditId,
    dataVersion,
  } = await auditedWrite(
    deps.store,
    { at, actor: deps.actor, action: RESOLVE_TICKET, customerId: customer.id, details: input },
    ticketWriteOptions(deps, customer.id),
    async () => {
      const { changes } = await deps.store.db.run(
        `UPDATE tickets SET resolved_at = ?, status = 'resolved', resolution = ?,
                first_response_at = COALESCE(first_response_at, ?)
         WHERE id = ? AND status <> 'resolved'`,
        [resolvedAt, input.resolution, resolvedAt, ticket.id],
      );
      // Another call resolved it in between: throwing rolls back this call's audit entry too.
      if (changes !== 1)
        throw new Error(`ticket ${ticket.external_id} was resolved meanwhile; nothing was changed`);
      if (ticket.feedback_id === null) return false;
      const feedback = await deps.store.db.run(
        "UPDATE feedback SET status = 'resolved' WHERE id = ? AND status = 'open' AND source IN ('complaint', 'ticket')",
        [ticket.feedback_id],
      );
      return feedback.changes === 1;
    },
  );
  const updated = (await ticketByStoreId(deps.store, ticket.id))!;
  return {
    ticket: ticketOutputOf(ticketAsOf(updated, now, await slaOf(deps.store)), customer),
    complaint_resolved: complaintResolved ? updated.feedback_external_id : null,
    audit: { audit_id: auditId, actor: deps.actor, at, data_version: dataVersion },
  };
}

function toMarkdown(result: ResolveTicketResult): string {
  const t = result.ticket;
  const late = t.resolved_at !== null && t.resolved_at > t.resolution_due_at ? " (after its SLA)" : "";
  return [
    `Resolved ticket ${cell(t.ticket_id)} (${t.kind}) of ${cell(t.customer.name)} (${cell(t.customer.customer_id)}) at ${t.resolved_at}${late}: ${cell(t.resolution)}.`,
    ...(result.complaint_resolved
      ? [`The complaint it was opened for (${result.complaint_resolved}) is resolved too.`]
      : []),
    `Audit entry #${result.audit.audit_id} by ${result.audit.actor}; the customer's scores reflect it on the next read (data version ${result.audit.data_version}).`,
  ].join("\n");
}

/** Registered whether or not writes are allowed; see `registerLogInteraction` for why. */
export function registerResolveTicket(server: McpServer, deps: ServerDeps): void {
  server.registerTool(
    RESOLVE_TICKET,
    {
      title: "Resolve a ticket",
      description:
        (deps.allowWrites
          ? ""
          : "DISABLED on this server (started without --allow-writes); calls return an error. ") +
        "Closes a service ticket with a resolution note: stamps when it was resolved (and its first response, if it had none), sets it resolved, " +
        "and marks the complaint it was opened for resolved too. Writes one audit-log entry and refreshes the customer's scores (open tickets raise churn risk). " +
        "A resolved ticket cannot be resolved again. Find tickets with list_tickets.",
      inputSchema: resolveTicketInput,
      outputSchema: resolveTicketOutput,
      annotations: {
        readOnlyHint: false,
        destructiveHint: false,
        idempotentHint: false,
        openWorldHint: false,
      },
    },
    async (input) => {
      const result = await resolveTicket(deps, input);
      return toolResult(deps, result, toMarkdown(result));
    },
  );
}
