import type { McpServer } from "@modelcontextprotocol/sdk/server/mcp.js";
import { registerAppTool } from "@modelcontextprotocol/ext-apps/server";
import { appToolMeta } from "../apps/catalogue.js";
import { LIFECYCLE_STAGES, LIFECYCLE_STAGE_KEYS } from "../../core/lifecycle.js";
import { RISK_LEVELS, type RiskLevel } from "../../core/risk.js";
import { ABC_TIERS } from "../../core/valueTiers.js";
import {
  PORTFOLIO_OVERVIEW,
  portfolioOverviewInput,
  portfolioOverviewOutput,
  type PortfolioOverviewResult,
} from "../contract/portfolioOverview.js";
import type { ServerDeps } from "../server/deps.js";
import { latestBacktest } from "../scoring/backtestStore.js";
import { kpiLines, kpiMonths, kpiSummary } from "../scoring/kpi.js";
import { bookFacts, factsOf } from "../store/bookStats.js";
import { Memo } from "../store/memo.js";
import { portfolioScoreTotals, type PortfolioScoreTotals } from "../store/scoreQueries.js";
import { churnModelInfo, money, percent, scoreSetInfo, scoresFor, toolResult, trustLine } from "./support.js";

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

/**
 * A score set's totals per owner, computed once per set and data version (a write carries the set
 * over, changing the written customer's stage, risk and value at risk).
 */
const scoreTotals = new Memo<PortfolioScoreTotals>(64);

/**
 * Headline numbers of a book (or one owner's part of it) as of a date: activity, retention,
 * revenue and its concentration, NPS, and totals of the cached scores. Every figure is a SQL
 * aggregate: the transaction and NPS facts come from one read per data version and as-of date
 * (`bookFacts`, every owner at once), the score totals from one GROUP BY per score set and owner.
 */
export async function portfolioOverview(
  deps: ServerDeps,
  input: { owner?: string; as_of?: string },
): Promise<PortfolioOverviewResult> {
  const owner = input.owner === undefined ? undefined : await resolveOwner(deps, input.owner);
  const { asOf, set } = await scoresFor(deps, input.as_of);
  const facts = factsOf(await bookFacts(deps.store, asOf), owner);
  const scores = await scoreTotals.remember(
    deps.store,
    [set.id, set.computedAt, set.dataVersion, owner ?? null],
    () => portfolioScoreTotals(deps.store, set.id, owner),
  );

  const previous = facts.previousWindow;
  const retained = facts.retained;
  const churnRate = previous === 0 ? null : (previous - retained) / previous;
  const concentration = (top: number) =>
    facts.customersWithRevenue === 0 || facts.positiveRevenue <= 0 ? null : top / facts.positiveRevenue;
  const tierCustomers = scores.tiers.reduce((sum, row) => sum + row.customers, 0);
  const tierValue = scores.tiers.reduce((sum, row) => sum + row.clv, 0);
  const { npsResponses: responses, promoters, detractors } = facts;
  return {
    owner: owner ?? null,
    customers: facts.customers,
    customers_with_purchases: facts.purchasing,
    active_customers: facts.active,
    repeat_rate: facts.purchasing === 0 ? 0 : facts.repeating / facts.purchasing,
    retention: {
      previous_window_customers: previous,
      retained,
      churned: previous - retained,
      churn_rate: churnRate,
      retention_rate: churnRate === null ? null : 1 - churnRate,
    },
    revenue_last_12_months: facts.revenueLastYear,
    revenue_concentration: {
      customers_with_revenue: facts.customersWithRevenue,
      top_10_percent_share: concentration(facts.top10Revenue),
      top_20_percent_share: concentration(facts.top20Revenue),
    },
    abc_tiers: (["A", "B", "C"] as const).map((tier) => {
      const row = scores.tiers.find((candidate) => candidate.tier === tier);
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
      responses === 0
        ? null
        : {
            score: (100 * (promoters - detractors)) / responses,
            responses,
            promoters,
            passives: responses - promoters - detractors,
            detractors,
          },
    total_clv: scores.clv,
    total_value_at_risk: scores.valueAtRisk,
    expected_churners: scores.expectedChurners,
    lifecycle_stages: LIFECYCLE_STAGE_KEYS.map((stage) => ({
      stage,
      label: LIFECYCLE_STAGES[stage].label,
      customers: scores.stages.find((row) => row.stage === stage)?.customers ?? 0,
    })),
    risk_levels: (Object.keys(RISK_LEVELS) as RiskLevel[]).map((level) => ({
      level,
      label: RISK_LEVELS[level].label,
      customers: scores.levels.find((row) => row.level === level)?.customers ?? 0,
    })),
    churn_model: churnModelInfo(set.models, await latestBacktest(deps.store)),
    kpi: await kpiSummary(deps.store, set, { owner, months: kpiMonths(asOf) }),
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
    "",
    `**Relationship KPIs** (${result.kpi.period.from} to ${result.kpi.period.to})`,
    ...kpiLines(result.kpi).map((line) => `- ${line}`),
  ];
  return lines.join("\n");
}

export function registerPortfolioOverview(server: McpServer, deps: ServerDeps): void {
  registerAppTool(
    server,
    PORTFOLIO_OVERVIEW,
    {
      title: "Portfolio overview",
      description:
        "Headline numbers for the whole book or one account manager as of a date: customers, active customers (a purchase in " +
        "the last 365 days), repeat rate, churn and retention, revenue in the last 12 months and how concentrated it is " +
        "(share from the top 10% and 20% of buying customers), ABC tiers by CLV, NPS over the last 12 months, total CLV and " +
        "value at risk, expected churners, how the churn probabilities were made and how the latest backtest rated them (AUC, " +
        "calibration error), counts by lifecycle stage and risk level, and the relationship KPIs (kpi): customer health index " +
        "0-100 with its components, service efficiency (first response and resolution times, SLA breaches), emotion index " +
        "from NPS and reviews, lifetime value over 12 months vs 5 years, and first-month activation of new customers. Churn rate = of the customers who bought in the previous " +
        "12-month window (366-730 days before as_of), the share with no purchase in the latest 365 days; retention rate = " +
        "1 - churn rate. Answers 'how is my book doing?'.",
      inputSchema: portfolioOverviewInput,
      outputSchema: portfolioOverviewOutput,
      annotations: { readOnlyHint: true, destructiveHint: false, idempotentHint: true, openWorldHint: false },
      _meta: appToolMeta("cohorts-kpis"),
    },
    async (input) => {
      const result = await portfolioOverview(deps, input);
      return toolResult(deps, result, portfolioMarkdown(result));
    },
  );
}
