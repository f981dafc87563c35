/**
 * MCP round-trip latency over stdio on a large store: every read tool that answers about the
 * whole book (segments of each kind, the portfolio overview, the feedback summary, CLV of a
 * segment, search) and `find_at_risk_customers`, next to the floor: `server_status`, a trivial
 * tool (three one-row queries; same validation and framing as any tool call), and `ping`, which
 * the protocol answers without reaching a tool.
 *
 * Each request is timed once on the fresh server (the first call: what a new score set or a
 * changed book costs, before anything is remembered), then after a warm-up `--calls` times (p50,
 * p95). The server's resident memory is read at the end (current and peak, Linux only).
 *
 *   npm run bench:mcp                                   100,000 customers, seeded in a temp folder
 *   npm run bench:mcp -- --customers 1000000            a million (seeding takes minutes)
 *   npm run bench:mcp -- --db ~/big.db                  an existing store, left as it is found
 *   npm run bench:mcp -- --sql proposed-indexes.sql     run SQL on the store first (try an index
 *                                                       before it becomes a migration)
 *
 * Also `--calls N` (default 300). BENCH_CUSTOMERS and BENCH_CALLS still work.
 *
 *   npm run bench:mcp -- --after-write                  then log one interaction and time each request
 *                                                       once more: what the first call after a team
 *                                                       member's write costs (writes to the store:
 *                                                       with --db, give it a copy)
 *   npm run bench:mcp -- --concurrent                   on a fresh server, find_at_risk_customers asked
 *                                                       again and again while the first
 *                                                       portfolio_overview is computed
 */
import { existsSync, mkdtempSync, readFileSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { Client } from "@modelcontextprotocol/sdk/client/index.js";
import { StdioClientTransport } from "@modelcontextprotocol/sdk/client/stdio.js";
import { seedDemo } from "../mcp-server/demo/seed.js";
import { ensureScores } from "../mcp-server/scoring/scoreCache.js";
import { Store } from "../mcp-server/store/store.js";

const AS_OF = "2026-06-30";

interface Options {
  customers: number;
  calls: number;
  db?: string;
  sql?: string;
  afterWrite: boolean;
  concurrent: boolean;
}

function parseOptions(argv: readonly string[]): Options {
  const options: Options = {
    customers: Number(process.env.BENCH_CUSTOMERS ?? 100_000),
    calls: Number(process.env.BENCH_CALLS ?? 300),
    afterWrite: false,
    concurrent: false,
  };
  for (let i = 0; i < argv.length; i++) {
    const [flag, value] = [argv[i], argv[i + 1]];
    if (flag === "--after-write" || flag === "--concurrent") {
      options[flag === "--after-write" ? "afterWrite" : "concurrent"] = true;
      continue;
    }
    if (value === undefined) throw new Error(`${flag} needs a value`);
    if (flag === "--customers") options.customers = Number(value);
    else if (flag === "--calls") options.calls = Number(value);
    else if (flag === "--db") options.db = value;
    else if (flag === "--sql") options.sql = value;
    else
      throw new Error(
        `unknown option ${flag}; use --customers N, --calls N, --db PATH, --sql FILE, --after-write or --concurrent`,
      );
    i++;
  }
  for (const name of ["customers", "calls"] as const) {
    if (!Number.isInteger(options[name]) || options[name] < 1) {
      throw new Error(`--${name} must be a whole number >= 1, got ${options[name]}`);
    }
  }
  return options;
}

function percentile(sorted: number[], share: number): number {
  return sorted[Math.min(sorted.length - 1, Math.floor(share * sorted.length))];
}

interface Timing {
  first: number;
  sorted: number[];
}

async function time(calls: number, call: () => Promise<unknown>): Promise<Timing> {
  let started = performance.now();
  await call();
  const first = performance.now() - started;
  for (let i = 0; i < 20; i++) await call(); // warm-up
  const samples: number[] = [];
  for (let i = 0; i < calls; i++) {
    started = performance.now();
    await call();
    samples.push(performance.now() - started);
  }
  return { first, sorted: samples.sort((a, b) => a - b) };
}

/** Current and peak resident memory of a process in MB, from /proc (Linux). */
function memoryOf(pid: number | null): { rss: number; peak: number } | null {
  if (pid === null || !existsSync(`/proc/${pid}/status`)) return null;
  const status = readFileSync(`/proc/${pid}/status`, "utf8");
  const kb = (field: string) => Number(new RegExp(`^${field}:\\s+(\\d+) kB`, "m").exec(status)?.[1] ?? NaN);
  return { rss: kb("VmRSS") / 1024, peak: kb("VmHWM") / 1024 };
}

/** Seeds a demo book of `customers` into a new store at `path` and scores it. */
async function seedStore(path: string, customers: number): Promise<void> {
  let started = performance.now();
  const store = await Store.open(path);
  try {
    const written = await seedDemo(store, {
      seed: 7,
      customers,
      asOf: new Date(`${AS_OF}T23:59:59Z`),
    });
    const seedSeconds = (performance.now() - started) / 1000;
    started = performance.now();
    const set = await ensureScores(store, new Date(`${AS_OF}T23:59:59Z`));
    console.log(
      `store: ${customers.toLocaleString()} customers, ${written.transactions.toLocaleString()} orders (seeded in ${seedSeconds.toFixed(1)} s); ` +
        `scores computed and cached in ${((performance.now() - started) / 1000).toFixed(1)} s (${set.customers.toLocaleString()} customers)`,
    );
  } finally {
    await store.close();
  }
}

/** Runs extra SQL on the store, then makes sure the bench's score set is cached. */
async function prepareStore(path: string, sql: string | undefined): Promise<void> {
  const store = await Store.open(path);
  try {
    if (sql) {
      const started = performance.now();
      await store.db.exec(readFileSync(sql, "utf8"));
      console.log(`ran ${sql} in ${((performance.now() - started) / 1000).toFixed(1)} s`);
    }
    const started = performance.now();
    const set = await ensureScores(store, new Date(`${AS_OF}T23:59:59Z`));
    const seconds = (performance.now() - started) / 1000;
    if (seconds > 1) console.log(`scores computed and cached in ${seconds.toFixed(1)} s`);
    const counts = await store.counts();
    console.log(
      `store: ${counts.customers.toLocaleString()} customers, ${counts.transactions.toLocaleString()} transactions, ` +
        `${counts.feedback.toLocaleString()} feedback rows; score set of ${set.customers.toLocaleString()} customers`,
    );
  } finally {
    await store.close();
  }
}

/** The requests timed, after the floor: name and tool call. */
const REQUESTS: { name: string; tool: string; arguments: Record<string, unknown> }[] = [
  { name: "find_at_risk_customers limit 20", tool: "find_at_risk_customers", arguments: { limit: 20 } },
  {
    name: "find_at_risk_customers owner + stage filter",
    tool: "find_at_risk_customers",
    arguments: { limit: 20, owner: "Chen Jing", lifecycle_stage: "decline" },
  },
  { name: "segment_customers rfm", tool: "segment_customers", arguments: { by: "rfm" } },
  {
    name: "segment_customers rfm, one owner",
    tool: "segment_customers",
    arguments: { by: "rfm", owner: "Chen Jing" },
  },
  { name: "segment_customers lifecycle", tool: "segment_customers", arguments: { by: "lifecycle" } },
  { name: "segment_customers abc", tool: "segment_customers", arguments: { by: "abc" } },
  { name: "segment_customers value_matrix", tool: "segment_customers", arguments: { by: "value_matrix" } },
  { name: "segment_customers kmeans", tool: "segment_customers", arguments: { by: "kmeans" } },
  { name: "portfolio_overview", tool: "portfolio_overview", arguments: {} },
  { name: "portfolio_overview one owner", tool: "portfolio_overview", arguments: { owner: "Chen Jing" } },
  {
    name: "summarise_feedback (90 days, template)",
    tool: "summarise_feedback",
    arguments: { prefer: "template" },
  },
  {
    name: "summarise_feedback at-risk segment",
    tool: "summarise_feedback",
    arguments: { segment: "at-risk", prefer: "template" },
  },
  { name: "compute_clv segment champions", tool: "compute_clv", arguments: { segment: "champions" } },
  {
    name: "compute_clv champions 36 months, 25% margin",
    tool: "compute_clv",
    arguments: { segment: "champions", horizon_months: 36, margin: 0.25 },
  },
  {
    name: "compute_clv lifecycle stage decline",
    tool: "compute_clv",
    arguments: { lifecycle_stage: "decline" },
  },
  { name: "search_customers text 'chen'", tool: "search_customers", arguments: { query: "chen" } },
  { name: "search_customers text 'Trading'", tool: "search_customers", arguments: { query: "Trading" } },
  { name: "search_customers 2 characters '王伟'", tool: "search_customers", arguments: { query: "王伟" } },
  { name: "search_customers segment lost", tool: "search_customers", arguments: { segment: "lost" } },
  { name: "list_tickets limit 20", tool: "list_tickets", arguments: { limit: 20 } },
  { name: "list_tickets overdue", tool: "list_tickets", arguments: { overdue: true, limit: 20 } },
  {
    name: "list_tickets one owner, open",
    tool: "list_tickets",
    arguments: { owner: "Chen Jing", status: "open", limit: 20 },
  },
  // list_tasks is as of today by the server's clock (it takes no as_of); its first call runs the playbooks.
  { name: "list_tasks due today", tool: "list_tasks", arguments: { limit: 20 } },
  {
    name: "list_tasks one owner, all",
    tool: "list_tasks",
    arguments: { owner: "Chen Jing", due: "all", limit: 20 },
  },
];

/**
 * On a fresh server: the first portfolio_overview, and find_at_risk_customers asked one call after
 * another until it is answered. Their latencies (sorted) say whether a long aggregate holds up the
 * interactive calls.
 */
async function atRiskMeanwhile(path: string): Promise<{ overview: number; calls: number[] }> {
  const client = new Client({ name: "bench", version: "1.0.0" });
  await client.connect(
    new StdioClientTransport({
      command: process.execPath,
      args: ["dist/server.js", "--db", path],
      stderr: "ignore",
    }),
  );
  try {
    const atRisk = () =>
      client.callTool({ name: "find_at_risk_customers", arguments: { as_of: AS_OF, limit: 20 } });
    await atRisk();
    let done = false;
    const started = performance.now();
    const overview = client
      .callTool({ name: "portfolio_overview", arguments: { as_of: AS_OF } }, undefined, { timeout: 300_000 })
      .then(() => {
        done = true;
        return performance.now() - started;
      });
    const calls: number[] = [];
    while (!done) {
      const asked = performance.now();
      await atRisk();
      calls.push(performance.now() - asked);
    }
    return { overview: await overview, calls: calls.sort((a, b) => a - b) };
  } finally {
    await client.close();
  }
}

async function main(): Promise<void> {
  const options = parseOptions(process.argv.slice(2));
  if (!existsSync("dist/server.js")) throw new Error("build first: npm run build");
  const folder = options.db ? undefined : mkdtempSync(join(tmpdir(), "crm-bench-mcp-"));
  try {
    const path = options.db ?? join(folder!, "crm.db");
    if (!options.db) await seedStore(path, options.customers);
    await prepareStore(path, options.sql);

    const transport = new StdioClientTransport({
      command: process.execPath,
      args: ["dist/server.js", "--db", path, ...(options.afterWrite ? ["--allow-writes"] : [])],
      stderr: "ignore",
    });
    const client = new Client({ name: "bench", version: "1.0.0" });
    await client.connect(transport);
    const call = (tool: string, args: Record<string, unknown>) => async () => {
      const result = await client.callTool({ name: tool, arguments: { as_of: AS_OF, ...args } });
      if (result.isError)
        throw new Error(`${tool} ${JSON.stringify(args)}: ${JSON.stringify(result.content)}`);
    };
    const ping = await time(options.calls, () => client.ping());
    const floor = await time(options.calls, () => client.callTool({ name: "server_status", arguments: {} }));
    const timings: [string, Timing][] = [];
    for (const request of REQUESTS) {
      const timing = await time(options.calls, call(request.tool, request.arguments));
      timings.push([request.name, timing]);
      // As each finishes, so a long run shows where it is (the table follows at the end).
      console.error(`${request.name}: first ${timing.first.toFixed(1)} ms`);
    }
    // One logged interaction carries the score set over to a new data version: every request once
    // more, as the first call after a colleague's write meets it.
    const afterWrite = new Map<string, number>();
    if (options.afterWrite) {
      const customer = await client.callTool({
        name: "find_at_risk_customers",
        arguments: { as_of: AS_OF, limit: 1 },
      });
      const id = (customer.structuredContent as { customers: { customer: { customer_id: string } }[] })
        .customers[0].customer.customer_id;
      const wrote = await client.callTool({
        name: "log_interaction",
        arguments: {
          customer_id: id,
          channel: "phone",
          summary: "bench call",
          occurred_at: `${AS_OF}T10:00:00Z`,
        },
      });
      if (wrote.isError) throw new Error(`log_interaction: ${JSON.stringify(wrote.content)}`);
      for (const request of REQUESTS) {
        const started = performance.now();
        await call(request.tool, request.arguments)();
        afterWrite.set(request.name, performance.now() - started);
        console.error(`${request.name}: after a write ${afterWrite.get(request.name)!.toFixed(1)} ms`);
      }
    }
    const memory = memoryOf(transport.pid);
    await client.close();
    const meanwhile = options.concurrent ? await atRiskMeanwhile(path) : null;

    const written = (name: string) =>
      options.afterWrite ? ` ${(afterWrite.get(name)?.toFixed(1) ?? "").padStart(12)}` : "";
    const row = (name: string, { first, sorted }: Timing) =>
      `${name.padEnd(46)} ${first.toFixed(1).padStart(9)} ${percentile(sorted, 0.5).toFixed(2).padStart(8)} ${percentile(sorted, 0.95).toFixed(2).padStart(8)} ${(percentile(sorted, 0.95) / percentile(floor.sorted, 0.95)).toFixed(1).padStart(8)}x${written(name)}`;
    console.log(
      `\nover stdio (ms): the first call on a fresh server, then ${options.calls} calls each after a warm-up`,
    );
    console.log(
      `${"request".padEnd(46)} ${"first".padStart(9)} ${"p50".padStart(8)} ${"p95".padStart(8)} ${"p95/floor".padStart(9)}${options.afterWrite ? " after write".padStart(13) : ""}`,
    );
    console.log(row("ping (protocol request, no tool)", ping));
    console.log(row("server_status (trivial tool: the floor)", floor));
    for (const [name, timing] of timings) console.log(row(name, timing));
    if (meanwhile) {
      console.log(
        `\nwhile the first portfolio_overview ran (${meanwhile.overview.toFixed(0)} ms): ${meanwhile.calls.length} find_at_risk_customers calls, ` +
          `p50 ${percentile(meanwhile.calls, 0.5).toFixed(1)} ms, max ${meanwhile.calls.at(-1)!.toFixed(1)} ms`,
      );
    }
    if (memory) {
      console.log(
        `\nserver memory: ${memory.rss.toFixed(0)} MB resident at the end, ${memory.peak.toFixed(0)} MB peak`,
      );
    }
    console.log(
      "\ntargets: find_at_risk_customers p95 < 50 ms and within 5x of the floor; every read tool p95 < 300 ms at 100k customers " +
        "and < 1.5 s at 1M; server memory < 1 GB at 1M",
    );
  } finally {
    if (folder) rmSync(folder, { recursive: true, force: true });
  }
}

main().catch((error) => {
  console.error(error);
  process.exit(1);
});
