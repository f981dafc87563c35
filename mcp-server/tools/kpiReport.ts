import type { McpServer } from "@modelcontextprotocol/sdk/server/mcp.js";
import { registerAppTool } from "@modelcontextprotocol/ext-apps/server";
import { appToolMeta } from "../apps/catalogue.js";
import {
  KPI_REPORT,
  kpiReportInput,
  kpiReportToolOutput,
  type KpiReportToolResult,
} from "../contract/kpiReport.js";
import { kpiLines, kpiReport } from "../reports/kpi.js";
import type { ServerDeps } from "../server/deps.js";
import { scoreSetInfo, scoresFor, toolResult } from "./support.js";

/**
 * The relationship KPIs with their monthly series and the cohort retention table, as `crm kpi`
 * reports them, over the cached score set for the as-of date (nothing is refitted).
 */
export async function kpiReportTool(
  deps: ServerDeps,
  input: { owner?: string; from?: string; to?: string; as_of?: string },
): Promise<KpiReportToolResult> {
  const { asOf, set } = await scoresFor(deps, input.as_of);
  const report = await kpiReport(deps.store, {
    owner: input.owner,
    from: input.from,
    to: input.to,
    asOf,
    set,
    now: deps.now,
  });
  return { ...report, scores: scoreSetInfo(set) };
}

const share = (value: number | null) => (value === null ? "-" : `${Math.round(value * 100)}%`);
const figure = (value: number | null | undefined, digits = 1) =>
  value === null || value === undefined ? "-" : value.toFixed(digits);

function kpiReportMarkdown(report: KpiReportToolResult): string {
  const scope = report.owner ? `${report.owner}'s customers` : "the whole book";
  const lines = [
    `**Relationship KPIs** for ${scope} as of ${report.as_of}, months ${report.period.from} to ${report.period.to}`,
    ...kpiLines(report).map((line) => `- ${line}`),
    "",
    "| month | CHI | EI | NPS | tickets | first response median h | resolved | SLA breaches | new customers | activated within 30 days |",
    "|---|---|---|---|---|---|---|---|---|---|",
    ...report.months.map(
      (month) =>
        `| ${month.month} | ${figure(month.chi?.index)} | ${figure(month.emotion.index)} | ${figure(month.emotion.nps, 0)} | ${month.service.tickets} | ${figure(month.service.first_response_median_hours)} | ${share(month.service.resolution_rate)} | ${month.service.breaching} | ${month.activation.new_customers} | ${share(month.activation.rate)} |`,
    ),
  ];
  if (report.cohorts.length > 0) {
    const width = Math.max(...report.cohorts.map((cohort) => cohort.retention.length));
    const months = Array.from({ length: width }, (_, k) => `m${k}`);
    lines.push(
      "",
      "Cohort retention: the share of each month's new customers buying in month k after their first purchase.",
      "",
      `| cohort | customers | 30-day activation | ${months.join(" | ")} |`,
      `|---|---|---|${months.map(() => "---").join("|")}|`,
      ...report.cohorts.map(
        (cohort) =>
          `| ${cohort.cohort} | ${cohort.customers} | ${share(cohort.activation_rate)} | ${months.map((_, k) => share(cohort.retention[k] ?? null)).join(" | ")} |`,
      ),
    );
  }
  if (report.notes.length > 0) lines.push("", ...report.notes.map((note) => `_${note}_`));
  return lines.join("\n");
}

export function registerKpiReport(server: McpServer, deps: ServerDeps): void {
  registerAppTool(
    server,
    KPI_REPORT,
    {
      title: "Relationship KPI report",
      description:
        "The relationship indices month by month for the whole book or one account manager: customer health index (CHI, " +
        "0-100), service efficiency (first response and resolution times, SLA breaches), emotion index (NPS and reviews), " +
        "12-month vs 5-year lifetime value, first-month activation ('golden 30 days'), and the cohort retention table (share of " +
        "each month's new customers buying k months after their first purchase). Months are YYYY-MM; default the 12 months " +
        "up to the as-of date. Monthly CHI exists only for months with stored scores (the notes say which).",
      inputSchema: kpiReportInput,
      outputSchema: kpiReportToolOutput,
      annotations: { readOnlyHint: true, destructiveHint: false, idempotentHint: true, openWorldHint: false },
      _meta: appToolMeta("cohorts-kpis"),
    },
    async (input) => {
      const result = await kpiReportTool(deps, input);
      return toolResult(deps, result, kpiReportMarkdown(result));
    },
  );
}
