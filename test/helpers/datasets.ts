import { existsSync } from "node:fs";
import type { ImportOptions } from "../../mcp-server/import/importFile.js";
import { join } from "node:path";
import { fileURLToPath } from "node:url";

/** The repository root (this file lives in `test/helpers/`). */
export const REPO_ROOT = fileURLToPath(new URL("../..", import.meta.url));

/** The shared public datasets: `$CRM_DATASETS_DIR`, else `../shared/datasets` next to the repo. */
export function datasetsDir(): string {
  return process.env.CRM_DATASETS_DIR ?? join(REPO_ROOT, "..", "shared", "datasets");
}

/** The path of a dataset file, or null with the reason when it is not there. */
export function datasetFile(relativePath: string): { path: string; missing: string | null } {
  const path = join(datasetsDir(), relativePath);
  return {
    path,
    missing: existsSync(path)
      ? null
      : `dataset ${path} not found; set CRM_DATASETS_DIR to the folder holding the shared datasets`,
  };
}

/** How the README imports the UCI Online Retail export: invoices, US dates, guest rows skipped. */
export const ONLINE_RETAIL_IMPORT: Omit<ImportOptions, "file"> = {
  kind: "transactions",
  map: {
    external_id: "InvoiceNo",
    customer: "CustomerID",
    date: "InvoiceDate",
    quantity: "Quantity",
    unit_price: "UnitPrice",
  },
  dateFormat: "mdy",
  skipMissingCustomer: true,
};

/** How the README imports the CDNOW master file. */
export const CDNOW_IMPORT: Omit<ImportOptions, "file"> = { kind: "transactions", format: "whitespace" };
