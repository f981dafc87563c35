import { asOfDay } from "../asOf.js";
import { ensurePlaybookRun } from "../playbooks/run.js";
import type { ServerDeps } from "../server/deps.js";
import { displayName } from "../store/rows.js";
import { todaysTasks } from "../store/taskQueries.js";
import { toolAsOf } from "../tools/support.js";

const SHOWN = 8;

/**
 * The briefing's "today's tasks" block: the playbooks' open tasks due by the end of today, most
 * urgent first, each with its reason (in English: the briefing is the operator's, not a customer's).
 */
export async function todaysTasksLines(deps: ServerDeps, owner?: string): Promise<string[]> {
  const asOf = toolAsOf(deps, undefined);
  await ensurePlaybookRun(deps.store, asOf, deps.now);
  const { rows, total } = await todaysTasks(deps.store, { owner, asOf: asOfDay(asOf), limit: SHOWN });
  const lines = [`Today's tasks (${total} due by ${asOfDay(asOf)}; crm tasks list for all):`];
  for (const task of rows) {
    const customer = displayName({
      name: task.customer_name,
      company: task.customer_company,
      external_id: task.customer_external_id,
    });
    lines.push(
      `  #${task.id} ${task.action}${task.draft_goal ? ` (${task.draft_goal})` : ""} ${customer} (${task.customer_external_id}, ${task.owner ?? "no owner"}), due ${task.due_at}`,
      `       - ${task.reason_en}`,
    );
  }
  if (rows.length === 0) lines.push("  none: no playbook fired for today");
  return lines;
}
