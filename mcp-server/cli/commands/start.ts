import type { Command } from "commander";
import { resolveAsOf } from "../../asOf.js";
import { DEMO_DEFAULTS } from "../../demo/generate.js";
import { seedDemo } from "../../demo/seed.js";
import { bookStats } from "../../reports/bookStats.js";
import type { CliContext } from "../context.js";
import { formatBookStats } from "./stats.js";

export function registerStartCommand(program: Command, context: CliContext): void {
  program
    .command("start")
    .description("open the default store (seeding a demo book on first run) and print the portfolio summary")
    .action(async () => {
      const store = await context.openStore();
      const asOf = resolveAsOf();
      if ((await store.counts()).customers === 0) {
        process.stderr.write(
          `First run: seeding ${store.path} with a demo book (${DEMO_DEFAULTS.customers} customers, seed ${DEMO_DEFAULTS.seed}).\n`,
        );
        await seedDemo(store, { ...DEMO_DEFAULTS, asOf });
        await context.afterWrite(store);
      }
      const stats = await bookStats(store, asOf);
      process.stdout.write(
        `CRM Assistant — portfolio as of ${asOf.toISOString().slice(0, 10)} (${store.path})\n\n${formatBookStats(stats)}\n`,
      );
    });
}
