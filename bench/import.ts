/**
 * Import throughput: rows per second and peak memory for `importFile` on the CDNOW master
 * file (when the shared datasets are present) and on a generated 1,000,000-row transactions CSV.
 *
 *   npx tsx bench/import.ts [--rows 1000000] [--customers 50000] [--keep]
 *
 * Each import runs in its own child process on a fresh database, so "peak RSS" is that
 * import's own high-water mark and not the generator's or an earlier run's.
 */
import { fork } from "node:child_process";
import { once } from "node:events";
import { createWriteStream, existsSync, mkdtempSync, rmSync, statSync } from "node:fs";
import { tmpdir } from "node:os";
import { join, resolve } from "node:path";
import { importFile, type ImportOptions } from "../mcp-server/import/importFile.js";
import { Store } from "../mcp-server/store/store.js";

interface CaseResult {
  name: string;
  rows: number;
  stored: number;
  seconds: number;
  peakRssMb: number;
  fileMb: number;
}

type CaseSpec = { name: string } & Pick<ImportOptions, "file" | "format" | "kind">;

function option(name: string, fallback: number): number {
  const index = process.argv.indexOf(name);
  return index === -1 ? fallback : Number(process.argv[index + 1]);
}

/**
 * Writes `rows` transaction lines for `customers` customers over 2022-2023. One line in five is
 * a second line item of the order before it (same order id), as in retail exports.
 */
async function generateTransactions(path: string, rows: number, customers: number): Promise<void> {
  const out = createWriteStream(path);
  out.write("OrderID,CustomerID,OrderDate,Quantity,Amount,Channel\n");
  const channels = ["online", "store", "phone"];
  let order = 0;
  let seed = 42;
  // A small LCG keeps the file identical between runs without importing the core's random stream.
  const random = () => (seed = (seed * 1_103_515_245 + 12_345) % 2 ** 31) / 2 ** 31;
  let chunk = "";
  for (let i = 0; i < rows; i++) {
    if (i % 5 !== 1) order++;
    const customer = (order * 7_919) % customers;
    const day = new Date(
      Date.UTC(2022, 0, 1) + (order % 730) * 86_400_000 + Math.floor(random() * 86_400) * 1000,
    );
    const quantity = 1 + Math.floor(random() * 4);
    const amount = (quantity * (5 + random() * 95)).toFixed(2);
    chunk += `ORD-${order},CUST-${customer},${day.toISOString().slice(0, 19)}Z,${quantity},${amount},${channels[order % 3]}\n`;
    if (chunk.length > 1 << 20) {
      if (!out.write(chunk)) await once(out, "drain");
      chunk = "";
    }
  }
  out.end(chunk);
  await once(out, "finish");
}

/** Child process: imports one file into a fresh store and reports timing and peak memory. */
async function runCase(spec: CaseSpec, dir: string): Promise<CaseResult> {
  const dbPath = join(dir, `${spec.name.replace(/\W+/g, "-")}.db`);
  const store = await Store.open(dbPath);
  try {
    const started = performance.now();
    const report = await importFile(store, { kind: spec.kind, file: spec.file, format: spec.format });
    const seconds = (performance.now() - started) / 1000;
    if (!report.committed) throw new Error(`import failed: ${JSON.stringify(report.errors.slice(0, 3))}`);
    const counts = await store.counts();
    return {
      name: spec.name,
      rows: report.rowsRead,
      stored: counts.transactions,
      seconds,
      peakRssMb: process.resourceUsage().maxRSS / 1024,
      fileMb: statSync(spec.file).size / 1e6,
    };
  } finally {
    await store.close();
    for (const suffix of ["", "-wal", "-shm"]) rmSync(dbPath + suffix, { force: true });
  }
}

function inChild(spec: CaseSpec, dir: string): Promise<CaseResult> {
  return new Promise((resolvePromise, reject) => {
    const child = fork(__filename, ["--child", JSON.stringify({ spec, dir })], { stdio: "inherit" });
    let result: CaseResult | undefined;
    child.on("message", (message) => (result = message as CaseResult));
    child.on("error", reject);
    child.on("exit", (code) =>
      result && code === 0 ? resolvePromise(result) : reject(new Error(`${spec.name}: child exited ${code}`)),
    );
  });
}

function printTable(results: readonly CaseResult[]): void {
  const header = ["file", "MB", "rows read", "stored", "seconds", "rows/s", "peak RSS MB"];
  const body = results.map((result) => [
    result.name,
    result.fileMb.toFixed(1),
    result.rows.toLocaleString("en-US"),
    result.stored.toLocaleString("en-US"),
    result.seconds.toFixed(2),
    Math.round(result.rows / result.seconds).toLocaleString("en-US"),
    result.peakRssMb.toFixed(0),
  ]);
  const widths = header.map((title, column) =>
    Math.max(title.length, ...body.map((row) => row[column].length)),
  );
  const line = (cells: string[]) =>
    cells
      .map((cell, column) => (column === 0 ? cell.padEnd(widths[column]) : cell.padStart(widths[column])))
      .join("  ");
  console.log(line(header));
  console.log(line(widths.map((width) => "-".repeat(width))));
  for (const row of body) console.log(line(row));
}

async function main(): Promise<void> {
  const childIndex = process.argv.indexOf("--child");
  if (childIndex !== -1) {
    const { spec, dir } = JSON.parse(process.argv[childIndex + 1]) as { spec: CaseSpec; dir: string };
    process.send!(await runCase(spec, dir));
    return;
  }

  const rows = option("--rows", 1_000_000);
  const customers = option("--customers", 50_000);
  const dir = mkdtempSync(join(tmpdir(), "crm-bench-import-"));
  const cases: CaseSpec[] = [];
  try {
    const datasets = process.env.CRM_DATASETS_DIR ?? resolve(__dirname, "..", "..", "shared", "datasets");
    const cdnow = join(datasets, "cdnow", "CDNOW_master.txt");
    if (existsSync(cdnow))
      cases.push({ name: "CDNOW_master.txt", kind: "transactions", file: cdnow, format: "whitespace" });
    else console.log(`(skipping CDNOW: ${cdnow} not found; set CRM_DATASETS_DIR)`);

    const generated = join(dir, "transactions.csv");
    const started = performance.now();
    await generateTransactions(generated, rows, customers);
    console.log(
      `generated ${rows.toLocaleString("en-US")} rows for ${customers.toLocaleString("en-US")} customers in ${((performance.now() - started) / 1000).toFixed(1)} s`,
    );
    cases.push({
      name: `generated ${rows.toLocaleString("en-US")} rows`,
      kind: "transactions",
      file: generated,
      format: "csv",
    });

    const results: CaseResult[] = [];
    for (const spec of cases) results.push(await inChild(spec, dir));
    console.log(`\nimportFile throughput (Node ${process.version}, ${process.platform}/${process.arch})\n`);
    printTable(results);
  } finally {
    if (process.argv.includes("--keep")) console.log(`kept ${dir}`);
    else rmSync(dir, { recursive: true, force: true });
  }
}

main().catch((error) => {
  console.error(error);
  process.exitCode = 1;
});
