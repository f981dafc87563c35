/**
 * How each playbook performed: the tasks it opened by status and, for the done ones, whether the
 * customer bought within 30 days of completion (`crm playbooks stats`).
 */
import type { Store } from "../store/store.js";
import { playbookTaskStats } from "../store/taskQueries.js";
import { storedTime } from "../store/timestamps.js";
import { listPlaybooks } from "./catalogue.js";

/** Days after a task is done within which a purchase counts for the playbook. */
export const BOUGHT_WITHIN_DAYS = 30;

/** Tasks per playbook and, for done ones, whether the customer bought within 30 days. */
export async function playbookStats(store: Store, now: Date) {
  const playbooks = await listPlaybooks(store, now);
  const stats = new Map(
    (await playbookTaskStats(store, { days: BOUGHT_WITHIN_DAYS, now: storedTime(now) })).map((row) => [
      row.playbook_id,
      row,
    ]),
  );
  return playbooks.map((playbook) => {
    const row = stats.get(playbook.id);
    const done = row?.done ?? 0;
    const judged = done - (row?.done_too_recent ?? 0);
    return {
      id: playbook.id,
      name: playbook.name,
      enabled: playbook.enabled,
      created: row?.created ?? 0,
      open: (row?.open ?? 0) + (row?.snoozed ?? 0),
      done,
      dismissed: row?.dismissed ?? 0,
      bought_within_30_days: row?.bought_after_done ?? 0,
      too_recent_to_judge: row?.done_too_recent ?? 0,
      /** Of the done tasks old enough to judge (or that already led to a purchase), the share that did. */
      conversion: judged > 0 ? (row?.bought_after_done ?? 0) / judged : null,
    };
  });
}
