import { randomBytes } from "node:crypto";
import * as vscode from "vscode";
import { GET_CUSTOMER, type GetCustomerResult } from "../../mcp-server/contract/getCustomer.js";
import { LOG_INTERACTION } from "../../mcp-server/contract/logInteraction.js";
import { SEARCH_CUSTOMERS, type SearchCustomersResult } from "../../mcp-server/contract/searchCustomers.js";
import { customerHtml, parseCustomerViewMessage } from "../render/customerHtml.js";
import { DRAFT_FOLLOW_UP_COMMAND, OPEN_CUSTOMER_COMMAND } from "../render/markdown.js";
import type { CrmServices } from "../services.js";

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

/** The customer view: one webview panel per customer, reloaded when the data changes. */
export function registerCustomerView(services: CrmServices): void {
  const panels = new Map<string, vscode.WebviewPanel>();

  async function render(panel: vscode.WebviewPanel, customerId: string): Promise<void> {
    const result = await services.client.call<GetCustomerResult>(GET_CUSTOMER, { customer_id: customerId });
    panel.title = `${result.customer.name} · ${result.customer.customer_id}`;
    panel.webview.html = customerHtml(result, {
      nonce: randomBytes(16).toString("base64"),
      cspSource: panel.webview.cspSource,
      allowWrites: services.settings().allowWrites,
    });
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
    panel.webview.onDidReceiveMessage(async (raw: unknown) => {
      const message = parseCustomerViewMessage(raw);
      if (!message) return;
      try {
        if (message.type === "draftFollowUp") {
          await vscode.commands.executeCommand(DRAFT_FOLLOW_UP_COMMAND, customerId);
        } else if (message.type === "refresh") {
          await render(panel, customerId);
        } else {
          await services.client.call(LOG_INTERACTION, {
            customer_id: customerId,
            channel: message.channel,
            summary: message.summary,
            ...(message.outcome ? { outcome: message.outcome } : {}),
          });
          void vscode.window.showInformationMessage(`Interaction logged for ${customerId}.`);
          services.dataDidChange();
        }
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
