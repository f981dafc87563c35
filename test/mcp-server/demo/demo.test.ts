import { mkdtempSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { afterAll, describe, expect, it } from "vitest";
import { generateDemoBook } from "../../../mcp-server/demo/generate.js";
import { StoreNotEmptyError, seedDemo } from "../../../mcp-server/demo/seed.js";
import { Store } from "../../../mcp-server/store/store.js";

const asOf = new Date("2026-06-30T23:59:59Z");
const folder = mkdtempSync(join(tmpdir(), "crm-demo-"));
afterAll(() => rmSync(folder, { recursive: true, force: true }));

async function dump(path: string): Promise<string> {
  const store = await Store.open(path);
  const tables = ["customers", "transactions", "interactions", "feedback"];
  const parts = await Promise.all(tables.map((table) => store.db.all(`SELECT * FROM ${table} ORDER BY id`)));
  await store.close();
  return JSON.stringify(parts);
}

describe("demo book", () => {
  it("gives byte-identical data for the same seed and as-of", async () => {
    for (const name of ["a.db", "b.db"]) {
      const store = await Store.open(join(folder, name));
      await seedDemo(store, { seed: 7, customers: 300, asOf });
      await store.close();
    }
    expect(await dump(join(folder, "a.db"))).toBe(await dump(join(folder, "b.db")));
  });

  it("changes with the seed", () => {
    const first = generateDemoBook({ seed: 1, customers: 50, asOf });
    const second = generateDemoBook({ seed: 2, customers: 50, asOf });
    expect(JSON.stringify(first)).not.toBe(JSON.stringify(second));
  });

  it("mixes English and Chinese customers, owners and feedback within the two years before as-of", () => {
    const book = generateDemoBook({ seed: 42, customers: 2000, asOf });
    const chinese = book.customers.filter((customer) => customer.language === "zh");
    expect(chinese.length / book.customers.length).toBeGreaterThan(0.3);
    expect(chinese.length / book.customers.length).toBeLessThan(0.5);
    expect(chinese.every((customer) => /[\u4e00-\u9fff]/.test(customer.name))).toBe(true);
    expect(new Set(book.customers.map((customer) => customer.owner)).size).toBeGreaterThanOrEqual(4);
    const times = book.transactions.map((row) => row.occurred_at).sort();
    expect(times[0] >= "2024-06-30").toBe(true);
    expect(times.at(-1)! <= "2026-06-30T23:59:59Z").toBe(true);
    const feedbackLanguages = new Set(book.feedback.map((row) => row.language));
    expect(feedbackLanguages).toEqual(new Set(["en", "zh"]));
    expect(book.feedback.some((row) => row.source === "complaint" && row.status === "open")).toBe(true);
    expect(new Set(book.interactions.map((row) => row.channel)).size).toBeGreaterThanOrEqual(5);
    // Repeat buying from the BG/NBD process: most buyers come back, some never do.
    const orders = new Map<string, number>();
    for (const row of book.transactions) orders.set(row.customer, (orders.get(row.customer) ?? 0) + 1);
    const repeaters = [...orders.values()].filter((count) => count > 1).length;
    expect(repeaters / orders.size).toBeGreaterThan(0.5);
    expect(repeaters).toBeLessThan(orders.size);
  });

  it("refuses to seed a store that already has customers", async () => {
    const store = await Store.open(join(folder, "a.db"));
    await expect(seedDemo(store, { seed: 7, customers: 10, asOf })).rejects.toThrow(StoreNotEmptyError);
    await store.close();
  });
});
