import { copyFileSync } from "node:fs";
import { afterEach, beforeEach, describe, expect, it } from "vitest";
import { seedDemo } from "../../../mcp-server/demo/seed.js";
import { carryScoreSets } from "../../../mcp-server/scoring/carryScores.js";
import { COLUMNS, ensureScores, type ScoreSet } from "../../../mcp-server/scoring/scoreCache.js";
import { auditedWrite } from "../../../mcp-server/store/audit.js";
import { scoresTable } from "../../../mcp-server/store/setTables.js";
import { Store } from "../../../mcp-server/store/store.js";
import { createTempStore, type TempStore } from "../../helpers/tempStore.js";

const DAY_MS = 86_400_000;
const LAST_DAY = new Date("2026-06-30T23:59:59Z");
const dayAfter = (days: number) => new Date(LAST_DAY.getTime() + days * DAY_MS);

async function setRows(store: Store, set: ScoreSet): Promise<Record<string, unknown>[]> {
  return store.db.all(`SELECT ${COLUMNS.join(", ")} FROM ${scoresTable(set.id)} ORDER BY customer_id`);
}

describe("a later day's scoring that carries figures over from an earlier set", () => {
  let temp: TempStore;
  let reference: TempStore;
  beforeEach(async () => {
    temp = await createTempStore("crm-carried-");
    reference = await createTempStore("crm-carried-reference-");
    await reference.store.close();
    await seedDemo(temp.store, { seed: 5, customers: 600, asOf: LAST_DAY });
    // Rows dated after the first as-of date, in the store before any scoring: the next days'
    // histories hold them, the first day's figures do not.
    // Customers whose purchases ended long before: their own figures would be carried over.
    const ids = await temp.store.db.all<{ id: number }>(
      `SELECT customer_id AS id FROM transactions GROUP BY customer_id
       HAVING COUNT(*) > 2 AND MAX(occurred_at) < '2025-06-01' ORDER BY customer_id LIMIT 5`,
    );
    expect(ids).toHaveLength(5);
    const [a, b, c, d, e] = ids.map((row) => row.id);
    await temp.store.db.exec(`
      INSERT INTO transactions (external_id, customer_id, occurred_at, amount, margin)
        VALUES ('ahead-1', ${a}, '2026-07-01T10:00:00Z', 480, 0.3);
      INSERT INTO feedback (external_id, customer_id, occurred_at, source, score, text, language, status)
        VALUES ('ahead-2', ${b}, '2026-07-02T09:00:00Z', 'nps', 2, 'Terrible service, cancelling', 'en', 'resolved');
      INSERT INTO interactions (external_id, customer_id, occurred_at, channel)
        VALUES ('ahead-3', ${c}, '2026-07-01T08:00:00Z', 'phone');
      INSERT INTO tickets (external_id, customer_id, kind, subject, opened_at, status)
        VALUES ('ahead-4', ${d}, 'complaint', 'Late delivery', '2026-07-01T11:00:00Z', 'open');
      INSERT INTO tickets (external_id, customer_id, kind, subject, opened_at, resolved_at, status)
        VALUES ('ahead-5', ${e}, 'complaint', 'Broken item', '2026-06-20T11:00:00Z', '2026-07-01T12:00:00Z', 'resolved');
    `);
  });
  afterEach(async () => {
    await temp.dispose();
    await reference.dispose();
  });

  /** The set as of `day` scored from every history, with the same fits: a copy of the store whose stored figures carry nothing. */
  async function scoredFromHistories(day: Date): Promise<Record<string, unknown>[]> {
    await temp.store.db.exec("PRAGMA wal_checkpoint(TRUNCATE)");
    copyFileSync(temp.path, reference.path);
    const store = await Store.open(reference.path);
    try {
      for (const { id } of await store.db.all<{ id: number }>("SELECT id FROM score_sets"))
        await store.db.run(`UPDATE ${scoresTable(id)} SET inputs_until = NULL`);
      const set = await ensureScores(store, day);
      expect(set.models.inputsCarried?.customers ?? 0).toBe(0);
      return await setRows(store, set);
    } finally {
      await store.close();
    }
  }

  it("stores exactly the set a scoring from every history stores, day after day, rows dated in between included", async () => {
    const first = await ensureScores(temp.store, LAST_DAY);
    expect(first.models.fit.reused).toBe(false);
    let carriedOnSomeDay = false;
    for (const days of [1, 2, 3, 6]) {
      const day = dayAfter(days);
      const expected = await scoredFromHistories(day);
      const set = await ensureScores(temp.store, day);
      expect(set.models.fit.reused).toBe(true);
      const carried = set.models.inputsCarried?.customers ?? 0;
      // Most customers' windows hold from one day to the next; the ones with rows dated in
      // between and the young ones are read again.
      expect(carried).toBeGreaterThan(0.5 * set.customers);
      expect(carried).toBeLessThan(set.customers);
      carriedOnSomeDay = true;
      expect(await setRows(temp.store, set)).toEqual(expected);
    }
    expect(carriedOnSomeDay).toBe(true);
  });

  it("reads again a customer written to after the earlier set, the write carried into it", async () => {
    await ensureScores(temp.store, LAST_DAY);
    const { id } = (await temp.store.db.get<{ id: number }>(
      "SELECT id FROM customers ORDER BY id DESC LIMIT 1",
    ))!;
    await auditedWrite(
      temp.store,
      {
        at: "2026-07-01T09:00:00.000Z",
        actor: "test",
        action: "log_interaction",
        customerId: id,
        details: {},
      },
      { changesScores: true, carryScores: (from, to) => carryScoreSets(temp.store, [id], from, to) },
      () =>
        temp.store.db.run(
          "INSERT INTO interactions (external_id, customer_id, occurred_at, channel) VALUES ('logged', ?, '2026-07-01T09:00:00Z', 'email')",
          [id],
        ),
    );
    const day = dayAfter(1);
    const expected = await scoredFromHistories(day);
    const set = await ensureScores(temp.store, day);
    expect(set.models.inputsCarried?.customers ?? 0).toBeGreaterThan(0);
    expect(await setRows(temp.store, set)).toEqual(expected);
  });

  it("carries nothing from a set on other data: the customers are read again", async () => {
    await ensureScores(temp.store, LAST_DAY);
    await temp.store.markChanged(["interactions"]);
    const set = await ensureScores(temp.store, dayAfter(1));
    expect(set.models.inputsCarried).toBeUndefined();
  });
});
