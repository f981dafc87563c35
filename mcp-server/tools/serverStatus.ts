import type { McpServer } from "@modelcontextprotocol/sdk/server/mcp.js";
import {
  SERVER_STATUS,
  serverStatusInput,
  serverStatusOutput,
  type ServerStatusResult,
} from "../contract/serverStatus.js";
import type { ServerDeps } from "../server/deps.js";
import { toolResult } from "./support.js";

/** Which store the server reads and how fresh its scores are: answers "am I on the right book?". */
export async function serverStatus(deps: ServerDeps): Promise<ServerStatusResult> {
  const dataVersion = await deps.store.dataVersion();
  const latest = await deps.store.db.get<{
    as_of: string;
    data_version: number;
    computed_at: string;
    customers: number;
    seconds: number;
  }>("SELECT as_of, data_version, computed_at, customers, seconds FROM score_sets ORDER BY id DESC LIMIT 1");
  const endpoint = deps.llm?.openai;
  return {
    store: deps.store.path,
    schema_version: await deps.store.schemaVersion(),
    data_version: dataVersion,
    writes_enabled: deps.allowWrites,
    redacting: deps.redact,
    latest_scores: latest
      ? { ...latest, as_of: latest.as_of.slice(0, 10), current: latest.data_version === dataVersion }
      : null,
    llm_endpoint: endpoint ? { base_url: endpoint.baseURL, model: endpoint.model } : null,
  };
}

function toMarkdown(status: ServerStatusResult): string {
  const scores = status.latest_scores
    ? `scores as of ${status.latest_scores.as_of} for ${status.latest_scores.customers} customers, computed ${status.latest_scores.computed_at}` +
      (status.latest_scores.current
        ? ""
        : " (the data has changed since; the next scoring call refreshes them)")
    : "no scores computed yet";
  return [
    `Store: ${status.store} (schema ${status.schema_version}, data version ${status.data_version})`,
    `Writes: ${status.writes_enabled ? "enabled" : "disabled (start with --allow-writes)"}; redaction ${status.redacting ? "on" : "off"}`,
    `Scores: ${scores}`,
    `Language model endpoint: ${status.llm_endpoint ? `${status.llm_endpoint.model} at ${status.llm_endpoint.base_url}` : "none (templates, or the client's model when it offers sampling)"}`,
  ].join("\n");
}

export function registerServerStatus(server: McpServer, deps: ServerDeps): void {
  server.registerTool(
    SERVER_STATUS,
    {
      title: "Server status",
      description:
        "Which customer store this server reads, its data version, whether writes and redaction are on, how fresh the cached scores are, " +
        "and which language-model endpoint drafts may use. Answers 'am I looking at the right book?'.",
      inputSchema: serverStatusInput,
      outputSchema: serverStatusOutput,
      annotations: { readOnlyHint: true, destructiveHint: false, idempotentHint: true, openWorldHint: false },
    },
    async () => {
      const status = await serverStatus(deps);
      return toolResult(deps, status, toMarkdown(status));
    },
  );
}
