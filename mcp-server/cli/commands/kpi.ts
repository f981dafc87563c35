import type { Command } from "commander";
import { resolveAsOf } from "../../asOf.js";
import type { KpiReport } from "../../contract/kpi.js";
import { kpiLines, kpiReport, KpiPeriodError } from "../../reports/kpi.js";
import type { CliContext } from "../context.js";
import { UserError } from "../errors.js";
import { parseAsOfOption } from "../options.js";
import { formatCount, formatMoney, formatPercent, formatTable, printJson } from "../output.js";

const orDash = (value: number | null, digits = 1) => (value === null ? "-" : value.toFixed(digits));
const shareOrDash = (value: number | null) => (value === null ? "-" : formatPercent(value, 0));

/** The report as text: the headline lines, the monthly series and the cohort table. */
export function formatKpiReport(report: KpiReport): string {
  const lines = [
    `KPIs ${report.owner ? `of ${report.owner}` : "(whole book)"} as of ${report.as_of}, months ${report.period.from} to ${report.period.to}`,
    "",
    ...kpiLines(report),
    "",
    formatTable(report.months, [
      { header: "month", value: (row) => row.month },
      { header: "CHI", value: (row) => orDash(row.chi?.index ?? null), align: "right" },
      { header: "EI", value: (row) => orDash(row.emotion.index), align: "right" },
      { header: "NPS", value: (row) => orDash(row.emotion.nps, 0), align: "right" },
      { header: "tickets", value: (row) => formatCount(row.service.tickets), align: "right" },
      {
        header: "1st resp. med h",
        value: (row) => orDash(row.service.first_response_median_hours),
        align: "right",
      },
      { header: "p90 h", value: (row) => orDash(row.service.first_response_p90_hours), align: "right" },
      { header: "resolved", value: (row) => shareOrDash(row.service.resolution_rate), align: "right" },
      { header: "SLA breaches", value: (row) => formatCount(row.service.breaching), align: "right" },
      {
        header: "LTV 12m",
        value: (row) => (row.ltv_12_months === null ? "-" : formatMoney(row.ltv_12_months)),
        align: "right",
      },
      { header: "new", value: (row) => formatCount(row.activation.new_customers), align: "right" },
      { header: "activated", value: (row) => shareOrDash(row.activation.rate), align: "right" },
    ]),
  ];
  if (report.cohorts.length > 0) {
    const width = Math.max(...report.cohorts.map((row) => row.retention.length));
    const offsets = Array.from({ length: width }, (_, offset) => offset);
    lines.push(
      "",
      "Cohorts of new customers: share buying in month k after the first purchase",
      formatTable(report.cohorts, [
        { header: "cohort", value: (row) => row.cohort },
        { header: "customers", value: (row) => formatCount(row.customers), align: "right" },
        { header: "30-day", value: (row) => shareOrDash(row.activation_rate), align: "right" },
        ...offsets.map((offset) => ({
          header: `m${offset}`,
          value: (row: KpiReport["cohorts"][number]) =>
            offset < row.retention.length ? formatPercent(row.retention[offset], 0) : "",
          align: "right" as const,
        })),
      ]),
    );
  }
  if (report.notes.length > 0) lines.push("", ...report.notes.map((note) => `Note: ${note}`));
  return lines.join("\n");
}

export function registerKpiCommand(program: Command, context: CliContext): void {
  program
    .command("kpi")
    .description(
      "the relationship indices (customer health, service efficiency, emotion, lifetime value) and first-month activation, with monthly series and cohorts",
    )
    .option("--owner <name>", "only this account manager's customers")
    .option("--from <month>", "first month, YYYY-MM (default: 11 months before --to)")
    .option("--to <month>", "last month, YYYY-MM (default: the as-of month)")
    .option("--as-of <date>", "as of this day (YYYY-MM-DD; default today)", parseAsOfOption)
    .option("--json", "print JSON")
    .action(async (options: { owner?: string; from?: string; to?: string; asOf?: Date; json?: boolean }) => {
      const store = await context.openStore();
      let report: KpiReport;
      try {
        report = await kpiReport(store, {
          owner: options.owner,
          from: options.from,
          to: options.to,
          asOf: options.asOf ?? resolveAsOf(),
        });
      } catch (error) {
        if (error instanceof KpiPeriodError) throw new UserError(error.message);
        throw error;
      }
      if (options.json) printJson(report);
      else process.stdout.write(`${formatKpiReport(report)}\n`);
    });
}
