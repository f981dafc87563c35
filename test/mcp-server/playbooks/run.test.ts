import { describe, expect, it } from "vitest";
import { setPlaybookEnabled, setPlaybookValue } from "../../../mcp-server/playbooks/catalogue.js";
import { ensurePlaybookRun, evaluatePlaybooks, runPlaybooks } from "../../../mcp-server/playbooks/run.js";
import type { Store } from "../../../mcp-server/store/store.js";
import { useTempStore } from "../../helpers/tempStore.js";
import {
  addCustomer,
  addDays,
  addFeedback,
  addOrder,
  addScoreSet,
  addTicket,
  endOf,
  tasksIn,
  type ScoreSpec,
} from "./handBuiltBook.js";

const D = "2026-06-30";
const NOW = () => new Date("2026-07-01T08:00:00Z");

/**
 * A customer on whom four playbooks fire at once as of D: a ticket past the SLA (priority 90), a
 * tier-A churn risk (85), an NPS detractor (80) and overdue against their rhythm (60 + weight).
 */
async function signals(store: Store, customerId: number): Promise<ScoreSpec> {
  await addTicket(store, customerId, { openedAt: `${addDays(D, -3)}T09:00:00Z` });
  await addFeedback(store, customerId, { at: D, source: "nps", score: 2 });
  return {
    customerId,
    abcTier: "A",
    churnProbability: 0.8,
    lastPurchase: addDays(D, -90),
    typicalGapDays: 20,
    lifecycleStage: "decline",
  };
}

describe("writing tasks", () => {
  it("is idempotent: a second run as of the same day, or the next day with the same signals, opens nothing", async () => {
    const { store } = await useTempStore("crm-playbooks-");
    await store.setSetting("tasks.contact_cap", "10");
    await addCustomer(store, { id: 1 });
    const scores = [await signals(store, 1)];
    const first = await evaluatePlaybooks(store, endOf(D), await addScoreSet(store, D, scores), NOW);
    expect(first.created).toBe(4);
    const again = await evaluatePlaybooks(store, endOf(D), await addScoreSet(store, D, scores), NOW);
    expect(again.created).toBe(0);
    expect(again.playbooks.every((row) => row.fired === 0)).toBe(true);
    const next = await evaluatePlaybooks(
      store,
      endOf(addDays(D, 1)),
      await addScoreSet(store, addDays(D, 1), scores),
      NOW,
    );
    expect(next.created).toBe(0);
    expect(await tasksIn(store)).toHaveLength(4);
  });

  it("caps tasks per customer at 2 within 30 days, keeping the highest priorities, and counts earlier tasks", async () => {
    const { store } = await useTempStore("crm-playbooks-");
    await addCustomer(store, { id: 1 });
    await addCustomer(store, { id: 2 });
    const scores = [await signals(store, 1), await signals(store, 2)];
    // Customer 2 already had a task 29 days before D (inside the window); customer 1 one 30 days before (outside).
    await store.db.run(
      `INSERT INTO playbooks (id, name, trigger, action, priority, updated_at) VALUES ('manual', 'Manual', 'birthday', 'call', 1, '2026-01-01T00:00:00Z')`,
    );
    for (const [customer, day] of [
      [1, addDays(D, -30)],
      [2, addDays(D, -29)],
    ] as const) {
      await store.db.run(
        `INSERT INTO tasks (playbook_id, customer_id, trigger_key, reason_en, reason_zh, action, priority, as_of, created_at, due_at)
         VALUES ('manual', ?, 'k', 'r', 'r', 'call', 1, ?, ?, ?)`,
        [customer, day, `${day}T08:00:00Z`, day],
      );
    }
    const result = await evaluatePlaybooks(store, endOf(D), await addScoreSet(store, D, scores), NOW);
    const ofCustomer = async (id: number) =>
      (await tasksIn(store))
        .filter((task) => task.customer_id === id && task.playbook_id !== "manual")
        .map((task) => task.playbook_id);
    expect(await ofCustomer(1)).toEqual(["ticket-unanswered", "churn-risk-top-tier"]);
    expect(await ofCustomer(2)).toEqual(["ticket-unanswered"]);
    expect(result.created).toBe(3);
    expect(result.capped).toBe(5);
    expect(result.playbooks.find((row) => row.id === "overdue-rhythm")).toMatchObject({
      fired: 2,
      created: 0,
      capped: 2,
    });
  });

  it("gives do-not-contact customers no task at all", async () => {
    const { store } = await useTempStore("crm-playbooks-");
    await addCustomer(store, { id: 1, doNotContact: true, birthday: "1980-06-30" });
    const result = await evaluatePlaybooks(
      store,
      endOf(D),
      await addScoreSet(store, D, [await signals(store, 1)]),
      NOW,
    );
    expect(result.created).toBe(0);
    expect(await tasksIn(store)).toEqual([]);
  });

  it("keeps to a playbook's audience: owners (any case), tiers, stages", async () => {
    const { store } = await useTempStore("crm-playbooks-");
    await store.setSetting("tasks.contact_cap", "10");
    await addCustomer(store, { id: 1, owner: "Chen Jing" });
    await addCustomer(store, { id: 2, owner: "Ana Ruiz" });
    const scores = [await signals(store, 1), await signals(store, 2)];
    await setPlaybookValue(store, "unhappy-feedback", "audience.owners", "chen jing");
    await setPlaybookValue(store, "overdue-rhythm", "audience.tiers", "B,C");
    await evaluatePlaybooks(store, endOf(D), await addScoreSet(store, D, scores), NOW);
    expect((await tasksIn(store, "unhappy-feedback")).map((task) => task.customer_id)).toEqual([1]);
    expect(await tasksIn(store, "overdue-rhythm")).toEqual([]);
    expect((await tasksIn(store, "ticket-unanswered")).map((task) => task.customer_id)).toEqual([1, 2]);
  });

  it("opens nothing for a disabled playbook, and again once it is enabled", async () => {
    const { store } = await useTempStore("crm-playbooks-");
    await addCustomer(store, { id: 1, birthday: "1990-06-30" });
    await setPlaybookEnabled(store, "birthday", false);
    const set = await addScoreSet(store, D, []);
    await evaluatePlaybooks(store, endOf(D), set, NOW);
    expect(await tasksIn(store, "birthday")).toEqual([]);
    await setPlaybookEnabled(store, "birthday", true);
    await evaluatePlaybooks(store, endOf(D), set, NOW);
    expect(await tasksIn(store, "birthday")).toHaveLength(1);
  });

  it("words reasons in English and Chinese with the numbers, owner and due day from the playbook", async () => {
    const { store } = await useTempStore("crm-playbooks-");
    await addCustomer(store, { id: 1, owner: "Chen Jing", language: "zh" });
    await addFeedback(store, 1, { at: D, source: "nps", score: 4 });
    await evaluatePlaybooks(store, endOf(D), await addScoreSet(store, D, []), NOW);
    const [task] = await tasksIn(store);
    expect(task).toMatchObject({
      playbook_id: "unhappy-feedback",
      owner: "Chen Jing",
      due_at: addDays(D, 1),
      reason_en: `NPS answer of 4 on ${D} (a detractor: 6 or less).`,
      reason_zh: `${D} 的 NPS 评分为 4（贬损者：6 分及以下）。`,
      status: "open",
    });
    expect(JSON.parse(task.facts)).toMatchObject({ source: "nps", score: 4, occurred_on: D });
  });
});

describe("runs on the real scores", () => {
  it("scores the book as of the day and fires the first-purchase playbooks from its own orders", async () => {
    const { store } = await useTempStore("crm-playbooks-");
    await store.setSetting("tasks.contact_cap", "10");
    for (let id = 1; id <= 6; id++) await addCustomer(store, { id });
    await addOrder(store, 1, addDays(D, -30));
    await addOrder(store, 2, addDays(D, -30));
    await addOrder(store, 2, addDays(D, -20));
    await addOrder(store, 3, addDays(D, -7));
    await addOrder(store, 4, addDays(D, -6));
    for (let week = 0; week < 20; week++) await addOrder(store, 5, addDays(D, -400 + week * 14));
    await addOrder(store, 6, "2025-06-30");
    await addOrder(store, 6, addDays(D, -10));
    const result = await runPlaybooks(store, endOf(D), NOW);
    const fired = async (id: string) => (await tasksIn(store, id)).map((task) => task.customer_id);
    expect(await fired("activation-day-30")).toEqual([1]);
    expect(await fired("welcome-day-7")).toEqual([3]);
    expect(await fired("overdue-rhythm")).toContain(5);
    expect(await fired("purchase-anniversary")).toEqual([6]);
    expect(result.as_of).toBe(D);
  });

  it("ensurePlaybookRun runs once per as-of day and records the run", async () => {
    const { store } = await useTempStore("crm-playbooks-");
    await addCustomer(store, { id: 1, birthday: "1990-06-30" });
    await addOrder(store, 1, addDays(D, -100));
    const [first, second] = await Promise.all([
      ensurePlaybookRun(store, endOf(D), NOW),
      ensurePlaybookRun(store, endOf(D), NOW),
    ]);
    expect(first?.created).toBe(1);
    expect(second).toBe(first);
    expect(await ensurePlaybookRun(store, endOf(D), NOW)).toBeUndefined();
    const runs = await store.db.all("SELECT as_of, tasks_created FROM playbook_runs");
    expect(runs).toEqual([{ as_of: D, tasks_created: 1 }]);
  });
});
