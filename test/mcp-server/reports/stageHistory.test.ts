import { beforeAll, describe, expect, it } from "vitest";
import { checkpointDays, stageChanges, stageHistory } from "../../../mcp-server/reports/stageHistory.js";
import type { ChurnModelReport } from "../../../mcp-server/scoring/churnModel.js";
import { dayOf } from "../../../mcp-server/scoring/customerState.js";
import { historyFromRecord, type CustomerRecord } from "../../../mcp-server/scoring/history.js";
import { scoreCustomers } from "../../../mcp-server/scoring/scoreCustomers.js";

const AS_OF = new Date("2026-06-30T23:59:59Z");
const AS_OF_DAY = dayOf(AS_OF);
const DAY = 86_400_000;
const dayText = (day: number) => new Date(day * DAY).toISOString().slice(0, 10);

function purchase(date: string, amount = 60) {
  return { timestamp: new Date(`${date}T10:00:00Z`), amount, margin: null };
}

/** Every 14 days from `from` while on or before `to`. */
function fortnightly(from: string, to: string) {
  const rows = [];
  for (let time = Date.parse(`${from}T10:00:00Z`); time <= Date.parse(`${to}T10:00:00Z`); time += 14 * DAY)
    rows.push({ timestamp: new Date(time), amount: 60, margin: null });
  return rows;
}

/**
 * Buys every fortnight from 2024-07-15 to 2025-04-21, then nothing for almost a year, then again
 * fortnightly from 2026-04-10: new, then established, then overdue, then gone, then back.
 */
const RETURNER: CustomerRecord = {
  id: 1000,
  transactions: [...fortnightly("2024-07-15", "2025-04-30"), ...fortnightly("2026-04-10", "2026-06-30")],
  feedback: [],
  interactions: [],
};

/** A plain book of repeat buyers for the models to be fitted on. */
function ordinaryBook(count: number): CustomerRecord[] {
  return Array.from({ length: count }, (_, i) => ({
    id: i + 1,
    transactions: Array.from({ length: 1 + (i % 7) }, (_, k) => ({
      timestamp: new Date(AS_OF.getTime() - (20 + ((i * 37 + k * 61) % 600)) * DAY - 3_600_000),
      amount: 20 + ((i * 13) % 90),
      margin: null,
    })).sort((a, b) => a.timestamp.getTime() - b.timestamp.getTime()),
    feedback: [],
    interactions: [],
  }));
}

let churn: ChurnModelReport;
let todaysStage: string;

beforeAll(async () => {
  const { models, scores } = await scoreCustomers([...ordinaryBook(80), RETURNER], AS_OF);
  churn = models.churn;
  todaysStage = scores.find((score) => score.customerId === RETURNER.id)!.lifecycleStage;
});

describe("checkpointDays", () => {
  it("lists the month ends before the as-of day from the first known month, then the as-of day", () => {
    const days = checkpointDays(AS_OF_DAY, 24, dayOf(new Date("2025-11-15T00:00:00Z")));
    expect(days.map(dayText)).toEqual([
      "2025-11-30",
      "2025-12-31",
      "2026-01-31",
      "2026-02-28",
      "2026-03-31",
      "2026-04-30",
      "2026-05-31",
      "2026-06-30",
    ]);
  });

  it("keeps at most the given number of month ends and does not repeat an as-of day that is a month end", () => {
    const days = checkpointDays(AS_OF_DAY, 3, 0);
    expect(days.map(dayText)).toEqual(["2026-03-31", "2026-04-30", "2026-05-31", "2026-06-30"]);
  });
});

describe("stageHistory", () => {
  it("reads a customer who came, stayed, lapsed, left and returned as onboarding → mature → decline → churned → win-back, month by month", () => {
    const history = historyFromRecord(RETURNER, AS_OF);
    const points = stageHistory(history, churn, checkpointDays(AS_OF_DAY, 24, dayOf(new Date("2024-07-15"))));
    expect(points.map((point) => dayText(point.day))[0]).toBe("2024-07-31");
    expect(points.at(-1)).toMatchObject({ at: "as_of", day: AS_OF_DAY });
    expect(
      stageChanges(points).map((change) => ({ date: dayText(change.day), from: change.from, to: change.to })),
    ).toEqual([
      // First purchase 2024-07-15: new for 90 days (tenure 108 days on 2024-10-31).
      { date: "2024-07-31", from: null, to: "onboarding" },
      { date: "2024-10-31", from: "onboarding", to: "mature" },
      // Last purchase 2025-04-21: 40 days later is over twice the 14-day gap.
      { date: "2025-05-31", from: "mature", to: "decline" },
      // 193 days without a purchase (at least 180) and far past the gap: counted as lost.
      { date: "2025-10-31", from: "decline", to: "churned" },
      // Buying again from 2026-04-10 after a 354-day lapse.
      { date: "2026-04-30", from: "churned", to: "win-back" },
    ]);
    for (const point of points) {
      if (point.churnProbability !== null) expect(point.churnProbability).toBeGreaterThanOrEqual(0);
      if (point.pAlive !== null) expect(point.pAlive).toBeLessThanOrEqual(1);
    }
  });

  it("ends on the stage the score set gave the customer today", () => {
    const points = stageHistory(historyFromRecord(RETURNER, AS_OF), churn, checkpointDays(AS_OF_DAY, 24, 0));
    expect(points.at(-1)!.stage).toBe(todaysStage);
  });

  it("reads each past stage from the history up to its day only: later purchases change no earlier point", () => {
    const days = checkpointDays(AS_OF_DAY, 24, 0);
    const full = stageHistory(historyFromRecord(RETURNER, AS_OF), churn, days);
    // The same customer had they never come back: everything up to 2026-03-31 must read the same.
    const neverReturned: CustomerRecord = {
      ...RETURNER,
      transactions: RETURNER.transactions.filter((row) => row.timestamp < new Date("2026-01-01")),
    };
    const truncated = stageHistory(historyFromRecord(neverReturned, AS_OF), churn, days);
    const before = (day: number) => day <= dayOf(new Date("2026-03-31T00:00:00Z"));
    expect(truncated.filter((point) => before(point.day))).toEqual(full.filter((point) => before(point.day)));
    expect(truncated.at(-1)!.stage).toBe("churned");
    expect(full.at(-1)!.stage).toBe("win-back");
  });

  it("is a prospect on days before the first purchase", () => {
    const late: CustomerRecord = { ...RETURNER, transactions: [purchase("2026-05-20")] };
    const points = stageHistory(historyFromRecord(late, AS_OF), churn, checkpointDays(AS_OF_DAY, 3, 0));
    expect(points.map((point) => point.stage)).toEqual(["prospect", "prospect", "onboarding", "onboarding"]);
    expect(points[0]).toMatchObject({ churnProbability: null, pAlive: null, daysSinceLastPurchase: null });
  });
});
