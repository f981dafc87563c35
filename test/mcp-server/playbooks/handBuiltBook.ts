/**
 * Small books written row by row for playbook tests: customers, orders, feedback, tickets, events,
 * and score sets whose rows (a table per set) the test writes itself, so a trigger is tested
 * against exactly the numbers it reads.
 */
import { setPlaybookEnabled, listPlaybooks } from "../../../mcp-server/playbooks/catalogue.js";
import type { ScoreSet } from "../../../mcp-server/scoring/scoreCache.js";
import type { BookModels } from "../../../mcp-server/scoring/scoreCustomers.js";
import { MODEL_VERSION } from "../../../mcp-server/scoring/settings.js";
import {
  createScoresTable,
  dropScoresTables,
  refreshScoresView,
  scoresTable,
} from "../../../mcp-server/store/setTables.js";
import type { Store } from "../../../mcp-server/store/store.js";

/** The end of a day as the as-of moment. */
export const endOf = (day: string) => new Date(`${day}T23:59:59Z`);

/** `day` plus `days`, YYYY-MM-DD. */
export function addDays(day: string, days: number): string {
  return new Date(Date.parse(`${day}T00:00:00Z`) + days * 86_400_000).toISOString().slice(0, 10);
}

export interface CustomerSpec {
  id: number;
  owner?: string | null;
  language?: "en" | "zh";
  birthday?: string | null;
  doNotContact?: boolean;
  name?: string;
}

export async function addCustomer(store: Store, spec: CustomerSpec): Promise<void> {
  const external = `C${String(spec.id).padStart(5, "0")}`;
  await store.db.run(
    `INSERT INTO customers (id, external_id, name, language, owner, created_at, birthday, do_not_contact)
     VALUES (?, ?, ?, ?, ?, '2020-01-01T00:00:00Z', ?, ?)`,
    [
      spec.id,
      external,
      spec.name ?? `Customer ${spec.id}`,
      spec.language ?? "en",
      spec.owner === undefined ? "Ana Ruiz" : spec.owner,
      spec.birthday ?? null,
      spec.doNotContact ? 1 : 0,
    ],
  );
}

let nextRow = 1;
const externalId = (prefix: string) => `${prefix}${nextRow++}`;

export async function addOrder(store: Store, customerId: number, at: string, amount = 100): Promise<void> {
  await store.db.run(
    "INSERT INTO transactions (external_id, customer_id, occurred_at, amount) VALUES (?, ?, ?, ?)",
    [externalId("T"), customerId, at.length === 10 ? `${at}T10:00:00Z` : at, amount],
  );
}

export async function addFeedback(
  store: Store,
  customerId: number,
  spec: { at: string; source: "nps" | "review" | "survey"; score?: number | null; sentiment?: string | null },
): Promise<void> {
  await store.db.run(
    `INSERT INTO feedback (external_id, customer_id, occurred_at, source, score, text, sentiment_label)
     VALUES (?, ?, ?, ?, ?, '', ?)`,
    [
      externalId("F"),
      customerId,
      spec.at.length === 10 ? `${spec.at}T12:00:00Z` : spec.at,
      spec.source,
      spec.score ?? null,
      spec.sentiment ?? null,
    ],
  );
}

export async function addTicket(
  store: Store,
  customerId: number,
  spec: {
    id?: string;
    openedAt: string;
    firstResponseAt?: string | null;
    resolvedAt?: string | null;
    status?: "open" | "answered" | "resolved";
    kind?: string;
  },
): Promise<void> {
  await store.db.run(
    `INSERT INTO tickets (external_id, customer_id, kind, subject, opened_at, first_response_at, resolved_at, status)
     VALUES (?, ?, ?, 'Where is my order?', ?, ?, ?, ?)`,
    [
      spec.id ?? externalId("K"),
      customerId,
      spec.kind ?? "question",
      spec.openedAt,
      spec.firstResponseAt ?? null,
      spec.resolvedAt ?? null,
      spec.status ?? "open",
    ],
  );
}

export async function addEvent(
  store: Store,
  customerId: number,
  spec: { at: string; type?: string; category?: string | null },
): Promise<void> {
  await store.db.run(
    "INSERT INTO events (external_id, customer_id, occurred_at, type, category) VALUES (?, ?, ?, ?, ?)",
    [
      externalId("E"),
      customerId,
      spec.at.length === 10 ? `${spec.at}T15:00:00Z` : spec.at,
      spec.type ?? "page_view",
      spec.category === undefined ? "shoes" : spec.category,
    ],
  );
}

/** A customer's row in a hand-built score set; what is not given is a plain mature customer's. */
export interface ScoreSpec {
  customerId: number;
  orders?: number;
  revenue?: number;
  firstPurchase?: string | null;
  lastPurchase?: string | null;
  daysSinceLastPurchase?: number | null;
  typicalGapDays?: number | null;
  churnProbability?: number | null;
  valueIfRetained?: number;
  valueAtRisk?: number;
  clv?: number;
  lifecycleStage?: string;
  rfmSegment?: string | null;
  abcTier?: string | null;
  purchaseDays?: number;
}

/**
 * A score set as of the end of `day` holding exactly these rows. It is stored under the current
 * data version and model version, so `ensureScores` for that moment returns it as it is.
 */
export async function addScoreSet(
  store: Store,
  day: string,
  scores: readonly ScoreSpec[],
): Promise<ScoreSet> {
  const asOf = `${day}T23:59:59Z`;
  const dataVersion = await store.dataVersion();
  const models = { horizonDays: 90, warnings: [], notes: [], churn: {} } as unknown as BookModels;
  // A test may evaluate the same day twice: the newer hand-built set replaces the older.
  const replaced = await store.db.all<{ id: number }>(
    "DELETE FROM score_sets WHERE as_of = ? AND data_version = ? RETURNING id",
    [asOf, dataVersion],
  );
  await dropScoresTables(
    store.db,
    replaced.map(({ id }) => id),
  );
  const { lastID } = await store.db.run(
    `INSERT INTO score_sets (as_of, horizon_days, data_version, model_version, computed_at, seconds, customers, models)
     VALUES (?, 90, ?, ?, ?, 0, ?, ?)`,
    [asOf, dataVersion, MODEL_VERSION, asOf, scores.length, JSON.stringify(models)],
  );
  await createScoresTable(store.db, scoresTable(lastID));
  await refreshScoresView(store.db);
  for (const score of scores) {
    const last = score.lastPurchase === undefined ? "2026-01-01" : score.lastPurchase;
    const first = score.firstPurchase === undefined ? "2024-01-01" : score.firstPurchase;
    const churn = score.churnProbability === undefined ? 0.2 : score.churnProbability;
    await store.db.run(
      `INSERT INTO ${scoresTable(lastID)} (customer_id, orders, revenue, first_purchase, last_purchase,
         days_since_last_purchase, typical_gap_days, x, tx, t, monetary, margin_rate, churn_probability, clv,
         value_if_retained, risk_score, risk_level, value_at_risk, lifecycle_stage, rfm_segment, abc_tier,
         open_complaints, purchase_days, won_back, average_spend, feedback_count, negative_feedback_count)
       VALUES (?, ?, ?, ?, ?, ?, ?, 0, 0, 0, 0, 0.3, ?, ?, ?, ?, 'low', ?, ?, ?, ?, 0, ?, 0, 0, 0, 0)`,
      [
        score.customerId,
        score.orders ?? 5,
        score.revenue ?? 500,
        first === null ? null : `${first}T10:00:00Z`,
        last === null ? null : `${last}T10:00:00Z`,
        score.daysSinceLastPurchase === undefined
          ? last === null
            ? null
            : Math.round((Date.parse(`${day}T00:00:00Z`) - Date.parse(`${last}T00:00:00Z`)) / 86_400_000)
          : score.daysSinceLastPurchase,
        score.typicalGapDays === undefined ? 30 : score.typicalGapDays,
        churn,
        score.clv ?? 400,
        score.valueIfRetained ?? 500,
        Math.round(100 * (churn ?? 0)),
        score.valueAtRisk ?? 100,
        score.lifecycleStage ?? "mature",
        score.rfmSegment === undefined ? "loyal" : score.rfmSegment,
        score.abcTier === undefined ? "B" : score.abcTier,
        score.purchaseDays ?? score.orders ?? 5,
      ],
    );
  }
  return {
    id: lastID,
    asOf,
    horizonDays: 90,
    dataVersion,
    modelVersion: MODEL_VERSION,
    computedAt: asOf,
    seconds: 0,
    customers: scores.length,
    models,
  };
}

/** Switches every playbook off but `id`, so a test sees one trigger alone. */
export async function onlyPlaybook(store: Store, id: string): Promise<void> {
  for (const playbook of await listPlaybooks(store)) {
    if (playbook.enabled !== (playbook.id === id))
      await setPlaybookEnabled(store, playbook.id, playbook.id === id);
  }
}

/** The tasks in the store, oldest first. */
export async function tasksIn(store: Store, playbookId?: string) {
  return store.db.all<{
    id: number;
    playbook_id: string;
    customer_id: number;
    trigger_key: string;
    reason_en: string;
    reason_zh: string;
    facts: string;
    priority: number;
    due_at: string;
    owner: string | null;
    status: string;
  }>(
    `SELECT * FROM tasks ${playbookId ? "WHERE playbook_id = ?" : ""} ORDER BY id`,
    playbookId ? [playbookId] : [],
  );
}
