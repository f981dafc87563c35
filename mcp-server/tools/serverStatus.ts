import type { McpServer } from "@modelcontextprotocol/sdk/server/mcp.js";
import { registerAppTool } from "@modelcontextprotocol/ext-apps/server";
import { appToolMeta } from "../apps/catalogue.js";
import {
  SERVER_STATUS,
  serverStatusInput,
  serverStatusOutput,
  type ServerStatusResult,
} from "../contract/serverStatus.js";
import { latestBacktest } from "../scoring/backtestStore.js";
import type { BookModels } from "../scoring/scoreCustomers.js";
import type { ServerDeps } from "../server/deps.js";
import { churnModelInfo, toolResult, trustLine } from "./support.js";

/** Which store the server reads and how fresh its scores are: answers "am I on the right book?". */
export async function serverStatus(deps: ServerDeps): Promise<ServerStatusResult> {
  const dataVersion = await deps.store.dataVersion();
  const latest = await deps.store.db.get<{
    as_of: string;
    horizon_days: number;
    data_version: number;
    computed_at: string;
    customers: number;
    seconds: number;
    models: string;
  }>(
    "SELECT as_of, horizon_days, data_version, computed_at, customers, seconds, models FROM score_sets ORDER BY id DESC LIMIT 1",
  );
  const models = latest ? (JSON.parse(latest.models) as BookModels) : null;
  const endpoint = deps.llm?.openai;
  return {
    store: deps.store.path,
    schema_version: await deps.store.schemaVersion(),
    data_version: dataVersion,
    writes_enabled: deps.allowWrites,
    redacting: deps.redact,
    latest_scores:
      latest && models
        ? {
            as_of: latest.as_of.slice(0, 10),
            horizon_days: latest.horizon_days,
            data_version: latest.data_version,
            computed_at: latest.computed_at,
            customers: latest.customers,
            seconds: latest.seconds,
            current: latest.data_version === dataVersion,
            newest_purchase: models.newestPurchase,
            warnings: models.warnings,
            unscored_customers: models.unscored.length,
            carried_over: models.inputsCarried
              ? { from_as_of: models.inputsCarried.fromAsOf, customers: models.inputsCarried.customers }
              : null,
          }
        : null,
    churn_model: models ? churnModelInfo(models, await latestBacktest(deps.store)) : null,
    llm_endpoint: endpoint ? { base_url: endpoint.baseURL, model: endpoint.model } : null,
  };
}

function toMarkdown(status: ServerStatusResult): string {
  const scores = status.latest_scores
    ? `scores as of ${status.latest_scores.as_of} for ${status.latest_scores.customers} customers, computed ${status.latest_scores.computed_at}` +
      (status.latest_scores.carried_over
        ? ` (${status.latest_scores.carried_over.customers} carried over from ${status.latest_scores.carried_over.from_as_of})`
        : "") +
      (status.latest_scores.current
        ? ""
        : " (the data has changed since; the next scoring call refreshes them)")
    : "no scores computed yet";
  return [
    `Store: ${status.store} (schema ${status.schema_version}, data version ${status.data_version})`,
    `Writes: ${status.writes_enabled ? "enabled" : "disabled (start with --allow-writes)"}; redaction ${status.redacting ? "on" : "off"}`,
    `Scores: ${scores}`,
    ...(status.latest_scores?.warnings ?? []).map((warning) => `Warning: ${warning}`),
    ...(status.churn_model ? [trustLine(status.churn_model)] : []),
    `Language model endpoint: ${status.llm_endpoint ? `${status.llm_endpoint.model} at ${status.llm_endpoint.base_url}` : "none (templates, or the client's model when it offers sampling)"}`,
  ].join("\n");
}

export function registerServerStatus(server: McpServer, deps: ServerDeps): void {
  registerAppTool(
    server,
    SERVER_STATUS,
    {
      title: "Server status",
      description:
        "Which customer store this server reads, its data version, whether writes and redaction are on, how fresh the cached scores are, " +
        "how the churn probabilities are made (purchase model, calibration) and how the latest backtest rated them, " +
        "and which language-model endpoint drafts may use. Answers 'am I looking at the right book?'.",
      inputSchema: serverStatusInput,
      outputSchema: serverStatusOutput,
      annotations: { readOnlyHint: true, destructiveHint: false, idempotentHint: true, openWorldHint: false },
      _meta: appToolMeta("backtest"),
    },
    async () => {
      const status = await serverStatus(deps);
      return toolResult(deps, status, toMarkdown(status));
    },
  );
}
