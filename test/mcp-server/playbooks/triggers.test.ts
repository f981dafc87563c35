import { describe, expect, it } from "vitest";
import { setPlaybookValue } from "../../../mcp-server/playbooks/catalogue.js";
import { evaluatePlaybooks } from "../../../mcp-server/playbooks/run.js";
import type { Store } from "../../../mcp-server/store/store.js";
import { useTempStore } from "../../helpers/tempStore.js";
import {
  addCustomer,
  addDays,
  addEvent,
  addFeedback,
  addOrder,
  addScoreSet,
  addTicket,
  endOf,
  onlyPlaybook,
  tasksIn,
  type ScoreSpec,
} from "./handBuiltBook.js";

const D = "2026-06-30";
const NOW = () => new Date("2026-07-01T08:00:00Z");

/** A store with customers 1..n and only `playbook` switched on. */
async function book(playbook: string, customers: number): Promise<Store> {
  const { store } = await useTempStore("crm-playbooks-");
  for (let id = 1; id <= customers; id++)
    await addCustomer(store, { id, language: id % 2 === 0 ? "zh" : "en" });
  await onlyPlaybook(store, playbook);
  return store;
}

/** Evaluates as of the end of `day` against a hand-built score set; returns the customers with new tasks. */
async function fire(store: Store, day: string, scores: readonly ScoreSpec[] = []): Promise<number[]> {
  const before = new Set((await tasksIn(store)).map((task) => task.id));
  const set = await addScoreSet(store, day, scores);
  await evaluatePlaybooks(store, endOf(day), set, NOW);
  return (await tasksIn(store))
    .filter((task) => !before.has(task.id))
    .map((task) => task.customer_id)
    .sort((a, b) => a - b);
}

describe("overdue against the customer's own rhythm", () => {
  it("fires on the day days since the last purchase reach 1.5x the usual gap, not the day before", async () => {
    const store = await book("overdue-rhythm", 3);
    // Days since the last purchase follow from the set's as-of day (see addScoreSet).
    const scores: ScoreSpec[] = [
      { customerId: 1, lastPurchase: addDays(D, -30), typicalGapDays: 20 },
      { customerId: 2, lastPurchase: addDays(D, -29), typicalGapDays: 20 },
      // Lost customers are the win-back playbook's.
      { customerId: 3, lastPurchase: addDays(D, -300), typicalGapDays: 20, lifecycleStage: "churned" },
    ];
    expect(await fire(store, addDays(D, -1), scores)).toEqual([]);
    expect(await fire(store, D, scores)).toEqual([1]);
    const [task] = await tasksIn(store, "overdue-rhythm");
    expect(task.trigger_key).toBe(`last:${addDays(D, -30)}`);
    expect(task.reason_en).toBe(
      "No purchase for 30 days, 1.5x their usual 20-day gap; 100.00 of value at risk.",
    );
    expect(task.reason_zh).toContain("已 30 天未购买");
    expect(JSON.parse(task.facts)).toMatchObject({
      days_since_last_purchase: 30,
      typical_gap_days: 20,
      overdue_ratio: 1.5,
    });
    expect(task.due_at).toBe(addDays(D, 2));
  });

  it("adds up to value_weight points of priority by value at risk", async () => {
    const store = await book("overdue-rhythm", 3);
    const overdue = { lastPurchase: addDays(D, -60), typicalGapDays: 20 };
    await fire(store, D, [
      { customerId: 1, ...overdue, valueAtRisk: 10 },
      { customerId: 2, ...overdue, valueAtRisk: 5000 },
      { customerId: 3, ...overdue, valueAtRisk: 300 },
    ]);
    const priority = Object.fromEntries(
      (await tasksIn(store)).map((task) => [task.customer_id, task.priority]),
    );
    expect(priority).toEqual({ 1: 60, 2: 80, 3: 70 });
  });
});

describe("high churn probability on a top-tier customer", () => {
  it("fires for tier A at the threshold, not below it and not for other tiers", async () => {
    const store = await book("churn-risk-top-tier", 3);
    const scores = (probability: number): ScoreSpec[] => [
      { customerId: 1, abcTier: "A", churnProbability: probability },
      { customerId: 2, abcTier: "A", churnProbability: 0.49 },
      { customerId: 3, abcTier: "B", churnProbability: 0.95 },
    ];
    expect(await fire(store, addDays(D, -1), scores(0.45))).toEqual([]);
    expect(await fire(store, D, scores(0.5))).toEqual([1]);
    const [task] = await tasksIn(store);
    expect(task.reason_en).toBe(
      "Tier A customer with a 50% chance of no purchase in the next 90 days; 100.00 of value at risk.",
    );
  });
});

describe("NPS detractor or negative review in the last 7 days", () => {
  it("fires on the day of the answer, for 7 days, and only for detractors and negative reviews", async () => {
    const store = await book("unhappy-feedback", 6);
    await addFeedback(store, 1, { at: D, source: "nps", score: 6 });
    await addFeedback(store, 2, { at: D, source: "nps", score: 7 });
    await addFeedback(store, 3, { at: D, source: "review", score: 3 });
    await addFeedback(store, 4, { at: D, source: "review", score: null, sentiment: "negative" });
    await addFeedback(store, 5, { at: addDays(D, -7), source: "nps", score: 2 });
    await addFeedback(store, 6, { at: D, source: "survey", score: 1 });
    expect(await fire(store, addDays(D, -1))).toEqual([5]);
    expect(await fire(store, D)).toEqual([1, 3, 4]);
    const reasons = Object.fromEntries((await tasksIn(store)).map((task) => [task.customer_id, task]));
    expect(reasons[1].reason_en).toBe(`NPS answer of 6 on ${D} (a detractor: 6 or less).`);
    expect(reasons[3].reason_zh).toBe(`${D} 收到差评（评分 3/10）。`);
  });
});

describe("ticket unanswered past the SLA", () => {
  it("fires once the first-response SLA has passed without a response as of the date", async () => {
    const store = await book("ticket-unanswered", 5);
    await addTicket(store, 1, { id: "TK-1", openedAt: `${addDays(D, -1)}T08:00:00Z` });
    await addTicket(store, 2, { openedAt: `${D}T00:00:00Z` });
    await addTicket(store, 3, {
      openedAt: `${addDays(D, -3)}T10:00:00Z`,
      firstResponseAt: `${addDays(D, -3)}T12:00:00Z`,
      status: "answered",
    });
    // Answered after the as-of date: unanswered as of then.
    await addTicket(store, 4, {
      openedAt: `${addDays(D, -3)}T10:00:00Z`,
      firstResponseAt: `${addDays(D, 1)}T09:00:00Z`,
      status: "answered",
    });
    await addTicket(store, 5, {
      openedAt: `${addDays(D, -5)}T10:00:00Z`,
      resolvedAt: `${addDays(D, -4)}T10:00:00Z`,
      status: "resolved",
    });
    expect(await fire(store, addDays(D, -1))).toEqual([4]);
    expect(await fire(store, D)).toEqual([1]);
    const task = (await tasksIn(store)).find((row) => row.customer_id === 1)!;
    expect(task.trigger_key).toMatch(/^ticket:\d+$/);
    expect(task.reason_en).toBe(
      `Ticket TK-1 (question) opened ${addDays(D, -1)} has waited 39 hours without a first response; the SLA is 24 hours.`,
    );
  });

  it("reads the SLA from the store's settings", async () => {
    const store = await book("ticket-unanswered", 1);
    await store.setSetting("sla.first_response_hours", "48");
    await addTicket(store, 1, { openedAt: `${addDays(D, -1)}T08:00:00Z` });
    expect(await fire(store, D)).toEqual([]);
    expect(await fire(store, addDays(D, 1))).toEqual([1]);
  });
});

describe("activation: no second purchase by day 30", () => {
  it("fires on day 30 after a single purchase, not on day 29, and not after a second purchase", async () => {
    const store = await book("activation-day-30", 4);
    const scores = (): ScoreSpec[] => [
      { customerId: 1, firstPurchase: addDays(D, -30), lastPurchase: addDays(D, -30), orders: 1 },
      { customerId: 2, firstPurchase: addDays(D, -30), lastPurchase: addDays(D, -10), orders: 2 },
      { customerId: 3, firstPurchase: addDays(D, -43), lastPurchase: addDays(D, -43), orders: 1 },
      { customerId: 4, firstPurchase: addDays(D, -44), lastPurchase: addDays(D, -44), orders: 1 },
    ];
    expect(await fire(store, addDays(D, -1), scores())).toEqual([3, 4]);
    expect(await fire(store, D, scores())).toEqual([1]);
    const task = (await tasksIn(store)).find((row) => row.customer_id === 1)!;
    expect(task.reason_en).toBe(
      `First purchase on ${addDays(D, -30)} (30 days ago) and no second purchase yet: the first 30 days are over.`,
    );
  });
});

describe("welcome touch on day 7", () => {
  it("fires on day 7 after the first purchase, not on day 6", async () => {
    const store = await book("welcome-day-7", 2);
    const scores = (): ScoreSpec[] => [
      { customerId: 1, firstPurchase: addDays(D, -7), lastPurchase: addDays(D, -7), orders: 1 },
      { customerId: 2, firstPurchase: addDays(D, -6), lastPurchase: addDays(D, -1), orders: 2 },
    ];
    expect(await fire(store, addDays(D, -1), scores())).toEqual([]);
    expect(await fire(store, D, scores())).toEqual([1]);
    expect(await fire(store, addDays(D, 1), scores())).toEqual([2]);
  });
});

describe("viewed a category and did not buy within 3 days", () => {
  it("fires 3 days after the view when nothing was bought since, naming the most viewed category", async () => {
    const store = await book("browse-no-buy", 4);
    await addEvent(store, 1, { at: addDays(D, -3), category: "shoes" });
    await addEvent(store, 1, { at: addDays(D, -3), type: "cart", category: "bags" });
    await addEvent(store, 1, { at: `${addDays(D, -3)}T09:00:00Z`, category: "bags" });
    await addEvent(store, 1, { at: addDays(D, -12), category: "hats" });
    await addEvent(store, 2, { at: addDays(D, -3) });
    await addOrder(store, 2, addDays(D, -2));
    await addEvent(store, 3, { at: addDays(D, -3), type: "store_visit" });
    await addEvent(store, 4, { at: addDays(D, -2) });
    expect(await fire(store, addDays(D, -1))).toEqual([]);
    expect(await fire(store, D)).toEqual([1]);
    const [task] = await tasksIn(store);
    expect(task.trigger_key).toBe("category:bags|after:none");
    expect(task.reason_en).toBe(
      `Viewed bags 2 times, last on ${addDays(D, -3)} (3 days ago), and has not bought since.`,
    );
    expect(await fire(store, addDays(D, 1))).toEqual([4]);
  });
});

describe("birthday and first-purchase anniversary", () => {
  it("a birthday fires on the day (or days_ahead before), once a year, and 29 February on the 28th", async () => {
    const store = await book("birthday", 0);
    await addCustomer(store, { id: 1, birthday: "1990-06-30" });
    await addCustomer(store, { id: 2, birthday: "1985-07-02" });
    await addCustomer(store, { id: 3, birthday: "1992-02-29" });
    await addCustomer(store, { id: 4 });
    expect(await fire(store, addDays(D, -1))).toEqual([]);
    expect(await fire(store, D)).toEqual([1]);
    expect(await fire(store, D)).toEqual([]);
    await setPlaybookValue(store, "birthday", "days_ahead", "2");
    expect(await fire(store, D)).toEqual([2]);
    const task = (await tasksIn(store)).find((row) => row.customer_id === 2)!;
    expect(task.reason_en).toBe("Birthday in 2 days (2026-07-02).");
    expect(task.reason_zh).toBe("2 天后（2026-07-02）是客户生日。");
    await setPlaybookValue(store, "birthday", "days_ahead", "0");
    expect(await fire(store, "2027-02-28")).toEqual([3]);
    expect(await fire(store, "2027-06-30")).toEqual([1]);
  });

  it("an anniversary fires on the day of the first purchase in a later year, not for lost customers", async () => {
    const store = await book("purchase-anniversary", 3);
    const scores: ScoreSpec[] = [
      { customerId: 1, firstPurchase: "2024-06-30" },
      { customerId: 2, firstPurchase: D, lastPurchase: D },
      { customerId: 3, firstPurchase: "2023-06-30", lifecycleStage: "churned" },
    ];
    expect(await fire(store, addDays(D, -1), scores)).toEqual([]);
    expect(await fire(store, D, scores)).toEqual([1]);
    const [task] = await tasksIn(store);
    expect(task.reason_en).toBe(
      "2 years since the first purchase on 2024-06-30: the anniversary is today (2026-06-30).",
    );
  });
});

describe("win-back window", () => {
  it("fires for lost customers just past the churn threshold (180 days), within 30 days of it", async () => {
    const store = await book("win-back-window", 4);
    const scores: ScoreSpec[] = [
      {
        customerId: 1,
        lifecycleStage: "churned",
        daysSinceLastPurchase: 180,
        lastPurchase: addDays(D, -180),
      },
      {
        customerId: 2,
        lifecycleStage: "churned",
        daysSinceLastPurchase: 210,
        lastPurchase: addDays(D, -210),
      },
      {
        customerId: 3,
        lifecycleStage: "decline",
        daysSinceLastPurchase: 185,
        lastPurchase: addDays(D, -185),
      },
      {
        customerId: 4,
        lifecycleStage: "churned",
        daysSinceLastPurchase: 209,
        lastPurchase: addDays(D, -209),
      },
    ];
    expect(await fire(store, D, scores)).toEqual([1, 4]);
    const task = (await tasksIn(store)).find((row) => row.customer_id === 1)!;
    expect(task.reason_en).toBe(
      "No purchase for 180 days (counted as lost after 180); worth 500.00 over 12 months if won back.",
    );
  });
});
