/**
 * Scoring at scale on a generated book (issue 10): seeding, the first scoring, a rescore after a
 * day change (fits reused), a rescore that refits, the model math alone on the same customers in
 * the same run, a logged interaction followed by the at-risk list over MCP, and the bytes per
 * customer of the store and of one score set. Each phase runs in its own process, so its peak
 * RSS is its own. Each scoring also reports the longest its event loop went without a turn: how
 * long a tool call arriving meanwhile could wait in a server doing the same.
 *
 *   npm run bench:scale                          # 100,000 customers
 *   BENCH_CUSTOMERS=1000000 npm run bench:scale  # a million
 */
import { execFileSync } from "node:child_process";
import { existsSync, mkdtempSync, readFileSync, rmSync, statSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { Client } from "@modelcontextprotocol/sdk/client/index.js";
import { StdioClientTransport } from "@modelcontextprotocol/sdk/client/stdio.js";
import { lifetimeValueColumns } from "../core/clv.js";
import { fitGammaGamma } from "../core/gammaGamma.js";
import { fitPurchaseModel } from "../core/purchaseModel.js";
import { seedDemo } from "../mcp-server/demo/seed.js";
import { churnProbabilityOf } from "../mcp-server/scoring/churnModel.js";
import { churnStateOf } from "../mcp-server/scoring/explain.js";
import { ensureScores } from "../mcp-server/scoring/scoreCache.js";
import { SCORING_DEFAULTS } from "../mcp-server/scoring/settings.js";
import { scoresTable } from "../mcp-server/store/setTables.js";
import { Store } from "../mcp-server/store/store.js";

const CUSTOMERS = Number(process.env.BENCH_CUSTOMERS ?? 100_000);
const AS_OF = "2026-06-30";
/** The last day the bench scores: its set is the one the write and the reads after it use. */
const LAST_DAY = "2026-08-02";
const end = (day: string) => new Date(`${day}T23:59:59Z`);

function peakMb(): number {
  const status = readFileSync("/proc/self/status", "utf8");
  return Number(/^VmHWM:\s+(\d+) kB/m.exec(status)?.[1] ?? NaN) / 1024;
}

/**
 * Watches the event loop from now until the returned function is called, which gives the longest
 * it went without a turn: how long a tool call arriving meanwhile could have waited.
 */
function watchEventLoop(): () => number {
  let last = performance.now();
  let longest = 0;
  const timer = setInterval(() => {
    const now = performance.now();
    longest = Math.max(longest, now - last);
    last = now;
  }, 5);
  return () => {
    clearInterval(timer);
    return Math.max(longest, performance.now() - last);
  };
}

/** One phase, run in this process when called as `scale.ts <phase> <db>`. */
async function phase(name: string, path: string): Promise<Record<string, unknown>> {
  const started = performance.now();
  const seconds = () => (performance.now() - started) / 1000;
  const store = await Store.open(path);
  try {
    if (name === "seed") {
      await seedDemo(store, { seed: 7, customers: CUSTOMERS, asOf: end(AS_OF) });
      return { seconds: seconds(), transactions: (await store.counts()).transactions };
    }
    if (name.startsWith("score:")) {
      const longestBlock = watchEventLoop();
      const set = await ensureScores(store, end(name.slice(6)));
      return {
        seconds: seconds(),
        longestBlockMs: longestBlock(),
        reused: set.models.fit.reused,
        carried: set.models.inputsCarried?.customers ?? 0,
        model: set.models.churn.purchaseModel?.kind,
      };
    }
    if (name === "core") return await coreAlone(store);
    throw new Error(`unknown phase ${name}`);
  } finally {
    await store.close();
  }
}

/**
 * The model math alone on the same customers, data already in memory: the purchase model and
 * Gamma-Gamma fitted, CLV and the churn probability of every customer. What scoring adds on top
 * is reading the book, the calibration windows and writing the set.
 */
async function coreAlone(store: Store): Promise<Record<string, unknown>> {
  const set = await ensureScores(store, end(AS_OF));
  const rows = await store.db.all<Record<string, number | string | null>>(
    `SELECT * FROM ${scoresTable(set.id)} WHERE churn_probability IS NOT NULL`,
  );
  const started = performance.now();
  const kind = set.models.churn.purchaseModel?.kind ?? "bg-nbd";
  const fitRows = rows
    .filter((row) => Number(row.t) > 0)
    .map((row) => ({ x: Number(row.x), tx: Number(row.tx), T: Number(row.t) }));
  const model = fitPurchaseModel(kind, fitRows);
  const gammaGamma = fitGammaGamma(
    rows
      .filter((row) => Number(row.x) > 0 && Number(row.monetary) > 0)
      .map((row) => ({ x: Number(row.x), monetary: Number(row.monetary) })),
  );
  const column = (name: string) => Float64Array.from(rows, (row) => Number(row[name]));
  lifetimeValueColumns(
    model,
    gammaGamma,
    {
      x: column("x"),
      tx: column("tx"),
      T: column("t"),
      monetary: column("monetary"),
      margin: column("margin_rate"),
    },
    { ...SCORING_DEFAULTS, unit: "days" },
  );
  const churn = churnProbabilityOf(set.models.churn, Math.floor(end(AS_OF).getTime() / 86_400_000));
  let sum = 0;
  for (const row of rows) {
    sum += churn(
      churnStateOf({
        x: Number(row.x),
        tx: Number(row.tx),
        T: Number(row.t),
        averageSpend: Number(row.average_spend),
        latestNps: row.latest_nps === null ? null : Number(row.latest_nps),
        feedbackCount: Number(row.feedback_count),
        negativeFeedbackCount: Number(row.negative_feedback_count),
        openComplaints: Number(row.open_complaints),
        lastInteraction: row.last_interaction as string | null,
        daysSinceLastPurchase: Number(row.days_since_last_purchase),
        typicalGapDays: row.typical_gap_days === null ? null : Number(row.typical_gap_days),
        spendTrend: row.spend_trend === null ? null : Number(row.spend_trend),
      } as never),
    );
  }
  return {
    seconds: (performance.now() - started) / 1000,
    customers: rows.length,
    meanChurn: sum / rows.length,
  };
}

function runPhase(name: string, path: string): Record<string, unknown> & { peakMb: number } {
  const out = execFileSync(process.execPath, ["--import", "tsx", "bench/scale.ts", name, path], {
    encoding: "utf8",
    stdio: ["ignore", "pipe", "inherit"],
    maxBuffer: 1 << 20,
  });
  return JSON.parse(out.trim().split("\n").at(-1)!);
}

function percentile(sorted: number[], share: number): number {
  return sorted[Math.min(sorted.length - 1, Math.floor(share * sorted.length))];
}

/** log_interaction then find_at_risk_customers over stdio, timed: the write is carried, not rescored. */
async function writeThenRead(path: string, day: string): Promise<string[]> {
  const client = new Client({ name: "bench-scale", version: "1.0.0" });
  await client.connect(
    new StdioClientTransport({
      command: process.execPath,
      args: ["dist/server.js", "--db", path, "--allow-writes"],
      stderr: "ignore",
    }),
  );
  const atRisk = () =>
    client.callTool({ name: "find_at_risk_customers", arguments: { as_of: day, limit: 20 } });
  await atRisk();
  const writes: number[] = [];
  const reads: number[] = [];
  let staleOrRecomputed = 0;
  for (let i = 0; i < 30; i++) {
    let started = performance.now();
    await client.callTool({
      name: "log_interaction",
      arguments: {
        customer_id: `C${String(1 + ((i * 7919) % CUSTOMERS)).padStart(5, "0")}`,
        channel: "phone",
        summary: "bench call",
        occurred_at: `${day}T10:00:00Z`,
      },
    });
    writes.push(performance.now() - started);
    started = performance.now();
    const result = (await atRisk()) as { structuredContent?: { scores?: { stale?: boolean } } };
    reads.push(performance.now() - started);
    if (result.structuredContent?.scores?.stale) staleOrRecomputed++;
  }
  await client.close();
  writes.sort((a, b) => a - b);
  reads.sort((a, b) => a - b);
  return [
    `log_interaction (carries the cached set): p50 ${percentile(writes, 0.5).toFixed(1)} ms, p95 ${percentile(writes, 0.95).toFixed(1)} ms`,
    `find_at_risk_customers right after it: p50 ${percentile(reads, 0.5).toFixed(1)} ms, p95 ${percentile(reads, 0.95).toFixed(1)} ms (${staleOrRecomputed} of 30 answers stale)`,
  ];
}

async function sizes(path: string): Promise<string[]> {
  const store = await Store.open(path);
  try {
    const sets = await store.db.get<{ sets: number; rows: number }>(
      "SELECT COUNT(DISTINCT score_set_id) AS sets, COUNT(*) AS rows FROM customer_scores",
    );
    const bytes = await store.db.all<{ name: string; bytes: number }>(
      "SELECT name, SUM(pgsize) AS bytes FROM dbstat GROUP BY name",
    );
    const scoreBytes = bytes
      .filter((row) => row.name === "customer_scores" || row.name.startsWith("customer_scores_"))
      .reduce((sum, row) => sum + row.bytes, 0);
    const total = bytes.reduce((sum, row) => sum + row.bytes, 0);
    return [
      `store: ${(statSync(path).size / 1e6).toFixed(0)} MB on disk; ${((total - scoreBytes) / CUSTOMERS).toFixed(0)} bytes per customer without score sets`,
      `score sets: ${sets!.sets} kept, ${(scoreBytes / Math.max(1, sets!.rows)).toFixed(0)} bytes per customer per set (table and indexes)`,
    ];
  } finally {
    await store.close();
  }
}

async function main(): Promise<void> {
  const [name, path] = process.argv.slice(2);
  if (name) {
    const result = await phase(name, path);
    console.log(JSON.stringify({ ...result, peakMb: peakMb() }));
    return;
  }
  if (!existsSync("dist/server.js")) throw new Error("build first: npm run build");
  const folder = mkdtempSync(join(tmpdir(), "crm-bench-scale-"));
  const db = join(folder, "crm.db");
  try {
    const report = (label: string, result: Record<string, unknown> & { peakMb: number }) =>
      console.log(
        `${label.padEnd(44)} ${Number(result.seconds).toFixed(2).padStart(8)} s   peak RSS ${result.peakMb.toFixed(0).padStart(5)} MB` +
          (result.reused !== undefined ? `   fits ${result.reused ? "reused" : "refitted"}` : "") +
          (Number(result.carried) > 0
            ? `, ${Number(result.carried).toLocaleString("en-US")} customers carried over`
            : "") +
          (result.longestBlockMs !== undefined
            ? `; event loop held at most ${Number(result.longestBlockMs).toFixed(0)} ms`
            : ""),
      );
    console.log(`${CUSTOMERS.toLocaleString("en-US")} customers (node ${process.version}, default heap)`);
    const seed = runPhase("seed", db);
    report(`seed (${Number(seed.transactions).toLocaleString("en-US")} transactions)`, seed);
    const first = runPhase(`score:${AS_OF}`, db);
    const firstDone = Date.now();
    report("first scoring (fits made)", first);
    const day = runPhase("score:2026-07-01", db);
    report("rescore after a day change", day);
    const core = runPhase("core", db);
    report("model math alone, same customers", core);
    const refit = runPhase("score:2026-07-31", db);
    report("rescore 31 days on (refits)", refit);
    report("rescore the next day", runPhase("score:2026-08-01", db));
    // The store keeps the newest four sets: the next one drops the first, as every day does once a
    // store has four, unless it was computed in the last minute (it may still be read).
    const graceLeft = firstDone + 61_000 - Date.now();
    if (graceLeft > 0) await new Promise((resolve) => setTimeout(resolve, graceLeft));
    const steady = runPhase(`score:${LAST_DAY}`, db);
    report("rescore the day after, oldest set dropped", steady);
    console.log(
      `ratios in this run: day-change rescore / core ${(Number(day.seconds) / Number(core.seconds)).toFixed(1)}x (with the oldest set dropped ${(Number(steady.seconds) / Number(core.seconds)).toFixed(1)}x), refit rescore / core ${(Number(refit.seconds) / Number(core.seconds)).toFixed(1)}x`,
    );
    // On the newest set: the first one is no longer kept.
    for (const line of await writeThenRead(db, LAST_DAY)) console.log(line);
    for (const line of await sizes(db)) console.log(line);
  } finally {
    rmSync(folder, { recursive: true, force: true });
  }
}

main().catch((error) => {
  console.error(error);
  process.exit(1);
});
