import type { Command } from "commander";
import { resolveAsOf } from "../../asOf.js";
import { bookStats, type BookStats } from "../../reports/bookStats.js";
import type { CliContext } from "../context.js";
import { parseAsOfOption } from "../options.js";
import { formatCount, formatMoney, formatPercent, formatTable, printJson } from "../output.js";

/** The book's headline numbers as text. */
export function formatBookStats(stats: BookStats): string {
  const lines = [
    `Customers ${formatCount(stats.customers)} (${formatCount(stats.languages.en)} English, ${formatCount(stats.languages.zh)} Chinese); ` +
      `${formatCount(stats.activeCustomers)} bought in the last 12 months`,
    `Orders ${formatCount(stats.transactions)} from ${stats.firstTransaction?.slice(0, 10) ?? "-"} to ${stats.lastTransaction?.slice(0, 10) ?? "-"}; ` +
      `revenue ${formatMoney(stats.revenue)} (last 12 months ${formatMoney(stats.revenueLastYear)}); average order ${formatMoney(stats.averageOrderValue)}`,
    `Repeat rate ${formatPercent(stats.repeatRate)} of buying customers ordered more than once`,
    `Interactions ${formatCount(stats.interactions)}; feedback ${formatCount(stats.feedback)} (${formatCount(stats.openComplaints)} open complaints)`,
  ];
  if (stats.owners.length > 0) {
    lines.push(
      "",
      formatTable(stats.owners, [
        { header: "account manager", value: (row) => row.owner },
        { header: "customers", value: (row) => formatCount(row.customers), align: "right" },
        { header: "active", value: (row) => formatCount(row.activeCustomers), align: "right" },
        {
          header: "revenue, last 12 months",
          value: (row) => formatMoney(row.revenueLastYear),
          align: "right",
        },
      ]),
    );
  }
  return lines.join("\n");
}

export function registerStatsCommand(program: Command, context: CliContext): void {
  program
    .command("stats")
    .description("headline numbers of the book: customers, orders, revenue, repeat rate, per account manager")
    .option("--owner <name>", "only this account manager's customers")
    .option("--as-of <date>", "as of this day (YYYY-MM-DD; default today)", parseAsOfOption)
    .option("--json", "print JSON")
    .action(async (options) => {
      const store = await context.openStore();
      const stats = await bookStats(store, options.asOf ?? resolveAsOf(), options.owner);
      if (options.json) printJson(stats);
      else process.stdout.write(`${formatBookStats(stats)}\n`);
    });
}
