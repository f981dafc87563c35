import * as vscode from "vscode";
import { CrmClient } from "./crmClient.js";
import { DEFAULT_SETTINGS, resolveDatabasePath, serverLaunch, type CrmSettings } from "./serverLaunch.js";

/** Reads the `crm.*` settings into plain data. */
export function readSettings(): CrmSettings {
  const config = vscode.workspace.getConfiguration("crm");
  return {
    databasePath: config.get<string>("databasePath", DEFAULT_SETTINGS.databasePath),
    allowWrites: config.get<boolean>("allowWrites", DEFAULT_SETTINGS.allowWrites),
    redactPii: config.get<boolean>("redactPii", DEFAULT_SETTINGS.redactPii),
    llm: {
      baseUrl: config.get<string>("llm.baseUrl", DEFAULT_SETTINGS.llm.baseUrl),
      model: config.get<string>("llm.model", DEFAULT_SETTINGS.llm.model),
      maxInputTokens: config.get<number>("llm.maxInputTokens", DEFAULT_SETTINGS.llm.maxInputTokens),
    },
  };
}

/**
 * What the features share: the settings, the output channel, the MCP client of the bundled
 * server, and an event fired when the store's data changed (imports, writes, another database).
 */
export class CrmServices implements vscode.Disposable {
  readonly output = vscode.window.createOutputChannel("CRM Assistant");
  readonly client: CrmClient;
  private readonly dataChanged = new vscode.EventEmitter<void>();
  /** Fires after anything that changes what the views show. */
  readonly onDidChangeData = this.dataChanged.event;
  private readonly subscriptions: vscode.Disposable[] = [this.output, this.dataChanged];

  constructor(readonly context: vscode.ExtensionContext) {
    this.client = new CrmClient(
      () => serverLaunch(context.extensionPath, process.execPath, this.settings(), this.databasePath()),
      (line) => this.log(line),
    );
    this.subscriptions.push(
      vscode.workspace.onDidChangeConfiguration(async (event) => {
        if (
          ["crm.databasePath", "crm.allowWrites", "crm.redactPii"].some((key) =>
            event.affectsConfiguration(key),
          )
        ) {
          this.log("settings changed: restarting the CRM server");
          await this.client.restart();
          this.dataChanged.fire();
        }
      }),
    );
  }

  settings(): CrmSettings {
    return readSettings();
  }

  databasePath(): string {
    return resolveDatabasePath(this.settings().databasePath);
  }

  log(line: string): void {
    this.output.appendLine(`[${new Date().toISOString()}] ${line}`);
  }

  /** Tells every view to reload. */
  dataDidChange(): void {
    this.dataChanged.fire();
  }

  /** An error as a notification with a "Show log" action; the details go to the output channel. */
  async showError(what: string, error: unknown): Promise<void> {
    const message = error instanceof Error ? error.message : String(error);
    this.log(`${what}: ${message}`);
    if (error instanceof Error && error.stack) this.log(error.stack);
    const choice = await vscode.window.showErrorMessage(`CRM Assistant: ${what}: ${message}`, "Show log");
    if (choice === "Show log") this.output.show(true);
  }

  dispose(): void {
    void this.client.dispose();
    for (const subscription of this.subscriptions) subscription.dispose();
  }
}
