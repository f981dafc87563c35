import fc from "fast-check";
import { describe, expect, it } from "vitest";
import {
  BulkInsert,
  bulkColumn,
  decimalParts,
  withIndexesRebuilt,
} from "../../../mcp-server/store/bulkInsert.js";
import type { SqlValue } from "../../../mcp-server/store/database.js";
import { useTempStore } from "../../helpers/tempStore.js";

const { text, integer, real } = bulkColumn;

describe("decimalParts", () => {
  it("gives k and 10^d whose IEEE quotient is the number itself, or null", () => {
    fc.assert(
      fc.property(fc.double({ noNaN: true }), (value) => {
        const parts = decimalParts(value);
        if (parts === null) return;
        expect(Number.isSafeInteger(parts[0])).toBe(true);
        expect(parts[0] / parts[1]).toBe(value + 0);
      }),
      { numRuns: 20_000, seed: 7 },
    );
  });

  it("finds the form of amounts written with up to 15 significant digits", () => {
    for (const value of [0, 5, -7.5, 12.34, 879.514837, 999_999_999.99, 0.1, 123456789012.345, 1e-7])
      expect(decimalParts(value)).not.toBeNull();
    expect(decimalParts(0.1 + 0.2)).toBeNull();
    expect(decimalParts(Number.POSITIVE_INFINITY)).toBeNull();
  });
});

describe("BulkInsert", () => {
  it("stores exactly what binding stores: any double, whole numbers, text with emoji, lone surrogates, nulls, in order", async () => {
    const temp = await useTempStore();
    const db = temp.store.db;
    await db.exec("CREATE TABLE bulk (n INTEGER PRIMARY KEY, label TEXT, count INTEGER, value REAL)");
    await db.exec("CREATE TABLE bound (n INTEGER PRIMARY KEY, label TEXT, count INTEGER, value REAL)");
    const row = fc.tuple(
      fc.oneof(fc.string({ unit: "grapheme" }), fc.string({ unit: "binary" }), fc.constant(null)),
      fc.oneof(fc.integer(), fc.constant(null)),
      fc.oneof(
        fc.double({ noNaN: true, noDefaultInfinity: true }),
        fc.integer({ min: -1e9, max: 1e9 }).map((cents) => cents / 100),
        fc.constant(null),
      ),
    );
    const samples: unknown[][] = fc.sample(row, { numRuns: 3000, seed: 11 });
    samples.splice(1500, 0, ["half a pair \ud800 here", 1, 0.2], ["C:\\udata", 2, 3]);
    const rows = samples.map((values, n) => [n + 1, ...values]);
    const bulk = new BulkInsert(db, "bulk", [integer("n"), text("label"), integer("count"), real("value")]);
    await db.transaction(async () => {
      // Queued in three goes, so JSON and bound runs alternate within and across flushes.
      for (let start = 0; start < rows.length; start += 1000) {
        for (const values of rows.slice(start, start + 1000)) bulk.add(values as SqlValue[]);
        await bulk.flush();
      }
      await db.insertRows("bound", ["n", "label", "count", "value"], rows as SqlValue[][]);
    });
    const stored = await db.all("SELECT * FROM bulk ORDER BY rowid");
    expect(stored).toEqual(await db.all("SELECT * FROM bound ORDER BY rowid"));
    expect(stored.map((stored) => (stored as { n: number }).n)).toEqual(rows.map(([n]) => n));
    const types = "SELECT typeof(label), typeof(count), typeof(value) FROM";
    expect(await db.all(`${types} bulk ORDER BY n`)).toEqual(await db.all(`${types} bound ORDER BY n`));
  });

  it("stores computed reals as the very doubles JavaScript had, through JSON, with nulls, whole numbers and infinities", async () => {
    const temp = await useTempStore();
    const db = temp.store.db;
    await db.exec("CREATE TABLE bulk (n INTEGER PRIMARY KEY, value REAL, count INTEGER)");
    await db.exec("CREATE TABLE bound (n INTEGER PRIMARY KEY, value REAL, count INTEGER)");
    const value = fc.oneof(
      { weight: 6, arbitrary: fc.double({ noNaN: true, noDefaultInfinity: true }) },
      { weight: 3, arbitrary: fc.double({ min: 0, max: 1, noNaN: true }) },
      {
        weight: 1,
        arbitrary: fc.constantFrom(null, 0, -0, 3, Number.MAX_VALUE, Number.MIN_VALUE, Infinity, -Infinity),
      },
    );
    const samples = fc.sample(value, { numRuns: 20_000, seed: 16 });
    // Shortest forms SQLite reads one unit in the last place off (seen on this SQLite, 3.52).
    samples.push(679299.142349709, 0.999998456288616, 1.617383612158316e-128, 0.884583076833866);
    const rows = samples.map((sample, n) => [n + 1, sample, n % 7]);
    const bulk = new BulkInsert(db, "bulk", [
      integer("n"),
      bulkColumn.computed("value"),
      bulkColumn.computed("count"),
    ]);
    await db.transaction(async () => {
      await bulk.insert(rows);
      await db.insertRows("bound", ["n", "value", "count"], rows);
    });
    const stored = await db.all<{ n: number; value: number | null; count: number }>(
      "SELECT * FROM bulk ORDER BY n",
    );
    for (const [index, row] of stored.entries()) {
      const expected = samples[index];
      expect(row.value, `row ${row.n}`).toBe(expected === null ? null : expected + 0);
    }
    expect(stored).toEqual(await db.all("SELECT * FROM bound ORDER BY n"));
    const types = "SELECT typeof(value), typeof(count) FROM";
    expect(await db.all(`${types} bulk ORDER BY n`)).toEqual(await db.all(`${types} bound ORDER BY n`));
  });

  it("stores a wide row of every column kind exactly as binding stores it, every column in its place", async () => {
    const temp = await useTempStore();
    const db = temp.store.db;
    const kinds = ["real", "text", "integer", "computed"] as const;
    const columns = Array.from({ length: 30 }, (_, index) => bulkColumn[kinds[index % 4]](`c${index}`));
    const types = { real: "REAL", text: "TEXT", integer: "INTEGER", computed: "REAL" };
    const schema = columns.map((column) => `${column.name} ${types[column.type]}`).join(", ");
    await db.exec(`CREATE TABLE bulk (${schema})`);
    await db.exec(`CREATE TABLE bound (${schema})`);
    const value = {
      real: fc.oneof(
        fc.integer({ min: -1e9, max: 1e9 }).map((cents) => cents / 100),
        fc.constant(null),
      ),
      text: fc.oneof(fc.string({ unit: "grapheme" }), fc.constant(null)),
      integer: fc.oneof(fc.integer(), fc.constant(null)),
      computed: fc.oneof(fc.double({ noNaN: true, noDefaultInfinity: true }), fc.constant(null)),
    };
    const rows = fc.sample(fc.tuple(...columns.map((column) => value[column.type])), {
      numRuns: 500,
      seed: 5,
    });
    const names = columns.map((column) => column.name);
    await db.transaction(async () => {
      await new BulkInsert(db, "bulk", columns).insert(rows as SqlValue[][]);
      await db.insertRows("bound", names, rows as SqlValue[][]);
    });
    expect(await db.all("SELECT * FROM bulk ORDER BY rowid")).toEqual(
      await db.all("SELECT * FROM bound ORDER BY rowid"),
    );
    const typeList = names.map((name) => `typeof(${name})`).join(", ");
    expect(await db.all(`SELECT ${typeList} FROM bulk ORDER BY rowid`)).toEqual(
      await db.all(`SELECT ${typeList} FROM bound ORDER BY rowid`),
    );
  });

  it("reports how many rows an upsert tail changed", async () => {
    const temp = await useTempStore();
    const db = temp.store.db;
    await db.exec("CREATE TABLE keyed (key TEXT PRIMARY KEY, value REAL)");
    const bulk = new BulkInsert(db, "keyed", [text("key"), real("value")], "ON CONFLICT (key) DO NOTHING");
    expect(
      await bulk.insert([
        ["a", 1.5],
        ["b", 2],
      ]),
    ).toBe(2);
    expect(
      await bulk.insert([
        ["a", 3],
        ["c", 0.1 + 0.2],
      ]),
    ).toBe(1);
    expect(await db.all("SELECT * FROM keyed ORDER BY key")).toEqual([
      { key: "a", value: 1.5 },
      { key: "b", value: 2 },
      { key: "c", value: 0.1 + 0.2 },
    ]);
  });
});

describe("withIndexesRebuilt", () => {
  const schema = "SELECT type, name, tbl_name, sql FROM sqlite_schema ORDER BY type, name";

  it("leaves the schema as it was and the search index in step with the customers loaded", async () => {
    const temp = await useTempStore();
    const db = temp.store.db;
    const before = await db.all(schema);
    await db.transaction(() =>
      withIndexesRebuilt(db, ["customers", "transactions"], async () => {
        expect(await db.all("SELECT name FROM sqlite_schema WHERE name = 'customers_name'")).toEqual([]);
        await db.insertRows(
          "customers",
          ["external_id", "name", "email", "created_at"],
          Array.from({ length: 300 }, (_, i) => [
            `C${i}`,
            `王芳 ${i}`,
            `wang.${i}@example.cn`,
            "2024-01-01T00:00:00Z",
          ]),
        );
      }),
    );
    expect(await db.all(schema)).toEqual(before);
    const found = await db.all("SELECT rowid FROM customers_search WHERE customers_search MATCH '\"g.17@\"'");
    expect(found).toEqual([{ rowid: 18 }]);
    expect(await db.get("PRAGMA integrity_check")).toEqual({ integrity_check: "ok" });
    // The search index still follows later writes: its triggers are back.
    await db.run("UPDATE customers SET name = 'Zoë Brown' WHERE external_id = 'C3'");
    expect(await db.all("SELECT rowid FROM customers_search WHERE customers_search MATCH 'Zoë'")).toEqual([
      { rowid: 4 },
    ]);
  });

  it("puts everything back when the load fails, with the transaction", async () => {
    const temp = await useTempStore();
    const db = temp.store.db;
    const before = await db.all(schema);
    await expect(
      db.transaction(() =>
        withIndexesRebuilt(db, ["transactions"], async () => {
          throw new Error("load failed");
        }),
      ),
    ).rejects.toThrow("load failed");
    expect(await db.all(schema)).toEqual(before);
  });

  it("drops every purchase digest after a load into transactions, and keeps them in step again afterwards", async () => {
    const temp = await useTempStore();
    const db = temp.store.db;
    await db.run(
      "INSERT INTO customers (id, external_id, created_at) VALUES (1, 'C1', '2024-01-01T00:00:00Z'), (2, 'C2', '2024-01-01T00:00:00Z')",
    );
    const digest = "INSERT INTO purchase_digests (customer_id, through) VALUES (?, '2024-01-01T00:00:00Z')";
    await db.run(digest, [1]);
    await db.run(digest, [2]);
    await db.transaction(() =>
      withIndexesRebuilt(db, ["transactions"], () =>
        db.run(
          "INSERT INTO transactions (external_id, customer_id, occurred_at, amount) VALUES ('T1', 1, '2024-02-01T00:00:00Z', 10)",
        ),
      ),
    );
    // Customer 2 bought nothing in the load, but a load set the triggers aside: nothing is trusted.
    expect(await db.all("SELECT customer_id FROM purchase_digests")).toEqual([]);
    await db.run(digest, [2]);
    await db.run(
      "INSERT INTO transactions (external_id, customer_id, occurred_at, amount) VALUES ('T2', 2, '2024-03-01T00:00:00Z', 5)",
    );
    expect(await db.all("SELECT customer_id FROM purchase_digests")).toEqual([]);
  });
});
