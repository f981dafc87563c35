import type * as vscode from "vscode";
import { registerChatParticipant } from "./features/chatParticipant.js";
import { registerCommands } from "./features/commands.js";
import { registerCustomerView } from "./features/customerView.js";
import { registerLanguageModel } from "./features/languageModel.js";
import { registerMcpProvider } from "./features/mcpProvider.js";
import { registerPortfolioView } from "./features/portfolioView.js";
import { registerTestCommands } from "./features/testCommands.js";
import { registerViews } from "./features/views.js";
import { CrmServices } from "./services.js";

/** Wires the features together; each registers its own disposables on the context. */
export function activate(context: vscode.ExtensionContext): void {
  const services = new CrmServices(context);
  context.subscriptions.push(services);
  registerMcpProvider(services);
  registerViews(services);
  registerCustomerView(services);
  registerPortfolioView(services);
  registerCommands(services);
  registerChatParticipant(services);
  registerLanguageModel(services);
  registerTestCommands(services);
}

export function deactivate(): void {}
