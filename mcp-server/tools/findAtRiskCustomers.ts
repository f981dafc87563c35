import type { McpServer } from "@modelcontextprotocol/sdk/server/mcp.js";
import { registerAppTool } from "@modelcontextprotocol/ext-apps/server";
import { appToolMeta } from "../apps/catalogue.js";
import { LIFECYCLE_STAGES } from "../../core/lifecycle.js";
import {
  DEFAULT_MIN_RISK,
  FIND_AT_RISK_CUSTOMERS,
  findAtRiskCustomersInput,
  findAtRiskCustomersOutput,
  type FindAtRiskCustomersResult,
} from "../contract/findAtRiskCustomers.js";
import { rowToScore, type ScoreRow } from "../scoring/scoreCache.js";
import type { ServerDeps } from "../server/deps.js";
import type { SqlValue } from "../store/database.js";
import { scoresTable } from "../store/setTables.js";
import type { CustomerRow } from "../store/rows.js";
import {
  cell,
  customerRef,
  money,
  nextCursor,
  page,
  percent,
  round,
  scoreSetInfo,
  scoresFor,
  toolResult,
} from "./support.js";

type Input = {
  sort_by?: "value_at_risk" | "risk";
  owner?: string;
  segment?: string;
  lifecycle_stage?: string;
  min_clv?: number;
  min_risk?: number;
  include_lost?: boolean;
  limit?: number;
  cursor?: string;
  as_of?: string;
};

/** Counts of matching customers per score set and filters (oldest dropped first). */
const totalsCache = new Map<string, { listed: number; lost: number }>();
const TOTALS_CACHE_SIZE = 500;

/** Ranks customers by value at risk (or risk) from the cached scores, with reasons and next steps. */
export async function findAtRiskCustomers(
  deps: ServerDeps,
  input: Input,
): Promise<FindAtRiskCustomersResult> {
  const { set } = await scoresFor(deps, input.as_of);
  const filters = { ...input, cursor: undefined, limit: undefined };
  const { offset, limit } = page(input.limit, input.cursor, filters);
  const filtersSql: string[] = [];
  const filterParams: SqlValue[] = [];
  if (input.owner) {
    filtersSql.push("c.owner = ? COLLATE NOCASE");
    filterParams.push(input.owner);
  }
  if (input.segment) {
    filtersSql.push("s.rfm_segment = ?");
    filterParams.push(input.segment);
  }
  if (input.lifecycle_stage) {
    filtersSql.push("s.lifecycle_stage = ?");
    filterParams.push(input.lifecycle_stage);
  }
  if (input.min_clv !== undefined) {
    filtersSql.push("s.clv >= ?");
    filterParams.push(input.min_clv);
  }
  const params: SqlValue[] = [input.min_risk ?? DEFAULT_MIN_RISK, ...filterParams];
  const join = input.owner ? "JOIN customers c ON c.id = s.customer_id" : "";
  const shared = filtersSql.map((clause) => ` AND ${clause}`).join("");
  // Customers the book counts as lost are win-back work, not retention: left out unless asked for.
  const listLost = input.include_lost === true || input.lifecycle_stage === "churned";
  const extra = listLost ? shared : `${shared} AND s.lifecycle_stage <> 'churned'`;
  // Both counts come from one scan of the set's table in storage order: walking the
  // risk index from the threshold fetches every customer at risk in value order, 1.8 s per count
  // for a million customers against 0.3 s for the scan. They are remembered per set and data
  // version (a write carries the set over, changing a customer's row), so paging through a list
  // or asking again costs only the page.
  const countKey = JSON.stringify([
    deps.store.path,
    set.id,
    set.computedAt,
    set.dataVersion,
    params,
    shared,
    listLost,
  ]);
  let counts = totalsCache.get(countKey);
  if (counts === undefined) {
    const row = await deps.store.db.get<{ listed: number; lost: number }>(
      `SELECT COUNT(CASE WHEN ${listLost ? "1 = 1" : "s.lifecycle_stage <> 'churned'"} THEN 1 END) AS listed,
              COUNT(CASE WHEN s.lifecycle_stage = 'churned' THEN 1 END) AS lost
       FROM ${scoresTable(set.id, "s")} ${join} WHERE +s.risk_score >= ?${shared}`,
      params,
    );
    counts = { listed: row?.listed ?? 0, lost: row?.lost ?? 0 };
    if (totalsCache.size >= TOTALS_CACHE_SIZE) totalsCache.delete(totalsCache.keys().next().value!);
    totalsCache.set(countKey, counts);
  }
  const total = counts.listed;
  const lostCustomers = counts.lost;
  // The page is read in ranking-index order and stops after `limit` rows. The unary + keeps
  // SQLite from choosing the risk range instead, which would sort every customer at risk.
  const order =
    input.sort_by === "risk"
      ? "s.risk_score DESC, s.value_at_risk DESC, s.customer_id"
      : "s.value_at_risk DESC, s.risk_score DESC, s.customer_id";
  const from = `FROM ${scoresTable(set.id, "s")} JOIN customers c ON c.id = s.customer_id
     WHERE +s.risk_score >= ?${extra}`;
  const rows = await deps.store.db.all<ScoreRow & CustomerRow>(
    `SELECT s.*, c.* ${from} ORDER BY ${order} LIMIT ? OFFSET ?`,
    [...params, limit, offset],
  );
  const customers = rows.map((row, index) => {
    const score = rowToScore(set.id, row);
    const stage = LIFECYCLE_STAGES[score.lifecycleStage];
    return {
      rank: offset + index + 1,
      customer: customerRef(row),
      churn_probability: round(score.churnProbability ?? 0, 4),
      risk_score: score.riskScore,
      risk_level: score.riskLevel,
      list: (score.lifecycleStage === "churned" ? "win-back" : "at-risk") as "at-risk" | "win-back",
      top_reasons: score.riskReasons
        .filter((reason) => reason.contribution > 0)
        .slice(0, 3)
        .map((reason) => ({
          factor: reason.factor,
          points: round(reason.contribution, 1),
          en: reason.en,
          zh: reason.zh,
        })),
      p_alive: score.pAlive === null ? null : round(score.pAlive, 4),
      clv: round(score.clv, 2),
      value_if_retained: round(score.valueIfRetained, 2),
      value_at_risk: round(score.valueAtRisk, 2),
      last_purchase: score.lastPurchase,
      days_since_last_purchase: score.daysSinceLastPurchase,
      typical_gap_days: score.typicalGapDays === null ? null : round(score.typicalGapDays, 1),
      lifecycle_stage: score.lifecycleStage,
      lifecycle_label: stage.label,
      rfm_segment: score.rfm?.segment ?? null,
      next_action: stage.strategy,
    };
  });
  return {
    customers,
    total,
    next_cursor: nextCursor(offset, customers.length, total, filters),
    lost_customers: lostCustomers,
    scores: scoreSetInfo(set),
  };
}

/** The result as a markdown table, for chat and reports. */
export function atRiskMarkdown(result: FindAtRiskCustomersResult): string {
  const horizon = result.scores.horizon_days;
  const lostNote =
    result.lost_customers > 0 && !result.customers.some((row) => row.list === "win-back")
      ? ` ${result.lost_customers} more the book already counts as lost are left out (include_lost: true lists them for win-back).`
      : "";
  if (result.customers.length === 0) {
    return `No customers at risk match these filters (as of ${result.scores.as_of}). Try a lower min_risk or fewer filters.${lostNote}`;
  }
  const lines = [
    `**${result.total} customers at risk** as of ${result.scores.as_of}; showing ${result.customers[0].rank}-${result.customers.at(-1)!.rank}. Churn = chance of no purchase in the next ${horizon} days.${lostNote}`,
    "",
    `| # | customer | owner | churn (${horizon}d) | value at risk | value if retained | stage | why |`,
    "|---|---|---|---|---|---|---|---|",
    ...result.customers.map(
      (row) =>
        `| ${row.rank} | ${cell(row.customer.name)} (${row.customer.customer_id}) | ${cell(row.customer.owner)} | ${percent(row.churn_probability)} ${row.risk_level} | ${money(row.value_at_risk)} | ${money(row.value_if_retained)} | ${row.list === "win-back" ? "churned (win-back)" : row.lifecycle_stage} | ${cell(row.top_reasons.map((reason) => (row.customer.language === "zh" ? reason.zh : reason.en)).join("; "))} |`,
    ),
  ];
  if (result.next_cursor) lines.push("", `More: call again with cursor "${result.next_cursor}".`);
  return lines.join("\n");
}

export function registerFindAtRiskCustomers(server: McpServer, deps: ServerDeps): void {
  registerAppTool(
    server,
    FIND_AT_RISK_CUSTOMERS,
    {
      title: "Find at-risk customers",
      description:
        "Customers most likely to stop buying, ranked by value at risk (value if retained × churn probability) or by churn probability. " +
        "The churn probability is the chance of no purchase in the next 90 days, calibrated on this book's own history; each row gives " +
        "the signals behind it with their numbers (e.g. '94 days since the last purchase, 4.5x their usual 21-day gap (+18 points)'), " +
        "P(alive), CLV, lifecycle stage and a next action. Customers the book already counts as lost are left out unless include_lost. " +
        "Answers 'who should I call this week?'. Filter by owner, RFM segment, lifecycle stage or minimum CLV; paginated.",
      inputSchema: findAtRiskCustomersInput,
      outputSchema: findAtRiskCustomersOutput,
      annotations: { readOnlyHint: true, destructiveHint: false, idempotentHint: true, openWorldHint: false },
      _meta: appToolMeta("at-risk-board"),
    },
    async (input) => {
      const result = await findAtRiskCustomers(deps, input);
      return toolResult(deps, result, atRiskMarkdown(result));
    },
  );
}
