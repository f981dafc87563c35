import type { FindAtRiskCustomersResult } from "../../mcp-server/contract/findAtRiskCustomers.js";
import type { KpiSummary } from "../../mcp-server/contract/kpi.js";
import type { ListTasksResult } from "../../mcp-server/contract/listTasks.js";
import type { SegmentCustomersResult } from "../../mcp-server/contract/segmentCustomers.js";
import type { SummariseFeedbackResult } from "../../mcp-server/contract/summariseFeedback.js";
import {
  escapeMarkdown,
  formatCount,
  formatDay,
  formatMoney,
  formatScore,
  formatShare,
  formatSigned,
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
  /** Shown expanded at first (children are collapsed otherwise). */
  expanded?: boolean;
  /** A task's suggested draft: the customer menu's Draft Follow-up uses this goal and channel. */
  draftGoal?: string;
  draftChannel?: string;
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

/** A 0-100 index, rounded, or a dash. */
function indexText(value: number | null): string {
  return value === null ? "–" : Math.round(value).toString();
}

function hoursText(value: number | null): string {
  return value === null ? "–" : `${value.toFixed(1)} h`;
}

/**
 * The relationship KPIs of portfolio_overview's `kpi` block: one "KPIs" node whose children are
 * the four indices and first-month activation, each with its figures as children and its formula
 * in the tooltip.
 */
export function kpiNodes(kpi: KpiSummary): TreeNode[] {
  const { chi, service, emotion, ltv, activation } = kpi;
  const leaf = (id: string, label: string, description: string, icon = "circle-small"): TreeNode => ({
    id: `kpi/${id}`,
    label,
    description,
    icon,
  });
  const children: TreeNode[] = [
    {
      id: "kpi/chi",
      label: "Customer health (CHI)",
      description: `${indexText(chi.index)} / 100 · ${formatCount(chi.customers)} customers`,
      tooltip: escapeMarkdown(kpi.formulas.chi),
      icon: "heart",
      children: [
        leaf("chi/frequency", "Purchase frequency", indexText(chi.components?.frequency ?? null)),
        leaf("chi/value", "Order value", indexText(chi.components?.value ?? null)),
        leaf("chi/retention", "Retention (1 − churn)", indexText(chi.components?.retention ?? null)),
        leaf(
          "chi/bands",
          "Healthy · watch · at risk",
          `${formatCount(chi.bands.healthy)} · ${formatCount(chi.bands.watch)} · ${formatCount(chi.bands.at_risk)}`,
        ),
      ],
    },
    {
      id: "kpi/se",
      label: "Service efficiency (SE)",
      description:
        service.tickets === 0
          ? "no tickets"
          : `first response ${hoursText(service.first_response_hours.median)} · ${formatShare(service.resolution_rate)} resolved`,
      tooltip: escapeMarkdown(service.note ?? kpi.formulas.se),
      icon: "tools",
      children:
        service.tickets === 0
          ? []
          : [
              leaf("se/tickets", "Tickets", formatCount(service.tickets)),
              leaf(
                "se/response",
                "First response (median · p90)",
                `${hoursText(service.first_response_hours.median)} · ${hoursText(service.first_response_hours.p90)}`,
              ),
              leaf(
                "se/resolution",
                "Resolved (rate · median time)",
                `${formatShare(service.resolution_rate)} · ${hoursText(service.resolution_hours_median)}`,
              ),
              leaf(
                "se/breaching",
                `Breaching the SLA (${service.sla.first_response_hours} h / ${service.sla.resolution_hours} h)`,
                formatCount(service.breaching.any),
                "warning",
              ),
            ],
    },
    {
      id: "kpi/ei",
      label: "Emotion (EI)",
      description: emotion.index === null ? "no NPS or reviews" : `${indexText(emotion.index)} / 100`,
      tooltip: escapeMarkdown(kpi.formulas.ei),
      icon: "smiley",
      children: [
        leaf(
          "ei/nps",
          "NPS",
          `${formatSigned(emotion.nps)} from ${formatCount(emotion.nps_responses)} answers`,
        ),
        leaf(
          "ei/reviews",
          "Reviews (positive · negative)",
          `${formatCount(emotion.positive_reviews)} · ${formatCount(emotion.negative_reviews)} of ${formatCount(emotion.reviews)}`,
        ),
      ],
    },
    {
      id: "kpi/ltv",
      label: "Lifetime value (LTV)",
      description:
        ltv.twelve_months === null
          ? "not available"
          : `${formatMoney(ltv.twelve_months)} 12m · ${formatMoney(ltv.five_years)} 5y`,
      tooltip: escapeMarkdown(ltv.note ?? kpi.formulas.ltv),
      icon: "graph-line",
      children: [
        leaf("ltv/12m", "12 months", formatMoney(ltv.twelve_months)),
        leaf("ltv/5y", "5 years", formatMoney(ltv.five_years)),
      ],
    },
    {
      id: "kpi/activation",
      label: `Activation (${activation.window_days} days)`,
      description: `${formatShare(activation.rate)} of ${formatCount(activation.eligible)} new customers`,
      tooltip: escapeMarkdown(kpi.formulas.activation),
      icon: "rocket",
    },
  ];
  return [
    {
      id: "kpi",
      label: "KPIs",
      description: `${kpi.owner ?? "whole book"} · ${kpi.period.from} to ${kpi.period.to}`,
      tooltip: `Relationship indices as of ${kpi.as_of}`,
      icon: "dashboard",
      expanded: true,
      children,
    },
  ];
}

const TASK_ICONS: Record<string, string> = {
  call: "call-outgoing",
  email: "mail",
  draft: "edit",
  meeting: "calendar",
};

/**
 * The Today view: list_tasks' tasks due today, most urgent first. Each opens its customer; the
 * customer menu's Draft Follow-up drafts with the task's goal and channel. Overdue tasks get a
 * warning icon; the reason, playbook and priority are in the tooltip. While the day's playbook run
 * is still going, a first item says the list holds earlier runs' tasks.
 */
export function todayNodes(result: ListTasksResult): TreeNode[] {
  const notice: TreeNode[] = result.notice
    ? [
        {
          id: "today/notice",
          label: "Today's playbooks are still running",
          description: "earlier tasks shown; refresh in a minute",
          tooltip: escapeMarkdown(result.notice),
          icon: "sync",
        },
      ]
    : [];
  return [...notice, ...taskNodes(result)];
}

function taskNodes(result: ListTasksResult): TreeNode[] {
  if (result.tasks.length === 0)
    return [{ id: "today/none", label: `No tasks due today (${formatDay(result.as_of)})`, icon: "check" }];
  return result.tasks.map((task) => ({
    id: `task/${task.id}`,
    label: task.customer.name,
    description: `${task.action}${task.draft_goal ? ` · ${task.draft_goal}` : ""}${task.due_at < result.as_of ? ` · overdue since ${formatDay(task.due_at)}` : ""}`,
    tooltip: [
      `**${escapeMarkdown(task.playbook.name)}** · priority ${task.priority} · due ${formatDay(task.due_at)}`,
      "",
      escapeMarkdown(task.reason),
      "",
      `${escapeMarkdown(task.customer.external_id)}${task.owner ? ` · ${escapeMarkdown(task.owner)}` : ""} · task ${task.id}`,
    ].join("\n"),
    icon: task.due_at < result.as_of ? "warning" : (TASK_ICONS[task.action] ?? "tasklist"),
    customerId: task.customer.external_id,
    ...(task.draft_goal ? { draftGoal: task.draft_goal } : {}),
    ...(task.channel ? { draftChannel: task.channel } : {}),
  }));
}
