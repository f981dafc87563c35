import type { Command } from "commander";
import { InvalidArgumentError } from "commander";
import { asOfDay, resolveAsOf } from "../../asOf.js";
import { TASK_STATUSES, type ListTasksResult } from "../../contract/listTasks.js";
import { ensurePlaybookRun, runPlaybooks } from "../../playbooks/run.js";
import type { ServerDeps } from "../../server/deps.js";
import { actorName } from "../../server/serveOptions.js";
import type { Store } from "../../store/store.js";
import { listTasks as listTaskRows, type TaskStatus } from "../../store/taskQueries.js";
import { completeTask } from "../../tools/completeTask.js";
import { taskResult } from "../../tools/listTasks.js";
import { snoozeTask } from "../../tools/snoozeTask.js";
import type { CliContext } from "../context.js";
import { UserError } from "../errors.js";
import { parseAsOfOption, parsePositiveInteger } from "../options.js";
import { formatCount, formatTable, printJson } from "../output.js";

/** The deps the task writes run with: the user at the terminal owns the store, and is audited by name. */
function cliDeps(store: Store): ServerDeps {
  return { store, allowWrites: true, redact: false, actor: actorName(), now: () => new Date() };
}

function parseTaskId(value: string): number {
  if (!/^\d+$/.test(value) || Number(value) <= 0)
    throw new InvalidArgumentError("a task id is a whole number above 0, as crm tasks list shows it");
  return Number(value);
}

/** Tool errors from the shared task functions are the user's to fix. */
async function userErrors<T>(work: () => Promise<T>): Promise<T> {
  try {
    return await work();
  } catch (error) {
    if (error instanceof Error && error.constructor === Error) throw new UserError(error.message);
    throw error;
  }
}

function printTasks(result: ListTasksResult, total: number, offset: number): void {
  if (result.tasks.length === 0) {
    process.stdout.write(`no tasks match as of ${result.as_of}; try --due all or another --owner\n`);
    return;
  }
  process.stdout.write(
    `${formatTable(result.tasks, [
      { header: "task", value: (task) => task.id, align: "right" },
      {
        header: "customer",
        value: (task) => `${task.customer.name} (${task.customer.external_id})`,
        maxWidth: 30,
      },
      { header: "owner", value: (task) => task.owner },
      { header: "do", value: (task) => `${task.action}${task.draft_goal ? ` (${task.draft_goal})` : ""}` },
      { header: "why", value: (task) => task.reason, maxWidth: 70 },
      { header: "pri", value: (task) => task.priority, align: "right" },
      { header: "due", value: (task) => task.due_at },
      { header: "status", value: (task) => task.status },
    ])}\n`,
  );
  const shown = offset + result.tasks.length;
  process.stdout.write(
    `${formatCount(offset + 1)}-${formatCount(shown)} of ${formatCount(total)} as of ${result.as_of}${shown < total ? ` (next page: --offset ${shown})` : ""}\n`,
  );
}

export function registerTasksCommand(program: Command, context: CliContext): void {
  const tasks = program
    .command("tasks")
    .description("account managers' tasks from the playbooks: list (default), run, done, snooze");

  tasks
    .command("list", { isDefault: true })
    .description("tasks, most urgent first (the playbooks are evaluated first if they have not run today)")
    .option("--owner <name>", "only this account manager's tasks")
    .option("--customer <id>", "only this customer's tasks")
    .option("--due <when>", "today (default; overdue included), overdue or all")
    .option("--status <status>", `one of ${TASK_STATUSES.join(", ")} (default: open and snoozed)`)
    .option("--as-of <date>", "as of this day (YYYY-MM-DD; default today)", parseAsOfOption)
    .option("--limit <number>", "rows per page", parsePositiveInteger("--limit"), 20)
    .option("--offset <number>", "rows to skip", (value: string) => Number(value), 0)
    .option("--json", "print JSON")
    .action(async (options) => {
      if (options.due !== undefined && !["today", "overdue", "all"].includes(options.due))
        throw new UserError(`--due must be today, overdue or all, not "${options.due}"`);
      if (options.status !== undefined && !TASK_STATUSES.includes(options.status))
        throw new UserError(`--status must be one of ${TASK_STATUSES.join(", ")}, not "${options.status}"`);
      const store = await context.openStore();
      const asOf: Date = options.asOf ?? resolveAsOf();
      const customer =
        options.customer === undefined ? undefined : await store.requireCustomer(options.customer);
      await ensurePlaybookRun(store, asOf);
      const due = options.due ?? (customer ? "all" : "today");
      const { rows, total } = await listTaskRows(
        store,
        {
          owner: options.owner,
          customerId: customer?.id,
          due,
          status: options.status as TaskStatus | undefined,
          today: asOfDay(asOf),
        },
        { offset: options.offset, limit: options.limit },
      );
      const result: ListTasksResult = {
        as_of: asOfDay(asOf),
        tasks: rows.map(taskResult),
        next_cursor: null,
      };
      if (options.json) return printJson({ ...result, total });
      printTasks(result, total, options.offset);
    });

  tasks
    .command("run")
    .description(
      "evaluate every enabled playbook as of a day and write the new tasks (idempotent: suits a daily cron job)",
    )
    .option("--as-of <date>", "as of this day (YYYY-MM-DD; default today)", parseAsOfOption)
    .option("--json", "print JSON")
    .action(async (options) => {
      const store = await context.openStore();
      const started = performance.now();
      const result = await runPlaybooks(store, options.asOf ?? resolveAsOf());
      const seconds = (performance.now() - started) / 1000;
      if (options.json) return printJson({ ...result, seconds });
      process.stdout.write(
        `${formatTable(result.playbooks, [
          { header: "playbook", value: (row) => row.id },
          { header: "fired", value: (row) => formatCount(row.fired), align: "right" },
          { header: "created", value: (row) => formatCount(row.created), align: "right" },
          { header: "capped", value: (row) => formatCount(row.capped), align: "right" },
        ])}\n` +
          `${formatCount(result.created)} new tasks as of ${result.as_of} in ${seconds.toFixed(1)} s; ` +
          `${formatCount(result.capped)} left out by the contact cap (at most ${result.contact_cap.cap} tasks per customer in ${result.contact_cap.window_days} days); ` +
          `do-not-contact customers get none\n`,
      );
    });

  tasks
    .command("done")
    .description("mark a task done (audited)")
    .argument("<task>", "the task's id", parseTaskId)
    .option("--note <text>", "what was done, in a few words")
    .option("--json", "print JSON")
    .action(async (task: number, options) => {
      const store = await context.openStore();
      const result = await userErrors(() => completeTask(cliDeps(store), { task, note: options.note }));
      if (options.json) return printJson(result);
      process.stdout.write(
        `task ${result.task.id} done: ${result.task.action} ${result.task.customer.name} (${result.task.customer.external_id})${result.task.note ? ` — ${result.task.note}` : ""}\n`,
      );
    });

  tasks
    .command("snooze")
    .description("put a task off until a later day, which becomes its due day (audited)")
    .argument("<task>", "the task's id", parseTaskId)
    .requiredOption("--until <date>", "the day it comes back (YYYY-MM-DD)")
    .option("--json", "print JSON")
    .action(async (task: number, options) => {
      const store = await context.openStore();
      const result = await userErrors(() => snoozeTask(cliDeps(store), { task, until: options.until }));
      if (options.json) return printJson(result);
      process.stdout.write(
        `task ${result.task.id} snoozed until ${result.task.snoozed_until}: ${result.task.action} ${result.task.customer.name} (${result.task.customer.external_id})\n`,
      );
    });
}
