import type { ComputeClvResult } from "../../mcp-server/contract/computeClv.js";
import type { DraftFollowUpResult } from "../../mcp-server/contract/draftFollowUp.js";
import type { FindAtRiskCustomersResult } from "../../mcp-server/contract/findAtRiskCustomers.js";
import type { GetCustomerResult } from "../../mcp-server/contract/getCustomer.js";
import type { PortfolioOverviewResult } from "../../mcp-server/contract/portfolioOverview.js";
import type { SummariseFeedbackResult } from "../../mcp-server/contract/summariseFeedback.js";
import {
  displayName,
  escapeMarkdown,
  formatCount,
  formatDay,
  formatMoney,
  formatShare,
  formatSigned,
  riskBadge,
} from "./format.js";

/** The command that opens the customer view; chat answers may run only this one (and the draft command). */
export const OPEN_CUSTOMER_COMMAND = "crm.openCustomer";
export const DRAFT_FOLLOW_UP_COMMAND = "crm.draftFollowUp";

/** A `command:` URI with JSON arguments, as Markdown links in VS Code expect them. */
export function commandUri(command: string, args: unknown[]): string {
  return `command:${command}?${encodeURIComponent(JSON.stringify(args))}`;
}

/** The customer's name as a link that opens the customer view. */
export function customerLink(customer: { customer_id: string; name: string }): string {
  return `[${escapeMarkdown(customer.name)}](${commandUri(OPEN_CUSTOMER_COMMAND, [customer.customer_id])} "Open ${customer.customer_id}")`;
}

function tableCell(text: string): string {
  return text.replace(/\|/g, "\\|").replace(/\r?\n/g, " ");
}

/** A customer's name and id without a link, for documents (where command links do not run). */
export function plainCustomer(customer: { customer_id: string; name: string }): string {
  return customer.name === customer.customer_id
    ? escapeMarkdown(customer.customer_id)
    : `${escapeMarkdown(customer.name)} (${escapeMarkdown(customer.customer_id)})`;
}

/** The book in a few lines: customers, CLV, value at risk, churn, NPS, ABC tiers. */
export function renderOverview(result: PortfolioOverviewResult): string {
  const lines = [
    `**${result.owner ? `${escapeMarkdown(result.owner)}'s book` : "The book"}** as of ${result.scores.as_of}: ${formatCount(result.customers)} customers, ${formatCount(result.active_customers)} active in the last 12 months, repeat rate ${formatShare(result.repeat_rate)}.`,
    "",
    `- 12-month CLV **${formatMoney(result.total_clv)}**, value at risk **${formatMoney(result.total_value_at_risk)}**`,
    `- Revenue last 12 months ${formatMoney(result.revenue_last_12_months)}; churn ${formatShare(result.retention.churn_rate)}, retention ${formatShare(result.retention.retention_rate)}`,
    `- NPS ${result.nps ? formatSigned(result.nps.score) : "–"}${result.nps ? ` (${result.nps.responses} answers)` : ""}`,
    `- Risk: ${result.risk_levels.map((level) => `${riskBadge(level.level)} ${level.level} ${formatCount(level.customers)}`).join(", ")}`,
    `- ABC: ${result.abc_tiers.map((tier) => `${tier.tier} ${formatCount(tier.customers)} customers, ${formatShare(tier.value_share)} of value`).join("; ")}`,
    "",
    "Ask `/atrisk`, `/clv`, `/feedback`, `/customer ID` or `/draft ID`.",
  ];
  return `${lines.join("\n")}\n`;
}

/** At-risk customers as a ranked table with the numbers, then each customer's reasons. */
export function renderAtRisk(result: FindAtRiskCustomersResult, language: "en" | "zh" = "en"): string {
  if (result.customers.length === 0) {
    return "No customers are at risk with these filters (churn probability 25% or more).\n";
  }
  const horizon = result.scores.horizon_days;
  const lines = [
    ...result.scores.warnings.map((warning) => `> **Warning:** ${escapeMarkdown(warning)}\n`),
    `**${formatCount(result.total)} customers at risk** as of ${result.scores.as_of}, ranked by value at risk (value if retained × churn probability). Churn = chance of no purchase in the next ${horizon} days.`,
    "",
    `| # | Customer | Churn (${horizon} days) | Value at risk | Value if retained | Last order | Stage |`,
    "|---:|---|---|---:|---:|---|---|",
  ];
  for (const row of result.customers) {
    const since =
      row.days_since_last_purchase === null
        ? "never"
        : `${formatCount(row.days_since_last_purchase)} days ago${row.typical_gap_days === null ? "" : ` (usually every ${formatCount(row.typical_gap_days)})`}`;
    lines.push(
      `| ${row.rank} | ${customerLink(row.customer)} ${row.customer.company ? tableCell(escapeMarkdown(row.customer.company)) : ""} | ${riskBadge(row.risk_level)} ${formatShare(row.churn_probability)} ${row.risk_level} | ${formatMoney(row.value_at_risk)} | ${formatMoney(row.value_if_retained)} | ${since} | ${tableCell(row.list === "win-back" ? "lost: win-back" : row.lifecycle_label[language])} |`,
    );
  }
  lines.push("", "**Why**", "");
  for (const row of result.customers) {
    // Each reason already ends with its points ("(+18 points)").
    const reasons = row.top_reasons.map((reason) => reason[language]);
    lines.push(
      `- ${customerLink(row.customer)}: ${escapeMarkdown(reasons.join("; "))}. Next: ${escapeMarkdown(row.next_action[language])}`,
    );
  }
  if (result.next_cursor)
    lines.push("", `Showing ${result.customers.length} of ${formatCount(result.total)}.`);
  if (result.lost_customers > 0 && !result.customers.some((row) => row.list === "win-back")) {
    lines.push(
      "",
      `${formatCount(result.lost_customers)} more the book already counts as lost are left out (win-back candidates).`,
    );
  }
  return `${lines.join("\n")}\n`;
}

/** A CLV result: the customers with their model inputs and outputs, then the totals. */
export function renderClv(result: ComputeClvResult): string {
  const { settings, totals } = result;
  const lines = [
    `**Customer lifetime value** (${settings.horizon_months} months, ${formatShare(settings.annual_discount_rate)} yearly discount, ${settings.margin === null ? "each customer's observed margin" : `${formatShare(settings.margin)} margin`}) for ${escapeMarkdown(result.selection.by.replace("_", " "))} ${escapeMarkdown(result.selection.value)}:`,
    "",
    "| # | Customer | CLV | P(alive) | Expected purchases | Spend per purchase | Margin |",
    "|---:|---|---:|---:|---:|---:|---:|",
  ];
  for (const row of result.customers) {
    lines.push(
      `| ${row.rank} | ${customerLink(row.customer)} | ${formatMoney(row.clv)} | ${formatShare(row.p_alive)} | ${row.expected_purchases === null ? "–" : row.expected_purchases.toFixed(2)} | ${formatMoney(row.expected_spend_per_purchase)} | ${formatShare(row.margin)} |`,
    );
  }
  lines.push(
    "",
    `Total CLV **${formatMoney(totals.clv)}** over ${formatCount(totals.customers)} customers (${formatCount(totals.modelled_customers)} modelled, ${totals.expected_active_customers === null ? "–" : totals.expected_active_customers.toFixed(1)} expected active). Expected revenue ${formatMoney(totals.expected_revenue)}.`,
  );
  for (const note of result.models.notes) lines.push("", `> ${escapeMarkdown(note)}`);
  return `${lines.join("\n")}\n`;
}

/** One customer: profile line, scores, CLV, reasons and recent history. */
export function renderCustomer(result: GetCustomerResult, language: "en" | "zh" = "en"): string {
  const { customer, purchases, risk, value, lifecycle, rfm } = result;
  const lines = [
    `### ${customerLink(customer)} · ${escapeMarkdown(customer.customer_id)}`,
    "",
    `${escapeMarkdown([customer.company, customer.owner ? `owner ${customer.owner}` : null, result.profile.country].filter(Boolean).join(" · "))}`,
    "",
    `- **Lifecycle:** ${escapeMarkdown(lifecycle.label[language])}: ${escapeMarkdown(lifecycle.reasons[language].join("; "))}`,
    risk.churn_probability === null
      ? `- **Churn risk:** ${risk.not_scored ? `not scored: ${escapeMarkdown(risk.not_scored)}` : "no purchase yet"}`
      : `- **Churn risk:** ${riskBadge(risk.level)} ${formatShare(risk.churn_probability)} chance of no purchase in the next ${result.scores.horizon_days} days (${risk.level}); value at risk ${formatMoney(risk.value_at_risk)} of ${formatMoney(risk.value_if_retained)} if retained`,
    `- **12-month CLV:** ${formatMoney(value.clv)} (P(alive) ${formatShare(value.p_alive)}, ${value.expected_purchases === null ? "–" : value.expected_purchases.toFixed(2)} expected purchases × ${formatMoney(value.expected_spend_per_purchase)}, margin ${formatShare(value.margin_rate)})`,
    `- **Purchases:** ${formatCount(purchases.orders)} orders, ${formatMoney(purchases.revenue)} revenue, last ${formatDay(purchases.last_purchase)}${purchases.typical_gap_days === null ? "" : `, usually every ${formatCount(purchases.typical_gap_days)} days`}`,
    ...(rfm
      ? [
          `- **RFM:** ${rfm.code} ${escapeMarkdown(rfm.label[language])}: ${escapeMarkdown(rfm.action[language])}`,
        ]
      : []),
    `- **Feedback:** latest NPS ${result.latest_nps ?? "–"}, ${result.open_complaints} open complaints`,
  ];
  if (result.profile.do_not_contact)
    lines.push("", "**Do not contact:** the customer asked not to be contacted.");
  if (risk.reasons.length > 0) {
    lines.push("", "**Why** (points added to, or taken from, the churn probability)", "");
    for (const reason of risk.reasons) lines.push(`- ${escapeMarkdown(reason[language])}`);
  }
  if (result.recent_feedback.length > 0) {
    lines.push("", "**Recent feedback** (the customer's words)", "");
    for (const item of result.recent_feedback.slice(0, 3)) {
      lines.push(
        `- ${formatDay(item.occurred_at)} ${item.source}${item.score === null ? "" : ` ${item.score}`}: “${escapeMarkdown(item.text)}”`,
      );
    }
  }
  return `${lines.join("\n")}\n`;
}

/** A feedback summary: the numbers line, themes and quotes (quoted, escaped). */
export function renderFeedback(
  result: SummariseFeedbackResult,
  language: "en" | "zh" = "en",
  link: (customer: { customer_id: string; name: string }) => string = customerLink,
): string {
  const lines = [
    `**Feedback ${result.period.from} to ${result.period.to}:** ${escapeMarkdown(result.summary.text)}`,
    "",
    `- NPS ${result.nps ? `**${formatSigned(result.nps.score)}** (${result.nps.responses} answers)` : "–"}${result.trend.nps_delta === null ? "" : `, ${formatSigned(result.trend.nps_delta)} on the previous period`}`,
    `- CSAT ${result.csat ? `${result.csat.score.toFixed(1)}%` : "–"}; sentiment ${formatShare(result.sentiment.positive_share)} positive, ${formatShare(result.sentiment.negative_share)} negative`,
    `- Open complaints: ${result.open_complaints.count}`,
  ];
  if (result.themes.length > 0) {
    lines.push("", "| Theme | Mentions | Positive | Negative |", "|---|---:|---:|---:|");
    for (const theme of result.themes) {
      lines.push(
        `| ${tableCell(escapeMarkdown(theme.label[language]))} | ${theme.count} (${formatShare(theme.share)}) | ${theme.sentiment.positive} | ${theme.sentiment.negative} |`,
      );
    }
  }
  const quote = (item: { text: string; customer_id: string; date: string }) =>
    `- “${escapeMarkdown(item.text)}” (${link({ customer_id: item.customer_id, name: item.customer_id })}, ${item.date})`;
  if (result.quotes.negative.length > 0)
    lines.push("", "**What unhappy customers say**", "", ...result.quotes.negative.map(quote));
  if (result.quotes.positive.length > 0)
    lines.push("", "**What happy customers say**", "", ...result.quotes.positive.map(quote));
  if (result.open_complaints.newest.length > 0) {
    lines.push("", "**Newest open complaints**", "");
    for (const item of result.open_complaints.newest) {
      lines.push(`- ${link(item.customer)} ${item.date}: “${escapeMarkdown(item.quote.text)}”`);
    }
  }
  return `${lines.join("\n")}\n`;
}

/**
 * A draft as the untitled Markdown document the user edits and sends: the message first, then
 * the facts it rests on. The message body is kept as written (it is the user's own draft).
 */
export function renderDraftDocument(result: DraftFollowUpResult): string {
  const { facts } = result;
  const who = `${displayName(facts.customer)} · ${facts.customer.customer_id}`;
  const lines = [`# Follow-up for ${who}`, ""];
  lines.push(
    `${result.channel}, ${result.goal}, ${result.tone} tone, ${result.language === "zh" ? "Chinese" : "English"}`,
    "",
  );
  if (!result.drafted) {
    lines.push(`**No draft:** ${result.reason ?? "the customer must not be contacted"}`);
  } else {
    if (result.subject) lines.push(`**Subject:** ${result.subject}`, "");
    lines.push(result.body ?? "");
  }
  for (const warning of result.warnings) lines.push("", `> ${warning}`);
  lines.push(
    "",
    "---",
    "",
    "## Facts",
    "",
    `- Lifecycle: ${facts.lifecycle.label}`,
    `- Churn risk: ${facts.risk.churn_probability_percent === null ? "–" : `${facts.risk.churn_probability_percent}%`} chance of no purchase in ${facts.risk.horizon_days} days (${facts.risk.level})${facts.risk.reasons.length > 0 ? `: ${facts.risk.reasons.join("; ")}` : ""}`,
    `- 12-month CLV: ${formatMoney(facts.clv)}`,
    `- Orders: ${facts.purchases.orders}, revenue ${formatMoney(facts.purchases.revenue)}, last ${facts.purchases.last_purchase ?? "never"}`,
    `- Open complaints: ${facts.feedback.open_complaints}; latest NPS ${facts.feedback.latest_nps ?? "–"}`,
  );
  if (result.saved) lines.push(`- Saved as follow-up #${result.saved.follow_up_id} (draft)`);
  return `${lines.join("\n")}\n`;
}
