import * as vscode from "vscode";
import { serverLaunch } from "../serverLaunch.js";
import type { CrmServices } from "../services.js";

/** The provider id, as contributed in package.json's `mcpServerDefinitionProviders`. */
export const MCP_PROVIDER_ID = "crm-assistant.mcp";

/**
 * Publishes the bundled server to VS Code's own chat (agent mode), started with the editor's
 * runtime and the store and options from the settings; a settings change re-publishes it.
 */
export function registerMcpProvider(services: CrmServices): void {
  const changed = new vscode.EventEmitter<void>();
  const provider: vscode.McpServerDefinitionProvider<vscode.McpStdioServerDefinition> = {
    onDidChangeMcpServerDefinitions: changed.event,
    provideMcpServerDefinitions() {
      const settings = services.settings();
      const launch = serverLaunch(
        services.context.extensionPath,
        process.execPath,
        settings,
        services.databasePath(),
      );
      const version = String(services.context.extension.packageJSON.version ?? "0.0.0");
      const definition = new vscode.McpStdioServerDefinition(
        "CRM Assistant",
        launch.command,
        launch.args,
        launch.env,
        version,
      );
      definition.cwd = vscode.Uri.file(services.context.extensionPath);
      return [definition];
    },
  };
  services.context.subscriptions.push(
    changed,
    vscode.lm.registerMcpServerDefinitionProvider(MCP_PROVIDER_ID, provider),
    vscode.workspace.onDidChangeConfiguration((event) => {
      if (
        ["crm.databasePath", "crm.allowWrites", "crm.redactPii"].some((key) =>
          event.affectsConfiguration(key),
        )
      ) {
        changed.fire();
      }
    }),
  );
}
