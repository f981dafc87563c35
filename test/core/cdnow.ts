/**
 * Loads the CDNOW files from the shared datasets folder for the model tests. Tests that need
 * them use `describe.skipIf(!cdnowAvailable)` and say why when the folder is missing.
 */
import { existsSync, readFileSync } from "node:fs";
import path from "node:path";

export const datasetsDir =
  process.env.CRM_DATASETS_DIR ?? path.resolve(import.meta.dirname, "../../../shared/datasets");
const cdnowDir = path.join(datasetsDir, "cdnow");

export const cdnowAvailable = existsSync(path.join(cdnowDir, "CDNOW_sample.txt"));
if (!cdnowAvailable) {
  console.warn(
    `CDNOW tests skipped: no CDNOW files under ${cdnowDir} (set CRM_DATASETS_DIR to the datasets folder)`,
  );
}

function csvRows(file: string): number[][] {
  const lines = readFileSync(path.join(cdnowDir, file), "utf8").trim().split(/\r?\n/);
  return lines.slice(1).map((line) => line.split(",").map(Number));
}

/** cdnow_customers_summary.csv: ID, frequency (x), recency (tx, weeks), T (weeks). */
export function loadCdnowSummary(): { id: number; x: number; tx: number; T: number }[] {
  return csvRows("cdnow_customers_summary.csv").map(([id, x, tx, T]) => ({ id, x, tx, T }));
}

/** cdnow_customers_summary_with_transactions.csv: ID, x, t_x, T, zbar (mean repeat value). */
export function loadCdnowSummaryWithValue(): {
  id: number;
  x: number;
  tx: number;
  T: number;
  monetary: number;
}[] {
  return csvRows("cdnow_customers_summary_with_transactions.csv").map(([id, x, tx, T, monetary]) => ({
    id,
    x,
    tx,
    T,
    monetary,
  }));
}

/** CDNOW_sample.txt: customer id, id within the sample, YYYYMMDD, CDs, dollar value. */
export function loadCdnowTransactions(): { customerId: number; timestamp: Date; amount: number }[] {
  const lines = readFileSync(path.join(cdnowDir, "CDNOW_sample.txt"), "utf8").trim().split(/\r?\n/);
  return lines.map((line) => {
    const [, sampleId, date, , value] = line.trim().split(/\s+/);
    const timestamp = new Date(
      Date.UTC(Number(date.slice(0, 4)), Number(date.slice(4, 6)) - 1, Number(date.slice(6, 8))),
    );
    return { customerId: Number(sampleId), timestamp, amount: Number(value) };
  });
}

/** Calibration end of the published CDNOW analyses: 39 weeks after 1997-01-01. */
export const CDNOW_CALIBRATION_END = new Date(Date.UTC(1997, 8, 30));
/** End of the CDNOW observation window. */
export const CDNOW_OBSERVATION_END = new Date(Date.UTC(1998, 5, 30));
