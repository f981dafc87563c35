import type { McpServer } from "@modelcontextprotocol/sdk/server/mcp.js";
import {
  LOG_INTERACTION,
  logInteractionInput,
  logInteractionOutput,
  type LogInteractionResult,
} from "../contract/logInteraction.js";
import { DATE_WINDOW, MAX_ZONE_OFFSET_MINUTES, inDateWindow } from "../limits.js";
import type { ServerDeps } from "../server/deps.js";
import { carryScoreSets } from "../scoring/carryScores.js";
import { auditedWrite, mcpExternalId } from "../store/audit.js";
import { storedTime } from "../store/timestamps.js";
import { cell, customerRef, requireWrites, toolResult } from "./support.js";

type Input = {
  customer_id: string;
  channel: LogInteractionResult["interaction"]["channel"];
  direction?: "inbound" | "outbound";
  summary: string;
  outcome?: string;
  occurred_at?: string;
};

/**
 * When something happened: `text` as a day (00:00 UTC) or a zoned ISO timestamp, else now.
 * Refuses impossible dates and moments after now, with messages that say how to fix them.
 */
export function parseOccurredAt(text: string | undefined, now: Date): string {
  if (text === undefined) return storedTime(now);
  const zone = /([+-])(\d{2}):(\d{2})$/.exec(text);
  if (zone && (+zone[3] > 59 || +zone[2] * 60 + +zone[3] > MAX_ZONE_OFFSET_MINUTES)) {
    throw new Error(
      `occurred_at ${text} has the zone ${zone[0]}, which no place uses: zones run from -14:00 to +14:00; fix the zone or give the time in UTC with Z`,
    );
  }
  const dayOnly = /^\d{4}-\d{2}-\d{2}$/.test(text);
  const date = new Date(dayOnly ? `${text}T00:00:00Z` : text);
  if (Number.isNaN(date.getTime()) || (dayOnly && date.toISOString().slice(0, 10) !== text)) {
    throw new Error(`occurred_at "${text}" is not a real date; write it YYYY-MM-DD, e.g. 2026-06-30`);
  }
  // JavaScript reads 0000-01-01 happily; the store keeps a sane window (see limits.ts).
  if (!inDateWindow(date.getTime())) {
    throw new Error(
      `occurred_at ${text} is outside the dates the store keeps (${DATE_WINDOW.first} to ${DATE_WINDOW.last}); give the moment it actually happened`,
    );
  }
  if (date.getTime() > now.getTime()) {
    throw new Error(
      `occurred_at ${text} is in the future (server time ${storedTime(now)}); give the moment it actually happened, or leave it out for now`,
    );
  }
  return storedTime(date);
}

/** Records one interaction with a customer, audited, and marks the book changed. */
export async function logInteraction(deps: ServerDeps, input: Input): Promise<LogInteractionResult> {
  requireWrites(deps, LOG_INTERACTION);
  const customer = await deps.store.requireCustomer(input.customer_id);
  const now = deps.now();
  const occurredAt = parseOccurredAt(input.occurred_at, now);
  const row = {
    external_id: mcpExternalId(),
    occurred_at: occurredAt,
    channel: input.channel,
    direction: input.direction ?? "outbound",
    summary: input.summary,
    outcome: input.outcome ?? null,
  };
  const at = storedTime(now);
  const { result, auditId, dataVersion } = await auditedWrite(
    deps.store,
    { at, actor: deps.actor, action: LOG_INTERACTION, customerId: customer.id, details: input },
    // The last interaction feeds the churn model's inactivity signal: this customer is scored
    // again in the cached sets, so the next read reflects it without a full rescore.
    {
      changesScores: true,
      areas: ["interactions"],
      carryScores: (from, to) => carryScoreSets(deps.store, [customer.id], from, to),
    },
    () =>
      deps.store.db.run(
        "INSERT INTO interactions (external_id, customer_id, occurred_at, channel, direction, summary, outcome) VALUES (?, ?, ?, ?, ?, ?, ?)",
        [row.external_id, customer.id, row.occurred_at, row.channel, row.direction, row.summary, row.outcome],
      ),
  );
  return {
    interaction: { id: result.lastID, customer: customerRef(customer), ...row },
    audit: { audit_id: auditId, actor: deps.actor, at, data_version: dataVersion },
  };
}

function toMarkdown(result: LogInteractionResult): string {
  const i = result.interaction;
  return [
    `Logged ${i.direction} ${i.channel} with ${i.customer.name} (${i.customer.customer_id}) at ${i.occurred_at}: ${cell(i.summary)}${i.outcome ? ` — outcome: ${cell(i.outcome)}` : ""}.`,
    `Interaction ${i.external_id}; audit entry #${result.audit.audit_id} by ${result.audit.actor}. The next read scores this customer with it (data version ${result.audit.data_version}).`,
  ].join("\n");
}

/**
 * Registered whether or not writes are allowed, so clients can see the tool and the model can
 * tell the user how to enable it: without `--allow-writes` the description says it is disabled
 * and every call returns an isError result naming the flag, with nothing written.
 */
export function registerLogInteraction(server: McpServer, deps: ServerDeps): void {
  server.registerTool(
    LOG_INTERACTION,
    {
      title: "Log an interaction",
      description:
        (deps.allowWrites
          ? ""
          : "DISABLED on this server (started without --allow-writes); calls return an error. ") +
        "Records a contact with a customer (email, phone, meeting, chat, social or in-store; inbound or outbound) with a summary and outcome. " +
        "Writes one interaction row and one audit-log entry, and refreshes the scores (the last interaction feeds the risk score). Each call adds a new row.",
      inputSchema: logInteractionInput,
      outputSchema: logInteractionOutput,
      annotations: {
        readOnlyHint: false,
        destructiveHint: false,
        idempotentHint: false,
        openWorldHint: false,
      },
    },
    async (input) => {
      const result = await logInteraction(deps, input);
      return toolResult(deps, result, toMarkdown(result));
    },
  );
}
