import { createWriteStream } from "node:fs";
import { once } from "node:events";
import { describe, expect, it } from "vitest";
import { importFile } from "../../../mcp-server/import/importFile.js";
import { useTempStore } from "../../helpers/tempStore.js";

const ROWS = 100_000;
const CUSTOMERS = 5_000;

/**
 * Writes a transactions CSV of `ROWS` lines. Every fifth line (i % 5 === 1) is a second line
 * item of the order on the line before it, so the file holds ROWS × 4/5 orders. Amounts are
 * whole cents, so their sum is exact.
 */
async function writeTransactions(path: string): Promise<{ orders: number; totalCents: number }> {
  const out = createWriteStream(path);
  out.write("OrderID,CustomerID,OrderDate,Amount\n");
  let totalCents = 0;
  let orders = 0;
  for (let i = 0; i < ROWS; i++) {
    // Order numbers count orders, so customers (order % CUSTOMERS) are evenly used.
    if (i % 5 !== 1) orders++;
    const order = orders - 1;
    const cents = 100 + ((i * 7919) % 50_000);
    totalCents += cents;
    const day = new Date(Date.UTC(2023, 0, 1) + (order % 365) * 86_400_000).toISOString().slice(0, 10);
    const line = `O${order},C${order % CUSTOMERS},${day},${(cents / 100).toFixed(2)}\n`;
    if (!out.write(line)) await once(out, "drain");
  }
  out.end();
  await once(out, "finish");
  return { orders, totalCents };
}

describe("a large import", () => {
  it("imports 100,000 rows with merged line items in one transaction", async () => {
    const temp = await useTempStore();
    const file = temp.dir.join("large.csv");
    const { orders, totalCents } = await writeTransactions(file);
    expect(orders).toBe(80_000);

    let progressCalls = 0;
    const report = await importFile(temp.store, {
      kind: "transactions",
      file,
      onProgress: () => progressCalls++,
    });
    expect(report).toMatchObject({
      committed: true,
      errorCount: 0,
      rowsRead: ROWS,
      inserted: orders,
      duplicates: 0,
      customersCreated: CUSTOMERS,
    });
    expect(progressCalls).toBeGreaterThan(1);
    expect(await temp.store.counts()).toMatchObject({ customers: CUSTOMERS, transactions: orders });
    const totals = await temp.store.db.get<{ cents: number; customers: number }>(
      "SELECT ROUND(SUM(amount) * 100) AS cents, COUNT(DISTINCT customer_id) AS customers FROM transactions",
    );
    expect(totals).toEqual({ cents: totalCents, customers: CUSTOMERS });
    // Every customer's acquisition date is its first purchase.
    const unacquired = await temp.store.db.get<{ n: number }>(
      "SELECT COUNT(*) AS n FROM customers WHERE acquired_at IS NULL",
    );
    expect(unacquired?.n).toBe(0);
  });
});
