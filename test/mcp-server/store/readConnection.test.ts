import { afterEach, describe, expect, it } from "vitest";
import { Store } from "../../../mcp-server/store/store.js";
import { createTempStore, type TempStore } from "../../helpers/tempStore.js";

/** A read that keeps SQLite busy for a while (a few hundred milliseconds here). */
const LONG_READ = `WITH RECURSIVE n(i) AS (SELECT 1 UNION ALL SELECT i + 1 FROM n WHERE i < 3000000)
  SELECT COUNT(*) AS count FROM n`;

describe("the store's connection for long reads", () => {
  let temp: TempStore | undefined;
  afterEach(async () => {
    await temp?.dispose();
    temp = undefined;
  });

  it("answers the main connection while a long aggregate runs on it", async () => {
    temp = await createTempStore("crm-reads-");
    const order: string[] = [];
    const long = temp.store.reads.get<{ count: number }>(LONG_READ).then((row) => {
      order.push("long read");
      return row;
    });
    // Let the long read start before the short one is asked for.
    await new Promise((resolve) => setTimeout(resolve, 20));
    await temp.store.db.get("SELECT COUNT(*) FROM customers").then(() => order.push("main"));
    expect((await long)!.count).toBe(3_000_000);
    expect(order).toEqual(["main", "long read"]);
  });

  it("sees what the main connection committed, never a transaction in progress, and refuses writes", async () => {
    temp = await createTempStore("crm-reads-");
    const store = temp.store;
    const count = async () =>
      (await store.reads.get<{ n: number }>("SELECT COUNT(*) AS n FROM customers"))!.n;
    expect(await count()).toBe(0);
    await store.db.transaction(async () => {
      await store.db.run(
        "INSERT INTO customers (external_id, name, created_at) VALUES ('C1', 'Ada', '2026-01-01T00:00:00Z')",
      );
      expect(await count()).toBe(0);
    });
    expect(await count()).toBe(1);
    await expect(
      store.reads.get(
        "INSERT INTO customers (external_id, name, created_at) VALUES ('C2', 'Bo', '2026-01-01T00:00:00Z')",
      ),
    ).rejects.toThrow(/readonly|read-only|query_only/i);
    expect(await count()).toBe(1);
  });

  // The driver would start both statements at once and finalize the first on the main thread,
  // which then waited for the second to end: every tool call waited behind the longest aggregate
  // (3.9 s in a portfolio overview at a million customers). The connection takes them one at a time.
  it("leaves the event loop free while more aggregates run after a first", async () => {
    temp = await createTempStore("crm-reads-");
    const count = (n: number) =>
      temp!.store.reads.get<{ count: number }>(
        `WITH RECURSIVE n(i) AS (SELECT 1 UNION ALL SELECT i + 1 FROM n WHERE i < ${n}) SELECT COUNT(*) AS count FROM n`,
      );
    let turns = 0;
    let counting = false;
    const turn = () => {
      if (!counting) return;
      turns++;
      setImmediate(turn);
    };
    const first = count(200_000).then((row) => {
      // From here until the others answer, calls must still get their turns.
      counting = true;
      setImmediate(turn);
      return row;
    });
    const others = [count(1_000_000), count(1_000_001), count(1_000_002)];
    expect((await first)!.count).toBe(200_000);
    expect((await Promise.all(others)).map((row) => row!.count)).toEqual([1_000_000, 1_000_001, 1_000_002]);
    counting = false;
    expect(turns).toBeGreaterThan(20);
  });

  it("is the store's own connection for a store in memory", async () => {
    const store = await Store.open(":memory:");
    try {
      expect(store.reads).toBe(store.db);
    } finally {
      await store.close();
    }
  });
});
