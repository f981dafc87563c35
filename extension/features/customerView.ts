import { randomBytes } from "node:crypto";
import * as vscode from "vscode";
import { GET_CUSTOMER, type GetCustomerResult } from "../../mcp-server/contract/getCustomer.js";
import { LOG_INTERACTION } from "../../mcp-server/contract/logInteraction.js";
import { SEARCH_CUSTOMERS, type SearchCustomersResult } from "../../mcp-server/contract/searchCustomers.js";
import { structuredResult } from "../crmClient.js";
import { hostLocale } from "../render/appPanelHtml.js";
import {
  CUSTOMER_CARD_VIEW,
  customerCardInput,
  customerPanelHtml,
  parseCustomerPanelAction,
  type CustomerPanelAction,
} from "../render/customerPanelHtml.js";
import { DRAFT_FOLLOW_UP_COMMAND, OPEN_CUSTOMER_COMMAND } from "../render/markdown.js";
import type { CrmServices } from "../services.js";
import { answerAppPanel, embedView } from "./appPanel.js";

/** A customer id from a command argument: a string, or a tree node carrying `customerId`. */
export function customerIdArgument(argument: unknown): string | undefined {
  if (typeof argument === "string" && argument.trim() !== "") return argument.trim();
  if (typeof argument === "object" && argument !== null) {
    const { customerId } = argument as { customerId?: unknown };
    if (typeof customerId === "string") return customerId;
  }
  return undefined;
}

/** Asks for a customer: type a name, company or id, then pick from the matches. */
export async function pickCustomer(services: CrmServices, title: string): Promise<string | undefined> {
  const query = await vscode.window.showInputBox({
    title,
    prompt: "Customer id (e.g. C00042), or part of a name, company or email",
    ignoreFocusOut: true,
  });
  if (!query?.trim()) return undefined;
  const found = await services.client.call<SearchCustomersResult>(SEARCH_CUSTOMERS, {
    query: query.trim(),
    limit: 50,
  });
  if (found.customers.length === 0) {
    void vscode.window.showInformationMessage(`No customer matches "${query}".`);
    return undefined;
  }
  if (found.customers.length === 1) return found.customers[0]!.customer.customer_id;
  const picked = await vscode.window.showQuickPick(
    found.customers.map((row) => ({
      label: row.customer.name,
      description: `${row.customer.customer_id}${row.customer.company ? ` · ${row.customer.company}` : ""}`,
      detail: `${row.churn_probability === null ? "no purchase yet" : `churn ${Math.round(100 * row.churn_probability)}% (${row.risk_level})`} · CLV ${row.clv.toFixed(2)} · ${row.lifecycle_stage}`,
      id: row.customer.customer_id,
    })),
    { title, matchOnDescription: true, ignoreFocusOut: true },
  );
  return picked?.id;
}

/**
 * The customer view: one webview panel per customer showing the server's customer card (the
 * MCP Apps view chat hosts show for get_customer), redrawn when the data changes.
 */
export function registerCustomerView(services: CrmServices): void {
  const panels = new Map<string, vscode.WebviewPanel>();

  async function render(panel: vscode.WebviewPanel, customerId: string): Promise<void> {
    const input = customerCardInput(customerId);
    const result = await services.client.callToolResult(GET_CUSTOMER, input);
    // An unknown customer is the caller's error, not an empty card.
    const card = structuredResult<GetCustomerResult>(GET_CUSTOMER, result);
    const view = await embedView(services, { ...CUSTOMER_CARD_VIEW, input }, result);
    panel.title = `${card.customer.name} · ${card.customer.customer_id}`;
    panel.webview.html = customerPanelHtml(view, card, {
      nonce: randomBytes(16).toString("base64"),
      locale: hostLocale(vscode.env.language),
      allowWrites: services.settings().allowWrites,
    });
  }

  async function act(panel: vscode.WebviewPanel, customerId: string, action: CustomerPanelAction) {
    if (action.type === "draftFollowUp") {
      await vscode.commands.executeCommand(DRAFT_FOLLOW_UP_COMMAND, customerId);
    } else if (action.type === "refresh") {
      await render(panel, customerId);
    } else {
      await services.client.call(LOG_INTERACTION, {
        customer_id: customerId,
        channel: action.channel,
        summary: action.summary,
        ...(action.outcome ? { outcome: action.outcome } : {}),
      });
      void vscode.window.showInformationMessage(`Interaction logged for ${customerId}.`);
      services.dataDidChange();
    }
  }

  async function open(argument?: unknown): Promise<void> {
    const customerId = customerIdArgument(argument) ?? (await pickCustomer(services, "Open customer"));
    if (!customerId) return;
    const existing = panels.get(customerId);
    if (existing) {
      existing.reveal();
      return;
    }
    const panel = vscode.window.createWebviewPanel(
      "crm.customer",
      `Customer ${customerId}`,
      vscode.ViewColumn.Active,
      { enableScripts: true, enableCommandUris: false, localResourceRoots: [] },
    );
    panels.set(customerId, panel);
    panel.onDidDispose(() => panels.delete(customerId));
    answerAppPanel(panel, services, async (message) => {
      const action = parseCustomerPanelAction(message);
      if (!action) return;
      try {
        await act(panel, customerId, action);
      } catch (error) {
        void services.showError(`customer ${customerId}`, error);
      }
    });
    try {
      await render(panel, customerId);
    } catch (error) {
      panel.dispose();
      void services.showError(`could not open customer ${customerId}`, error);
    }
  }

  services.context.subscriptions.push(
    vscode.commands.registerCommand(OPEN_CUSTOMER_COMMAND, open),
    services.onDidChangeData(() => {
      for (const [customerId, panel] of panels) {
        render(panel, customerId).catch((error) => services.showError(`customer ${customerId}`, error));
      }
    }),
    { dispose: () => panels.forEach((panel) => panel.dispose()) },
  );
}
