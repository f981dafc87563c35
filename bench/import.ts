/**
 * Import throughput: rows per second and peak memory for `importFile` on the CDNOW master
 * file (when the shared datasets are present) and on a generated 1,000,000-row transactions CSV,
 * against a reference measured in the same run: the same rows written by a plain `sqlite3`
 * multi-row INSERT (`Database.insertRows`, ~30,000 bound values per statement) in one
 * transaction into a fresh table with the columns and indexes of `transactions`.
 *
 *   npx tsx bench/import.ts [--rows 1000000] [--customers 50000] [--repeat 1] [--keep]
 *
 * Each run happens in its own child process on a fresh database, so "peak RSS" is that run's
 * own high-water mark and not the generator's or an earlier run's. With `--repeat n` every case
 * runs n times, product and reference interleaved, and the table shows the minimum and median.
 */
import { fork } from "node:child_process";
import { once } from "node:events";
import { createWriteStream, existsSync, mkdtempSync, rmSync, statSync } from "node:fs";
import { tmpdir } from "node:os";
import { join, resolve } from "node:path";
import { importFile, type ImportOptions } from "../mcp-server/import/importFile.js";
import type { SqlValue } from "../mcp-server/store/database.js";
import { Store } from "../mcp-server/store/store.js";

interface RunResult {
  name: string;
  rows: number;
  stored: number;
  seconds: number;
  peakRssMb: number;
  fileMb: number;
}

type ImportSpec = { type: "import"; name: string } & Pick<ImportOptions, "file" | "format" | "kind">;
type ReferenceSpec = { type: "reference"; name: string; rows: number; customers: number; file: string };
type RunSpec = ImportSpec | ReferenceSpec;

function option(name: string, fallback: number): number {
  const index = process.argv.indexOf(name);
  return index === -1 ? fallback : Number(process.argv[index + 1]);
}

/** One generated line: order id, customer id, time, quantity, amount, channel. */
type GeneratedLine = [string, string, string, number, string, string];

/**
 * The generated transaction lines for `customers` customers over 2022-2023. One line in five is
 * a second line item of the order before it (same order id), as in retail exports.
 */
function* transactionLines(rows: number, customers: number): Generator<GeneratedLine> {
  const channels = ["online", "store", "phone"];
  let order = 0;
  let seed = 42;
  // A small LCG keeps the file identical between runs without importing the core's random stream.
  const random = () => (seed = (seed * 1_103_515_245 + 12_345) % 2 ** 31) / 2 ** 31;
  for (let i = 0; i < rows; i++) {
    if (i % 5 !== 1) order++;
    const customer = (order * 7_919) % customers;
    const day = new Date(
      Date.UTC(2022, 0, 1) + (order % 730) * 86_400_000 + Math.floor(random() * 86_400) * 1000,
    );
    const quantity = 1 + Math.floor(random() * 4);
    const amount = (quantity * (5 + random() * 95)).toFixed(2);
    yield [
      `ORD-${order}`,
      `CUST-${customer}`,
      `${day.toISOString().slice(0, 19)}Z`,
      quantity,
      amount,
      channels[order % 3],
    ];
  }
}

async function generateTransactions(path: string, rows: number, customers: number): Promise<void> {
  const out = createWriteStream(path);
  out.write("OrderID,CustomerID,OrderDate,Quantity,Amount,Channel\n");
  let chunk = "";
  for (const line of transactionLines(rows, customers)) {
    chunk += `${line.join(",")}\n`;
    if (chunk.length > 1 << 20) {
      if (!out.write(chunk)) await once(out, "drain");
      chunk = "";
    }
  }
  out.end(chunk);
  await once(out, "finish");
}

/** Child process: imports one file into a fresh store. */
async function runImport(spec: ImportSpec, store: Store): Promise<Omit<RunResult, "peakRssMb" | "fileMb">> {
  const started = performance.now();
  const report = await importFile(store, { kind: spec.kind, file: spec.file, format: spec.format });
  const seconds = (performance.now() - started) / 1000;
  if (!report.committed) throw new Error(`import failed: ${JSON.stringify(report.errors.slice(0, 3))}`);
  const counts = await store.counts();
  return { name: spec.name, rows: report.rowsRead, stored: counts.transactions, seconds };
}

/**
 * Child process: the reference. The file's rows, already in memory as SQL values (no file to
 * read, nothing to validate, line items not merged), inserted with `insertRows` in one
 * transaction into a fresh table with the columns and indexes of `transactions`. The external
 * id index is not UNIQUE here: line items repeat their order's id, and the import merges them.
 */
async function runReference(
  spec: ReferenceSpec,
  store: Store,
): Promise<Omit<RunResult, "peakRssMb" | "fileMb">> {
  await store.db.exec(`
    CREATE TABLE reference_transactions (
      id INTEGER PRIMARY KEY, external_id TEXT NOT NULL, customer_id INTEGER NOT NULL,
      occurred_at TEXT NOT NULL, amount REAL NOT NULL, quantity REAL, margin REAL, channel TEXT
    );
    CREATE INDEX reference_external_id ON reference_transactions (external_id);
    CREATE INDEX reference_customer_time ON reference_transactions (customer_id, occurred_at);
    CREATE INDEX reference_time ON reference_transactions (occurred_at);`);
  const rows: SqlValue[][] = [];
  for (const [order, customer, time, quantity, amount, channel] of transactionLines(
    spec.rows,
    spec.customers,
  ))
    rows.push([order, Number(customer.slice(5)) + 1, time, Number(amount), quantity, null, channel]);
  const columns = ["external_id", "customer_id", "occurred_at", "amount", "quantity", "margin", "channel"];
  const started = performance.now();
  await store.db.transaction(() => store.db.insertRows("reference_transactions", columns, rows));
  const seconds = (performance.now() - started) / 1000;
  const stored = await store.db.get<{ rows: number }>("SELECT COUNT(*) AS rows FROM reference_transactions");
  return { name: spec.name, rows: rows.length, stored: stored!.rows, seconds };
}

async function runChild(spec: RunSpec, dir: string): Promise<RunResult> {
  const dbPath = join(dir, `${spec.name.replace(/\W+/g, "-")}.db`);
  const store = await Store.open(dbPath);
  try {
    const result = spec.type === "import" ? await runImport(spec, store) : await runReference(spec, store);
    return {
      ...result,
      peakRssMb: process.resourceUsage().maxRSS / 1024,
      fileMb: statSync(spec.file).size / 1e6,
    };
  } finally {
    await store.close();
    for (const suffix of ["", "-wal", "-shm"]) rmSync(dbPath + suffix, { force: true });
  }
}

function inChild(spec: RunSpec, dir: string): Promise<RunResult> {
  return new Promise((resolvePromise, reject) => {
    const child = fork(__filename, ["--child", JSON.stringify({ spec, dir })], { stdio: "inherit" });
    let result: RunResult | undefined;
    child.on("message", (message) => (result = message as RunResult));
    child.on("error", reject);
    child.on("exit", (code) =>
      result && code === 0 ? resolvePromise(result) : reject(new Error(`${spec.name}: child exited ${code}`)),
    );
  });
}

const median = (values: number[]) => {
  const sorted = [...values].sort((a, b) => a - b);
  const middle = Math.floor(sorted.length / 2);
  return sorted.length % 2 ? sorted[middle] : (sorted[middle - 1] + sorted[middle]) / 2;
};

function printTable(runs: ReadonlyMap<string, RunResult[]>): void {
  const header = ["run", "MB", "rows read", "stored", "seconds (min / median)", "rows/s", "peak RSS MB"];
  const body = [...runs.values()].map((results) => {
    const seconds = results.map((result) => result.seconds);
    const best = Math.min(...seconds);
    const first = results[0];
    return [
      first.name,
      first.fileMb.toFixed(1),
      first.rows.toLocaleString("en-US"),
      first.stored.toLocaleString("en-US"),
      results.length > 1 ? `${best.toFixed(2)} / ${median(seconds).toFixed(2)}` : best.toFixed(2),
      Math.round(first.rows / best).toLocaleString("en-US"),
      Math.max(...results.map((result) => result.peakRssMb)).toFixed(0),
    ];
  });
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
    const { spec, dir } = JSON.parse(process.argv[childIndex + 1]) as { spec: RunSpec; dir: string };
    process.send!(await runChild(spec, dir));
    return;
  }

  const rows = option("--rows", 1_000_000);
  const customers = option("--customers", 50_000);
  const repeat = Math.max(1, option("--repeat", 1));
  const dir = mkdtempSync(join(tmpdir(), "crm-bench-import-"));
  const specs: RunSpec[] = [];
  try {
    const datasets = process.env.CRM_DATASETS_DIR ?? resolve(__dirname, "..", "..", "shared", "datasets");
    const cdnow = join(datasets, "cdnow", "CDNOW_master.txt");
    if (existsSync(cdnow))
      specs.push({
        type: "import",
        name: "import CDNOW_master.txt",
        kind: "transactions",
        file: cdnow,
        format: "whitespace",
      });
    else console.log(`(skipping CDNOW: ${cdnow} not found; set CRM_DATASETS_DIR)`);

    const generated = join(dir, "transactions.csv");
    const started = performance.now();
    await generateTransactions(generated, rows, customers);
    console.log(
      `generated ${rows.toLocaleString("en-US")} rows for ${customers.toLocaleString("en-US")} customers in ${((performance.now() - started) / 1000).toFixed(1)} s`,
    );
    const importName = `import generated ${rows.toLocaleString("en-US")} rows`;
    const referenceName = `reference: plain INSERT of the same rows`;
    specs.push(
      { type: "import", name: importName, kind: "transactions", file: generated, format: "csv" },
      { type: "reference", name: referenceName, rows, customers, file: generated },
    );

    const runs = new Map<string, RunResult[]>();
    for (let round = 0; round < repeat; round++)
      for (const spec of specs) {
        const result = await inChild(spec, dir);
        runs.set(spec.name, [...(runs.get(spec.name) ?? []), result]);
      }
    console.log(`\nimportFile throughput (Node ${process.version}, ${process.platform}/${process.arch})\n`);
    printTable(runs);
    const product = Math.min(...runs.get(importName)!.map((result) => result.seconds));
    const reference = Math.min(...runs.get(referenceName)!.map((result) => result.seconds));
    console.log(
      `\nimport / reference (best of ${repeat}): ${product.toFixed(2)} s / ${reference.toFixed(2)} s = ${(product / reference).toFixed(2)}x`,
    );
  } finally {
    if (process.argv.includes("--keep")) console.log(`kept ${dir}`);
    else rmSync(dir, { recursive: true, force: true });
  }
}

main().catch((error) => {
  console.error(error);
  process.exitCode = 1;
});
