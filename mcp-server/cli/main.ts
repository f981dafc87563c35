import { Command, CommanderError } from "commander";
import { ImportError, ImportFileError } from "../import/errors.js";
import { defaultDatabasePath } from "../paths.js";
import { Store, UnknownCustomerError } from "../store/store.js";
import { registerCommands } from "./commands/index.js";
import type { CliContext } from "./context.js";
import { UserError } from "./errors.js";
import { StoreNotEmptyError } from "../demo/seed.js";
import { AsOfError, resolveAsOf } from "../asOf.js";
import { ensureScores } from "../scoring/scoreCache.js";
import { ScoreSetGoneError, StoreBusyError, StoreError } from "../store/errors.js";

const USER_ERRORS = [
  UserError,
  ImportError,
  ImportFileError,
  UnknownCustomerError,
  StoreNotEmptyError,
  AsOfError,
  StoreBusyError,
  ScoreSetGoneError,
  StoreError,
];

async function main(argv: string[]): Promise<number> {
  const program = new Command("crm")
    .description(
      "CRM Assistant: score customers, find who is at risk, and draft follow-ups from a SQLite customer store",
    )
    .option("--db <path>", "the customer store (default: $CRM_DB or ~/.crm-assistant/crm.db)")
    .option("--debug", "print stack traces for internal errors")
    .exitOverride()
    .showHelpAfterError("(run crm --help for usage)");

  let store: Store | undefined;
  const context: CliContext = {
    async openStore() {
      store ??= await Store.open(program.opts().db ?? defaultDatabasePath());
      return store;
    },
    async afterWrite(changed, asOf) {
      // Score now, so the first MCP call after an import reads cached scores instead of waiting.
      const started = performance.now();
      const set = await ensureScores(changed, asOf ?? resolveAsOf());
      const seconds = ((performance.now() - started) / 1000).toFixed(1);
      process.stderr.write(
        `scores refreshed for ${set.customers.toLocaleString("en-US")} customers as of ${set.asOf.slice(0, 10)} (${seconds} s)\n`,
      );
      for (const warning of set.models.warnings) process.stderr.write(`warning: ${warning}\n`);
    },
  };
  registerCommands(program, context);

  try {
    await program.parseAsync(argv);
    return 0;
  } catch (error) {
    if (error instanceof CommanderError) {
      // Help and version output end in a "success" CommanderError.
      return error.exitCode === 0 ? 0 : 1;
    }
    if (USER_ERRORS.some((type) => error instanceof type)) {
      process.stderr.write(`crm: ${(error as Error).message}\n`);
      return 1;
    }
    const debug = program.opts().debug || argv.includes("--debug");
    process.stderr.write(`crm: internal error: ${error instanceof Error ? error.message : String(error)}\n`);
    if (debug && error instanceof Error && error.stack) process.stderr.write(`${error.stack}\n`);
    else process.stderr.write("(run again with --debug for the stack trace, and report it)\n");
    return 2;
  } finally {
    await store?.close().catch(() => undefined);
  }
}

main(process.argv).then((code) => {
  process.exitCode = code;
});
