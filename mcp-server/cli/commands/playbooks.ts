import { readFileSync } from "node:fs";
import type { Command } from "commander";
import {
  exportPlaybooks,
  getPlaybook,
  importPlaybooks,
  listPlaybooks,
  setPlaybookEnabled,
  setPlaybookValue,
  type StoredPlaybook,
} from "../../playbooks/catalogue.js";
import { PlaybookError } from "../../playbooks/definitions.js";
import { BOUGHT_WITHIN_DAYS, playbookStats } from "../../playbooks/stats.js";
import type { CliContext } from "../context.js";
import { UserError } from "../errors.js";
import { formatCount, formatPercent, formatTable, printJson } from "../output.js";

/** Playbook errors are the user's to fix: exit 1 with the message. */
async function userErrors<T>(work: () => Promise<T>): Promise<T> {
  try {
    return await work();
  } catch (error) {
    if (error instanceof PlaybookError) throw new UserError(error.message);
    throw error;
  }
}

function audienceText(playbook: StoredPlaybook): string {
  const parts = Object.entries(playbook.audience).map(
    ([key, values]) => `${key}: ${(values as string[]).join(", ")}`,
  );
  return parts.join("; ") || "everyone";
}

function paramsText(playbook: StoredPlaybook): string {
  return Object.entries(playbook.params)
    .map(([key, value]) => `${key}=${Array.isArray(value) ? value.join(",") : String(value)}`)
    .join(" ");
}

function showPlaybook(playbook: StoredPlaybook): string {
  return [
    `${playbook.id}: ${playbook.name}${playbook.enabled ? "" : "  (disabled)"}${playbook.builtin ? "  [built-in]" : ""}`,
    `  ${playbook.description}`,
    `  trigger:  ${playbook.trigger}`,
    `  params:   ${paramsText(playbook) || "-"}`,
    `  audience: ${audienceText(playbook)}`,
    `  action:   ${playbook.action}${playbook.channel ? ` by ${playbook.channel}` : ""}${playbook.draft_goal ? `, draft goal ${playbook.draft_goal}` : ""}`,
    `  priority: ${playbook.priority}   due: ${playbook.due_days === 0 ? "the same day" : `${playbook.due_days} day${playbook.due_days === 1 ? "" : "s"} later`}`,
    `  updated:  ${playbook.updated_at}`,
  ].join("\n");
}

export function registerPlaybooksCommand(program: Command, context: CliContext): void {
  const playbooks = program
    .command("playbooks")
    .description("the rules that turn signals into tasks: list, show, switch, tune, export, import, stats");

  playbooks
    .command("list")
    .description("every playbook with its trigger, action, priority and whether it is on")
    .option("--json", "print JSON")
    .action(async (options) => {
      const store = await context.openStore();
      const rows = await listPlaybooks(store);
      if (options.json) return printJson(rows);
      process.stdout.write(
        `${formatTable(rows, [
          { header: "id", value: (row) => row.id },
          { header: "on", value: (row) => (row.enabled ? "yes" : "no") },
          { header: "name", value: (row) => row.name, maxWidth: 44 },
          {
            header: "action",
            value: (row) => `${row.action}${row.draft_goal ? ` (${row.draft_goal})` : ""}`,
          },
          { header: "priority", value: (row) => row.priority, align: "right" },
          { header: "due", value: (row) => `+${row.due_days}d`, align: "right" },
          { header: "audience", value: (row) => audienceText(row), maxWidth: 30 },
        ])}\n`,
      );
    });

  playbooks
    .command("show")
    .description("one playbook with every tunable key")
    .argument("<id>", "the playbook's id (see crm playbooks list)")
    .option("--json", "print JSON")
    .action(async (id: string, options) => {
      const store = await context.openStore();
      const playbook = await userErrors(() => getPlaybook(store, id));
      if (options.json) return printJson(playbook);
      process.stdout.write(`${showPlaybook(playbook)}\n`);
    });

  for (const [name, enabled] of [
    ["enable", true],
    ["disable", false],
  ] as const) {
    playbooks
      .command(name)
      .description(`${enabled ? "switch a playbook on" : "switch a playbook off: it opens no new tasks"}`)
      .argument("<id>", "the playbook's id")
      .action(async (id: string) => {
        const store = await context.openStore();
        const playbook = await userErrors(() => setPlaybookEnabled(store, id, enabled));
        process.stdout.write(`${playbook.id} is ${playbook.enabled ? "enabled" : "disabled"}\n`);
      });
  }

  playbooks
    .command("set")
    .description(
      'tune a playbook: crm playbooks set overdue-rhythm overdue_ratio=2 priority=70 audience.owners="Chen Jing"',
    )
    .argument("<id>", "the playbook's id")
    .argument(
      "<assignments...>",
      "key=value pairs: priority, due_days, action, channel, draft_goal, name, description, audience.<owners|segments|stages|tiers> (comma-separated; none clears), or a param of its trigger",
    )
    .action(async (id: string, assignments: string[]) => {
      const store = await context.openStore();
      let playbook: StoredPlaybook | undefined;
      for (const assignment of assignments) {
        const equals = assignment.indexOf("=");
        if (equals <= 0) throw new UserError(`"${assignment}" is not key=value, e.g. priority=70`);
        playbook = await userErrors(() =>
          setPlaybookValue(store, id, assignment.slice(0, equals).trim(), assignment.slice(equals + 1)),
        );
      }
      process.stdout.write(`${showPlaybook(playbook!)}\n`);
    });

  playbooks
    .command("export")
    .description("print every playbook as JSON (edit it and bring it back with crm playbooks import)")
    .action(async () => {
      const store = await context.openStore();
      printJson(await exportPlaybooks(store));
    });

  playbooks
    .command("import")
    .description(
      "add or replace playbooks from a JSON file as crm playbooks export writes it: all or nothing",
    )
    .argument("<file>", "the JSON file")
    .action(async (file: string) => {
      let content: unknown;
      try {
        content = JSON.parse(readFileSync(file, "utf8"));
      } catch (error) {
        const code = (error as NodeJS.ErrnoException).code;
        throw new UserError(
          code
            ? `cannot read ${file}: ${(error as Error).message}`
            : `${file} is not valid JSON (${(error as Error).message}); export one with crm playbooks export to see the format`,
        );
      }
      const store = await context.openStore();
      const result = await userErrors(() => importPlaybooks(store, content));
      process.stdout.write(
        `imported ${result.added.length + result.replaced.length} playbooks from ${file}: ` +
          `${result.added.length} added${result.added.length ? ` (${result.added.join(", ")})` : ""}, ` +
          `${result.replaced.length} replaced${result.replaced.length ? ` (${result.replaced.join(", ")})` : ""}\n`,
      );
    });

  playbooks
    .command("stats")
    .description(
      `how each playbook performed: tasks created, done, and for done ones whether the customer bought within ${BOUGHT_WITHIN_DAYS} days`,
    )
    .option("--json", "print JSON")
    .action(async (options) => {
      const store = await context.openStore();
      const rows = await playbookStats(store, new Date());
      if (options.json) return printJson(rows);
      process.stdout.write(
        `${formatTable(rows, [
          { header: "playbook", value: (row) => `${row.id}${row.enabled ? "" : " (off)"}` },
          { header: "created", value: (row) => formatCount(row.created), align: "right" },
          { header: "open", value: (row) => formatCount(row.open), align: "right" },
          { header: "done", value: (row) => formatCount(row.done), align: "right" },
          {
            header: `bought ≤${BOUGHT_WITHIN_DAYS}d`,
            value: (row) => formatCount(row.bought_within_30_days),
            align: "right",
          },
          { header: "too recent", value: (row) => formatCount(row.too_recent_to_judge), align: "right" },
          {
            header: "conversion",
            value: (row) => (row.conversion === null ? "-" : formatPercent(row.conversion)),
            align: "right",
          },
        ])}\n` +
          `conversion = done tasks whose customer bought within ${BOUGHT_WITHIN_DAYS} days of completion, of those done at least ${BOUGHT_WITHIN_DAYS} days ago or already followed by a purchase\n`,
      );
    });
}
