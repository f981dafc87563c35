/**
 * MCP round-trip latency over stdio on a large store: `find_at_risk_customers` next to the
 * floor: `server_status`, a trivial tool (three one-row queries; same validation and framing as
 * any tool call), and `ping`, which the protocol answers without reaching a tool.
 * Run with `npm run bench:mcp`; set BENCH_CUSTOMERS to change the book size (default 100,000).
 */
import { existsSync, mkdtempSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { Client } from "@modelcontextprotocol/sdk/client/index.js";
import { StdioClientTransport } from "@modelcontextprotocol/sdk/client/stdio.js";
import { seedDemo } from "../mcp-server/demo/seed.js";
import { ensureScores } from "../mcp-server/scoring/scoreCache.js";
import { Store } from "../mcp-server/store/store.js";

const CUSTOMERS = Number(process.env.BENCH_CUSTOMERS ?? 100_000);
const CALLS = Number(process.env.BENCH_CALLS ?? 300);
const AS_OF = "2026-06-30";

function percentile(sorted: number[], share: number): number {
  return sorted[Math.min(sorted.length - 1, Math.floor(share * sorted.length))];
}

async function time(calls: number, call: () => Promise<unknown>): Promise<number[]> {
  for (let i = 0; i < 20; i++) await call(); // warm-up
  const samples: number[] = [];
  for (let i = 0; i < calls; i++) {
    const started = performance.now();
    await call();
    samples.push(performance.now() - started);
  }
  return samples.sort((a, b) => a - b);
}

async function main(): Promise<void> {
  if (!existsSync("dist/server.js")) throw new Error("build first: npm run build");
  const folder = mkdtempSync(join(tmpdir(), "crm-bench-mcp-"));
  try {
    const path = join(folder, "crm.db");
    let started = performance.now();
    const store = await Store.open(path);
    const book = await seedDemo(store, {
      seed: 7,
      customers: CUSTOMERS,
      asOf: new Date(`${AS_OF}T23:59:59Z`),
    });
    const seedSeconds = (performance.now() - started) / 1000;
    started = performance.now();
    const set = await ensureScores(store, new Date(`${AS_OF}T23:59:59Z`));
    const scoreSeconds = (performance.now() - started) / 1000;
    await store.close();
    console.log(
      `store: ${CUSTOMERS.toLocaleString()} customers, ${book.transactions.length.toLocaleString()} orders (seeded in ${seedSeconds.toFixed(1)} s); ` +
        `scores computed and cached in ${scoreSeconds.toFixed(1)} s (${set.customers.toLocaleString()} customers)`,
    );

    const client = new Client({ name: "bench", version: "1.0.0" });
    await client.connect(
      new StdioClientTransport({
        command: process.execPath,
        args: ["dist/server.js", "--db", path],
        stderr: "ignore",
      }),
    );
    const ping = await time(CALLS, () => client.ping());
    const floor = await time(CALLS, () => client.callTool({ name: "server_status", arguments: {} }));
    const atRisk = await time(CALLS, () =>
      client.callTool({ name: "find_at_risk_customers", arguments: { as_of: AS_OF, limit: 20 } }),
    );
    const filtered = await time(CALLS, () =>
      client.callTool({
        name: "find_at_risk_customers",
        arguments: { as_of: AS_OF, limit: 20, owner: "Chen Jing", lifecycle_stage: "decline" },
      }),
    );
    await client.close();

    const row = (name: string, samples: number[]) =>
      `${name.padEnd(52)} ${percentile(samples, 0.5).toFixed(2).padStart(8)} ${percentile(samples, 0.95).toFixed(2).padStart(8)} ${(percentile(samples, 0.95) / percentile(floor, 0.95)).toFixed(1).padStart(8)}x`;
    console.log(`\n${CALLS} calls each over stdio (ms)`);
    console.log(
      `${"request".padEnd(52)} ${"p50".padStart(8)} ${"p95".padStart(8)} ${"p95/floor".padStart(9)}`,
    );
    console.log(row("ping (protocol request, no tool)", ping));
    console.log(row("server_status (trivial tool: the floor)", floor));
    console.log(row("find_at_risk_customers limit 20", atRisk));
    console.log(row("find_at_risk_customers owner + stage filter", filtered));
    console.log(`\ntarget: find_at_risk_customers p95 < 50 ms and within 5x of the floor`);
  } finally {
    rmSync(folder, { recursive: true, force: true });
  }
}

main().catch((error) => {
  console.error(error);
  process.exit(1);
});
