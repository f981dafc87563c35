import { writeFileSync } from "node:fs";
import { Client } from "@modelcontextprotocol/sdk/client/index.js";
import { InMemoryTransport } from "@modelcontextprotocol/sdk/inMemory.js";
import type { CallToolResult } from "@modelcontextprotocol/sdk/types.js";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { createServer } from "../../mcp-server/server/createServer.js";
import { Store } from "../../mcp-server/store/store.js";
import { ensureBuilt, runCli, runCliAsync } from "../helpers/cli.js";
import { createMcpHarness, TEST_NOW, textOf } from "../helpers/mcpClient.js";
import { createTempDir, type TempDir } from "../helpers/tempFiles.js";

/** A transactions file big enough that importing it holds the store's write lock for seconds. */
function bigTransactions(path: string, rows: number, customers: number): void {
  const lines = ["order_id,customer_id,date,amount"];
  for (let i = 0; i < rows; i++) {
    const day = 1 + (i % 28);
    lines.push(
      `BIG${i},C${String(1 + (i % customers)).padStart(5, "0")},2026-05-${String(day).padStart(2, "0")},${(10 + (i % 90)).toFixed(2)}`,
    );
  }
  writeFileSync(path, `${lines.join("\n")}\n`);
}

describe("two processes on one store", () => {
  let dir: TempDir;
  let db: string;

  beforeAll(() => {
    ensureBuilt();
    dir = createTempDir("crm-concurrency-");
    db = dir.join("crm.db");
    expect(runCli(["--db", db, "demo", "--customers", "300", "--as-of", "2026-06-30"]).code).toBe(0);
    bigTransactions(dir.join("big.csv"), 200_000, 300);
    writeFileSync(
      dir.join("small.csv"),
      "order_id,customer_id,date,amount\nSMALL1,C00001,2026-06-01,12.50\n",
    );
  });
  afterAll(() => dir?.remove());

  it("answers reads and writes during an import, or says the store is busy, never with a raw SQLite error", async () => {
    const importing = runCliAsync(["--db", db, "import", "transactions", dir.join("big.csv")]);
    // Let the import take the write lock.
    await new Promise((resolve) => setTimeout(resolve, 1500));
    const store = await Store.open(db);
    const server = createServer({
      store,
      allowWrites: true,
      redact: false,
      actor: "test",
      now: () => TEST_NOW,
    });
    const client = new Client({ name: "concurrency", version: "1" });
    const [clientSide, serverSide] = InMemoryTransport.createLinkedPair();
    await Promise.all([server.connect(serverSide), client.connect(clientSide)]);
    const call = (name: string, args: Record<string, unknown>) =>
      client.callTool({ name, arguments: args }, undefined, { timeout: 120_000 }) as Promise<CallToolResult>;
    try {
      const asOfs = ["2026-06-30", "2026-05-31", "2026-04-30", "2026-03-31", "2026-02-28"];
      const calls = [
        ...asOfs.map((as_of) => call("find_at_risk_customers", { as_of, limit: 5 })),
        ...asOfs.map((as_of) => call("portfolio_overview", { as_of })),
        ...Array.from({ length: 5 }, (_, i) =>
          call("log_interaction", {
            customer_id: `C0000${i + 1}`,
            channel: "phone",
            summary: `call ${i} during the import`,
            occurred_at: "2026-06-30",
          }),
        ),
      ];
      const second = runCliAsync(["--db", db, "import", "transactions", dir.join("small.csv")]);
      const results = await Promise.all(calls);
      for (const result of results) {
        const text = textOf(result);
        expect(text).not.toMatch(/SQLITE_/);
        if (result.isError)
          expect(text).toMatch(/the store is busy with an import or another write; try again/);
      }
      const secondImport = await second;
      expect(`${secondImport.stdout}${secondImport.stderr}`).not.toMatch(/SQLITE_|internal error/);
      if (secondImport.code !== 0) {
        expect(secondImport.code).toBe(1);
        expect(secondImport.stderr).toMatch(/the store is busy/);
      }
      const first = await importing;
      expect(first.code, first.stderr).toBe(0);
    } finally {
      await client.close();
      await server.close();
      await store.close();
    }
  }, 180_000);
});

describe("many readers with different as-of dates", () => {
  it("never evicts a score set a running call is reading", async () => {
    const harness = await createMcpHarness();
    try {
      const asOfs = Array.from({ length: 8 }, (_, i) => `2026-0${1 + (i % 6)}-${10 + i}`);
      const results = await Promise.all(
        Array.from({ length: 40 }, (_, i) =>
          harness.call(i % 2 ? "get_customer" : "find_at_risk_customers", {
            as_of: asOfs[i % asOfs.length],
            ...(i % 2 ? { customer_id: `C000${10 + (i % 50)}` } : { limit: 10 }),
          }),
        ),
      );
      for (const result of results) {
        expect(result.isError ?? false, textOf(result)).toBe(false);
        expect(textOf(result)).not.toMatch(/no cached score/);
      }
    } finally {
      await harness.close();
    }
  }, 120_000);
});
