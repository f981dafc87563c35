import { describe, expect, it } from "vitest";
import {
  describeImport,
  importArgs,
  importReportLines,
  parseImportReport,
} from "../../extension/importReport.js";
import { ensureBuilt, runCli } from "../helpers/cli.js";
import { lines, useTempDir } from "../helpers/tempFiles.js";

describe("importing through the bundled CLI", () => {
  it("reads the CLI's --json report of a good file and summarises it", () => {
    ensureBuilt();
    const dir = useTempDir("crm-ext-import-");
    const file = dir.write(
      "orders.csv",
      lines([
        "order_id,customer_id,date,amount",
        "O1,C1,2026-01-05,120.50",
        "O2,C2,2026-02-01,80",
        "O3,C1,2026-03-01,99.90",
      ]),
    );
    const result = runCli(["--db", dir.join("crm.db"), ...importArgs("transactions", file)]);
    expect(result.code, result.stderr).toBe(0);
    const report = parseImportReport(result.stdout)!;
    expect(report).toMatchObject({
      kind: "transactions",
      committed: true,
      rowsRead: 3,
      inserted: 3,
      customersCreated: 2,
    });
    expect(describeImport(report)).toMatch(
      /^Imported transactions from orders\.csv: 3 rows read, 3 inserted, 0 duplicates skipped, 2 customers created \(\d+\.\d s\)\.$/,
    );
  });

  it("reports where a bad file is wrong, and that nothing was imported", () => {
    ensureBuilt();
    const dir = useTempDir("crm-ext-import-");
    const file = dir.write(
      "orders.csv",
      lines(["order_id,customer_id,date,amount", "O1,C1,not-a-date,120.50"]),
    );
    const result = runCli(["--db", dir.join("crm.db"), ...importArgs("transactions", file)]);
    expect(result.code).toBe(1);
    const report = parseImportReport(result.stdout)!;
    expect(report.committed).toBe(false);
    expect(describeImport(report)).toMatch(
      /^Nothing imported from orders\.csv: 1 invalid rows\. First: line 2, column "date"/,
    );
    expect(importReportLines(report)[1]).toContain('orders.csv:2, column "date": value "not-a-date":');
  });

  it("finds no report in output that is not one", () => {
    expect(parseImportReport("")).toBeUndefined();
    expect(parseImportReport("error: unknown kind")).toBeUndefined();
    expect(parseImportReport('{"not":"a report"}')).toBeUndefined();
  });
});
