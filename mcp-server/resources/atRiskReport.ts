import type { McpServer } from "@modelcontextprotocol/sdk/server/mcp.js";
import type { ServerDeps } from "../server/deps.js";
import { redactText, redactValue } from "../context/redact.js";
import { atRiskMarkdown, findAtRiskCustomers } from "../tools/findAtRiskCustomers.js";

export const AT_RISK_REPORT_URI = "crm://reports/at-risk";
/** How many customers the weekly report lists. */
const REPORT_SIZE = 25;

export function registerAtRiskReport(server: McpServer, deps: ServerDeps): void {
  server.registerResource(
    "at-risk-report",
    AT_RISK_REPORT_URI,
    {
      title: "This week's at-risk customers",
      description: `The ${REPORT_SIZE} customers with the most value at risk as of today, with reasons and next actions.`,
      mimeType: "text/markdown",
    },
    async (uri) => {
      const report = await findAtRiskCustomers(deps, { limit: REPORT_SIZE });
      const markdown = `# At-risk customers, week of ${report.scores.as_of}\n\n${atRiskMarkdown(report)}`;
      return {
        contents: [
          { uri: uri.href, mimeType: "text/markdown", text: deps.redact ? redactText(markdown) : markdown },
          {
            uri: uri.href,
            mimeType: "application/json",
            text: JSON.stringify(deps.redact ? redactValue(report) : report, null, 2),
          },
        ],
      };
    },
  );
}
