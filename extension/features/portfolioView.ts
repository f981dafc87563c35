import { randomBytes } from "node:crypto";
import * as vscode from "vscode";
import { appPanelHtml, hostLocale, PORTFOLIO_VIEWS } from "../render/appPanelHtml.js";
import type { CrmServices } from "../services.js";
import { answerAppPanel, embedView } from "./appPanel.js";

/**
 * The Portfolio dashboard: an editor showing the server's cohorts-and-KPIs and segment views
 * (the MCP Apps bundles chat hosts render), redrawn when the data changes.
 */
export function registerPortfolioView(services: CrmServices): void {
  let panel: vscode.WebviewPanel | undefined;

  async function render(target: vscode.WebviewPanel): Promise<void> {
    const views = await Promise.all(PORTFOLIO_VIEWS.map((view) => embedView(services, view)));
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
    answerAppPanel(created, services);
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
