import type { McpServer } from "@modelcontextprotocol/sdk/server/mcp.js";
import type { ServerDeps } from "../server/deps.js";
import { registerFeedbackDigestPrompt } from "./feedbackDigest.js";
import { registerRetentionPlanPrompt } from "./retentionPlan.js";
import { registerWeeklyAccountReviewPrompt } from "./weeklyAccountReview.js";
import { registerDailyPlanPrompt } from "./dailyPlan.js";

export function registerPrompts(server: McpServer, deps: ServerDeps): void {
  registerRetentionPlanPrompt(server, deps);
  registerWeeklyAccountReviewPrompt(server, deps);
  registerFeedbackDigestPrompt(server, deps);
  registerDailyPlanPrompt(server, deps);
}
