import { randomBytes } from "node:crypto";
import * as vscode from "vscode";
import {
  appPanelHtml,
  hostLocale,
  parseAppPanelMessage,
  PORTFOLIO_VIEWS,
  toolErrorResult,
  viewResourceUri,
  type AppPanelToolReply,
  type EmbeddedView,
  type UnavailableView,
} from "../render/appPanelHtml.js";
import type { CrmServices } from "../services.js";

/** Each view's HTML from the server and its tool's answer; a view that cannot be shown says why. */
async function loadViews(services: CrmServices): Promise<(EmbeddedView | UnavailableView)[]> {
  return Promise.all(
    PORTFOLIO_VIEWS.map(async (view) => {
      try {
        const [html, result] = await Promise.all([
          services.client.readResourceText(viewResourceUri(view.name)),
          services.client.callToolResult(view.tool, view.input),
        ]);
        return { ...view, html, result };
      } catch (error) {
        return { ...view, error: error instanceof Error ? error.message : String(error) };
      }
    }),
  );
}

/**
 * The Portfolio dashboard: an editor showing the server's cohorts-and-KPIs and segment views
 * (the MCP Apps bundles chat hosts render), redrawn when the data changes.
 */
export function registerPortfolioView(services: CrmServices): void {
  let panel: vscode.WebviewPanel | undefined;

  async function render(target: vscode.WebviewPanel): Promise<void> {
    const views = await loadViews(services);
    target.webview.html = appPanelHtml(views, {
      nonce: randomBytes(16).toString("base64"),
      title: "CRM Portfolio",
      locale: hostLocale(vscode.env.language),
    });
  }

  async function open(): Promise<void> {
    if (panel) {
      panel.reveal();
      return;
    }
    const created = vscode.window.createWebviewPanel(
      "crm.portfolio",
      "CRM Portfolio",
      vscode.ViewColumn.Active,
      {
        enableScripts: true,
        enableCommandUris: false,
        localResourceRoots: [],
        retainContextWhenHidden: true,
      },
    );
    panel = created;
    created.onDidDispose(() => (panel = undefined));
    created.webview.onDidReceiveMessage(async (raw: unknown) => {
      const message = parseAppPanelMessage(raw);
      if (!message) return;
      if (message.type === "openLink") {
        await vscode.env.openExternal(vscode.Uri.parse(message.url));
        return;
      }
      let result;
      try {
        result = await services.client.callToolResult(message.name, message.arguments);
      } catch (error) {
        result = toolErrorResult(error instanceof Error ? error.message : String(error));
      }
      const reply: AppPanelToolReply = { type: "toolResult", requestId: message.requestId, result };
      await created.webview.postMessage(reply);
    });
    try {
      await render(created);
    } catch (error) {
      created.dispose();
      void services.showError("could not open the portfolio", error);
    }
  }

  services.context.subscriptions.push(
    vscode.commands.registerCommand("crm.openPortfolio", open),
    services.onDidChangeData(() => {
      if (panel) render(panel).catch((error) => services.showError("portfolio", error));
    }),
    { dispose: () => panel?.dispose() },
  );
}
