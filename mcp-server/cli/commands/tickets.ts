import type { Command } from "commander";
import { toolInput } from "../../assistant/commandSupport.js";
import { listTicketsInput, type ListTicketsResult } from "../../contract/listTickets.js";
import { resolveTicketInput } from "../../contract/resolveTicket.js";
import { respondToTicketInput } from "../../contract/respondToTicket.js";
import type { ServerDeps } from "../../server/deps.js";
import { actorName } from "../../server/serveOptions.js";
import type { Store } from "../../store/store.js";
import { listTickets } from "../../tools/listTickets.js";
import { resolveTicket } from "../../tools/resolveTicket.js";
import { respondToTicket } from "../../tools/respondToTicket.js";
import type { CliContext } from "../context.js";
import { UserError } from "../errors.js";
import { parsePositiveInteger } from "../options.js";
import { formatCount, formatTable, printJson } from "../output.js";

/** The deps ticket commands run with: the user at the terminal owns the store, and is audited by name. */
function cliDeps(store: Store): ServerDeps {
  return { store, allowWrites: true, redact: false, actor: actorName(), now: () => new Date() };
}

/** Errors the ticket functions throw for the input (unknown ticket, a time before it opened) are the user's to fix. */
async function userErrors<T>(work: () => Promise<T>): Promise<T> {
  try {
    return await work();
  } catch (error) {
    if (error instanceof Error && (error.constructor === Error || error.name === "UnknownTicketError"))
      throw new UserError(error.message);
    throw error;
  }
}

function printTickets(result: ListTicketsResult): void {
  const sla = `SLA: first response within ${result.sla.first_response_hours} h, resolution within ${result.sla.resolution_hours} h`;
  if (result.tickets.length === 0) {
    process.stdout.write(`no tickets match (${sla})\n`);
    return;
  }
  process.stdout.write(
    `${formatTable(result.tickets, [
      { header: "ticket", value: (ticket) => ticket.ticket_id, maxWidth: 24 },
      {
        header: "customer",
        value: (ticket) => `${ticket.customer.name} (${ticket.customer.customer_id})`,
        maxWidth: 30,
      },
      { header: "kind", value: (ticket) => ticket.kind },
      { header: "opened", value: (ticket) => ticket.opened_at.slice(0, 16).replace("T", " ") },
      { header: "status", value: (ticket) => ticket.status },
      {
        header: "SLA",
        value: (ticket) =>
          ticket.overdue
            ? `overdue (${ticket.overdue_for === "first_response" ? "no answer" : "unresolved"})`
            : ticket.status === "resolved"
              ? "-"
              : "in time",
      },
      { header: "owner", value: (ticket) => ticket.owner ?? ticket.customer.owner ?? "-", maxWidth: 20 },
      { header: "subject", value: (ticket) => ticket.subject.replace(/\s+/g, " "), maxWidth: 50 },
    ])}\n`,
  );
  process.stdout.write(
    `${formatCount(result.tickets.length)} of ${formatCount(result.total)} tickets, ${result.order.replace("-", " ")}; ${sla}${result.next_cursor ? `; next page: --cursor ${result.next_cursor}` : ""}\n`,
  );
}

export function registerTicketsCommand(program: Command, context: CliContext): void {
  const tickets = program
    .command("tickets")
    .description("service tickets and their SLA: list (default), respond, resolve");

  tickets
    .command("list", { isDefault: true })
    .description("tickets with their SLA verdict now; unresolved lists oldest first")
    .option("--status <status>", "open, answered or resolved")
    .option("--owner <name>", "the person handling them (unassigned tickets: the account manager)")
    .option("--customer <id>", "only this customer's tickets")
    .option("--overdue", "only tickets past the SLA")
    .option("--limit <number>", "rows per page", parsePositiveInteger("--limit"), 20)
    .option("--cursor <cursor>", "the next page, as the previous one printed it")
    .option("--json", "print JSON")
    .action(async (options) => {
      const input = toolInput(
        listTicketsInput,
        {
          status: options.status,
          owner: options.owner,
          customer_id: options.customer,
          overdue: options.overdue ? true : undefined,
          limit: options.limit,
          cursor: options.cursor,
        },
        {
          status: "--status",
          owner: "--owner",
          customer_id: "--customer",
          limit: "--limit",
          cursor: "--cursor",
        },
      );
      const store = await context.openStore();
      const result = await userErrors(() => listTickets(cliDeps(store), input));
      if (options.json) return printJson(result);
      printTickets(result);
    });

  tickets
    .command("respond")
    .description("record an answer to a ticket; the first one stamps its first response (audited)")
    .argument("<ticket>", "the ticket's id (as crm tickets list shows it)")
    .option("--note <text>", "what was answered")
    .option("--at <time>", "when (YYYY-MM-DD or ISO 8601 with a zone; default now)")
    .option("--json", "print JSON")
    .action(async (ticket: string, options) => {
      const input = toolInput(
        respondToTicketInput,
        { ticket, note: options.note, responded_at: options.at },
        { note: "--note", responded_at: "--at" },
      );
      const store = await context.openStore();
      const result = await userErrors(() => respondToTicket(cliDeps(store), input));
      await context.afterWrite(store);
      if (options.json) return printJson(result);
      process.stdout.write(
        result.first_response
          ? `ticket ${result.ticket.ticket_id} answered at ${result.ticket.first_response_at}; resolve it by ${result.ticket.resolution_due_at}\n`
          : `ticket ${result.ticket.ticket_id} already had its first response (${result.ticket.first_response_at}); this answer is in the audit log\n`,
      );
    });

  tickets
    .command("resolve")
    .description("close a ticket with a resolution note; its complaint is resolved too (audited)")
    .argument("<ticket>", "the ticket's id (as crm tickets list shows it)")
    .requiredOption("--resolution <text>", "how it was resolved")
    .option("--at <time>", "when (YYYY-MM-DD or ISO 8601 with a zone; default now)")
    .option("--json", "print JSON")
    .action(async (ticket: string, options) => {
      const input = toolInput(
        resolveTicketInput,
        { ticket, resolution: options.resolution, resolved_at: options.at },
        { resolution: "--resolution", resolved_at: "--at" },
      );
      const store = await context.openStore();
      const result = await userErrors(() => resolveTicket(cliDeps(store), input));
      await context.afterWrite(store);
      if (options.json) return printJson(result);
      process.stdout.write(
        `ticket ${result.ticket.ticket_id} resolved at ${result.ticket.resolved_at}${result.complaint_resolved ? `; complaint ${result.complaint_resolved} resolved too` : ""}\n`,
      );
    });
}
