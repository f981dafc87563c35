import { z } from "zod";
import { MAX_OUTCOME, withoutControlCharacters, writeAuditOutput } from "./logInteraction.js";
import { taskOutput } from "./listTasks.js";

export const COMPLETE_TASK = "complete_task";

export const taskIdInput = z.number().int().positive().describe("The task's id, as list_tasks returns it.");

export const completeTaskInput = {
  task: taskIdInput,
  note: z
    .string()
    .trim()
    .min(1)
    .max(MAX_OUTCOME)
    .superRefine(withoutControlCharacters("note", true))
    .optional()
    .describe(`What was done, in a few words (up to ${MAX_OUTCOME} characters).`),
};

export const completeTaskOutput = z.object({
  task: taskOutput.extend({
    completed_at: z.string(),
    note: z.string().nullable(),
  }),
  audit: writeAuditOutput,
});

export type CompleteTaskResult = z.infer<typeof completeTaskOutput>;
