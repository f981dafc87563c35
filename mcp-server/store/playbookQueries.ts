/**
 * Playbooks in the store: the `playbooks` rows, and each trigger as one set-based query over the
 * book and a stored score set. A run stages what fired into a temporary table in SQL, applies the
 * contact-frequency cap there with a window function, and only then reads the survivors a page at a
 * time to word their reasons: nothing holds a row per customer of the book in JavaScript.
 *
 * Dates are compared as ISO text against bounds computed by the caller (the start of a UTC day, or
 * an as-of moment), so the SQL runs unchanged on PostgreSQL; the few SQLite-only pieces are named.
 */
import type { SqlValue } from "./database.js";
import { fromSet, scoresTable } from "./setTables.js";
import type { Store } from "./store.js";
import { storedTime } from "./timestamps.js";

/** A `playbooks` row as SQLite returns it (params and audience are JSON text). */
export interface PlaybookRow {
  id: string;
  name: string;
  description: string;
  trigger: string;
  params: string;
  audience: string;
  action: string;
  channel: string | null;
  draft_goal: string | null;
  priority: number;
  due_days: number;
  enabled: 0 | 1;
  builtin: 0 | 1;
  updated_at: string;
}

const PLAYBOOK_COLUMNS = [
  "id",
  "name",
  "description",
  "trigger",
  "params",
  "audience",
  "action",
  "channel",
  "draft_goal",
  "priority",
  "due_days",
  "enabled",
  "builtin",
  "updated_at",
] as const;

function playbookValues(row: PlaybookRow): SqlValue[] {
  return PLAYBOOK_COLUMNS.map((column) => row[column]);
}

/** Every playbook, highest priority first (ties by id). */
export async function playbookRows(store: Store): Promise<PlaybookRow[]> {
  return store.db.all<PlaybookRow>("SELECT * FROM playbooks ORDER BY priority DESC, id");
}

export async function playbookRow(store: Store, id: string): Promise<PlaybookRow | undefined> {
  return store.db.get<PlaybookRow>("SELECT * FROM playbooks WHERE id = ?", [id]);
}

/** Inserts the rows whose id is not in the store yet; returns how many were added. */
export async function insertMissingPlaybooks(store: Store, rows: readonly PlaybookRow[]): Promise<number> {
  let added = 0;
  for (const row of rows) {
    const { changes } = await store.db.run(
      `INSERT INTO playbooks (${PLAYBOOK_COLUMNS.join(", ")}) VALUES (${PLAYBOOK_COLUMNS.map(() => "?").join(", ")})
       ON CONFLICT (id) DO NOTHING`,
      playbookValues(row),
    );
    added += changes;
  }
  return added;
}

/** Writes a playbook, replacing the stored one with the same id. */
export async function upsertPlaybook(store: Store, row: PlaybookRow): Promise<void> {
  const updates = PLAYBOOK_COLUMNS.filter((column) => column !== "id")
    .map((column) => `${column} = excluded.${column}`)
    .join(", ");
  await store.db.run(
    `INSERT INTO playbooks (${PLAYBOOK_COLUMNS.join(", ")}) VALUES (${PLAYBOOK_COLUMNS.map(() => "?").join(", ")})
     ON CONFLICT (id) DO UPDATE SET ${updates}`,
    playbookValues(row),
  );
}

// ---------------------------------------------------------------------------------------------
// Triggers. Each returns one row per customer at most: customer_id, trigger_key (what makes this
// occurrence of the signal the same one on the next run, so it never opens a second task), facts
// (a JSON object of the numbers that fired it) and boost (points added to the playbook's priority).

/** What a trigger is evaluated against: an as-of moment, its day boundaries, and a score set. */
export interface TriggerContext {
  /** The as-of moment as stored text (the end of the as-of day), e.g. 2026-06-30T23:59:59Z. */
  asOf: string;
  /** The score set for that moment (its rows: `scoresTable(setId)`). */
  setId: number;
  horizonDays: number;
  /** The start of the UTC day `offset` days after the as-of day (negative: before), as stored text. */
  dayStart(offset: number): string;
  /** The as-of day plus `offset` days, YYYY-MM-DD. */
  day(offset: number): string;
}

export interface TriggerSql {
  sql: string;
  params: SqlValue[];
}

const placeholders = (values: readonly unknown[]) => values.map(() => "?").join(", ");

/** The day of a stored timestamp, YYYY-MM-DD. */
const dayOf = (column: string) => `substr(${column}, 1, 10)`;

/** Overdue against the customer's own rhythm; priority boost by value-at-risk rank among those fired. */
export function overdueRhythmSql(
  context: TriggerContext,
  params: { overdue_ratio: number; min_value_at_risk: number; value_weight: number },
): TriggerSql {
  return {
    // PERCENT_RANK over the fired customers: the most valuable overdue customer gets the whole
    // weight, the least none, whatever the currency or size of the book.
    sql: `SELECT s.customer_id, 'last:' || ${dayOf("s.last_purchase")} AS trigger_key,
            json_object('days_since_last_purchase', s.days_since_last_purchase,
                        'typical_gap_days', s.typical_gap_days,
                        'value_at_risk', s.value_at_risk,
                        'last_purchase', ${dayOf("s.last_purchase")}) AS facts,
            CAST(ROUND(? * PERCENT_RANK() OVER (ORDER BY s.value_at_risk, s.customer_id)) AS INTEGER) AS boost
          ${fromSet(context.setId, "s")}
            AND s.typical_gap_days > 0 AND s.last_purchase IS NOT NULL
            AND s.days_since_last_purchase >= ? * s.typical_gap_days
            AND s.value_at_risk >= ? AND s.lifecycle_stage <> 'churned'`,
    params: [params.value_weight, params.overdue_ratio, params.min_value_at_risk],
  };
}

/** A top-tier customer with a high churn probability; one task per lapse (keyed by the last purchase). */
export function churnRiskTopTierSql(
  context: TriggerContext,
  params: { min_churn_probability: number; tiers: readonly string[] },
): TriggerSql {
  return {
    sql: `SELECT s.customer_id, 'last:' || COALESCE(${dayOf("s.last_purchase")}, 'none') AS trigger_key,
            json_object('churn_probability', s.churn_probability, 'abc_tier', s.abc_tier,
                        'value_at_risk', s.value_at_risk, 'horizon_days', ?,
                        'days_since_last_purchase', s.days_since_last_purchase) AS facts,
            0 AS boost
          ${fromSet(context.setId, "s")}
            AND s.abc_tier IN (${placeholders(params.tiers)})
            AND s.churn_probability >= ?`,
    params: [context.horizonDays, ...params.tiers, params.min_churn_probability],
  };
}

/** The newest NPS detractor answer or negative review of each customer in the last days. */
export function unhappyFeedbackSql(
  context: TriggerContext,
  params: { max_nps: number; max_review_score: number; within_days: number },
): TriggerSql {
  return {
    sql: `SELECT customer_id, 'feedback:' || id AS trigger_key,
            json_object('source', source, 'score', score, 'occurred_on', ${dayOf("occurred_at")},
                        'max_nps', ?, 'max_review_score', ?) AS facts,
            0 AS boost
          FROM (
            SELECT f.id, f.customer_id, f.source, f.score, f.occurred_at,
                   ROW_NUMBER() OVER (PARTITION BY f.customer_id ORDER BY f.occurred_at DESC, f.id DESC) AS newest
            FROM feedback f
            WHERE f.occurred_at >= ? AND f.occurred_at <= ?
              AND ((f.source = 'nps' AND f.score <= ?)
                   OR (f.source = 'review' AND (f.score <= ? OR f.sentiment_label = 'negative')))
          ) recent
          WHERE newest = 1`,
    params: [
      params.max_nps,
      params.max_review_score,
      context.dayStart(1 - params.within_days),
      context.asOf,
      params.max_nps,
      params.max_review_score,
    ],
  };
}

/**
 * The oldest ticket of each customer still without a first response `hours` after it was opened,
 * as of the as-of moment: answered or resolved later than the as-of date counts as unanswered then
 * (the same reading as `list_tickets`' overdue filter, `overdueAtSql` in `ticketQueries.ts`).
 */
export function ticketUnansweredSql(context: TriggerContext, params: { hours: number }): TriggerSql {
  const deadline = storedTime(Date.parse(context.asOf) - params.hours * 3_600_000);
  return {
    sql: `SELECT customer_id, 'ticket:' || id AS trigger_key,
            json_object('ticket', external_id, 'kind', kind, 'opened_at', opened_at, 'sla_hours', ?,
                        'unanswered_tickets', waiting) AS facts,
            0 AS boost
          FROM (
            SELECT t.id, t.external_id, t.customer_id, t.kind, t.opened_at,
                   ROW_NUMBER() OVER (PARTITION BY t.customer_id ORDER BY t.opened_at, t.id) AS oldest,
                   COUNT(*) OVER (PARTITION BY t.customer_id) AS waiting
            FROM tickets t
            WHERE t.opened_at < ?
              AND (COALESCE(t.first_response_at, t.resolved_at) IS NULL AND t.status = 'open'
                   OR COALESCE(t.first_response_at, t.resolved_at) > ?)
              AND (t.resolved_at IS NULL AND t.status <> 'resolved' OR t.resolved_at > ?)
          ) late
          WHERE oldest = 1`,
    params: [params.hours, deadline, context.asOf, context.asOf],
  };
}

/**
 * Customers whose first purchase fell `afterDays` to `afterDays + windowDays - 1` days before the
 * as-of day (day 0 is the day of the first purchase); with `onlyOnce`, only those who have not
 * bought on a second day since.
 */
export function firstPurchaseAgeSql(
  context: TriggerContext,
  params: { after_days: number; window_days: number },
  onlyOnce: boolean,
): TriggerSql {
  return {
    sql: `SELECT s.customer_id, 'first:' || ${dayOf("s.first_purchase")} AS trigger_key,
            json_object('first_purchase', ${dayOf("s.first_purchase")}, 'orders', s.orders,
                        'revenue', s.revenue, 'purchase_days', s.purchase_days) AS facts,
            0 AS boost
          ${fromSet(context.setId, "s")}
            AND s.first_purchase >= ? AND s.first_purchase < ?
            ${onlyOnce ? "AND s.purchase_days = 1" : ""}`,
    params: [
      context.dayStart(-(params.after_days + params.window_days - 1)),
      context.dayStart(-params.after_days + 1),
    ],
  };
}

/**
 * Per customer, the category they looked at most (ties: the latest, then by name) on days
 * `no_purchase_days` to `no_purchase_days + window_days - 1` before the as-of day, counting only
 * events after which they bought nothing up to the as-of moment. One task per category between
 * purchases: the key names the category and the last purchase before it.
 */
export function browseNoBuySql(
  context: TriggerContext,
  params: {
    event_types: readonly string[];
    no_purchase_days: number;
    window_days: number;
    min_events: number;
  },
): TriggerSql {
  return {
    sql: `SELECT customer_id,
            'category:' || category || '|after:' || COALESCE(last_purchase, 'none') AS trigger_key,
            json_object('category', category, 'events', events, 'last_event', ${dayOf("last_event")},
                        'last_purchase', last_purchase) AS facts,
            0 AS boost
          FROM (
            SELECT viewed.*,
                   ROW_NUMBER() OVER (PARTITION BY customer_id ORDER BY events DESC, last_event DESC, category) AS top
            FROM (
              SELECT e.customer_id, e.category, COUNT(*) AS events, MAX(e.occurred_at) AS last_event,
                     ${dayOf("MAX(s.last_purchase)")} AS last_purchase
              FROM events e
              LEFT JOIN ${scoresTable(context.setId, "s")} ON s.customer_id = e.customer_id
              WHERE e.occurred_at >= ? AND e.occurred_at < ? AND e.type IN (${placeholders(params.event_types)})
                AND e.category IS NOT NULL AND e.category <> ''
                AND NOT EXISTS (SELECT 1 FROM transactions t
                                WHERE t.customer_id = e.customer_id AND t.occurred_at >= e.occurred_at
                                  AND t.occurred_at <= ?)
              GROUP BY e.customer_id, e.category
              HAVING COUNT(*) >= ?
            ) viewed
          ) ranked
          WHERE top = 1`,
    params: [
      context.dayStart(-(params.no_purchase_days + params.window_days - 1)),
      context.dayStart(-params.no_purchase_days + 1),
      ...params.event_types,
      context.asOf,
      params.min_events,
    ],
  };
}

/**
 * The days from the as-of day to `daysAhead` after it, by month-day: `{ "07-01": "2026-07-01" }`.
 * A 29 February birthday is kept on 28 February in years without one.
 */
export function occurrenceDays(context: TriggerContext, daysAhead: number): Map<string, string> {
  const days = new Map<string, string>();
  for (let offset = 0; offset <= daysAhead; offset++) {
    const day = context.day(offset);
    days.set(day.slice(5), day);
    const year = Number(day.slice(0, 4));
    const leap = (year % 4 === 0 && year % 100 !== 0) || year % 400 === 0;
    if (day.slice(5) === "02-28" && !leap) days.set("02-29", day);
  }
  return days;
}

/** SQL mapping a month-day expression to the day it falls on in the window (NULL outside it). */
function occurrenceCase(monthDay: string, days: Map<string, string>): TriggerSql {
  const params: SqlValue[] = [];
  const whens = [...days].map(([md, day]) => {
    params.push(md, day);
    return "WHEN ? THEN ?";
  });
  return { sql: `CASE ${monthDay} ${whens.join(" ")} END`, params };
}

/** Customers whose birthday (month and day of `customers.birthday`) falls in the window. */
export function birthdaySql(context: TriggerContext, params: { days_ahead: number }): TriggerSql {
  const days = occurrenceDays(context, params.days_ahead);
  const on = occurrenceCase("substr(c.birthday, 6, 5)", days);
  return {
    sql: `SELECT id AS customer_id, 'birthday:' || occurs_on AS trigger_key,
            json_object('occurs_on', occurs_on) AS facts, 0 AS boost
          FROM (SELECT c.id, ${on.sql} AS occurs_on FROM customers c
                WHERE c.birthday IS NOT NULL AND substr(c.birthday, 6, 5) IN (${placeholders([...days.keys()])})) b`,
    params: [...on.params, ...days.keys()],
  };
}

/** Customers whose first purchase was on this month-day in an earlier year. */
export function purchaseAnniversarySql(
  context: TriggerContext,
  params: { days_ahead: number; skip_churned: boolean },
): TriggerSql {
  const days = occurrenceDays(context, params.days_ahead);
  const on = occurrenceCase("substr(s.first_purchase, 6, 5)", days);
  return {
    sql: `SELECT customer_id, 'anniversary:' || occurs_on AS trigger_key,
            json_object('occurs_on', occurs_on, 'first_purchase', ${dayOf("first_purchase")}, 'orders', orders) AS facts,
            0 AS boost
          FROM (SELECT s.customer_id, s.first_purchase, s.orders, ${on.sql} AS occurs_on
                ${fromSet(context.setId, "s")}
                  AND s.first_purchase IS NOT NULL
                  AND substr(s.first_purchase, 6, 5) IN (${placeholders([...days.keys()])})
                  ${params.skip_churned ? "AND s.lifecycle_stage <> 'churned'" : ""}) a
          WHERE substr(first_purchase, 1, 4) < substr(occurs_on, 1, 4)`,
    params: [...on.params, ...days.keys()],
  };
}

/** Customers counted as lost whose last purchase is just past the churn threshold. */
export function winBackWindowSql(
  context: TriggerContext,
  params: { churned_after_days: number; window_days: number },
): TriggerSql {
  return {
    sql: `SELECT s.customer_id, 'last:' || ${dayOf("s.last_purchase")} AS trigger_key,
            json_object('days_since_last_purchase', s.days_since_last_purchase,
                        'churned_after_days', ?, 'last_purchase', ${dayOf("s.last_purchase")},
                        'value_if_retained', s.value_if_retained, 'orders', s.orders) AS facts,
            0 AS boost
          ${fromSet(context.setId, "s")}
            AND s.lifecycle_stage = 'churned' AND s.last_purchase IS NOT NULL
            AND s.days_since_last_purchase >= ? AND s.days_since_last_purchase < ?`,
    params: [
      params.churned_after_days,
      params.churned_after_days,
      params.churned_after_days + params.window_days,
    ],
  };
}

// ---------------------------------------------------------------------------------------------
// A run: stage candidates, cap them, read the survivors.

/** Whom a playbook targets, as the audience SQL needs it; absent lists mean everyone. */
export interface AudienceFilter {
  owners?: readonly string[];
  segments?: readonly string[];
  stages?: readonly string[];
  tiers?: readonly string[];
}

/** Per run: the candidate table (one per connection; a run is one transaction). */
const CANDIDATES = "temp.playbook_candidates";

/** Creates the empty candidate table of a run (dropping one a failed run may have left). */
export async function startCandidates(store: Store): Promise<void> {
  await store.db.exec(`DROP TABLE IF EXISTS ${CANDIDATES};
    CREATE TABLE ${CANDIDATES} (
      playbook_id TEXT NOT NULL, customer_id INTEGER NOT NULL, owner TEXT, trigger_key TEXT NOT NULL,
      facts TEXT NOT NULL, priority INTEGER NOT NULL, kept INTEGER NOT NULL DEFAULT 0)`);
}

export async function dropCandidates(store: Store): Promise<void> {
  await store.db.exec(`DROP TABLE IF EXISTS ${CANDIDATES}`);
}

/**
 * Adds what one playbook's trigger fired to the candidates: only customers in its audience who may
 * be contacted and who have no task for this occurrence yet. Returns how many were added. Staged in
 * customer order, so a run writes its tasks (and numbers them) in the same order every time.
 */
export async function stageCandidates(
  store: Store,
  playbook: { id: string; priority: number },
  trigger: TriggerSql,
  audience: AudienceFilter,
  setId: number,
): Promise<number> {
  const where: string[] = ["c.do_not_contact = 0"];
  const params: SqlValue[] = [];
  if (audience.owners) {
    where.push(`lower(c.owner) IN (${audience.owners.map(() => "lower(?)").join(", ")})`);
    params.push(...audience.owners);
  }
  const scored: [keyof AudienceFilter, string][] = [
    ["segments", "rfm_segment"],
    ["stages", "lifecycle_stage"],
    ["tiers", "abc_tier"],
  ];
  const needsScores = scored.some(([key]) => audience[key]);
  for (const [key, column] of scored) {
    const values = audience[key];
    if (!values) continue;
    where.push(`a.${column} IN (${placeholders(values)})`);
    params.push(...values);
  }
  const { changes } = await store.db.run(
    `INSERT INTO ${CANDIDATES} (playbook_id, customer_id, owner, trigger_key, facts, priority)
     SELECT ?, fired.customer_id, c.owner, fired.trigger_key, fired.facts,
            CASE WHEN ? + fired.boost > 100 THEN 100 ELSE ? + fired.boost END
     FROM (${trigger.sql}) fired
     JOIN customers c ON c.id = fired.customer_id
     ${needsScores ? `JOIN ${scoresTable(setId, "a")} ON a.customer_id = fired.customer_id` : ""}
     WHERE ${where.join(" AND ")}
       AND NOT EXISTS (SELECT 1 FROM tasks k WHERE k.playbook_id = ? AND k.customer_id = fired.customer_id
                         AND k.trigger_key = fired.trigger_key)
     ORDER BY fired.customer_id`,
    [playbook.id, playbook.priority, playbook.priority, ...trigger.params, ...params, playbook.id],
  );
  return changes;
}

/**
 * The contact-frequency cap: per customer, the candidates ranked by priority (ties by playbook id)
 * are kept while the customer's tasks from the last `windowDays` days (any status but dismissed)
 * plus those kept before them stay within `cap`. Returns how many were kept.
 */
export async function capCandidates(
  store: Store,
  options: { cap: number; windowStartDay: string },
): Promise<number> {
  await store.db.run(
    `UPDATE ${CANDIDATES} SET kept = 1 WHERE rowid IN (
       SELECT id FROM (
         SELECT cand.rowid AS id,
                ROW_NUMBER() OVER (PARTITION BY cand.customer_id ORDER BY cand.priority DESC, cand.playbook_id) AS rank,
                (SELECT COUNT(*) FROM tasks k WHERE k.customer_id = cand.customer_id AND k.as_of >= ?
                   AND k.status <> 'dismissed') AS recent
         FROM ${CANDIDATES} cand) ranked
       WHERE rank + recent <= ?)`,
    [options.windowStartDay, options.cap],
  );
  const row = await store.db.get<{ kept: number }>(
    `SELECT COUNT(*) AS kept FROM ${CANDIDATES} WHERE kept = 1`,
  );
  return row?.kept ?? 0;
}

/** Candidates, kept or not, per playbook. */
export async function candidateCounts(
  store: Store,
): Promise<{ playbook_id: string; staged: number; kept: number }[]> {
  return store.db.all(
    `SELECT playbook_id, COUNT(*) AS staged, SUM(kept) AS kept FROM ${CANDIDATES} GROUP BY playbook_id`,
  );
}

/** A kept candidate, with what its task needs. */
export interface KeptCandidate {
  row: number;
  playbook_id: string;
  customer_id: number;
  owner: string | null;
  trigger_key: string;
  facts: string;
  priority: number;
}

/** Kept candidates after row `after`, in row order, at most `limit`. */
export async function keptCandidates(store: Store, after: number, limit: number): Promise<KeptCandidate[]> {
  return store.db.all<KeptCandidate>(
    `SELECT rowid AS row, playbook_id, customer_id, owner, trigger_key, facts, priority
     FROM ${CANDIDATES} WHERE kept = 1 AND rowid > ? ORDER BY rowid LIMIT ?`,
    [after, limit],
  );
}

/** Records a run for an as-of day (adding to the tasks created if it ran before). */
export async function recordPlaybookRun(
  store: Store,
  asOfDay: string,
  ranAt: string,
  tasksCreated: number,
): Promise<void> {
  await store.db.run(
    `INSERT INTO playbook_runs (as_of, ran_at, tasks_created) VALUES (?, ?, ?)
     ON CONFLICT (as_of) DO UPDATE SET ran_at = excluded.ran_at,
       tasks_created = playbook_runs.tasks_created + excluded.tasks_created`,
    [asOfDay, ranAt, tasksCreated],
  );
}

/** The run recorded for an as-of day, if any. */
export async function playbookRunOn(
  store: Store,
  asOfDay: string,
): Promise<{ as_of: string; ran_at: string; tasks_created: number } | undefined> {
  return store.db.get("SELECT * FROM playbook_runs WHERE as_of = ?", [asOfDay]);
}
