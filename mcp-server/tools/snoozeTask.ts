import type { McpServer } from "@modelcontextprotocol/sdk/server/mcp.js";
import { asOfDay } from "../asOf.js";
import {
  SNOOZE_TASK,
  snoozeTaskInput,
  snoozeTaskOutput,
  type SnoozeTaskResult,
} from "../contract/snoozeTask.js";
import { DATE_WINDOW } from "../limits.js";
import type { ServerDeps } from "../server/deps.js";
import { auditedWrite } from "../store/audit.js";
import { markTaskSnoozed, taskById } from "../store/taskQueries.js";
import { storedTime } from "../store/timestamps.js";
import { requireOpenTask } from "./completeTask.js";
import { taskResult } from "./listTasks.js";
import { cell, requireWrites, toolResult } from "./support.js";

/** Checks a snooze day: a real date after today and inside the store's window. */
export function checkSnoozeUntil(until: string, now: Date): string {
  const date = new Date(`${until}T00:00:00Z`);
  if (Number.isNaN(date.getTime()) || date.toISOString().slice(0, 10) !== until)
    throw new Error(`until "${until}" is not a real date; write it YYYY-MM-DD, e.g. 2026-07-08`);
  const today = asOfDay(now);
  if (until <= today) throw new Error(`until ${until} is not after today (${today}); give a later day`);
  if (until > DATE_WINDOW.last)
    throw new Error(`until ${until} is after ${DATE_WINDOW.last}; give an earlier day`);
  return until;
}

/** Snoozes a task until a day, audited: it leaves today's list and comes back that day. */
export async function snoozeTask(
  deps: ServerDeps,
  input: { task: number; until: string },
): Promise<SnoozeTaskResult> {
  requireWrites(deps, SNOOZE_TASK);
  const until = checkSnoozeUntil(input.until, deps.now());
  const task = await requireOpenTask(deps.store, input.task, "snoozed");
  const at = storedTime(deps.now());
  const { auditId, dataVersion } = await auditedWrite(
    deps.store,
    { at, actor: deps.actor, action: SNOOZE_TASK, customerId: task.customer_id, details: input },
    { changesScores: false },
    async () => {
      if (!(await markTaskSnoozed(deps.store, task.id, until)))
        throw new Error(`task ${task.id} changed while it was being snoozed; list it again`);
    },
  );
  const snoozed = (await taskById(deps.store, task.id))!;
  return {
    task: { ...taskResult(snoozed), snoozed_until: snoozed.snoozed_until! },
    audit: { audit_id: auditId, actor: deps.actor, at, data_version: dataVersion },
  };
}

function toMarkdown(result: SnoozeTaskResult): string {
  const task = result.task;
  return [
    `Task ${task.id} (${task.action} ${cell(task.customer.name)}, ${task.customer.external_id}) snoozed until ${task.snoozed_until}; it is due again that day.`,
    `Audit entry #${result.audit.audit_id} by ${result.audit.actor} at ${result.audit.at}.`,
  ].join("\n");
}

export function registerSnoozeTask(server: McpServer, deps: ServerDeps): void {
  server.registerTool(
    SNOOZE_TASK,
    {
      title: "Snooze a task",
      description:
        (deps.allowWrites
          ? ""
          : "DISABLED on this server (started without --allow-writes); calls return an error. ") +
        "Puts a task from list_tasks off until a later day (YYYY-MM-DD), which becomes its due day. Writes the task and one audit-log entry.",
      inputSchema: snoozeTaskInput,
      outputSchema: snoozeTaskOutput,
      annotations: {
        readOnlyHint: false,
        destructiveHint: false,
        idempotentHint: true,
        openWorldHint: false,
      },
    },
    async (input) => {
      const result = await snoozeTask(deps, input);
      return toolResult(deps, result, toMarkdown(result));
    },
  );
}
