import type { ServerDeps } from "../server/deps.js";
import { displayName, type CustomerRow } from "../store/rows.js";
import { findAtRiskCustomers } from "../tools/findAtRiskCustomers.js";
import { scoresFor } from "../tools/support.js";
import { summariseFeedback } from "../tools/summariseFeedback.js";
import { formatMoney } from "../cli/output.js";

const SHOWN = 5;

/**
 * The morning briefing `npm start` prints: who to call (value at risk with reasons), who is
 * worth most (CLV leaders), and what customers are saying (feedback themes).
 */
export async function briefing(deps: ServerDeps): Promise<string> {
  const atRisk = await findAtRiskCustomers(deps, { limit: SHOWN });
  const { set } = await scoresFor(deps, undefined);
  const leaders = await deps.store.db.all<
    CustomerRow & { clv: number; p_alive: number | null; orders: number }
  >(
    `SELECT c.*, s.clv, s.p_alive, s.orders FROM customer_scores s JOIN customers c ON c.id = s.customer_id
     WHERE s.score_set_id = ? ORDER BY s.clv DESC, s.customer_id LIMIT ?`,
    [set.id, SHOWN],
  );
  const feedback = await summariseFeedback(deps, {});

  const lines = [`Who to call (${atRisk.total} customers at risk; by value at risk):`];
  for (const row of atRisk.customers) {
    lines.push(
      `  ${row.rank}. ${row.customer.name} (${row.customer.customer_id}, ${row.customer.owner ?? "no owner"}): ` +
        `risk ${row.risk_score.toFixed(0)}, ${formatMoney(row.value_at_risk)} at risk of ${formatMoney(row.clv)} CLV`,
      ...row.top_reasons.slice(0, 2).map((reason) => `       - ${reason.en}`),
    );
  }
  if (atRisk.customers.length === 0) lines.push("  nobody: no customer has a risk score of 25 or more");
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
  return lines.join("\n");
}
