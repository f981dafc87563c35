import * as vscode from "vscode";
import { COMPUTE_CLV, type ComputeClvResult } from "../../mcp-server/contract/computeClv.js";
import { DRAFT_FOLLOW_UP, type DraftFollowUpResult } from "../../mcp-server/contract/draftFollowUp.js";
import {
  FIND_AT_RISK_CUSTOMERS,
  type FindAtRiskCustomersResult,
} from "../../mcp-server/contract/findAtRiskCustomers.js";
import { GET_CUSTOMER, type GetCustomerResult } from "../../mcp-server/contract/getCustomer.js";
import {
  PORTFOLIO_OVERVIEW,
  type PortfolioOverviewResult,
} from "../../mcp-server/contract/portfolioOverview.js";
import type { SearchCustomersResult } from "../../mcp-server/contract/searchCustomers.js";
import {
  SUMMARISE_FEEDBACK,
  type SummariseFeedbackResult,
} from "../../mcp-server/contract/summariseFeedback.js";
import { commentaryPrompt, isChinese, planChat, SEARCH_CUSTOMERS } from "../chat/chatPlan.js";
import {
  customerLink,
  DRAFT_FOLLOW_UP_COMMAND,
  OPEN_CUSTOMER_COMMAND,
  renderAtRisk,
  renderClv,
  renderCustomer,
  renderDraftDocument,
  renderFeedback,
  renderOverview,
} from "../render/markdown.js";
import type { CrmServices } from "../services.js";

export const PARTICIPANT_ID = "crm-assistant.crm";

function trusted(markdown: string): vscode.MarkdownString {
  const string = new vscode.MarkdownString(markdown);
  string.isTrusted = { enabledCommands: [OPEN_CUSTOMER_COMMAND, DRAFT_FOLLOW_UP_COMMAND] };
  return string;
}

/** The deterministic part of an answer: the tool's numbers as Markdown, and who a button is for. */
function renderResult(
  tool: string,
  result: unknown,
  language: "en" | "zh",
): { markdown: string; customer?: { customer_id: string; name: string } } {
  switch (tool) {
    case FIND_AT_RISK_CUSTOMERS: {
      const value = result as FindAtRiskCustomersResult;
      return { markdown: renderAtRisk(value, language), customer: value.customers[0]?.customer };
    }
    case COMPUTE_CLV:
      return { markdown: renderClv(result as ComputeClvResult) };
    case GET_CUSTOMER: {
      const value = result as GetCustomerResult;
      return { markdown: renderCustomer(value, language), customer: value.customer };
    }
    case SUMMARISE_FEEDBACK:
      return { markdown: renderFeedback(result as SummariseFeedbackResult, language) };
    case DRAFT_FOLLOW_UP: {
      const value = result as DraftFollowUpResult;
      return { markdown: renderDraftDocument(value).replace(/^# /, "### "), customer: value.facts.customer };
    }
    case PORTFOLIO_OVERVIEW:
      return { markdown: renderOverview(result as PortfolioOverviewResult) };
    default:
      return { markdown: "```json\n" + JSON.stringify(result, null, 2) + "\n```\n" };
  }
}

/**
 * `@crm`: each command calls one CRM tool through the MCP client and shows its numbers and
 * reasons (names link to the customer view); then the user's chosen model comments on them.
 */
export function registerChatParticipant(services: CrmServices): void {
  const handler: vscode.ChatRequestHandler = async (request, _context, stream, token) => {
    const chinese = isChinese(request.prompt);
    const language = chinese ? "zh" : "en";
    const plan = planChat(request.command, request.prompt);
    if (plan.kind === "help") {
      stream.markdown(plan.message);
      return {};
    }
    let tool: string;
    let args: Record<string, unknown>;
    if (plan.kind === "findCustomer") {
      const found = await services.client.call<SearchCustomersResult>(SEARCH_CUSTOMERS, {
        query: plan.query,
        limit: 5,
      });
      const first = found.customers[0];
      if (!first) {
        stream.markdown(`No customer matches “${plan.query.replace(/[\\`*_[\]<>]/g, "")}”.`);
        return {};
      }
      if (found.customers.length > 1) {
        stream.markdown(
          trusted(
            `${found.total} customers match; showing the first. Others: ${found.customers
              .slice(1)
              .map((row) => customerLink(row.customer))
              .join(", ")}\n\n`,
          ),
        );
      }
      tool = plan.then === "draft" ? DRAFT_FOLLOW_UP : GET_CUSTOMER;
      args = { customer_id: first.customer.customer_id, ...plan.args };
    } else {
      tool = plan.tool;
      args = plan.args;
    }
    const result = await services.client.call<unknown>(tool, args);
    const rendered = renderResult(tool, result, language);
    // One Markdown part with the numbers and the model's comment, then the button: VS Code
    // folds parts that come before a later Markdown part into a collapsed "steps" section.
    let commentary: string;
    try {
      const response = await request.model.sendRequest(
        [vscode.LanguageModelChatMessage.User(commentaryPrompt(request.prompt, tool, result, chinese))],
        { justification: "CRM Assistant comments on the numbers from your customer store." },
        token,
      );
      commentary = "";
      for await (const chunk of response.text) commentary += chunk;
    } catch (error) {
      const message = error instanceof Error ? error.message : String(error);
      services.log(`@crm: the model ${request.model.id} failed: ${message}`);
      commentary = `_The model ${request.model.name} could not comment (${message}); the numbers above come straight from the store._`;
    }
    stream.markdown(trusted(rendered.markdown));
    stream.markdown(`\n\n${commentary}\n`);
    if (rendered.customer) {
      stream.button({
        command: DRAFT_FOLLOW_UP_COMMAND,
        title: `Draft follow-up for ${rendered.customer.name}`,
        arguments: [rendered.customer.customer_id],
      });
    }
    return { metadata: { command: request.command ?? "", tool } };
  };

  const participant = vscode.chat.createChatParticipant(
    PARTICIPANT_ID,
    async (request, context, stream, token) => {
      try {
        return await handler(request, context, stream, token);
      } catch (error) {
        services.log(`@crm: ${error instanceof Error ? (error.stack ?? error.message) : String(error)}`);
        return { errorDetails: { message: error instanceof Error ? error.message : String(error) } };
      }
    },
  );
  participant.iconPath = vscode.Uri.joinPath(services.context.extensionUri, "media", "crm.svg");
  services.context.subscriptions.push(participant);
}
