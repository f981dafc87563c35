import fc from "fast-check";
import { describe, expect, it } from "vitest";
import { activityFromDays, activityHoldsUntil, type DailyHistory } from "../../core/activity.js";

/** A daily history: ascending days, each with a purchase, a refund or both. */
const histories = fc
  .array(
    fc.record({
      gap: fc.integer({ min: 1, max: 200 }),
      gross: fc.oneof(fc.constant(0), fc.double({ min: 1, max: 500, noNaN: true })),
      refund: fc.oneof(fc.constant(0), fc.constant(0), fc.double({ min: -200, max: -1, noNaN: true })),
      orders: fc.integer({ min: 1, max: 3 }),
    }),
    { minLength: 0, maxLength: 14 },
  )
  .map((entries) => {
    let day = 19_000;
    const history = {
      days: [] as number[],
      gross: [] as number[],
      net: [] as number[],
      orders: [] as number[],
    };
    for (const entry of entries) {
      day += entry.gap;
      const gross = entry.gross === 0 && entry.refund === 0 ? 10 : entry.gross;
      history.days.push(day);
      history.gross.push(gross);
      history.net.push(gross + entry.refund);
      history.orders.push(gross > 0 ? entry.orders : 0);
    }
    return history satisfies DailyHistory;
  });

/** The activity as of `day` without the counts that move with the as-of date by definition. */
function heldPart(history: DailyHistory, day: number) {
  const { tenureDays: _tenure, daysSinceLastPurchase: _since, ...rest } = activityFromDays(history, day);
  return rest;
}

describe("activityHoldsUntil", () => {
  it("gives a day before which every later as-of date reads the same activity, apart from tenure and recency", () => {
    fc.assert(
      fc.property(histories, fc.integer({ min: 0, max: 900 }), (history, offset) => {
        const asOfDay = (history.days.at(-1) ?? 19_000) + offset;
        const activity = activityFromDays(history, asOfDay);
        const until = activityHoldsUntil(history, asOfDay, activity);
        expect(until).toBeGreaterThan(asOfDay);
        const held = heldPart(history, asOfDay);
        const last = Math.min(until - 1, asOfDay + 800);
        for (let day = asOfDay + 1; day <= last; day++) {
          expect(heldPart(history, day)).toEqual(held);
          const later = activityFromDays(history, day);
          if (activity.tenureDays !== null)
            expect(later.tenureDays).toBe(activity.tenureDays + day - asOfDay);
          if (activity.daysSinceLastPurchase !== null)
            expect(later.daysSinceLastPurchase).toBe(activity.daysSinceLastPurchase + day - asOfDay);
        }
      }),
      { numRuns: 300 },
    );
  });

  it("is not later than the first day something does read differently, so nothing is carried past a change", () => {
    // Purchases 100 days apart make a 200-day recent window, which the first one leaves on day 1200.
    const history: DailyHistory = { days: [1000, 1100], gross: [50, 60], net: [50, 60], orders: [1, 1] };
    const asOfDay = 1110;
    const activity = activityFromDays(history, asOfDay);
    const until = activityHoldsUntil(history, asOfDay, activity);
    expect(heldPart(history, until)).not.toEqual(heldPart(history, asOfDay));
    expect(activity.windowDays).toBe(200);
    expect(until).toBe(1200);
  });

  it("says never for a customer whose purchases have all left both windows", () => {
    const history: DailyHistory = { days: [1000, 1030], gross: [50, 60], net: [50, 60], orders: [1, 1] };
    const activity = activityFromDays(history, 2000);
    expect(activityHoldsUntil(history, 2000, activity)).toBe(Infinity);
  });
});
