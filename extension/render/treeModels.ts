import type { FindAtRiskCustomersResult } from "../../mcp-server/contract/findAtRiskCustomers.js";
import type { SegmentCustomersResult } from "../../mcp-server/contract/segmentCustomers.js";
import type { SummariseFeedbackResult } from "../../mcp-server/contract/summariseFeedback.js";
import {
  escapeMarkdown,
  formatCount,
  formatDay,
  formatMoney,
  formatScore,
  formatShare,
  riskBadge,
} from "./format.js";

/** A tree item as plain data; `views.ts` turns it into a `vscode.TreeItem`. */
export interface TreeNode {
  /** Unique within its view: VS Code keeps expansion state by it. */
  id: string;
  label: string;
  description?: string;
  /** Markdown. */
  tooltip?: string;
  /** A codicon name. */
  icon?: string;
  /** Clicking opens this customer's view; the item gets the customer context menu. */
  customerId?: string;
  children?: TreeNode[];
}

const CUSTOMER_CONTEXT = "crmCustomer";
export { CUSTOMER_CONTEXT };

function truncate(text: string, length: number): string {
  const flat = text.replace(/\s+/g, " ").trim();
  return flat.length <= length ? flat : `${flat.slice(0, length - 1)}…`;
}

/** At-risk customers: badge, churn probability and value at risk in the line, reasons in the tooltip. */
export function atRiskNodes(result: FindAtRiskCustomersResult): TreeNode[] {
  return result.customers.map((row) => {
    const tooltip = [
      `**${escapeMarkdown(row.customer.name)}** · ${escapeMarkdown(row.customer.customer_id)}${row.customer.company ? ` · ${escapeMarkdown(row.customer.company)}` : ""}`,
      "",
      `${riskBadge(row.risk_level)} **${formatShare(row.churn_probability)}** chance of no purchase in ${result.scores.horizon_days} days (${row.risk_level}) · value at risk **${formatMoney(row.value_at_risk)}** of ${formatMoney(row.value_if_retained)} if retained · P(alive) ${formatShare(row.p_alive)}`,
      "",
      ...row.top_reasons.map((reason) => `- ${escapeMarkdown(reason.en)}`),
      "",
      `${escapeMarkdown(row.lifecycle_label.en)}: ${escapeMarkdown(row.next_action.en)}`,
      ...(row.customer.owner ? ["", `Owner: ${escapeMarkdown(row.customer.owner)}`] : []),
    ].join("\n");
    return {
      id: `at-risk/${row.customer.customer_id}`,
      label: row.customer.name,
      description: `${riskBadge(row.risk_level)} ${formatShare(row.churn_probability)} churn · ${formatMoney(row.value_at_risk)} at risk`,
      tooltip,
      icon: "account",
      customerId: row.customer.customer_id,
    };
  });
}

/** Segments with their size and value share; each lists its highest-CLV customers. */
export function segmentNodes(result: SegmentCustomersResult): TreeNode[] {
  const nodes: TreeNode[] = result.segments
    .filter((segment) => segment.count > 0)
    .map((segment) => ({
      id: `segment/${result.by}/${segment.key}`,
      label: segment.label.en,
      description: `${formatCount(segment.count)} · ${formatShare(segment.clv_share)} of CLV`,
      tooltip: [
        `**${escapeMarkdown(segment.label.en)}**: ${escapeMarkdown(segment.description.en)}`,
        "",
        `${formatCount(segment.count)} customers (${formatShare(segment.customer_share)}), CLV ${formatMoney(segment.clv)} (${formatShare(segment.clv_share)}), revenue ${formatMoney(segment.revenue)} (${formatShare(segment.revenue_share)})`,
        "",
        `Action: ${escapeMarkdown(segment.recommended_action.en)}`,
      ].join("\n"),
      icon: "organization",
      children: segment.samples.map((sample) => ({
        id: `segment/${result.by}/${segment.key}/${sample.customer.customer_id}`,
        label: sample.customer.name,
        description: `CLV ${formatMoney(sample.clv)} · risk ${formatScore(sample.risk_score)}`,
        tooltip: `**${escapeMarkdown(sample.customer.name)}** · ${escapeMarkdown(sample.customer.customer_id)}\n\n${formatCount(sample.orders)} orders, revenue ${formatMoney(sample.revenue)}, last ${formatDay(sample.last_purchase)}`,
        icon: "account",
        customerId: sample.customer.customer_id,
      })),
    }));
  if (result.unsegmented && result.unsegmented.count > 0) {
    nodes.push({
      id: `segment/${result.by}/unsegmented`,
      label: "Not segmented",
      description: formatCount(result.unsegmented.count),
      tooltip: escapeMarkdown(result.unsegmented.reason.en),
      icon: "circle-slash",
    });
  }
  return nodes;
}

/** Recent feedback: the headline numbers, open complaints, then negative and positive quotes. */
export function feedbackNodes(result: SummariseFeedbackResult): TreeNode[] {
  const nps = result.nps ? `NPS ${result.nps.score > 0 ? "+" : ""}${Math.round(result.nps.score)}` : "no NPS";
  const quoteNode = (
    group: string,
    index: number,
    quote: { text: string; customer_id: string; date: string; source?: string },
    icon: string,
  ): TreeNode => ({
    id: `feedback/${group}/${index}`,
    label: `“${truncate(quote.text, 60)}”`,
    description: `${quote.customer_id} · ${quote.date}`,
    tooltip: `${quote.source ? `${quote.source}, ` : ""}${quote.date}, ${escapeMarkdown(quote.customer_id)}:\n\n> ${escapeMarkdown(quote.text)}`,
    icon,
    customerId: quote.customer_id,
  });
  const nodes: TreeNode[] = [
    {
      id: "feedback/summary",
      label: `${formatCount(result.responses)} responses · ${nps}`,
      description: `${result.period.from} to ${result.period.to}`,
      tooltip: escapeMarkdown(result.summary.text),
      icon: "graph",
    },
  ];
  if (result.open_complaints.count > 0) {
    nodes.push({
      id: "feedback/complaints",
      label: "Open complaints",
      description: formatCount(result.open_complaints.count),
      icon: "warning",
      children: result.open_complaints.newest.map((item, index) =>
        quoteNode(
          "complaints",
          index,
          { text: item.quote.text, customer_id: item.customer.customer_id, date: item.date },
          "warning",
        ),
      ),
    });
  }
  if (result.quotes.negative.length > 0) {
    nodes.push({
      id: "feedback/negative",
      label: "Unhappy",
      description: formatShare(result.sentiment.negative_share),
      icon: "thumbsdown",
      children: result.quotes.negative.map((quote, index) => quoteNode("negative", index, quote, "comment")),
    });
  }
  if (result.quotes.positive.length > 0) {
    nodes.push({
      id: "feedback/positive",
      label: "Happy",
      description: formatShare(result.sentiment.positive_share),
      icon: "thumbsup",
      children: result.quotes.positive.map((quote, index) => quoteNode("positive", index, quote, "comment")),
    });
  }
  return nodes;
}
