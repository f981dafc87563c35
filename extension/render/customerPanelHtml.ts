import { GET_CUSTOMER, type GetCustomerResult } from "../../mcp-server/contract/getCustomer.js";
import { interactionChannels } from "../../mcp-server/contract/logInteraction.js";
import {
  appPanelHtml,
  type EmbeddedView,
  type HostActionMessage,
  type UnavailableView,
} from "./appPanelHtml.js";
import { escapeHtml, formatDay } from "./format.js";

/**
 * The customer view: the server's customer-card MCP Apps view (what chat hosts show for
 * get_customer), hosted by the App panel page, with the controls only VS Code offers around it:
 * draft a follow-up, refresh, and log an interaction (when writes are allowed).
 */

/** The view the customer panel embeds, and the tool call it draws. */
export const CUSTOMER_CARD_VIEW = { name: "customer-card", title: "Customer", tool: GET_CUSTOMER } as const;

/** The get_customer call the card of `customerId` draws. */
export function customerCardInput(customerId: string): Record<string, unknown> {
  return { customer_id: customerId };
}

/** What the customer panel's own controls ask the extension to do. */
export type CustomerPanelAction =
  | { type: "draftFollowUp" }
  | { type: "refresh" }
  | { type: "logInteraction"; channel: string; summary: string; outcome: string };

/** Checks a control's message (untrusted: the page also shows customer text). */
export function parseCustomerPanelAction(message: HostActionMessage): CustomerPanelAction | undefined {
  if (message.action === "draftFollowUp" || message.action === "refresh") return { type: message.action };
  if (message.action === "logInteraction") {
    const { channel, summary, outcome } = message.fields;
    if (channel === undefined || !(interactionChannels as readonly string[]).includes(channel))
      return undefined;
    if (summary === undefined || summary.trim() === "") return undefined;
    return { type: "logInteraction", channel, summary: summary.trim(), outcome: outcome?.trim() ?? "" };
  }
  return undefined;
}

export interface CustomerPanelOptions {
  nonce: string;
  locale: string;
  allowWrites: boolean;
}

/**
 * The recent interactions (the card does not list them) and, when writes are allowed, the form
 * that logs one: what a user checks before and after logging.
 */
function interactionsSection(card: GetCustomerResult | undefined, allowWrites: boolean): string {
  const e = escapeHtml;
  const items = (card?.recent_interactions ?? [])
    .slice(0, 5)
    .map(
      (item) =>
        `<li>${e(formatDay(item.occurred_at))} ${e(item.channel)} (${e(item.direction)}): ${e(item.summary)}${item.outcome ? ` → ${e(item.outcome)}` : ""}</li>`,
    )
    .join("");
  const list = items ? `<ul>${items}</ul>` : `<p class="muted">None recorded.</p>`;
  const form = allowWrites
    ? `<form class="host-controls" data-host-action="logInteraction" aria-label="Log an interaction"><select name="channel" aria-label="Channel">${interactionChannels
        .map((channel) => `<option value="${e(channel)}">${e(channel)}</option>`)
        .join(
          "",
        )}</select><input name="summary" placeholder="What was discussed" aria-label="Summary" required maxlength="2000"><input name="outcome" placeholder="Outcome (optional)" aria-label="Outcome" maxlength="200"><button type="submit">Log interaction</button></form>`
    : `<p class="muted">Logging interactions needs the setting <code>crm.allowWrites</code>.</p>`;
  return `<section class="interactions" aria-label="Interactions"><h2>Interactions</h2>${list}${form}</section>`;
}

/**
 * The customer panel's page: its controls, the embedded card (or why it cannot be shown) and the
 * interactions. `card` is the get_customer result the card draws (absent when the call failed).
 */
export function customerPanelHtml(
  view: EmbeddedView | UnavailableView,
  card: GetCustomerResult | undefined,
  options: CustomerPanelOptions,
): string {
  const header =
    `<div class="host-controls" role="toolbar" aria-label="Customer actions">` +
    `<button data-host-action="draftFollowUp">Draft follow-up</button>` +
    `<button class="secondary" data-host-action="refresh">Refresh</button></div>`;
  return appPanelHtml([view], {
    nonce: options.nonce,
    title: card ? `${card.customer.name} · ${card.customer.customer_id}` : view.title,
    locale: options.locale,
    header,
    footer: interactionsSection(card, options.allowWrites),
  });
}
