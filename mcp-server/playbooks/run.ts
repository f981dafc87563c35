/**
 * Evaluating the playbooks as of a date and writing their tasks. Deterministic: the same store and
 * as-of date give the same tasks, whatever the clock (only `created_at` records when). Idempotent:
 * each task carries its trigger's key, and the unique index (playbook, customer, trigger key) keeps
 * a second run from opening the same occurrence twice. The cap and do-not-contact apply before a
 * task is written.
 *
 * A run is one transaction: the triggers' candidates are staged and capped in SQL (see
 * `store/playbookQueries.ts`), then read back a page at a time to word their reasons and written.
 */
import { asOfDay } from "../asOf.js";
import { ensureScores, type ScoreSet } from "../scoring/scoreCache.js";
import {
  birthdaySql,
  browseNoBuySql,
  candidateCounts,
  capCandidates,
  churnRiskTopTierSql,
  dropCandidates,
  firstPurchaseAgeSql,
  keptCandidates,
  overdueRhythmSql,
  playbookRunOn,
  purchaseAnniversarySql,
  recordPlaybookRun,
  stageCandidates,
  startCandidates,
  ticketUnansweredSql,
  unhappyFeedbackSql,
  winBackWindowSql,
  type TriggerContext,
  type TriggerSql,
} from "../store/playbookQueries.js";
import type { Store } from "../store/store.js";
import { insertTasks, type NewTask } from "../store/taskQueries.js";
import { slaOf } from "../store/ticketQueries.js";
import { storedTime } from "../store/timestamps.js";
import { listPlaybooks, type StoredPlaybook } from "./catalogue.js";
import type { TriggerKind, TriggerParams } from "./definitions.js";
import { completeFacts, taskReason, type Facts } from "./reasons.js";

/** The contact-frequency cap: at most `cap` tasks per customer within `windowDays` days. */
export const CONTACT_CAP = { cap: 2, windowDays: 30 } as const;

/** Settings keys that override the cap. */
export const CONTACT_CAP_SETTINGS = {
  cap: "tasks.contact_cap",
  windowDays: "tasks.contact_window_days",
} as const;

async function contactCap(store: Store): Promise<{ cap: number; windowDays: number }> {
  const read = async (key: string, fallback: number) => {
    const value = Number(await store.getSetting(key));
    return Number.isInteger(value) && value >= 0 ? value : fallback;
  };
  return {
    cap: await read(CONTACT_CAP_SETTINGS.cap, CONTACT_CAP.cap),
    windowDays: Math.max(1, await read(CONTACT_CAP_SETTINGS.windowDays, CONTACT_CAP.windowDays)),
  };
}

/** What one playbook did in a run. */
export interface PlaybookRunCounts {
  id: string;
  /** Customers its trigger fired for who are in its audience, may be contacted and had no task for it. */
  fired: number;
  /** Tasks written. */
  created: number;
  /** Left out by the contact-frequency cap. */
  capped: number;
}

export interface PlaybookRunResult {
  as_of: string;
  score_set_id: number;
  created: number;
  capped: number;
  playbooks: PlaybookRunCounts[];
  contact_cap: { cap: number; window_days: number };
}

const DAY_MS = 86_400_000;

function triggerContext(asOf: Date, set: ScoreSet): TriggerContext {
  const dayStartMs = Date.parse(`${asOfDay(asOf)}T00:00:00Z`);
  return {
    asOf: storedTime(asOf),
    setId: set.id,
    horizonDays: set.horizonDays,
    dayStart: (offset) => storedTime(dayStartMs + offset * DAY_MS),
    day: (offset) => new Date(dayStartMs + offset * DAY_MS).toISOString().slice(0, 10),
  };
}

/** The SQL of a playbook's trigger with its stored params. */
async function triggerSql(
  store: Store,
  playbook: StoredPlaybook,
  context: TriggerContext,
): Promise<TriggerSql> {
  const kind = playbook.trigger;
  // Stored params were completed and checked against the trigger's schema when read (`catalogue.ts`).
  const params = <K extends TriggerKind>(_kind: K) => playbook.params as TriggerParams<K>;
  switch (kind) {
    case "overdue-rhythm":
      return overdueRhythmSql(context, params("overdue-rhythm"));
    case "churn-risk-top-tier":
      return churnRiskTopTierSql(context, params("churn-risk-top-tier"));
    case "unhappy-feedback":
      return unhappyFeedbackSql(context, params("unhappy-feedback"));
    case "ticket-unanswered":
      return ticketUnansweredSql(context, {
        hours: params("ticket-unanswered").first_response_hours ?? (await slaOf(store)).firstResponseHours,
      });
    case "activation-day-30":
      return firstPurchaseAgeSql(context, params("activation-day-30"), true);
    case "welcome-day-7":
      return firstPurchaseAgeSql(context, params("welcome-day-7"), false);
    case "browse-no-buy":
      return browseNoBuySql(context, params("browse-no-buy"));
    case "birthday":
      return birthdaySql(context, params("birthday"));
    case "purchase-anniversary":
      return purchaseAnniversarySql(context, params("purchase-anniversary"));
    case "win-back-window":
      return winBackWindowSql(context, params("win-back-window"));
  }
}

/** Tasks worded and written per page of kept candidates. */
const PAGE = 2000;

/**
 * Evaluates every enabled playbook as of `asOf` against the score set `set` and writes the new
 * tasks. Use `runPlaybooks` unless the score set is already at hand (tests pass hand-built ones).
 */
export async function evaluatePlaybooks(
  store: Store,
  asOf: Date,
  set: ScoreSet,
  now: () => Date = () => new Date(),
): Promise<PlaybookRunResult> {
  const playbooks = (await listPlaybooks(store, now())).filter((playbook) => playbook.enabled);
  const context = triggerContext(asOf, set);
  const day = asOfDay(asOf);
  const cap = await contactCap(store);
  const byId = new Map(playbooks.map((playbook) => [playbook.id, playbook]));
  const triggers = new Map<string, TriggerSql>();
  for (const playbook of playbooks) triggers.set(playbook.id, await triggerSql(store, playbook, context));
  return store.db.transaction(async () => {
    await startCandidates(store);
    try {
      for (const playbook of playbooks) {
        await stageCandidates(store, playbook, triggers.get(playbook.id)!, playbook.audience, set.id);
      }
      await capCandidates(store, { cap: cap.cap, windowStartDay: context.day(1 - cap.windowDays) });
      const createdAt = storedTime(now());
      const created = new Map<string, number>();
      for (let after = 0; ;) {
        const page = await keptCandidates(store, after, PAGE);
        if (page.length === 0) break;
        after = page.at(-1)!.row;
        const tasks: NewTask[] = page.map((candidate) => {
          const playbook = byId.get(candidate.playbook_id)!;
          const facts = completeFacts(
            playbook.trigger,
            JSON.parse(candidate.facts) as Facts,
            context.asOf,
            day,
          );
          const reason = taskReason(playbook.trigger, facts);
          created.set(playbook.id, (created.get(playbook.id) ?? 0) + 1);
          return {
            playbook_id: playbook.id,
            customer_id: candidate.customer_id,
            owner: candidate.owner,
            trigger_key: candidate.trigger_key,
            reason_en: reason.en,
            reason_zh: reason.zh,
            facts: JSON.stringify(facts),
            action: playbook.action,
            channel: playbook.channel,
            draft_goal: playbook.draft_goal,
            priority: candidate.priority,
            as_of: day,
            created_at: createdAt,
            due_at: context.day(playbook.due_days),
          };
        });
        await insertTasks(store, tasks);
      }
      const counts = new Map((await candidateCounts(store)).map((row) => [row.playbook_id, row]));
      const perPlaybook = playbooks.map((playbook) => {
        const row = counts.get(playbook.id);
        const fired = row?.staged ?? 0;
        const kept = row?.kept ?? 0;
        return { id: playbook.id, fired, created: created.get(playbook.id) ?? 0, capped: fired - kept };
      });
      const total = perPlaybook.reduce((sum, row) => sum + row.created, 0);
      await recordPlaybookRun(store, day, createdAt, total);
      return {
        as_of: day,
        score_set_id: set.id,
        created: total,
        capped: perPlaybook.reduce((sum, row) => sum + row.capped, 0),
        playbooks: perPlaybook,
        contact_cap: { cap: cap.cap, window_days: cap.windowDays },
      };
    } finally {
      await dropCandidates(store);
    }
  });
}

/**
 * Scores the book as of `asOf` (from the cache when it can) and evaluates the playbooks: what
 * `crm tasks run` does, whenever it is asked.
 */
export async function runPlaybooks(
  store: Store,
  asOf: Date,
  now: () => Date = () => new Date(),
): Promise<PlaybookRunResult> {
  const set = await ensureScores(store, asOf, now);
  return evaluatePlaybooks(store, asOf, set, now);
}

const inFlight = new Map<string, Promise<unknown>>();

/**
 * Runs the playbooks once per as-of day: the MCP server and the briefing call this before they
 * list tasks, and the first caller of the day pays for the run (concurrent callers share it).
 * Returns the run's result, or undefined when the day had already run.
 */
export async function ensurePlaybookRun(
  store: Store,
  asOf: Date,
  now: () => Date = () => new Date(),
): Promise<PlaybookRunResult | undefined> {
  const day = asOfDay(asOf);
  if (await playbookRunOn(store, day)) return undefined;
  const key = `${store.path}|${day}`;
  let pending = inFlight.get(key) as Promise<PlaybookRunResult | undefined> | undefined;
  if (!pending) {
    pending = (async () => {
      // Another process may have run it while this one waited.
      if (await playbookRunOn(store, day)) return undefined;
      return runPlaybooks(store, asOf, now);
    })().finally(() => inFlight.delete(key));
    inFlight.set(key, pending);
  }
  return pending;
}
