import type { McpServer } from "@modelcontextprotocol/sdk/server/mcp.js";
import { asOfDay } from "../asOf.js";
import {
  LIST_TASKS,
  listTasksInput,
  listTasksOutput,
  type ListTasksResult,
  type TaskResult,
} from "../contract/listTasks.js";
import { ensurePlaybookRun } from "../playbooks/run.js";
import { COMPUTING_WAIT_MS, within } from "../scoring/scoreCache.js";
import type { ServerDeps } from "../server/deps.js";
import { displayName } from "../store/rows.js";
import { listTasks as listTaskRows, type TaskListing, type TaskStatus } from "../store/taskQueries.js";
import { cell, nextCursor, page, toolAsOf, toolResult } from "./support.js";

type Input = {
  owner?: string;
  due?: "today" | "overdue" | "all";
  status?: TaskStatus;
  customer?: string;
  limit?: number;
  cursor?: string;
};

/** A stored task as the task tools return it: the reason in the customer's language. */
export function taskResult(row: TaskListing): TaskResult {
  let facts: TaskResult["facts"] = {};
  try {
    facts = JSON.parse(row.facts) as TaskResult["facts"];
  } catch {
    // A hand-edited row: the reason still says why.
  }
  return {
    id: row.id,
    customer: {
      id: row.customer_id,
      external_id: row.customer_external_id,
      name: displayName({
        name: row.customer_name,
        company: row.customer_company,
        external_id: row.customer_external_id,
      }),
    },
    owner: row.owner,
    playbook: { id: row.playbook_id, name: row.playbook_name ?? row.playbook_id },
    reason: row.customer_language === "zh" ? row.reason_zh : row.reason_en,
    facts,
    action: row.action as TaskResult["action"],
    channel: row.channel as TaskResult["channel"],
    draft_goal: row.draft_goal as TaskResult["draft_goal"],
    priority: row.priority,
    due_at: row.due_at,
    status: row.status,
  };
}

/**
 * The task list as of today by the server's clock. The first call of a day evaluates the playbooks
 * (once per day, shared with concurrent callers), so the list is there without a cron job.
 */
export async function listTasks(deps: ServerDeps, input: Input): Promise<ListTasksResult> {
  const asOf = toolAsOf(deps, undefined);
  const today = asOfDay(asOf);
  const customer =
    input.customer === undefined ? undefined : await deps.store.requireCustomer(input.customer);
  const notice = (await playbookRunWithin(deps, asOf))
    ? undefined
    : `Today's playbooks are still being evaluated: the scores as of ${today} are being computed for the whole book. The list holds the tasks of earlier runs; ask again in a minute or two for today's.`;
  const due = input.due ?? (customer ? "all" : "today");
  const filters = {
    owner: input.owner ?? null,
    due,
    status: input.status ?? null,
    customer: customer?.id ?? null,
    today,
  };
  const { offset, limit } = page(input.limit, input.cursor, filters);
  const { rows, total } = await listTaskRows(
    deps.store,
    { owner: input.owner, customerId: customer?.id, due, status: input.status, today },
    { offset, limit },
  );
  return {
    as_of: today,
    tasks: rows.map(taskResult),
    next_cursor: nextCursor(offset, rows.length, total, filters),
    ...(notice ? { notice } : {}),
  };
}

/**
 * Whether the day's playbook run is done. A server (`freshWaitMs` set) waits for it at most
 * `computingWaitMs`: on a large book whose newest scores are weeks old the run scores the whole
 * book first, longer than a client waits for an answer; the run goes on for later calls. Without
 * `freshWaitMs` (the CLI, tests) it waits for the run.
 */
async function playbookRunWithin(deps: ServerDeps, asOf: Date): Promise<boolean> {
  const run = ensurePlaybookRun(deps.store, asOf, deps.now);
  if (deps.freshWaitMs === undefined) {
    await run;
    return true;
  }
  // A failure after the wait is the next call's to report.
  run.catch(() => undefined);
  return (
    (await within(
      run.then(() => true),
      deps.computingWaitMs ?? COMPUTING_WAIT_MS,
    )) ?? false
  );
}

function toMarkdown(result: ListTasksResult): string {
  const lead = result.notice ? `> **Note:** ${result.notice}\n\n` : "";
  return lead + taskTable(result);
}

function taskTable(result: ListTasksResult): string {
  if (result.tasks.length === 0)
    return `No tasks match (as of ${result.as_of}). Try due "all", another owner, or another status.`;
  return [
    `**Tasks** as of ${result.as_of}, most urgent first:`,
    "",
    "| task | customer | owner | do | why | priority | due | status |",
    "|---|---|---|---|---|---|---|---|",
    ...result.tasks.map(
      (task) =>
        `| ${task.id} | ${cell(task.customer.name)} (${task.customer.external_id}) | ${cell(task.owner)} | ${task.action}${task.draft_goal ? ` (${task.draft_goal}${task.channel ? `, ${task.channel}` : ""})` : ""} | ${cell(task.reason)} | ${task.priority} | ${task.due_at} | ${task.status} |`,
    ),
    ...(result.next_cursor ? ["", `More: call again with cursor "${result.next_cursor}".`] : []),
  ].join("\n");
}

export function registerListTasks(server: McpServer, deps: ServerDeps): void {
  server.registerTool(
    LIST_TASKS,
    {
      title: "List tasks",
      description:
        "An account manager's tasks from the playbooks (signals turned into work: overdue against their own rhythm, top-tier churn risk, " +
        "NPS detractors and negative reviews, tickets past the SLA, the day-7 welcome and day-30 activation, viewed-but-did-not-buy, " +
        "birthdays and anniversaries, the win-back window). Each task says why in plain words with the numbers, in the customer's language, " +
        "and suggests an action with the draft_follow_up goal and channel. Answers 'what should I do today?'. Filter by owner, due " +
        "(today, overdue, all), status or customer; paginated. The first call of a day evaluates the playbooks.",
      inputSchema: listTasksInput,
      outputSchema: listTasksOutput,
      annotations: { readOnlyHint: true, destructiveHint: false, idempotentHint: true, openWorldHint: false },
    },
    async (input) => {
      const result = await listTasks(deps, input);
      return toolResult(deps, result, toMarkdown(result));
    },
  );
}
