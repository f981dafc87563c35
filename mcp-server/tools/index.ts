import type { McpServer } from "@modelcontextprotocol/sdk/server/mcp.js";
import type { ServerDeps } from "../server/deps.js";
import { registerComputeClv } from "./computeClv.js";
import { registerFindAtRiskCustomers } from "./findAtRiskCustomers.js";
import { registerGetCustomer } from "./getCustomer.js";
import { registerKpiReport } from "./kpiReport.js";
import { registerPortfolioOverview } from "./portfolioOverview.js";
import { registerSearchCustomers } from "./searchCustomers.js";
import { registerServerStatus } from "./serverStatus.js";
import { registerDraftFollowUp } from "./draftFollowUp.js";
import { registerLogInteraction } from "./logInteraction.js";
import { registerRecordFeedback } from "./recordFeedback.js";
import { registerListTickets } from "./listTickets.js";
import { registerRespondToTicket } from "./respondToTicket.js";
import { registerResolveTicket } from "./resolveTicket.js";
import { registerSegmentCustomers } from "./segmentCustomers.js";
import { registerSummariseFeedback } from "./summariseFeedback.js";
import { registerListTasks } from "./listTasks.js";
import { registerCompleteTask } from "./completeTask.js";
import { registerSnoozeTask } from "./snoozeTask.js";
import { retryingGoneSets } from "./retryGoneSets.js";

/** Every CRM tool; the order is the order clients list them. */
export function registerTools(mcpServer: McpServer, deps: ServerDeps): void {
  const server = retryingGoneSets(mcpServer);
  registerSearchCustomers(server, deps);
  registerGetCustomer(server, deps);
  registerFindAtRiskCustomers(server, deps);
  registerComputeClv(server, deps);
  registerPortfolioOverview(server, deps);
  registerKpiReport(server, deps);
  registerSegmentCustomers(server, deps);
  registerSummariseFeedback(server, deps);
  registerDraftFollowUp(server, deps);
  registerLogInteraction(server, deps);
  registerRecordFeedback(server, deps);
  registerListTickets(server, deps);
  registerRespondToTicket(server, deps);
  registerResolveTicket(server, deps);
  registerListTasks(server, deps);
  registerCompleteTask(server, deps);
  registerSnoozeTask(server, deps);
  registerServerStatus(server, deps);
}
