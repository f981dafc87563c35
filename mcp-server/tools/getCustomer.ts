import type { McpServer } from "@modelcontextprotocol/sdk/server/mcp.js";
import { registerAppTool } from "@modelcontextprotocol/ext-apps/server";
import { appToolMeta } from "../apps/catalogue.js";
import { LIFECYCLE_STAGES } from "../../core/lifecycle.js";
import { RFM_SEGMENTS } from "../../core/rfm.js";
import { RISK_LEVELS } from "../../core/risk.js";
import { ABC_TIERS, VALUE_QUADRANTS } from "../../core/valueTiers.js";
import {
  GET_CUSTOMER,
  getCustomerInput,
  getCustomerOutput,
  RECENT_ITEMS,
  type GetCustomerResult,
  type StageHistoryOutput,
} from "../contract/getCustomer.js";
import { customerStageHistory, stageChanges, type StagePoint } from "../reports/stageHistory.js";
import { dayText } from "../scoring/customerState.js";
import { customerKpis } from "../scoring/kpi.js";
import { readScore } from "../scoring/scoreCache.js";
import { SCORING_DEFAULTS } from "../scoring/settings.js";
import type { ServerDeps } from "../server/deps.js";
import { customerHistory } from "../store/customerQueries.js";
import { openTicketsOf } from "../store/ticketQueries.js";
import {
  cell,
  customerRef,
  money,
  parseTags,
  percent,
  scoreSetInfo,
  scoresFor,
  toolResult,
} from "./support.js";

/** The latest `RECENT_ITEMS` of an oldest-first list, newest first. */
function latest<T>(items: readonly T[]): T[] {
  return items.slice(-RECENT_ITEMS).reverse();
}

/** The stage history as the tool states it: the points, the changes and what they are. */
function stageHistoryOutput(points: readonly StagePoint[], fittedAsOf: string): StageHistoryOutput {
  return {
    basis:
      "The lifecycle stage as today's rules read the customer's own history at each month end: each point sees only the purchases, feedback and contacts up to its day, " +
      `scored with this score set's fitted models (fitted as of ${fittedAsOf}), not the models of that time; a complaint or service ticket still open today counts as open from when it was raised.`,
    models_fitted_as_of: fittedAsOf,
    points: points.map((point) => ({
      date: dayText(point.day),
      at: point.at,
      stage: point.stage,
      churn_probability: point.churnProbability,
      p_alive: point.pAlive,
      days_since_last_purchase: point.daysSinceLastPurchase,
    })),
    changes: stageChanges(points).map((change) => ({
      date: dayText(change.day),
      from: change.from,
      to: change.to,
    })),
  };
}

/** One customer's profile, cached scores with their reasons, and recent history up to as-of. */
export async function getCustomer(
  deps: ServerDeps,
  input: { customer_id: string; as_of?: string },
): Promise<GetCustomerResult> {
  const customer = await deps.store.requireCustomer(input.customer_id);
  const { set } = await scoresFor(deps, input.as_of);
  const score = await readScore(deps.store, set, customer.id);
  if (!score) {
    throw new Error(
      `customer ${customer.external_id} has no cached score for ${set.asOf.slice(0, 10)}; the store changed while scoring, so call again`,
    );
  }
  const history = await customerHistory(deps.store, customer.id, set.asOf);
  const kpi = await customerKpis(deps.store, set, score);
  const stagePoints =
    score.scoreProblem === null ? await customerStageHistory(deps.store, set, customer) : null;
  const stage = LIFECYCLE_STAGES[score.lifecycleStage];
  const rfm = score.rfm ? RFM_SEGMENTS[score.rfm.segment] : null;
  const quadrant = score.valueQuadrant ? VALUE_QUADRANTS[score.valueQuadrant] : null;
  const expectedRevenue =
    score.expectedPurchases === null || score.expectedSpend === null
      ? null
      : score.expectedPurchases * score.expectedSpend;
  return {
    customer: customerRef(customer),
    profile: {
      email: customer.email,
      phone: customer.phone,
      country: customer.country,
      acquisition_channel: customer.acquisition_channel,
      created_at: customer.created_at,
      acquired_at: customer.acquired_at,
      tags: parseTags(customer.tags),
      do_not_contact: customer.do_not_contact === 1,
    },
    purchases: {
      orders: score.orders,
      revenue: score.revenue,
      average_order_value: score.orders > 0 ? score.revenue / score.orders : null,
      first_purchase: score.firstPurchase,
      last_purchase: score.lastPurchase,
      days_since_last_purchase: score.daysSinceLastPurchase,
      typical_gap_days: score.typicalGapDays,
    },
    risk: {
      churn_probability: score.churnProbability,
      score: score.riskScore,
      level: score.riskLevel,
      level_label: RISK_LEVELS[score.riskLevel].label,
      reasons: score.riskReasons.map((reason) => ({
        factor: reason.factor,
        points: reason.contribution,
        en: reason.en,
        zh: reason.zh,
      })),
      value_if_retained: score.valueIfRetained,
      value_at_risk: score.valueAtRisk,
      not_scored: score.scoreProblem,
    },
    value: {
      p_alive: score.pAlive,
      clv: score.clv,
      horizon_months: SCORING_DEFAULTS.horizonMonths,
      margin_rate: score.marginRate,
      expected_purchases: score.expectedPurchases,
      expected_spend_per_purchase: score.expectedSpend,
      expected_revenue: expectedRevenue,
      abc_tier: score.abcTier,
      abc_label: score.abcTier ? ABC_TIERS[score.abcTier].label : null,
      value_quadrant: score.valueQuadrant,
      value_quadrant_label: quadrant?.label ?? null,
      value_quadrant_strategy: quadrant?.strategy ?? null,
    },
    rfm:
      score.rfm && rfm
        ? {
            r: score.rfm.r,
            f: score.rfm.f,
            m: score.rfm.m,
            code: `${score.rfm.r}${score.rfm.f}${score.rfm.m}`,
            segment: score.rfm.segment,
            label: rfm.label,
            description: rfm.description,
            action: rfm.action,
          }
        : null,
    lifecycle: {
      stage: score.lifecycleStage,
      label: stage.label,
      reasons: score.lifecycleReasons,
      strategy: stage.strategy,
    },
    stage_history: stagePoints ? stageHistoryOutput(stagePoints, set.models.fit.asOf) : null,
    latest_nps: score.latestNps,
    open_complaints: score.openComplaints,
    // Judged at the as-of moment, but never past the server's now: today's tickets are not overdue yet.
    open_tickets: (
      await openTicketsOf(deps.store, customer.id, {
        asOf: new Date(Math.min(new Date(set.asOf).getTime(), deps.now().getTime())),
      })
    ).map((ticket) => ({
      ticket_id: ticket.external_id,
      kind: ticket.kind,
      subject: ticket.subject,
      opened_at: ticket.opened_at,
      status: ticket.status_as_of,
      overdue: ticket.overdue,
      overdue_for: ticket.overdue_for,
    })),
    last_interaction: score.lastInteraction,
    recent_transactions: latest(history.transactions).map((row) => ({
      transaction_id: row.external_id,
      occurred_at: row.occurred_at,
      amount: row.amount,
      quantity: row.quantity,
      margin: row.margin,
      channel: row.channel,
    })),
    recent_interactions: latest(history.interactions).map((row) => ({
      interaction_id: row.external_id,
      occurred_at: row.occurred_at,
      channel: row.channel,
      direction: row.direction,
      summary: row.summary,
      outcome: row.outcome,
    })),
    recent_feedback: latest(history.feedback).map((row) => ({
      feedback_id: row.external_id,
      occurred_at: row.occurred_at,
      source: row.source,
      score: row.score,
      text: row.text,
      language: row.language,
      status: row.status,
    })),
    history_counts: {
      transactions: history.transactions.length,
      interactions: history.interactions.length,
      feedback: history.feedback.length,
    },
    kpi,
    scores: scoreSetInfo(set),
  };
}

function day(timestamp: string | null): string {
  return timestamp ? timestamp.slice(0, 10) : "-";
}

function fixed(value: number | null, digits: number): string {
  return value === null ? "-" : value.toFixed(digits);
}

/** The customer's relationship indices in one line. */
function kpiLine(kpi: GetCustomerResult["kpi"], language: "en" | "zh"): string {
  const chi = kpi.chi
    ? `CHI ${kpi.chi.index.toFixed(0)} (${kpi.chi.band_label[language]}; frequency ${kpi.chi.components.frequency.toFixed(0)}, value ${kpi.chi.components.value.toFixed(0)}, retention ${kpi.chi.components.retention.toFixed(0)})`
    : "CHI - (no purchase scored)";
  const ei =
    kpi.emotion.index === null
      ? "EI - (no NPS or reviews in the last 365 days)"
      : `EI ${kpi.emotion.index.toFixed(0)}`;
  const ltv = `LTV ${money(kpi.ltv.twelve_months)} over 12 months, ${kpi.ltv.five_years === null ? "-" : money(kpi.ltv.five_years)} over 5 years`;
  return `- ${chi}; ${ei}; ${ltv}`;
}

/** The stage history in one line: each change with the month end it was first read at. */
function stageHistoryLines(history: StageHistoryOutput | null, language: "en" | "zh"): string[] {
  if (!history || history.points.length === 0) return [];
  const track = history.changes
    .map(
      (change) =>
        `${LIFECYCLE_STAGES[change.to].label[language]} (${change.from === null ? "from" : "at"} ${change.date})`,
    )
    .join(" → ");
  return [
    `  - Stage history, ${history.points.length} points from ${history.points[0].date} to ${history.points[history.points.length - 1].date}: ${track}`,
    `    (${history.basis})`,
  ];
}

/** The profile as markdown in the customer's language where the text has two. */
export function customerMarkdown(result: GetCustomerResult): string {
  const language = result.customer.language;
  const { customer, profile, purchases, risk, value, rfm, lifecycle } = result;
  const lines = [
    `## ${customer.name} (${customer.customer_id})${customer.company && customer.company !== customer.name ? ` - ${customer.company}` : ""}`,
    `Owner: ${customer.owner ?? "-"} · language: ${language} · country: ${profile.country ?? "-"} · tags: ${profile.tags.join(", ") || "-"}` +
      (profile.do_not_contact ? " · **do not contact**" : ""),
    `Email: ${profile.email ?? "-"} · phone: ${profile.phone ?? "-"}`,
    "",
    `**Scores as of ${result.scores.as_of}**`,
    risk.not_scored
      ? `- Not scored: ${risk.not_scored}`
      : `- Churn probability ${risk.churn_probability === null ? "-" : percent(risk.churn_probability)} (no purchase in the next ${result.scores.horizon_days} days; ${risk.level_label[language]} risk); value if retained ${money(risk.value_if_retained)}, value at risk ${money(risk.value_at_risk)}`,
    ...risk.reasons.map((reason) => `  - ${reason[language]}`),
    `- P(alive) ${fixed(value.p_alive, 2)}; ${value.horizon_months}-month CLV ${money(value.clv)} at a ${(value.margin_rate * 100).toFixed(1)}% margin; ` +
      `expected ${fixed(value.expected_purchases, 2)} purchases × ${value.expected_spend_per_purchase === null ? "-" : money(value.expected_spend_per_purchase)} = ${value.expected_revenue === null ? "-" : money(value.expected_revenue)}`,
    `- RFM: ${rfm ? `${rfm.code} ${rfm.label[language]} - ${rfm.action[language]}` : "- (no purchases)"}`,
    `- Tier: ${value.abc_label?.[language] ?? "-"}; quadrant: ${value.value_quadrant_label?.[language] ?? "-"}`,
    `- Lifecycle: ${lifecycle.label[language]} - ${lifecycle.reasons[language].join("; ")}`,
    `  - Strategy: ${lifecycle.strategy[language]}`,
    ...stageHistoryLines(result.stage_history, language),
    `- Purchases: ${purchases.orders} orders, ${money(purchases.revenue)} in total; last ${day(purchases.last_purchase)}` +
      (purchases.days_since_last_purchase === null
        ? ""
        : ` (${purchases.days_since_last_purchase} days ago)`) +
      (purchases.typical_gap_days === null ? "" : `; usually every ${purchases.typical_gap_days} days`),
    `- Latest NPS ${fixed(result.latest_nps, 0)}; open complaints ${result.open_complaints}; last contact ${day(result.last_interaction)}`,
    kpiLine(result.kpi, language),
  ];
  if (result.recent_transactions.length > 0) {
    lines.push(
      "",
      `**Recent transactions** (${result.recent_transactions.length} of ${result.history_counts.transactions})`,
      "| date | amount | channel |",
      "|---|---|---|",
      ...result.recent_transactions.map(
        (row) => `| ${day(row.occurred_at)} | ${money(row.amount)} | ${cell(row.channel)} |`,
      ),
    );
  }
  if (result.recent_interactions.length > 0) {
    lines.push(
      "",
      `**Recent interactions** (${result.recent_interactions.length} of ${result.history_counts.interactions})`,
      ...result.recent_interactions.map(
        (row) =>
          `- ${day(row.occurred_at)} ${row.channel} ${row.direction}: ${cell(row.summary)}${row.outcome ? ` (${cell(row.outcome)})` : ""}`,
      ),
    );
  }
  if (result.recent_feedback.length > 0) {
    lines.push(
      "",
      `**Recent feedback** (${result.recent_feedback.length} of ${result.history_counts.feedback}; quoted from the customer)`,
      ...result.recent_feedback.map(
        (row) =>
          `- ${day(row.occurred_at)} ${row.source}${row.score === null ? "" : ` ${row.score}`} [${row.status}]: > ${cell(row.text)}`,
      ),
    );
  }
  if (result.open_tickets.length > 0) {
    lines.push(
      "",
      `**Open tickets** (${result.open_tickets.length}; subjects may quote the customer)`,
      ...result.open_tickets.map(
        (ticket) =>
          `- ${cell(ticket.ticket_id)} ${ticket.kind}, opened ${day(ticket.opened_at)}, ${ticket.status}${ticket.overdue ? `, **overdue** (${ticket.overdue_for === "first_response" ? "no answer yet" : "unresolved"})` : ""}: ${cell(ticket.subject) || "-"}`,
      ),
    );
  }
  return lines.join("\n");
}

export function registerGetCustomer(server: McpServer, deps: ServerDeps): void {
  registerAppTool(
    server,
    GET_CUSTOMER,
    {
      title: "Get customer",
      description:
        "Everything about one customer as of a date: profile (tags, do-not-contact), churn probability (no purchase in the next 90 days) with the signals behind it, value at risk, P(alive), " +
        "12-month CLV with expected purchases and spend, RFM scores and segment, ABC tier, value quadrant, lifecycle stage " +
        `with reasons and strategy, the stage at each month end over the last 24 months (as today's rules read the customer's history up to each day), last purchase and typical gap, and the latest ${RECENT_ITEMS} transactions, interactions ` +
        "and feedback, the open service tickets with their SLA verdict, and the relationship indices (health index 0-100 with its components, emotion index, lifetime value 12 months vs 5 years). " +
        "Answers 'tell me about this customer' before a call. Find the id with search_customers.",
      inputSchema: getCustomerInput,
      outputSchema: getCustomerOutput,
      annotations: { readOnlyHint: true, destructiveHint: false, idempotentHint: true, openWorldHint: false },
      _meta: appToolMeta("customer-card"),
    },
    async (input) => {
      const result = await getCustomer(deps, input);
      return toolResult(deps, result, customerMarkdown(result));
    },
  );
}
