import type { McpServer } from "@modelcontextprotocol/sdk/server/mcp.js";
import { npsScore } from "../../core/feedback.js";
import { LIFECYCLE_STAGES, LIFECYCLE_STAGE_KEYS, type LifecycleStageKey } from "../../core/lifecycle.js";
import { RISK_LEVELS, type RiskLevel } from "../../core/risk.js";
import { ABC_TIERS, type AbcTier } from "../../core/valueTiers.js";
import {
  PORTFOLIO_OVERVIEW,
  portfolioOverviewInput,
  portfolioOverviewOutput,
  type PortfolioOverviewResult,
} from "../contract/portfolioOverview.js";
import { bookStats } from "../reports/bookStats.js";
import type { ServerDeps } from "../server/deps.js";
import type { SqlValue } from "../store/database.js";
import { usableTransaction } from "../store/rows.js";
import { latestBacktest } from "../scoring/backtestStore.js";
import { churnModelInfo, money, percent, scoreSetInfo, scoresFor, toolResult, trustLine } from "./support.js";
import { storedTime } from "../store/timestamps.js";

const DAY_MS = 86_400_000;

function iso(ms: number): string {
  return storedTime(ms);
}

/** The owner as stored, matched case-insensitively; an actionable error when nobody has it. */
async function resolveOwner(deps: ServerDeps, owner: string): Promise<string> {
  const match = await deps.store.db.get<{ owner: string }>(
    "SELECT owner FROM customers WHERE owner = ? COLLATE NOCASE GROUP BY owner ORDER BY COUNT(*) DESC LIMIT 1",
    [owner],
  );
  if (match) return match.owner;
  const owners = await deps.store.db.all<{ owner: string }>(
    "SELECT DISTINCT owner FROM customers WHERE owner IS NOT NULL ORDER BY owner LIMIT 30",
  );
  throw new Error(
    `no customers have the owner "${owner}"; owners in this book: ${owners.map((row) => row.owner).join(", ") || "(none)"}. Omit owner for the whole book.`,
  );
}

/** Share of the total held by the top ceil(fraction × n) values of a descending list. */
function topShare(descending: readonly number[], total: number, fraction: number): number | null {
  if (descending.length === 0 || total <= 0) return null;
  const count = Math.ceil(descending.length * fraction);
  return descending.slice(0, count).reduce((sum, value) => sum + value, 0) / total;
}

/**
 * Headline numbers of a book (or one owner's part of it) as of a date: activity, retention,
 * revenue and its concentration, NPS, and totals of the cached scores.
 */
export async function portfolioOverview(
  deps: ServerDeps,
  input: { owner?: string; as_of?: string },
): Promise<PortfolioOverviewResult> {
  const owner = input.owner === undefined ? undefined : await resolveOwner(deps, input.owner);
  const { asOf, set } = await scoresFor(deps, input.as_of);
  const stats = await bookStats(deps.store, asOf, owner);
  const end = iso(asOf.getTime());
  const yearAgo = iso(asOf.getTime() - 365 * DAY_MS);
  const twoYearsAgo = iso(asOf.getTime() - 730 * DAY_MS);
  const ownerFilter = owner === undefined ? "" : "AND c.owner = ?";
  const ownerParams: SqlValue[] = owner === undefined ? [] : [owner];

  const retention = await deps.store.db.get<{ previous: number | null; retained: number | null }>(
    `SELECT COUNT(*) AS previous, SUM(latest) AS retained FROM (
       SELECT c.id, MAX(t.occurred_at > ?) AS latest
       FROM customers c JOIN transactions t ON t.customer_id = c.id
       WHERE t.occurred_at > ? AND t.occurred_at <= ? ${ownerFilter}
       GROUP BY c.id
       HAVING MIN(t.occurred_at) <= ?)`,
    [yearAgo, twoYearsAgo, end, ...ownerParams, yearAgo],
  );
  const previous = retention?.previous ?? 0;
  const retained = retention?.retained ?? 0;
  const churnRate = previous === 0 ? null : (previous - retained) / previous;

  const revenues = (
    await deps.store.db.all<{ revenue: number }>(
      `SELECT SUM(t.amount) AS revenue FROM transactions t JOIN customers c ON c.id = t.customer_id
       WHERE t.occurred_at > ? AND t.occurred_at <= ? AND ${usableTransaction("t")} ${ownerFilter}
       GROUP BY c.id HAVING SUM(t.amount) > 0 ORDER BY revenue DESC`,
      [yearAgo, end, ...ownerParams],
    )
  ).map((row) => row.revenue);
  const positiveRevenue = revenues.reduce((sum, value) => sum + value, 0);

  const scoreFrom = `FROM customer_scores s JOIN customers c ON c.id = s.customer_id WHERE s.score_set_id = ? ${ownerFilter}`;
  const scoreParams: SqlValue[] = [set.id, ...ownerParams];
  const totals = await deps.store.db.get<{
    clv: number | null;
    value_at_risk: number | null;
    churners: number | null;
  }>(
    `SELECT SUM(s.clv) AS clv, SUM(s.value_at_risk) AS value_at_risk, SUM(s.churn_probability) AS churners ${scoreFrom}`,
    scoreParams,
  );
  const tierRows = await deps.store.db.all<{ tier: AbcTier; customers: number; clv: number }>(
    `SELECT s.abc_tier AS tier, COUNT(*) AS customers, SUM(MAX(s.clv, 0)) AS clv ${scoreFrom} AND s.abc_tier IS NOT NULL GROUP BY s.abc_tier`,
    scoreParams,
  );
  const stageRows = await deps.store.db.all<{ stage: LifecycleStageKey; customers: number }>(
    `SELECT s.lifecycle_stage AS stage, COUNT(*) AS customers ${scoreFrom} GROUP BY s.lifecycle_stage`,
    scoreParams,
  );
  const levelRows = await deps.store.db.all<{ level: RiskLevel; customers: number }>(
    // Risk levels are churn-probability bands, so only customers who have bought have one.
    `SELECT s.risk_level AS level, COUNT(*) AS customers ${scoreFrom} AND s.churn_probability IS NOT NULL GROUP BY s.risk_level`,
    scoreParams,
  );
  const npsAnswers = await deps.store.db.all<{ score: number }>(
    `SELECT f.score FROM feedback f JOIN customers c ON c.id = f.customer_id
     WHERE f.source = 'nps' AND f.score BETWEEN 0 AND 10 AND f.occurred_at > ? AND f.occurred_at <= ? ${ownerFilter}`,
    [yearAgo, end, ...ownerParams],
  );

  const tierCustomers = tierRows.reduce((sum, row) => sum + row.customers, 0);
  const tierValue = tierRows.reduce((sum, row) => sum + row.clv, 0);
  const nps = npsAnswers.length === 0 ? null : npsScore(npsAnswers.map((row) => row.score));
  return {
    owner: owner ?? null,
    customers: stats.customers,
    customers_with_purchases: stats.customersWithPurchases,
    active_customers: stats.activeCustomers,
    repeat_rate: stats.repeatRate,
    retention: {
      previous_window_customers: previous,
      retained,
      churned: previous - retained,
      churn_rate: churnRate,
      retention_rate: churnRate === null ? null : 1 - churnRate,
    },
    revenue_last_12_months: stats.revenueLastYear,
    revenue_concentration: {
      customers_with_revenue: revenues.length,
      top_10_percent_share: topShare(revenues, positiveRevenue, 0.1),
      top_20_percent_share: topShare(revenues, positiveRevenue, 0.2),
    },
    abc_tiers: (["A", "B", "C"] as const).map((tier) => {
      const row = tierRows.find((candidate) => candidate.tier === tier);
      return {
        tier,
        label: ABC_TIERS[tier].label,
        customers: row?.customers ?? 0,
        customer_share: tierCustomers === 0 ? 0 : (row?.customers ?? 0) / tierCustomers,
        clv: row?.clv ?? 0,
        value_share: tierValue <= 0 ? 0 : (row?.clv ?? 0) / tierValue,
      };
    }),
    nps:
      nps === null || nps.score === null
        ? null
        : {
            score: nps.score,
            responses: nps.responses,
            promoters: nps.promoters,
            passives: nps.passives,
            detractors: nps.detractors,
          },
    total_clv: totals?.clv ?? 0,
    total_value_at_risk: totals?.value_at_risk ?? 0,
    expected_churners: totals?.churners ?? 0,
    lifecycle_stages: LIFECYCLE_STAGE_KEYS.map((stage) => ({
      stage,
      label: LIFECYCLE_STAGES[stage].label,
      customers: stageRows.find((row) => row.stage === stage)?.customers ?? 0,
    })),
    risk_levels: (Object.keys(RISK_LEVELS) as RiskLevel[]).map((level) => ({
      level,
      label: RISK_LEVELS[level].label,
      customers: levelRows.find((row) => row.level === level)?.customers ?? 0,
    })),
    churn_model: churnModelInfo(set.models, await latestBacktest(deps.store)),
    scores: scoreSetInfo(set),
  };
}

function optionalPercent(share: number | null): string {
  return share === null ? "-" : percent(share);
}

/** The overview as markdown. */
export function portfolioMarkdown(result: PortfolioOverviewResult): string {
  const { retention, revenue_concentration: concentration } = result;
  const lines = [
    `## Portfolio ${result.owner ? `of ${result.owner}` : "(whole book)"} as of ${result.scores.as_of}`,
    `- Customers: ${result.customers}; with purchases ${result.customers_with_purchases}; active (bought in the last 365 days) ${result.active_customers}`,
    `- Repeat rate: ${percent(result.repeat_rate)} of buyers bought more than once`,
    `- Churn: ${optionalPercent(retention.churn_rate)} (${retention.churned} of the ${retention.previous_window_customers} customers who bought 366-730 days ago did not buy in the last 365 days); retention ${optionalPercent(retention.retention_rate)}`,
    `- Revenue, last 12 months: ${money(result.revenue_last_12_months)}; top 10% of the ${concentration.customers_with_revenue} buying customers bring ${optionalPercent(concentration.top_10_percent_share)}, top 20% ${optionalPercent(concentration.top_20_percent_share)}`,
    `- NPS (last 12 months): ${result.nps ? `${result.nps.score.toFixed(0)} from ${result.nps.responses} answers (${result.nps.promoters} promoters, ${result.nps.passives} passives, ${result.nps.detractors} detractors)` : "no answers"}`,
    `- Total 12-month CLV ${money(result.total_clv)}; value at risk ${money(result.total_value_at_risk)}; expected not to buy in the next ${result.churn_model.horizon_days} days: ${result.expected_churners.toFixed(0)} of ${result.customers_with_purchases} buying customers`,
    `- ${trustLine(result.churn_model)}`,
    "",
    "| ABC tier | customers | share of customers | CLV | share of CLV |",
    "|---|---|---|---|---|",
    ...result.abc_tiers.map(
      (row) =>
        `| ${row.label.en} | ${row.customers} | ${percent(row.customer_share)} | ${money(row.clv)} | ${percent(row.value_share)} |`,
    ),
    "",
    `Lifecycle: ${result.lifecycle_stages.map((row) => `${row.label.en} ${row.customers}`).join(" · ")}`,
    `Risk: ${result.risk_levels.map((row) => `${row.label.en} ${row.customers}`).join(" · ")}`,
  ];
  return lines.join("\n");
}

export function registerPortfolioOverview(server: McpServer, deps: ServerDeps): void {
  server.registerTool(
    PORTFOLIO_OVERVIEW,
    {
      title: "Portfolio overview",
      description:
        "Headline numbers for the whole book or one account manager as of a date: customers, active customers (a purchase in " +
        "the last 365 days), repeat rate, churn and retention, revenue in the last 12 months and how concentrated it is " +
        "(share from the top 10% and 20% of buying customers), ABC tiers by CLV, NPS over the last 12 months, total CLV and " +
        "value at risk, expected churners, how the churn probabilities were made and how the latest backtest rated them (AUC, " +
        "calibration error), and counts by lifecycle stage and risk level. Churn rate = of the customers who bought in the previous " +
        "12-month window (366-730 days before as_of), the share with no purchase in the latest 365 days; retention rate = " +
        "1 - churn rate. Answers 'how is my book doing?'.",
      inputSchema: portfolioOverviewInput,
      outputSchema: portfolioOverviewOutput,
      annotations: { readOnlyHint: true, destructiveHint: false, idempotentHint: true, openWorldHint: false },
    },
    async (input) => {
      const result = await portfolioOverview(deps, input);
      return toolResult(deps, result, portfolioMarkdown(result));
    },
  );
}
