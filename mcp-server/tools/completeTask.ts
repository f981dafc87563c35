import type { McpServer } from "@modelcontextprotocol/sdk/server/mcp.js";
import {
  COMPLETE_TASK,
  completeTaskInput,
  completeTaskOutput,
  type CompleteTaskResult,
} from "../contract/completeTask.js";
import type { ServerDeps } from "../server/deps.js";
import { auditedWrite } from "../store/audit.js";
import type { Store } from "../store/store.js";
import { markTaskDone, taskById, type TaskListing } from "../store/taskQueries.js";
import { storedTime } from "../store/timestamps.js";
import { taskResult } from "./listTasks.js";
import { cell, requireWrites, toolResult } from "./support.js";

/** The task, or an actionable error; `action` names what was asked of it. */
export async function requireOpenTask(store: Store, id: number, action: string): Promise<TaskListing> {
  const task = await taskById(store, id);
  if (!task)
    throw new Error(`no task with id ${id}; list_tasks (or crm tasks list) lists the tasks and their ids`);
  if (task.status === "done" || task.status === "dismissed")
    throw new Error(
      `task ${id} is already ${task.status}${task.completed_at ? ` (${task.completed_at})` : ""}, so it cannot be ${action}`,
    );
  return task;
}

/** Marks a task done with an optional note, audited. */
export async function completeTask(
  deps: ServerDeps,
  input: { task: number; note?: string },
): Promise<CompleteTaskResult> {
  requireWrites(deps, COMPLETE_TASK);
  const task = await requireOpenTask(deps.store, input.task, "completed");
  const at = storedTime(deps.now());
  // Tasks are not scored: the data version stays, and no score set is recomputed.
  const { auditId, dataVersion } = await auditedWrite(
    deps.store,
    { at, actor: deps.actor, action: COMPLETE_TASK, customerId: task.customer_id, details: input },
    { changesScores: false },
    async () => {
      if (!(await markTaskDone(deps.store, task.id, at, input.note ?? null)))
        throw new Error(`task ${task.id} changed while it was being completed; list it again`);
    },
  );
  const done = (await taskById(deps.store, task.id))!;
  return {
    task: { ...taskResult(done), completed_at: done.completed_at!, note: done.note },
    audit: { audit_id: auditId, actor: deps.actor, at, data_version: dataVersion },
  };
}

function toMarkdown(result: CompleteTaskResult): string {
  const task = result.task;
  return [
    `Task ${task.id} done: ${task.action} ${cell(task.customer.name)} (${task.customer.external_id}) for "${cell(task.playbook.name)}"${task.note ? ` — ${cell(task.note)}` : ""}.`,
    `Audit entry #${result.audit.audit_id} by ${result.audit.actor} at ${result.audit.at}.`,
  ].join("\n");
}

export function registerCompleteTask(server: McpServer, deps: ServerDeps): void {
  server.registerTool(
    COMPLETE_TASK,
    {
      title: "Complete a task",
      description:
        (deps.allowWrites
          ? ""
          : "DISABLED on this server (started without --allow-writes); calls return an error. ") +
        "Marks a task from list_tasks done, with an optional note of what was done. Writes the task's status and one audit-log entry. " +
        "Playbook statistics then follow whether the customer bought within 30 days.",
      inputSchema: completeTaskInput,
      outputSchema: completeTaskOutput,
      annotations: {
        readOnlyHint: false,
        destructiveHint: false,
        idempotentHint: false,
        openWorldHint: false,
      },
    },
    async (input) => {
      const result = await completeTask(deps, input);
      return toolResult(deps, result, toMarkdown(result));
    },
  );
}
