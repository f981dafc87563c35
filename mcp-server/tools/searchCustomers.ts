import type { McpServer } from "@modelcontextprotocol/sdk/server/mcp.js";
import {
  SEARCH_CUSTOMERS,
  searchCustomersInput,
  searchCustomersOutput,
  type SearchCustomersResult,
} from "../contract/searchCustomers.js";
import { rowToScore, type ScoreRow } from "../scoring/scoreCache.js";
import type { ServerDeps } from "../server/deps.js";
import { searchCustomers as searchStore } from "../store/customerQueries.js";
import { scoresTable } from "../store/setTables.js";
import {
  cell,
  customerRef,
  money,
  nextCursor,
  page,
  parseTags,
  scoreSetInfo,
  scoresFor,
  toolResult,
} from "./support.js";

type Input = {
  query?: string;
  owner?: string;
  tag?: string;
  segment?: string;
  lifecycle_stage?: string;
  limit?: number;
  cursor?: string;
  as_of?: string;
};

/**
 * Finds customers by text, owner, tag, RFM segment or lifecycle stage, with their basic scores.
 * Text of three characters or more is found through the trigram index; every filter is SQL, and
 * only the page's scores are read.
 */
export async function searchCustomers(deps: ServerDeps, input: Input): Promise<SearchCustomersResult> {
  const { set } = await scoresFor(deps, input.as_of);
  const filters = { ...input, cursor: undefined, limit: undefined };
  const { offset, limit } = page(input.limit, input.cursor, filters);
  const { rows, total } = await searchStore(deps.store, {
    text: input.query,
    owner: input.owner,
    tag: input.tag,
    scores:
      input.segment || input.lifecycle_stage
        ? { setId: set.id, segment: input.segment, lifecycleStage: input.lifecycle_stage }
        : undefined,
    limit,
    offset,
  });
  const scoreRows = await deps.store.db.all<ScoreRow>(
    `SELECT * FROM ${scoresTable(set.id)} WHERE customer_id IN (SELECT value FROM json_each(?))`,
    [JSON.stringify(rows.map((row) => row.id))],
  );
  const scores = new Map(scoreRows.map((row) => [Number(row.customer_id), rowToScore(set.id, row)]));
  const customers = rows.map((row) => {
    const score = scores.get(row.id);
    if (!score) {
      throw new Error(
        `customer ${row.external_id} has no cached score for ${set.asOf.slice(0, 10)}; the store changed while scoring, so call again`,
      );
    }
    return {
      customer: customerRef(row),
      email: row.email,
      tags: parseTags(row.tags),
      do_not_contact: row.do_not_contact === 1,
      orders: score.orders,
      revenue: score.revenue,
      last_purchase: score.lastPurchase,
      churn_probability: score.churnProbability,
      risk_score: score.riskScore,
      risk_level: score.riskLevel,
      p_alive: score.pAlive,
      clv: score.clv,
      rfm_segment: score.rfm?.segment ?? null,
      lifecycle_stage: score.lifecycleStage,
    };
  });
  return {
    customers,
    total,
    next_cursor: nextCursor(offset, customers.length, total, filters),
    scores: scoreSetInfo(set),
  };
}

/** The page as a markdown table. */
export function searchMarkdown(result: SearchCustomersResult): string {
  if (result.customers.length === 0) {
    return result.total === 0
      ? `No customers match (as of ${result.scores.as_of}). Try a shorter query or fewer filters.`
      : `No more customers: all ${result.total} matches were shown on earlier pages.`;
  }
  const lines = [
    `**${result.total} customers match** as of ${result.scores.as_of}; showing ${result.customers.length}.`,
    "",
    "| customer | company | owner | orders | revenue | last purchase | risk | CLV | P(alive) | RFM | stage |",
    "|---|---|---|---|---|---|---|---|---|---|---|",
    ...result.customers.map(
      (row) =>
        `| ${cell(row.customer.name)} (${row.customer.customer_id})${row.do_not_contact ? " ⛔" : ""} | ${cell(row.customer.company)} | ${cell(row.customer.owner)} | ${row.orders} | ${money(row.revenue)} | ${row.last_purchase?.slice(0, 10) ?? "-"} | ${row.risk_score.toFixed(0)} ${row.risk_level} | ${money(row.clv)} | ${row.p_alive === null ? "-" : row.p_alive.toFixed(2)} | ${row.rfm_segment ?? "-"} | ${row.lifecycle_stage} |`,
    ),
  ];
  if (result.customers.some((row) => row.do_not_contact)) lines.push("", "⛔ = do not contact.");
  if (result.next_cursor) lines.push("", `More: call again with cursor "${result.next_cursor}".`);
  return lines.join("\n");
}

export function registerSearchCustomers(server: McpServer, deps: ServerDeps): void {
  server.registerTool(
    SEARCH_CUSTOMERS,
    {
      title: "Search customers",
      description:
        "Find customers by text (name, company, email or customer id), account manager, tag, RFM segment or lifecycle stage, " +
        "each with orders, revenue, last purchase, risk, CLV, P(alive), segment and stage. Answers 'which customer is Acme?' " +
        "and 'list Li Wei's champions'; use the returned customer_id with get_customer. Paginated.",
      inputSchema: searchCustomersInput,
      outputSchema: searchCustomersOutput,
      annotations: { readOnlyHint: true, destructiveHint: false, idempotentHint: true, openWorldHint: false },
    },
    async (input) => {
      const result = await searchCustomers(deps, input);
      return toolResult(deps, result, searchMarkdown(result));
    },
  );
}
