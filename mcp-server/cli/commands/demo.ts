import type { Command } from "commander";
import { resolveAsOf, asOfDay } from "../../asOf.js";
import { DEMO_DEFAULTS } from "../../demo/generate.js";
import { seedDemo } from "../../demo/seed.js";
import type { CliContext } from "../context.js";
import { parseAsOfOption, parsePositiveInteger } from "../options.js";
import { formatCount, printJson } from "../output.js";

export function registerDemoCommand(program: Command, context: CliContext): void {
  program
    .command("demo")
    .description(
      "fill an empty store with a generated demo book (customers in English and Chinese, orders, interactions, feedback, service tickets, web and store events, birthdays)",
    )
    .option(
      "--seed <number>",
      "random seed; the same seed and as-of give the same book",
      parsePositiveInteger("--seed"),
      DEMO_DEFAULTS.seed,
    )
    .option(
      "--customers <number>",
      "how many customers",
      parsePositiveInteger("--customers"),
      DEMO_DEFAULTS.customers,
    )
    .option("--as-of <date>", "last day of the two-year history (YYYY-MM-DD; default today)", parseAsOfOption)
    .option("--json", "print the counts as JSON")
    .action(async (options: { seed: number; customers: number; asOf?: Date; json?: boolean }) => {
      const store = await context.openStore();
      const asOf = options.asOf ?? resolveAsOf();
      const written = await seedDemo(store, { seed: options.seed, customers: options.customers, asOf });
      // Scored as of the book's own day, so a demo written for a past day is not read as long gone.
      await context.afterWrite(store, asOf);
      const counts = {
        store: store.path,
        seed: options.seed,
        asOf: asOfDay(asOf),
        ...written,
      };
      if (options.json) printJson(counts);
      else {
        process.stdout.write(
          `demo book written to ${store.path}: ${formatCount(counts.customers)} customers, ${formatCount(counts.transactions)} orders, ` +
            `${formatCount(counts.interactions)} interactions, ${formatCount(counts.feedback)} feedback entries, ` +
            `${formatCount(counts.tickets)} service tickets, ${formatCount(counts.events)} web and store events (seed ${counts.seed}, as of ${counts.asOf})\n`,
        );
      }
    });
}
