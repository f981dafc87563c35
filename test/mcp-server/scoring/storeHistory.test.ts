import fc from "fast-check";
import { describe, expect, it } from "vitest";
import {
  historyFromRecord,
  type CustomerHistory,
  type CustomerRecord,
} from "../../../mcp-server/scoring/history.js";
import { historiesBetween } from "../../../mcp-server/scoring/storeHistory.js";
import { createTempStore } from "../../helpers/tempStore.js";

const CUTOFF = new Date("2026-06-30T23:59:59Z");

/**
 * The figures both paths compute (ticket facts come only from the store). SQLite sums a day's
 * amounts with compensated summation and JavaScript adds them in turn, so sums may differ in the
 * last bits: they are compared to 12 significant digits, everything else exactly.
 */
function comparable(history: CustomerHistory) {
  const digits = (value: number) => Number(value.toPrecision(12));
  const { id, days, orders, firstPurchaseMs, lastPurchaseMs } = history;
  return {
    id,
    days: [...days],
    gross: [...history.gross].map(digits),
    net: [...history.net].map(digits),
    orders: [...orders],
    firstPurchaseMs,
    lastPurchaseMs,
    marginSum: digits(history.marginSum),
    marginBase: digits(history.marginBase),
    interactionDays: [...history.interactionDays],
    lastInteractionMs: history.lastInteractionMs,
    problem: history.problem,
  };
}

const amount = fc.oneof(
  fc.integer({ min: -50_000, max: 500_000 }).map((cents) => cents / 100),
  fc.double({ min: -1e6, max: 1e6, noNaN: true }),
);
const transaction = fc.record({
  day: fc.integer({ min: 0, max: 40 }),
  second: fc.integer({ min: 0, max: 86_399 }),
  amount,
  margin: fc.option(fc.double({ min: -1e5, max: 1e5, noNaN: true })),
});

describe("reading histories from the store", () => {
  it("carries every double through SQLite's comma-separated lists exactly", async () => {
    const temp = await createTempStore("crm-history-");
    try {
      const db = temp.store.db;
      await db.exec("CREATE TABLE numbers (k INTEGER, x REAL)");
      await fc.assert(
        fc.asyncProperty(
          fc.array(fc.double({ noNaN: true, noDefaultInfinity: true }), { minLength: 1 }),
          async (xs) => {
            await db.exec("DELETE FROM numbers");
            for (const [k, x] of xs.entries()) await db.run("INSERT INTO numbers VALUES (?, ?)", [k, x]);
            const row = await db.get<{ list: string }>(
              "SELECT group_concat(x, ',' ORDER BY k) AS list FROM numbers",
            );
            // -0 reads back as 0, which sums the same.
            expect(row!.list.split(",").map(Number)).toEqual(xs.map((x) => (Object.is(x, -0) ? 0 : x)));
          },
        ),
        { numRuns: 60 },
      );
    } finally {
      await temp.dispose();
    }
  });

  it("gives what the same book held in memory gives: days, sums per day, margins, refunds, contacts, days after the cutoff left out", async () => {
    const temp = await createTempStore("crm-history-");
    try {
      const db = temp.store.db;
      await fc.assert(
        fc.asyncProperty(
          fc.array(fc.array(transaction, { maxLength: 12 }), { minLength: 1, maxLength: 6 }),
          fc.array(fc.integer({ min: 0, max: 40 }), { maxLength: 4 }),
          async (customers, contactDays) => {
            await db.exec("DELETE FROM customers");
            const records: CustomerRecord[] = [];
            let sequence = 0;
            for (const [index, rows] of customers.entries()) {
              const id = index + 1;
              await db.run("INSERT INTO customers (id, external_id, created_at) VALUES (?, ?, ?)", [
                id,
                `C${id}`,
                "2026-01-01T00:00:00Z",
              ]);
              const record: CustomerRecord = { id, transactions: [], feedback: [], interactions: [] };
              for (const row of rows) {
                const timestamp = new Date(Date.UTC(2026, 5, 1 + row.day) + row.second * 1000);
                await db.run(
                  "INSERT INTO transactions (external_id, customer_id, occurred_at, amount, margin) VALUES (?, ?, ?, ?, ?)",
                  [
                    `T${++sequence}`,
                    id,
                    timestamp.toISOString().replace(/\.000Z$/, "Z"),
                    row.amount,
                    row.margin,
                  ],
                );
                record.transactions.push({ timestamp, amount: row.amount, margin: row.margin });
              }
              for (const day of contactDays) {
                const time = new Date(Date.UTC(2026, 5, 1 + day, 10));
                await db.run(
                  "INSERT INTO interactions (external_id, customer_id, occurred_at, channel) VALUES (?, ?, ?, 'email')",
                  [`I${++sequence}`, id, time.toISOString().replace(/\.000Z$/, "Z")],
                );
                record.interactions.push(time);
              }
              records.push(record);
            }
            const stored = await historiesBetween(temp.store, 1, customers.length, CUTOFF);
            expect(stored.map(comparable)).toEqual(
              records.map((record) => comparable(historyFromRecord(record, CUTOFF))),
            );
          },
        ),
        { numRuns: 40 },
      );
    } finally {
      await temp.dispose();
    }
  });

  it("names the row to fix when a date is not a date, even one holding the list separator", async () => {
    const temp = await createTempStore("crm-history-");
    try {
      const db = temp.store.db;
      await db.run(
        "INSERT INTO customers (id, external_id, created_at) VALUES (1, 'C1', '2026-01-01T00:00:00Z')",
      );
      await db.run(
        "INSERT INTO customers (id, external_id, created_at) VALUES (2, 'C2', '2026-01-01T00:00:00Z')",
      );
      await db.run(
        "INSERT INTO transactions (external_id, customer_id, occurred_at, amount) VALUES ('T1', 1, '2026-06-01T10:00:00Z', 10), ('T2', 1, '2026,06,02', 20), ('T3', 2, '2026-06-01T10:00:00Z', 1e300)",
      );
      const [first, second] = await historiesBetween(temp.store, 1, 2, CUTOFF);
      expect(first.problem).toContain('dated "2026;06;02"');
      expect(first.days.length).toBe(0);
      expect(second.problem).toContain("2026-06-01 hold an amount or margin that is not a real one");
    } finally {
      await temp.dispose();
    }
  });
});

describe("stored purchase digests", () => {
  const LATE = new Date("2026-12-31T23:59:59Z");
  const moment = (row: { day: number; second: number }) =>
    new Date(Date.UTC(2026, 5, 1 + row.day) + row.second * 1000);
  const stamp = (row: { day: number; second: number }) =>
    moment(row)
      .toISOString()
      .replace(/\.000Z$/, "Z");

  // Whole amounts: both sides then sum exactly, so any difference is a digest out of step (how
  // sums of fractions travel is the first test's subject).
  const wholeTransaction = fc.record({
    day: fc.integer({ min: 0, max: 40 }),
    second: fc.integer({ min: 0, max: 86_399 }),
    amount: fc.integer({ min: -500, max: 5000 }),
    margin: fc.option(fc.integer({ min: -1000, max: 1000 })),
  });

  it("answer as the transactions do through inserts, updates, deletes and cutoffs before the latest purchase", async () => {
    const temp = await createTempStore("crm-digest-");
    try {
      const db = temp.store.db;
      const write = fc.oneof(
        fc.record({
          kind: fc.constant("insert" as const),
          customer: fc.integer({ min: 1, max: 4 }),
          row: wholeTransaction,
        }),
        fc.record({ kind: fc.constant("update" as const), pick: fc.nat(), row: wholeTransaction }),
        fc.record({ kind: fc.constant("delete" as const), pick: fc.nat() }),
      );
      await fc.assert(
        fc.asyncProperty(
          fc.array(fc.array(wholeTransaction, { maxLength: 8 }), { minLength: 4, maxLength: 4 }),
          fc.array(write, { minLength: 1, maxLength: 6 }),
          fc.integer({ min: 0, max: 40 }),
          async (customers, writes, cutoffDay) => {
            await db.exec("DELETE FROM customers");
            // The book as the test knows it, by transaction id: what every read must agree with.
            const book = new Map<number, { customer: number; row: (typeof customers)[number][number] }>();
            let sequence = 0;
            const insert = async (customer: number, row: (typeof customers)[number][number]) => {
              const { lastID } = await db.run(
                "INSERT INTO transactions (external_id, customer_id, occurred_at, amount, margin) VALUES (?, ?, ?, ?, ?)",
                [`T${++sequence}`, customer, stamp(row), row.amount, row.margin],
              );
              book.set(lastID, { customer, row });
            };
            for (const [index, rows] of customers.entries()) {
              await db.run("INSERT INTO customers (id, external_id, created_at) VALUES (?, ?, ?)", [
                index + 1,
                `C${index + 1}`,
                "2026-01-01T00:00:00Z",
              ]);
              for (const row of rows) await insert(index + 1, row);
            }
            const expected = (cutoff: Date) =>
              [1, 2, 3, 4].map((id) => {
                const record: CustomerRecord = { id, transactions: [], feedback: [], interactions: [] };
                for (const { customer, row } of book.values())
                  if (customer === id)
                    record.transactions.push({
                      timestamp: moment(row),
                      amount: row.amount,
                      margin: row.margin,
                    });
                return comparable(historyFromRecord(record, cutoff));
              });
            const read = async (cutoff: Date) =>
              (await historiesBetween(temp.store, 1, 4, cutoff, true)).map(comparable);
            // A read that does not keep digests (one customer's profile) writes nothing.
            expect((await historiesBetween(temp.store, 1, 4, LATE)).map(comparable)).toEqual(expected(LATE));
            expect(await db.all("SELECT customer_id FROM purchase_digests")).toEqual([]);
            expect(await read(LATE)).toEqual(expected(LATE));
            expect((await db.get<{ n: number }>("SELECT COUNT(*) AS n FROM purchase_digests"))!.n).toBe(4);
            for (const change of writes) {
              const ids = [...book.keys()];
              let touched: number | undefined;
              if (change.kind === "insert") {
                await insert(change.customer, change.row);
                touched = change.customer;
              } else if (ids.length > 0) {
                const id = ids[change.pick % ids.length];
                touched = book.get(id)!.customer;
                if (change.kind === "delete") {
                  await db.run("DELETE FROM transactions WHERE id = ?", [id]);
                  book.delete(id);
                } else {
                  await db.run(
                    "UPDATE transactions SET occurred_at = ?, amount = ?, margin = ? WHERE id = ?",
                    [stamp(change.row), change.row.amount, change.row.margin, id],
                  );
                  book.set(id, { customer: touched, row: change.row });
                }
              }
              if (touched !== undefined)
                expect(
                  await db.get("SELECT 1 FROM purchase_digests WHERE customer_id = ?", [touched]),
                ).toBeUndefined();
              expect(await read(LATE)).toEqual(expected(LATE));
            }
            const cutoff = new Date(Date.UTC(2026, 5, 1 + cutoffDay, 12));
            expect(await read(cutoff)).toEqual(expected(cutoff));
          },
        ),
        { numRuns: 30 },
      );
    } finally {
      await temp.dispose();
    }
  });
});
