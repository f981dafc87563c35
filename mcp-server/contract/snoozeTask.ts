import { z } from "zod";
import { taskIdInput } from "./completeTask.js";
import { writeAuditOutput } from "./logInteraction.js";
import { taskOutput } from "./listTasks.js";

export const SNOOZE_TASK = "snooze_task";

export const snoozeTaskInput = {
  task: taskIdInput,
  until: z
    .string()
    .regex(/^\d{4}-\d{2}-\d{2}$/, "until must be a date written YYYY-MM-DD")
    .describe("The day the task comes back, YYYY-MM-DD, after today; it becomes the task's due day."),
};

export const snoozeTaskOutput = z.object({
  task: taskOutput.extend({ snoozed_until: z.string() }),
  audit: writeAuditOutput,
});

export type SnoozeTaskResult = z.infer<typeof snoozeTaskOutput>;
