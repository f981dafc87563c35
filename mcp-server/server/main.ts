import { Command } from "commander";
import { Store } from "../store/store.js";
import { describeLlmConfig } from "../llm/config.js";
import {
  actorName,
  addServeOptions,
  httpOptionsFrom,
  llmFromOptions,
  type ServeOptions,
} from "./serveOptions.js";
import { serveStdio } from "./stdio.js";
import { defaultDatabasePath } from "../paths.js";

/**
 * The bundled MCP server (`dist/server.js`), launched by chat clients and the VS Code extension.
 * `crm serve` does the same from the CLI.
 */
async function main(): Promise<void> {
  const program = addServeOptions(
    new Command("crm-server").option(
      "--db <path>",
      "the customer store (default: $CRM_DB or ~/.crm-assistant/crm.db)",
    ),
  );
  program.parse(process.argv);
  const options = program.opts();
  // Checked before the store opens: a broken configuration should stop the start, not each call.
  const llm = llmFromOptions(options);
  const store = await Store.open(options.db ?? defaultDatabasePath());
  const deps = {
    store,
    allowWrites: Boolean(options.allowWrites),
    redact: Boolean(options.redact),
    freshWaitMs: options.freshWaitMs as number,
    actor: actorName(),
    now: () => new Date(),
    llm,
  };
  const logWriters = () => process.stderr.write(`crm-assistant ${describeLlmConfig(llm)}\n`);
  try {
    if (options.http) {
      const { serveHttp } = await import("./http.js");
      await serveHttp(deps, { ...httpOptionsFrom(options as ServeOptions), onReady: logWriters });
    } else {
      logWriters();
      await serveStdio(deps);
    }
  } finally {
    await store.close();
  }
}

main().catch((error) => {
  process.stderr.write(`crm-assistant server: ${error instanceof Error ? error.message : String(error)}\n`);
  process.exit(1);
});
