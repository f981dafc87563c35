import type { CallToolResult } from "@modelcontextprotocol/sdk/types.js";
import * as vscode from "vscode";
import {
  parseAppPanelMessage,
  toolErrorResult,
  viewResourceUri,
  type AppPanelToolReply,
  type EmbeddedView,
  type HostActionMessage,
  type UnavailableView,
} from "../render/appPanelHtml.js";
import type { CrmServices } from "../services.js";

/** A view of the server's and the tool call it draws. */
export interface ViewCall {
  name: string;
  title: string;
  tool: string;
  input: Record<string, unknown>;
}

/**
 * The view's HTML from the server with the answer it draws (`result` when the caller already
 * has it, else the tool is called); a view that cannot be shown says why.
 */
export async function embedView(
  services: CrmServices,
  view: ViewCall,
  result?: CallToolResult,
): Promise<EmbeddedView | UnavailableView> {
  try {
    const [html, answer] = await Promise.all([
      services.client.readResourceText(viewResourceUri(view.name)),
      result ?? services.client.callToolResult(view.tool, view.input),
    ]);
    return { ...view, html, result: answer };
  } catch (error) {
    return { ...view, error: error instanceof Error ? error.message : String(error) };
  }
}

/**
 * Answers what an App panel page (render/appPanelHtml.ts) posts: the views' tool calls go to the
 * server (which still refuses writes unless it runs with --allow-writes), links open in the
 * browser, and clicks on the page's own controls go to `onHostAction`.
 */
export function answerAppPanel(
  panel: vscode.WebviewPanel,
  services: CrmServices,
  onHostAction?: (message: HostActionMessage) => Promise<void>,
): vscode.Disposable {
  return panel.webview.onDidReceiveMessage(async (raw: unknown) => {
    const message = parseAppPanelMessage(raw);
    if (!message) return;
    if (message.type === "openLink") {
      await vscode.env.openExternal(vscode.Uri.parse(message.url));
      return;
    }
    if (message.type === "hostAction") {
      await onHostAction?.(message);
      return;
    }
    let result: CallToolResult;
    try {
      result = await services.client.callToolResult(message.name, message.arguments);
    } catch (error) {
      result = toolErrorResult(error instanceof Error ? error.message : String(error));
    }
    const reply: AppPanelToolReply = { type: "toolResult", requestId: message.requestId, result };
    await panel.webview.postMessage(reply);
  });
}
