import type { Command } from "commander";
import { resolveAsOf } from "../../asOf.js";
import { customerHistory, searchCustomers } from "../../store/customerQueries.js";
import { displayName } from "../../store/rows.js";
import type { CliContext } from "../context.js";
import { parseAsOfOption, parsePositiveInteger } from "../options.js";
import { formatCount, formatMoney, formatTable, printJson } from "../output.js";
import { storedTime } from "../../store/timestamps.js";

export function registerCustomersCommand(program: Command, context: CliContext): void {
  const customers = program.command("customers").description("list and show customers");

  customers
    .command("list")
    .description("list customers with their orders, revenue and last order")
    .option("--search <text>", "match name, company, email or id")
    .option("--owner <name>", "only this account manager's customers")
    .option("--tag <tag>", "only customers with this tag")
    .option("--limit <number>", "rows per page", parsePositiveInteger("--limit"), 20)
    .option("--offset <number>", "rows to skip", (value: string) => Number(value), 0)
    .option("--json", "print JSON")
    .action(async (options) => {
      const store = await context.openStore();
      const page = await searchCustomers(store, {
        text: options.search,
        owner: options.owner,
        tag: options.tag,
        limit: options.limit,
        offset: options.offset,
      });
      if (options.json) return printJson(page);
      if (page.total === 0) {
        process.stdout.write(
          "no customers match; try a shorter --search, or import data with `crm import` or `crm demo`\n",
        );
        return;
      }
      process.stdout.write(
        `${formatTable(page.rows, [
          { header: "id", value: (row) => row.external_id },
          { header: "name", value: (row) => displayName(row), maxWidth: 24 },
          { header: "company", value: (row) => row.company, maxWidth: 28 },
          { header: "owner", value: (row) => row.owner },
          { header: "orders", value: (row) => row.orders, align: "right" },
          { header: "revenue", value: (row) => formatMoney(row.revenue), align: "right" },
          { header: "last order", value: (row) => row.last_order?.slice(0, 10) },
        ])}\n`,
      );
      const shown = options.offset + page.rows.length;
      process.stdout.write(
        `${formatCount(options.offset + 1)}-${formatCount(shown)} of ${formatCount(page.total)}${shown < page.total ? ` (next page: --offset ${shown})` : ""}\n`,
      );
    });

  customers
    .command("show")
    .description("show one customer's profile and history")
    .argument("<customer>", "the customer's id (external id or store id)")
    .option("--as-of <date>", "ignore anything after this day (YYYY-MM-DD)", parseAsOfOption)
    .option("--json", "print JSON")
    .action(async (reference: string, options) => {
      const store = await context.openStore();
      const customer = await store.requireCustomer(reference);
      const asOf: Date = options.asOf ?? resolveAsOf();
      const history = await customerHistory(store, customer.id, storedTime(asOf));
      if (options.json)
        return printJson({ customer: { ...customer, tags: JSON.parse(customer.tags) }, ...history });
      const revenue = history.transactions.reduce((sum, row) => sum + row.amount, 0);
      const lines = [
        `${displayName(customer)}${customer.company && customer.name ? ` — ${customer.company}` : ""}  (id ${customer.external_id})`,
        `owner: ${customer.owner ?? "none"}   language: ${customer.language}   country: ${customer.country ?? "?"}   ` +
          `acquired: ${customer.acquired_at?.slice(0, 10) ?? "not yet"}${customer.do_not_contact ? "   DO NOT CONTACT" : ""}`,
        `email: ${customer.email ?? "-"}   phone: ${customer.phone ?? "-"}   tags: ${(JSON.parse(customer.tags) as string[]).join(", ") || "-"}`,
        `orders: ${history.transactions.length}   revenue: ${formatMoney(revenue)}   last order: ${history.transactions.at(-1)?.occurred_at.slice(0, 10) ?? "none"}`,
        "",
        "recent orders:",
        ...history.transactions
          .slice(-5)
          .map(
            (row) =>
              `  ${row.occurred_at.slice(0, 10)}  ${formatMoney(row.amount).padStart(10)}  ${row.channel ?? ""}`,
          ),
        "recent interactions:",
        ...history.interactions
          .slice(-5)
          .map(
            (row) =>
              `  ${row.occurred_at.slice(0, 10)}  ${row.channel.padEnd(8)} ${row.summary} (${row.outcome ?? ""})`,
          ),
        "feedback:",
        ...history.feedback
          .slice(-5)
          .map(
            (row) =>
              `  ${row.occurred_at.slice(0, 10)}  ${row.source.padEnd(9)} ${row.score ?? "-"}  ${row.text}`,
          ),
      ];
      process.stdout.write(`${lines.join("\n")}\n`);
    });
}
