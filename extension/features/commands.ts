import { execFile } from "node:child_process";
import { existsSync } from "node:fs";
import * as vscode from "vscode";
import {
  DRAFT_FOLLOW_UP,
  followUpGoals,
  type DraftFollowUpResult,
} from "../../mcp-server/contract/draftFollowUp.js";
import { interactionChannels, LOG_INTERACTION } from "../../mcp-server/contract/logInteraction.js";
import {
  PORTFOLIO_OVERVIEW,
  type PortfolioOverviewResult,
} from "../../mcp-server/contract/portfolioOverview.js";
import {
  SUMMARISE_FEEDBACK,
  type SummariseFeedbackResult,
} from "../../mcp-server/contract/summariseFeedback.js";
import {
  describeImport,
  IMPORT_KINDS,
  importArgs,
  importReportLines,
  parseImportReport,
} from "../importReport.js";
import {
  DRAFT_FOLLOW_UP_COMMAND,
  plainCustomer,
  renderDraftDocument,
  renderFeedback,
} from "../render/markdown.js";
import { cliLaunch } from "../serverLaunch.js";
import type { CrmServices } from "../services.js";
import { customerIdArgument, pickCustomer } from "./customerView.js";

/** The SecretStorage key of the LLM API key. */
export const API_KEY_SECRET = "crm.llm.apiKey";

async function openMarkdown(content: string): Promise<vscode.TextEditor> {
  const document = await vscode.workspace.openTextDocument({ language: "markdown", content });
  return vscode.window.showTextDocument(document, { preview: false });
}

/** Runs `dist/cli.js import` as a child process with a cancellable progress notification. */
async function importCsv(services: CrmServices): Promise<void> {
  const files = await vscode.window.showOpenDialog({
    title: "Import into the CRM store",
    canSelectMany: false,
    filters: { "CSV and text files": ["csv", "txt", "tsv"], "All files": ["*"] },
  });
  const file = files?.[0];
  if (!file) return;
  const kind = await vscode.window.showQuickPick(
    IMPORT_KINDS.map((item) => ({ label: item.kind, description: item.description })),
    { title: `What does ${file.path.split("/").pop()} hold?`, ignoreFocusOut: true },
  );
  if (!kind) return;
  const launch = cliLaunch(
    services.context.extensionPath,
    process.execPath,
    services.databasePath(),
    importArgs(kind.label as (typeof IMPORT_KINDS)[number]["kind"], file.fsPath),
  );
  services.log(`import: ${launch.command} ${launch.args.join(" ")}`);
  const { stdout, stderr } = await vscode.window.withProgress(
    { location: vscode.ProgressLocation.Notification, title: `Importing ${kind.label}…`, cancellable: true },
    (_progress, token) =>
      new Promise<{ stdout: string; stderr: string }>((resolve) => {
        const child = execFile(
          launch.command,
          launch.args,
          { env: { ...process.env, ...launch.env }, maxBuffer: 64 * 1024 * 1024 },
          (_error, stdout, stderr) => resolve({ stdout, stderr }),
        );
        token.onCancellationRequested(() => child.kill());
      }),
  );
  if (stderr.trim()) services.log(stderr.trim());
  const report = parseImportReport(stdout);
  if (!report) {
    await services.showError("import failed", new Error(stderr.trim().split("\n").pop() || "no report"));
    return;
  }
  for (const line of importReportLines(report)) services.log(line);
  if (report.committed) services.dataDidChange();
  const show = report.errorCount > 0 ? vscode.window.showErrorMessage : vscode.window.showInformationMessage;
  const choice = await show(describeImport(report), "Show log");
  if (choice === "Show log") services.output.show(true);
}

async function openDatabase(services: CrmServices): Promise<void> {
  const current = services.databasePath();
  const choice = await vscode.window.showQuickPick(
    [
      { label: "$(folder-opened) Choose a store file…", action: "choose" },
      {
        label: "$(home) Use the default store",
        description: "~/.crm-assistant/crm.db or $CRM_DB",
        action: "default",
      },
    ],
    { title: `CRM store: ${current}` },
  );
  if (!choice) return;
  let value = "";
  if (choice.action === "choose") {
    const files = await vscode.window.showOpenDialog({
      title: "Open a CRM store",
      canSelectMany: false,
      filters: { "SQLite stores": ["db", "sqlite", "sqlite3"], "All files": ["*"] },
    });
    if (!files?.[0]) return;
    value = files[0].fsPath;
  }
  await vscode.workspace
    .getConfiguration("crm")
    .update("databasePath", value, vscode.ConfigurationTarget.Global);
  void vscode.window.showInformationMessage(`CRM store: ${services.databasePath()}`);
}

async function refreshScores(services: CrmServices): Promise<void> {
  const overview = await vscode.window.withProgress(
    { location: vscode.ProgressLocation.Notification, title: "Scoring customers…" },
    () => services.client.call<PortfolioOverviewResult>(PORTFOLIO_OVERVIEW, {}),
  );
  services.dataDidChange();
  void vscode.window.showInformationMessage(
    `Scores for ${overview.customers.toLocaleString("en-US")} customers as of ${overview.scores.as_of} (computed ${overview.scores.computed_at}).`,
  );
}

/** What a Today-view task node adds to a customer node (see `todayNodes`). */
interface TaskDraft {
  draftGoal?: string;
  draftChannel?: string;
}

async function draftFollowUp(services: CrmServices, argument: unknown): Promise<void> {
  const customerId = customerIdArgument(argument) ?? (await pickCustomer(services, "Draft a follow-up for"));
  if (!customerId) return;
  // A task in the Today view carries the goal and channel its playbook suggests.
  const task = typeof argument === "object" && argument !== null ? (argument as TaskDraft) : {};
  const goal =
    typeof argument === "string" || task.draftGoal
      ? task.draftGoal
      : await vscode.window.showQuickPick(["(by lifecycle stage)", ...followUpGoals], {
          title: "Goal of the message",
        });
  if (goal === undefined && typeof argument !== "string") return;
  const draft = await services.client.call<DraftFollowUpResult>(DRAFT_FOLLOW_UP, {
    customer_id: customerId,
    ...(goal && goal !== "(by lifecycle stage)" ? { goal } : {}),
    ...(task.draftChannel ? { channel: task.draftChannel } : {}),
  });
  await openMarkdown(renderDraftDocument(draft));
}

async function summariseFeedback(services: CrmServices): Promise<void> {
  const summary = await vscode.window.withProgress(
    { location: vscode.ProgressLocation.Notification, title: "Summarising feedback…" },
    () => services.client.call<SummariseFeedbackResult>(SUMMARISE_FEEDBACK, {}),
  );
  await openMarkdown(`# Customer feedback\n\n${renderFeedback(summary, "en", plainCustomer)}`);
}

async function logInteraction(services: CrmServices, argument: unknown): Promise<void> {
  if (!services.settings().allowWrites) {
    void vscode.window.showWarningMessage("Logging interactions needs the setting crm.allowWrites.");
    return;
  }
  const customerId =
    customerIdArgument(argument) ?? (await pickCustomer(services, "Log an interaction with"));
  if (!customerId) return;
  const channel = await vscode.window.showQuickPick([...interactionChannels], { title: "Channel" });
  if (!channel) return;
  const summary = await vscode.window.showInputBox({ title: "What was discussed", ignoreFocusOut: true });
  if (!summary?.trim()) return;
  await services.client.call(LOG_INTERACTION, { customer_id: customerId, channel, summary: summary.trim() });
  services.dataDidChange();
  void vscode.window.showInformationMessage(`Interaction logged for ${customerId}.`);
}

async function setApiKey(services: CrmServices): Promise<void> {
  const key = await vscode.window.showInputBox({
    title: "API key for the CRM Assistant language model",
    prompt: `Kept in VS Code's secret storage, sent only to ${services.settings().llm.baseUrl}. Leave empty to remove it.`,
    password: true,
    ignoreFocusOut: true,
  });
  if (key === undefined) return;
  if (key.trim() === "") await services.context.secrets.delete(API_KEY_SECRET);
  else await services.context.secrets.store(API_KEY_SECRET, key.trim());
  void vscode.window.showInformationMessage(key.trim() === "" ? "API key removed." : "API key saved.");
}

/** The palette commands; each reports failures as a notification with "Show log". */
export function registerCommands(services: CrmServices): void {
  const guarded =
    (what: string, run: (argument?: unknown) => Promise<void>) => async (argument?: unknown) => {
      try {
        await run(argument);
      } catch (error) {
        await services.showError(what, error);
      }
    };
  const { subscriptions } = services.context;
  subscriptions.push(
    vscode.commands.registerCommand(
      "crm.importCsv",
      guarded("import", () => importCsv(services)),
    ),
    vscode.commands.registerCommand(
      "crm.openDatabase",
      guarded("open database", () => openDatabase(services)),
    ),
    vscode.commands.registerCommand(
      "crm.refreshScores",
      guarded("refresh scores", () => refreshScores(services)),
    ),
    vscode.commands.registerCommand(
      DRAFT_FOLLOW_UP_COMMAND,
      guarded("draft follow-up", (argument) => draftFollowUp(services, argument)),
    ),
    vscode.commands.registerCommand(
      "crm.summariseFeedback",
      guarded("summarise feedback", () => summariseFeedback(services)),
    ),
    vscode.commands.registerCommand(
      "crm.logInteraction",
      guarded("log interaction", (argument) => logInteraction(services, argument)),
    ),
    vscode.commands.registerCommand(
      "crm.setApiKey",
      guarded("set API key", () => setApiKey(services)),
    ),
    vscode.commands.registerCommand("crm.showLog", () => services.output.show()),
  );
  if (!existsSync(services.context.asAbsolutePath("dist/server.js"))) {
    services.log("dist/server.js is missing from the extension: run npm run build");
  }
}
