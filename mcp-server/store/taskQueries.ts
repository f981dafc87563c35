/**
 * Account managers' tasks: written by playbook runs, listed by owner and due date, completed or
 * snoozed. A task's `due_at` is a day (YYYY-MM-DD); snoozing moves it, so "due today" is one range
 * over the `tasks_owner_due` index whichever way the task got there.
 */
import type { SqlValue } from "./database.js";
import type { Store } from "./store.js";

/** A task's status (the values are `TASK_STATUSES` in `contract/listTasks.ts`). */
export type TaskStatus = "open" | "done" | "snoozed" | "dismissed";

/** A `tasks` row as SQLite returns it. */
export interface TaskRow {
  id: number;
  playbook_id: string;
  customer_id: number;
  owner: string | null;
  trigger_key: string;
  reason_en: string;
  reason_zh: string;
  /** JSON object of the numbers that fired the task. */
  facts: string;
  action: string;
  channel: string | null;
  draft_goal: string | null;
  priority: number;
  /** The as-of day of the run that created it, YYYY-MM-DD. */
  as_of: string;
  created_at: string;
  due_at: string;
  status: TaskStatus;
  snoozed_until: string | null;
  completed_at: string | null;
  note: string | null;
}

/** A task with the customer and playbook it names, as lists show it. */
export interface TaskListing extends TaskRow {
  customer_external_id: string;
  customer_name: string | null;
  customer_company: string | null;
  customer_language: "en" | "zh";
  playbook_name: string | null;
}

export type NewTask = Omit<TaskRow, "id" | "status" | "snoozed_until" | "completed_at" | "note">;

const NEW_TASK_COLUMNS = [
  "playbook_id",
  "customer_id",
  "owner",
  "trigger_key",
  "reason_en",
  "reason_zh",
  "facts",
  "action",
  "channel",
  "draft_goal",
  "priority",
  "as_of",
  "created_at",
  "due_at",
] as const satisfies readonly (keyof NewTask)[];

/** Rows per INSERT: 14 values each, well under SQLite's 32,766 bound values. */
const TASKS_PER_STATEMENT = 1000;

/**
 * Inserts tasks; one already there for the same (playbook, customer, trigger key) is left as it is
 * (the unique index `tasks_trigger` decides). Returns how many were added.
 */
export async function insertTasks(store: Store, tasks: readonly NewTask[]): Promise<number> {
  let added = 0;
  const tuple = `(${NEW_TASK_COLUMNS.map(() => "?").join(", ")})`;
  for (let start = 0; start < tasks.length; start += TASKS_PER_STATEMENT) {
    const chunk = tasks.slice(start, start + TASKS_PER_STATEMENT);
    const { changes } = await store.db.run(
      `INSERT INTO tasks (${NEW_TASK_COLUMNS.join(", ")}) VALUES ${chunk.map(() => tuple).join(", ")}
       ON CONFLICT (playbook_id, customer_id, trigger_key) DO NOTHING`,
      chunk.flatMap((task) => NEW_TASK_COLUMNS.map((column) => task[column] as SqlValue)),
    );
    added += changes;
  }
  return added;
}

/** Which tasks a list shows. */
export interface TaskFilter {
  /** An account manager, matched case-insensitively. */
  owner?: string;
  customerId?: number;
  /**
   * `today`: due on or before `today` (what should be done by the end of it); `overdue`: due
   * before it; `all`: any due date.
   */
  due: "today" | "overdue" | "all";
  /** One status; absent: the open work (open and snoozed). */
  status?: TaskStatus;
  /** The day lists are as of, YYYY-MM-DD. */
  today: string;
}

function filterSql(filter: TaskFilter): { sql: string; params: SqlValue[] } {
  const where: string[] = [];
  const params: SqlValue[] = [];
  if (filter.owner !== undefined) {
    where.push("k.owner = ? COLLATE NOCASE");
    params.push(filter.owner);
  }
  if (filter.customerId !== undefined) {
    where.push("k.customer_id = ?");
    params.push(filter.customerId);
  }
  if (filter.status === undefined) where.push("k.status IN ('open', 'snoozed')");
  else {
    where.push("k.status = ?");
    params.push(filter.status);
  }
  if (filter.due === "today") {
    where.push("k.due_at <= ?");
    params.push(filter.today);
  } else if (filter.due === "overdue") {
    where.push("k.due_at < ?");
    params.push(filter.today);
  }
  return { sql: where.join(" AND "), params };
}

const LISTING = `SELECT k.*, c.external_id AS customer_external_id, c.name AS customer_name,
    c.company AS customer_company, c.language AS customer_language, p.name AS playbook_name
  FROM tasks k JOIN customers c ON c.id = k.customer_id LEFT JOIN playbooks p ON p.id = k.playbook_id`;

/** One page of tasks, most urgent first: priority, then due day, then id. */
export async function listTasks(
  store: Store,
  filter: TaskFilter,
  page: { offset: number; limit: number },
): Promise<{ rows: TaskListing[]; total: number }> {
  const { sql, params } = filterSql(filter);
  const total = await store.db.get<{ count: number }>(
    `SELECT COUNT(*) AS count FROM tasks k WHERE ${sql}`,
    params,
  );
  const rows = await store.db.all<TaskListing>(
    `${LISTING} WHERE ${sql} ORDER BY k.priority DESC, k.due_at, k.id LIMIT ? OFFSET ?`,
    [...params, page.limit, page.offset],
  );
  return { rows, total: total?.count ?? 0 };
}

/**
 * Today's tasks for the briefing and the daily plan: open work due by the end of `asOf` (a day,
 * YYYY-MM-DD), most urgent first, at most `limit`, with how many there are in all.
 */
export async function todaysTasks(
  store: Store,
  options: { owner?: string; asOf: string; limit: number },
): Promise<{ rows: TaskListing[]; total: number }> {
  return listTasks(
    store,
    { owner: options.owner, due: "today", today: options.asOf.slice(0, 10) },
    { offset: 0, limit: options.limit },
  );
}

/** One task with its customer and playbook. */
export async function taskById(store: Store, id: number): Promise<TaskListing | undefined> {
  return store.db.get<TaskListing>(`${LISTING} WHERE k.id = ?`, [id]);
}

/** Marks a task done; returns false when it was not open or snoozed. */
export async function markTaskDone(
  store: Store,
  id: number,
  completedAt: string,
  note: string | null,
): Promise<boolean> {
  const { changes } = await store.db.run(
    `UPDATE tasks SET status = 'done', completed_at = ?, note = COALESCE(?, note)
     WHERE id = ? AND status IN ('open', 'snoozed')`,
    [completedAt, note, id],
  );
  return changes === 1;
}

/** Snoozes a task until a day (which becomes its due day); returns false when it was not open or snoozed. */
export async function markTaskSnoozed(store: Store, id: number, until: string): Promise<boolean> {
  const { changes } = await store.db.run(
    `UPDATE tasks SET status = 'snoozed', snoozed_until = ?, due_at = ?
     WHERE id = ? AND status IN ('open', 'snoozed')`,
    [until, until, id],
  );
  return changes === 1;
}

/** How one playbook's tasks fared. */
export interface PlaybookTaskStats {
  playbook_id: string;
  created: number;
  open: number;
  snoozed: number;
  done: number;
  dismissed: number;
  /** Done tasks whose customer bought within `days` days after completion. */
  bought_after_done: number;
  /** Done tasks completed less than `days` days before `now`, without a purchase yet: too early to tell. */
  done_too_recent: number;
}

/**
 * Tasks per playbook by status and, for done ones, whether the customer bought within `days` days
 * of completion. SQLite date arithmetic (`strftime` with a modifier; PostgreSQL: `+ interval`).
 */
export async function playbookTaskStats(
  store: Store,
  options: { days: number; now: string },
): Promise<PlaybookTaskStats[]> {
  const plus = `strftime('%Y-%m-%dT%H:%M:%SZ', k.completed_at, '+${Math.trunc(options.days)} days')`;
  return store.db.all<PlaybookTaskStats>(
    `SELECT k.playbook_id, COUNT(*) AS created,
            SUM(CASE WHEN k.status = 'open' THEN 1 ELSE 0 END) AS open,
            SUM(CASE WHEN k.status = 'snoozed' THEN 1 ELSE 0 END) AS snoozed,
            SUM(CASE WHEN k.status = 'done' THEN 1 ELSE 0 END) AS done,
            SUM(CASE WHEN k.status = 'dismissed' THEN 1 ELSE 0 END) AS dismissed,
            SUM(CASE WHEN k.status = 'done' AND bought.customer_id IS NOT NULL THEN 1 ELSE 0 END) AS bought_after_done,
            SUM(CASE WHEN k.status = 'done' AND bought.customer_id IS NULL AND ${plus} > ? THEN 1 ELSE 0 END) AS done_too_recent
     FROM tasks k
     LEFT JOIN (SELECT DISTINCT d.id AS task_id, d.customer_id FROM tasks d JOIN transactions t
                  ON t.customer_id = d.customer_id AND t.occurred_at > d.completed_at
                 AND t.occurred_at <= strftime('%Y-%m-%dT%H:%M:%SZ', d.completed_at, '+${Math.trunc(options.days)} days')
                WHERE d.status = 'done') bought ON bought.task_id = k.id
     GROUP BY k.playbook_id ORDER BY k.playbook_id`,
    [options.now],
  );
}
