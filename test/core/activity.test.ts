import { describe, expect, it } from "vitest";
import { customerActivity } from "../../core/activity.js";

const asOf = new Date("2024-06-30T12:00:00Z");
/** A purchase `daysAgo` whole days before asOf, at a fixed time of day. */
function purchase(daysAgo: number, amount = 100): { timestamp: Date; amount: number } {
  return { timestamp: new Date(asOf.getTime() - daysAgo * 86_400_000), amount };
}

describe("customerActivity", () => {
  it("describes a customer who never bought with nulls and zeros", () => {
    const activity = customerActivity([], asOf);
    expect(activity.purchaseCount).toBe(0);
    expect(activity.firstPurchase).toBeNull();
    expect(activity.lastPurchase).toBeNull();
    expect(activity.tenureDays).toBeNull();
    expect(activity.daysSinceLastPurchase).toBeNull();
    expect(activity.typicalGapDays).toBeNull();
    expect(activity.purchaseRateTrend).toBeNull();
    expect(activity.wonBack).toBe(false);
    expect(activity.windowDays).toBe(90);
  });

  it("counts several orders on one UTC day as one purchase day", () => {
    const activity = customerActivity(
      [
        { timestamp: new Date("2024-06-01T00:30:00Z"), amount: 10 },
        { timestamp: new Date("2024-06-01T23:30:00Z"), amount: 20 },
        { timestamp: new Date("2024-06-11T08:00:00Z"), amount: 30 },
      ],
      asOf,
    );
    expect(activity.purchaseCount).toBe(3);
    expect(activity.purchaseDays).toBe(2);
    expect(activity.typicalGapDays).toBe(10);
    expect(activity.totalSpend).toBe(60);
    expect(activity.tenureDays).toBe(29);
    expect(activity.daysSinceLastPurchase).toBe(19);
  });

  it("ignores transactions after the as-of date", () => {
    const activity = customerActivity([purchase(10), purchase(-5, 999)], asOf);
    expect(activity.purchaseCount).toBe(1);
    expect(activity.totalSpend).toBe(100);
    expect(activity.daysSinceLastPurchase).toBe(10);
  });

  it("takes the median gap as the typical gap and reports the longest gap", () => {
    const activity = customerActivity([purchase(100), purchase(90), purchase(70), purchase(40)], asOf);
    expect(activity.typicalGapDays).toBe(20);
    expect(activity.longestGapDays).toBe(30);
  });

  it("counts refunds in spend but not as purchases", () => {
    const activity = customerActivity([purchase(20, 100), purchase(10, -40)], asOf);
    expect(activity.purchaseCount).toBe(1);
    expect(activity.totalSpend).toBe(60);
  });

  it("sees a falling purchase rate and spend when recent buying slows", () => {
    // Weekly buying 180..91 days ago, then a single purchase in the last 90 days.
    const history = [];
    for (let day = 180; day > 90; day -= 7) history.push(purchase(day, 50));
    history.push(purchase(30, 50));
    const activity = customerActivity(history, asOf);
    expect(activity.windowDays).toBe(90);
    expect(activity.previousRate).toBeGreaterThan(activity.recentRate);
    expect(activity.purchaseRateTrend).toBeLessThan(-0.5);
    expect(activity.spendTrend).toBeLessThan(0.2);
  });

  it("does not compare against a previous window the customer was not around for", () => {
    const activity = customerActivity([purchase(100), purchase(50), purchase(5)], asOf);
    expect(activity.previousRate).toBeNull();
    expect(activity.purchaseRateTrend).toBeNull();
    expect(activity.spendTrend).toBeNull();
  });

  it("widens the windows to two typical gaps for slow buyers", () => {
    const activity = customerActivity([purchase(300), purchase(200), purchase(100), purchase(0)], asOf);
    expect(activity.typicalGapDays).toBe(100);
    expect(activity.windowDays).toBe(200);
  });

  it("flags a win-back when a purchase ends a long lapse within the recent window", () => {
    const activity = customerActivity(
      [purchase(700), purchase(680), purchase(660), purchase(640), purchase(20)],
      asOf,
    );
    expect(activity.wonBack).toBe(true);
    expect(activity.lapseDays).toBe(620);
  });

  it("flags a win-back for a two-purchase customer back after more than 180 days", () => {
    expect(customerActivity([purchase(400), purchase(10)], asOf).wonBack).toBe(true);
    expect(customerActivity([purchase(150), purchase(10)], asOf).wonBack).toBe(false);
  });

  it("does not call a steady slow buyer a win-back", () => {
    const activity = customerActivity(
      [purchase(800), purchase(600), purchase(400), purchase(200), purchase(0)],
      asOf,
    );
    expect(activity.wonBack).toBe(false);
  });

  it("rejects invalid rows with a message naming the row", () => {
    expect(() => customerActivity([{ timestamp: new Date("nope"), amount: 1 }], asOf)).toThrow(
      /transactions\[0\]/,
    );
    expect(() => customerActivity([{ timestamp: asOf, amount: Number.NaN }], asOf)).toThrow(/amount/);
    expect(() => customerActivity([], new Date("nope"))).toThrow(/asOf/);
  });
});
