import { z } from "zod";
import { followUpChannels, followUpGoals } from "./draftFollowUp.js";
import { customerIdInput, cursorInput, limitInput, ownerInput } from "./common.js";

export const LIST_TASKS = "list_tasks";

/**
 * A task's status and what it asks the account manager to do. Defined here, not in the store's
 * task queries, so the extension can use them without bundling store code.
 */
export const TASK_STATUSES = ["open", "done", "snoozed", "dismissed"] as const;
export const TASK_ACTIONS = ["call", "email", "draft", "meeting"] as const;

export const listTasksInput = {
  owner: ownerInput.describe("Only this account manager's tasks (exact name, case-insensitive)."),
  due: z
    .enum(["today", "overdue", "all"])
    .optional()
    .describe(
      "today: due by the end of today (overdue included); overdue: due before today; all: any due date. Default: today, or all when customer is given.",
    ),
  status: z
    .enum(TASK_STATUSES)
    .optional()
    .describe("Only tasks with this status. Default: the open work (open and snoozed)."),
  customer: customerIdInput.optional().describe("Only this customer's tasks (store id or external id)."),
  limit: limitInput,
  cursor: cursorInput,
};

/** One task as list_tasks, complete_task and snooze_task return it. */
export const taskOutput = z.object({
  id: z.number().int().describe("pass as task to complete_task or snooze_task"),
  customer: z.object({
    id: z.number().int().describe("the store id"),
    external_id: z.string().describe("the id from your own system; pass it as customer_id to other tools"),
    name: z.string(),
  }),
  owner: z.string().nullable(),
  playbook: z.object({ id: z.string(), name: z.string() }),
  reason: z
    .string()
    .describe("why, in plain words with the numbers that fired it, in the customer's language"),
  facts: z
    .record(z.string(), z.union([z.string(), z.number(), z.null()]))
    .describe("the numbers behind the reason"),
  action: z.enum(TASK_ACTIONS),
  channel: z.enum(followUpChannels).nullable().describe("the draft_follow_up channel to use"),
  draft_goal: z.enum(followUpGoals).nullable().describe("the draft_follow_up goal to use"),
  priority: z.number().int().describe("0-100, higher first"),
  due_at: z.string().describe("the day it is due, YYYY-MM-DD"),
  status: z.enum(TASK_STATUSES),
});

export const listTasksOutput = z.object({
  as_of: z.string().describe("the day the list is as of (today by the server's clock), YYYY-MM-DD"),
  tasks: z.array(taskOutput),
  next_cursor: z.string().nullable().describe("pass as cursor for the next page; null on the last page"),
  notice: z
    .string()
    .optional()
    .describe("set while today's playbook run is still going: the list holds earlier runs' tasks"),
});

export type TaskResult = z.infer<typeof taskOutput>;
export type ListTasksResult = z.infer<typeof listTasksOutput>;
