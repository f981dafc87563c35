import type { ServerDeps } from "../server/deps.js";
import { displayName, type CustomerRow } from "../store/rows.js";
import { findAtRiskCustomers } from "../tools/findAtRiskCustomers.js";
import { latestBacktest } from "../scoring/backtestStore.js";
import { kpiLines, kpiMonths, kpiSummary } from "../scoring/kpi.js";
import { churnModelInfo, scoresFor, trustLine } from "../tools/support.js";
import { summariseFeedback } from "../tools/summariseFeedback.js";
import { formatMoney, formatPercent } from "../cli/output.js";
import { todaysTasksLines } from "./todaysTasks.js";
import { scoresTable } from "../store/setTables.js";

const SHOWN = 5;

/**
 * The morning briefing `npm start` prints: who to call (value at risk with reasons), who is
 * worth most (CLV leaders), and what customers are saying (feedback themes).
 */
export async function briefing(deps: ServerDeps): Promise<string> {
  const { asOf, set } = await scoresFor(deps, undefined);
  const atRisk = await findAtRiskCustomers(deps, { limit: SHOWN });
  const leaders = await deps.store.db.all<
    CustomerRow & { clv: number; p_alive: number | null; orders: number }
  >(
    `SELECT c.*, s.clv, s.p_alive, s.orders FROM ${scoresTable(set.id, "s")} JOIN customers c ON c.id = s.customer_id
     ORDER BY s.clv DESC, s.customer_id LIMIT ?`,
    [SHOWN],
  );
  const feedback = await summariseFeedback(deps, {});
  const kpi = await kpiSummary(deps.store, set, { months: kpiMonths(asOf) });

  const lines = [
    ...set.models.warnings.map((warning) => `Warning: ${warning}`),
    ...(await todaysTasksLines(deps)),
    "",
    `Who to call (${atRisk.total} customers at risk; by value at risk):`,
  ];
  for (const row of atRisk.customers) {
    lines.push(
      `  ${row.rank}. ${row.customer.name} (${row.customer.customer_id}, ${row.customer.owner ?? "no owner"}): ` +
        `${formatPercent(row.churn_probability)} chance of no purchase in ${set.horizonDays} days, ` +
        `${formatMoney(row.value_at_risk)} at risk of ${formatMoney(row.value_if_retained)} if retained`,
      ...row.top_reasons.slice(0, 2).map((reason) => `       - ${reason.en}`),
    );
  }
  if (atRisk.customers.length === 0)
    lines.push("  nobody: no customer has a churn probability of 25% or more");
  if (atRisk.lost_customers > 0) {
    lines.push(`  (${atRisk.lost_customers} more the book already counts as lost: win-back candidates)`);
  }
  lines.push(`  ${trustLine(churnModelInfo(set.models, await latestBacktest(deps.store)))}`);
  lines.push("", "Most valuable (12-month CLV):");
  leaders.forEach((row, index) => {
    const alive = row.p_alive === null ? "" : `, P(alive) ${row.p_alive.toFixed(2)}`;
    lines.push(
      `  ${index + 1}. ${displayName(row)} (${row.external_id}): ${formatMoney(row.clv)}${alive}, ${row.orders} orders`,
    );
  });
  lines.push(
    "",
    `What customers are saying (${feedback.period.from} to ${feedback.period.to}):`,
    `  ${feedback.summary.text}`,
  );
  for (const theme of feedback.themes.slice(0, 4)) {
    const { positive, negative } = theme.sentiment;
    lines.push(`  - ${theme.label.en}: ${theme.count} mentions (${negative} negative, ${positive} positive)`);
  }
  lines.push(
    "",
    `Relationship KPIs (${kpi.period.from} to ${kpi.period.to}; crm kpi for the monthly series):`,
    ...kpiLines(kpi).map((line) => `  ${line}`),
  );
  return lines.join("\n");
}
