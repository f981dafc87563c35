import type { Command } from "commander";
import { describeLlmConfig, LlmConfigError, type LlmConfig } from "../../llm/config.js";
import type { ServerDeps } from "../../server/deps.js";
import { ServeConfigError, serveHttp } from "../../server/http.js";
import {
  actorName,
  addServeOptions,
  httpOptionsFrom,
  llmFromOptions,
  type ServeOptions,
} from "../../server/serveOptions.js";
import { serveStdio } from "../../server/stdio.js";
import type { CliContext } from "../context.js";
import { UserError } from "../errors.js";

export function registerServeCommand(program: Command, context: CliContext): void {
  addServeOptions(
    program
      .command("serve")
      .description(
        "run the MCP server: stdio for chat clients that launch it (default), or Streamable HTTP at /mcp with --http",
      )
      .addHelpText(
        "after",
        `
Examples:
  crm serve                              what Claude Desktop, VS Code or Cursor launch (stdio)
  crm serve --http                       http://127.0.0.1:3333/mcp with a bearer token printed at start
  crm serve --http --port 4000 --allow-writes
  CRM_LLM_BASE_URL=http://127.0.0.1:11434/v1 CRM_LLM_MODEL=qwen2.5:7b crm serve
                                         drafts and summaries by a local Ollama model when the
                                         client offers no sampling (templates otherwise)`,
      ),
  ).action(async (options: Omit<ServeOptions, "db">) => {
    // stdout carries the protocol in stdio mode: everything here writes to stderr.
    let llm: LlmConfig;
    try {
      llm = llmFromOptions(options);
    } catch (error) {
      if (error instanceof LlmConfigError) throw new UserError(error.message);
      throw error;
    }
    const store = await context.openStore();
    const deps: ServerDeps = {
      store,
      allowWrites: Boolean(options.allowWrites),
      redact: Boolean(options.redact),
      freshWaitMs: options.freshWaitMs,
      actor: actorName(),
      now: () => new Date(),
      llm,
    };
    const logWriters = () => process.stderr.write(`crm-assistant ${describeLlmConfig(llm)}\n`);
    if (!options.http) {
      logWriters();
      return serveStdio(deps);
    }
    try {
      await serveHttp(deps, { ...httpOptionsFrom(options), onReady: logWriters });
    } catch (error) {
      if (error instanceof ServeConfigError) throw new UserError(error.message);
      throw error;
    }
  });
}
