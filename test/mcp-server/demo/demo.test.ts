import { createHash } from "node:crypto";
import { mkdtempSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { afterAll, describe, expect, it } from "vitest";
import { sentimentOf } from "../../../core/sentiment.js";
import { generateDemoBook } from "../../../mcp-server/demo/generate.js";
import { StoreNotEmptyError, seedDemo } from "../../../mcp-server/demo/seed.js";
import { Store } from "../../../mcp-server/store/store.js";

const asOf = new Date("2026-06-30T23:59:59Z");
const folder = mkdtempSync(join(tmpdir(), "crm-demo-"));
afterAll(() => rmSync(folder, { recursive: true, force: true }));

async function dump(path: string): Promise<string> {
  const store = await Store.open(path);
  const tables = ["customers", "transactions", "interactions", "feedback", "tickets", "events"];
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

  it("writes the same rows as before it streamed: a pinned digest of seed 7's book", async () => {
    // The rows and ids the demo wrote when it built the whole book in memory first (before the
    // sentiment columns existed, and before tickets, events and birthdays were drawn from side
    // streams); many tool tests pin numbers that depend on them.
    const store = await Store.open(join(folder, "a.db"));
    const columns: Record<string, string> = {
      customers:
        "id, external_id, name, company, email, phone, country, language, owner, acquisition_channel, created_at, acquired_at, tags, do_not_contact",
      transactions: "id, external_id, customer_id, occurred_at, amount, quantity, margin, channel",
      interactions: "id, external_id, customer_id, occurred_at, channel, direction, summary, outcome",
      feedback: "id, external_id, customer_id, occurred_at, source, score, text, language, status",
    };
    const hash = createHash("sha256");
    for (const [table, list] of Object.entries(columns))
      hash.update(JSON.stringify(await store.db.all(`SELECT ${list} FROM ${table} ORDER BY id`)));
    await store.close();
    expect(hash.digest("hex")).toBe("3fa67c29bd64ef51ae01b69d0d33e061e8f4f43c48a397f26ad327b5859def3e");
  });

  it("writes the book generateDemoBook describes, customers numbered in order, and says how many rows", async () => {
    const path = join(folder, "c.db");
    const store = await Store.open(path);
    const counts = await seedDemo(store, { seed: 3, customers: 120, asOf });
    const book = generateDemoBook({ seed: 3, customers: 120, asOf });
    expect(counts).toEqual({
      customers: book.customers.length,
      transactions: book.transactions.length,
      interactions: book.interactions.length,
      feedback: book.feedback.length,
      tickets: book.tickets.length,
      events: book.events.length,
    });
    const ids = new Map(book.customers.map((customer, index) => [customer.external_id, index + 1]));
    expect(await store.db.all("SELECT external_id, name, email, tags FROM customers ORDER BY id")).toEqual(
      book.customers.map(({ external_id, name, email, tags }) => ({ external_id, name, email, tags })),
    );
    expect(
      await store.db.all(
        "SELECT external_id, customer_id, occurred_at, amount, margin FROM transactions ORDER BY id",
      ),
    ).toEqual(
      book.transactions.map(({ external_id, customer, occurred_at, amount, margin }) => ({
        external_id,
        customer_id: ids.get(customer),
        occurred_at,
        amount,
        margin,
      })),
    );
    await store.close();
  });

  it("stores the sentiment of every feedback text, as the analyser reads it", async () => {
    const store = await Store.open(join(folder, "a.db"));
    const rows = await store.db.all<{
      text: string;
      language: "en" | "zh";
      sentiment: number | null;
      sentiment_label: string | null;
    }>("SELECT text, language, sentiment, sentiment_label FROM feedback");
    await store.close();
    expect(rows.length).toBeGreaterThan(50);
    for (const row of rows) {
      const { score, label } = sentimentOf(row.text, row.language);
      expect(row).toMatchObject({ sentiment: score, sentiment_label: label });
    }
    expect(new Set(rows.map((row) => row.sentiment_label))).toEqual(
      new Set(["positive", "negative", "neutral"]),
    );
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
