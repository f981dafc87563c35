import { afterEach, beforeEach, describe, expect, it } from "vitest";
import { seedDemo } from "../../../mcp-server/demo/seed.js";
import { ensureScores } from "../../../mcp-server/scoring/scoreCache.js";
import { REFIT_AFTER_DAYS } from "../../../mcp-server/scoring/settings.js";
import { createTempStore, type TempStore } from "../../helpers/tempStore.js";

const day = (text: string) => new Date(`${text}T23:59:59Z`);

describe("model fits reused across score sets", () => {
  let temp: TempStore;
  beforeEach(async () => {
    temp = await createTempStore("crm-reuse-");
    await seedDemo(temp.store, { seed: 5, customers: 300, asOf: day("2026-06-30") });
  });
  afterEach(() => temp.dispose());

  it("reuses the fits for a later as-of date within the refit window and says so", async () => {
    const first = await ensureScores(temp.store, day("2026-06-30"));
    expect(first.models.fit).toMatchObject({ asOf: "2026-06-30", customers: 300, reused: false });
    const later = await ensureScores(temp.store, day("2026-07-03"));
    expect(later.models.fit).toMatchObject({ asOf: "2026-06-30", reused: true });
    expect(later.models.churn.purchaseModel).toEqual(first.models.churn.purchaseModel);
    expect(later.models.gammaGamma).toEqual(first.models.gammaGamma);
    expect(later.models.notes[0]).toMatch(/Models fitted as of 2026-06-30 and reused/);
    // The scores themselves are as of the new date: silence grew by three days.
    const silence = await temp.store.db.all<{ before: number; after: number }>(
      `SELECT a.days_since_last_purchase AS before, b.days_since_last_purchase AS after
       FROM customer_scores a JOIN customer_scores b ON b.customer_id = a.customer_id AND b.score_set_id = ?
       WHERE a.score_set_id = ? AND a.days_since_last_purchase IS NOT NULL`,
      [later.id, first.id],
    );
    expect(silence.length).toBeGreaterThan(100);
    for (const row of silence) expect(row.after - row.before).toBe(3);
  });

  it("refits past the refit window, and never reuses fits made after the as-of date", async () => {
    await ensureScores(temp.store, day("2026-06-30"));
    const far = await ensureScores(
      temp.store,
      new Date(day("2026-06-30").getTime() + (REFIT_AFTER_DAYS + 1) * 86_400_000),
    );
    expect(far.models.fit.reused).toBe(false);
    const earlier = await ensureScores(temp.store, day("2026-06-20"));
    expect(earlier.models.fit).toMatchObject({ asOf: "2026-06-20", reused: false });
  });

  it("refits when the book has grown by more than the allowed share", async () => {
    await ensureScores(temp.store, day("2026-06-30"));
    const { transactions } = await temp.store.counts();
    const rows = Array.from({ length: Math.ceil(transactions * 0.02) }, (_, i) => [
      1 + (i % 300),
      `2026-07-01T10:${String(i % 60).padStart(2, "0")}:00.000Z`,
      25 + (i % 40),
    ]);
    await temp.store.db.transaction(async () => {
      for (const [index, [customer, at, amount]] of rows.entries())
        await temp.store.db.run(
          "INSERT INTO transactions (external_id, customer_id, occurred_at, amount, channel) VALUES (?, ?, ?, ?, 'web')",
          [`extra-${index}`, customer, at, amount],
        );
      await temp.store.markChanged();
    });
    const next = await ensureScores(temp.store, day("2026-07-02"));
    expect(next.models.fit).toMatchObject({ asOf: "2026-07-02", reused: false });
  });
});
