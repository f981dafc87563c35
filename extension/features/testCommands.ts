import { writeFile } from "node:fs/promises";
import * as vscode from "vscode";
import type { CrmServices } from "../services.js";

/** Resolves after `ms` with `undefined`, for racing internal commands that may never settle. */
const delay = (ms: number) => new Promise<undefined>((resolve) => setTimeout(() => resolve(undefined), ms));

/**
 * Only with `crm.test.enableTestCommands`: a command for the end-to-end test that starts the MCP
 * servers, waits until the CRM tools are in `vscode.lm.tools`, invokes one, and writes what it
 * saw to `crm.test.reportFile` (and shows it in an editor).
 */
export function registerTestCommands(services: CrmServices): void {
  const config = vscode.workspace.getConfiguration("crm.test");
  if (!config.get<boolean>("enableTestCommands", false)) return;
  services.context.subscriptions.push(
    vscode.commands.registerCommand("crm.test.reportLmTools", async () => {
      const report: Record<string, unknown> = { started: new Date().toISOString() };
      try {
        await Promise.race([
          vscode.commands.executeCommand("workbench.mcp.startServer", "*", { waitForLiveTools: true }),
          delay(30_000),
        ]);
        const deadline = Date.now() + 60_000;
        let tools = vscode.lm.tools.filter((tool) => /find_at_risk_customers$/.test(tool.name));
        while (tools.length === 0 && Date.now() < deadline) {
          await delay(500);
          tools = vscode.lm.tools.filter((tool) => /find_at_risk_customers$/.test(tool.name));
        }
        const prefix = tools[0]?.name.replace(/find_at_risk_customers$/, "");
        report.tools = vscode.lm.tools
          .filter((tool) => prefix !== undefined && tool.name.startsWith(prefix))
          .map((tool) => tool.name);
        if (tools[0]) {
          const result = await vscode.lm.invokeTool(tools[0].name, {
            input: { limit: 3 },
            toolInvocationToken: undefined,
          });
          report.invoked = tools[0].name;
          report.result = result.content
            .map((part) => (part instanceof vscode.LanguageModelTextPart ? part.value : JSON.stringify(part)))
            .join("\n");
        }
      } catch (error) {
        report.error = error instanceof Error ? error.message : String(error);
      }
      const file = config.get<string>("reportFile", "");
      if (file) await writeFile(file, JSON.stringify(report, null, 2));
      const document = await vscode.workspace.openTextDocument({
        language: "json",
        content: JSON.stringify({ ...report, result: String(report.result ?? "").slice(0, 1500) }, null, 2),
      });
      await vscode.window.showTextDocument(document);
    }),
  );
}
