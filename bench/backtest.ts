/**
 * Churn-probability backtest on the shared real books: each book is imported into a fresh store
 * through the product's importer, then `runBacktest` scores it as of the split exactly as the
 * product would (the calibration sees nothing after the split) and compares with what customers
 * did next. Prints the table of issue 9's targets, plus other splits to show the method is not
 * tuned to one.
 *
 *   npm run bench:backtest [-- --json] [-- --only main]
 *
 * Datasets from $CRM_DATASETS_DIR, else ../shared/datasets beside the repository.
 */
import { existsSync, mkdtempSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { resolveAsOf } from "../mcp-server/asOf.js";
import { importFile, type ImportOptions } from "../mcp-server/import/importFile.js";
import type { BacktestResult } from "../mcp-server/scoring/backtest.js";
import { runBacktest } from "../mcp-server/scoring/backtestStore.js";
import { Store } from "../mcp-server/store/store.js";
import { CDNOW_IMPORT, datasetFile, ONLINE_RETAIL_IMPORT } from "../test/helpers/datasets.js";

interface Book {
  name: string;
  file: string;
  options: Omit<ImportOptions, "file">;
  /** [as-of, horizon]; the first is the split of the issue. */
  splits: [string, number][];
}

const BOOKS: Book[] = [
  {
    name: "CDNOW",
    file: datasetFile("cdnow/CDNOW_master.txt").path,
    options: CDNOW_IMPORT,
    splits: [
      ["1997-09-30", 273],
      ["1997-09-30", 90],
      ["1997-12-31", 180],
      ["1998-03-31", 90],
    ],
  },
  {
    name: "Online Retail",
    file: datasetFile("online-retail/OnlineRetail.csv").path,
    options: ONLINE_RETAIL_IMPORT,
    splits: [
      ["2011-08-31", 100],
      ["2011-06-30", 90],
      ["2011-09-08", 90],
      ["2011-10-31", 30],
    ],
  },
];

async function main(): Promise<void> {
  const json = process.argv.includes("--json");
  const onlyMain = process.argv.includes("main");
  const rows: { book: string; seconds: number; result: BacktestResult }[] = [];
  const folder = mkdtempSync(join(tmpdir(), "crm-bench-backtest-"));
  try {
    for (const book of BOOKS) {
      if (!existsSync(book.file)) {
        console.error(`skipped ${book.name}: ${book.file} not found (set CRM_DATASETS_DIR)`);
        continue;
      }
      const store = await Store.open(join(folder, `${book.name.replace(/\W+/g, "-")}.db`));
      await importFile(store, { ...book.options, file: book.file });
      for (const [asOf, horizonDays] of onlyMain ? book.splits.slice(0, 1) : book.splits) {
        const started = performance.now();
        const result = await runBacktest(store, { asOf: resolveAsOf(asOf), horizonDays, now: new Date() });
        rows.push({ book: book.name, seconds: (performance.now() - started) / 1000, result });
      }
      await store.close();
    }
  } finally {
    rmSync(folder, { recursive: true, force: true });
  }

  if (json) {
    console.log(JSON.stringify(rows, null, 2));
  } else {
    const auc = (result: BacktestResult, name: string) =>
      result.rankings.find((ranking) => ranking.name === name)?.auc ?? Number.NaN;
    const decile = (result: BacktestResult, name: string) =>
      result.rankings.find((ranking) => ranking.name === name)?.topDecileRate ?? Number.NaN;
    const pct = (value: number) => `${(100 * value).toFixed(1)}%`;
    console.log(
      "| book | split, horizon | customers | no purchase | AUC churn probability | AUC recency | AUC −E[X] | Δ vs recency | top-decile no-purchase rate (product / recency) | ECE | method, model | seconds |",
    );
    console.log("|---|---|---|---|---|---|---|---|---|---|---|---|");
    for (const { book, seconds, result } of rows) {
      const product = auc(result, "churn_probability");
      const recency = auc(result, "days_since_last_purchase");
      console.log(
        `| ${book} | ${result.asOf}, ${result.horizonDays} d | ${result.customers.toLocaleString("en-US")} | ${pct(result.churnRate)} | ${product.toFixed(4)} | ${recency.toFixed(4)} | ${auc(result, "expected_purchases").toFixed(4)} | ${product - recency >= 0 ? "+" : ""}${(product - recency).toFixed(4)} | ${pct(decile(result, "churn_probability"))} / ${pct(decile(result, "days_since_last_purchase"))} | ${result.calibration.expectedCalibrationError.toFixed(3)} | ${result.method}, ${result.model ?? "none"} | ${seconds.toFixed(1)} |`,
      );
    }
  }
}

main().catch((error) => {
  console.error(error);
  process.exitCode = 1;
});
