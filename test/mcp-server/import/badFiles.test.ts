import { describe, expect, it } from "vitest";
import { ImportFileError } from "../../../mcp-server/import/errors.js";
import {
  REPORTED_ERRORS,
  importFile,
  type ImportOptions,
  type ImportReport,
} from "../../../mcp-server/import/importFile.js";
import { BATCH_ROWS } from "../../../mcp-server/import/writer.js";
import { lines } from "../../helpers/tempFiles.js";
import { snapshotStore, useTempStore, type TempStore } from "../../helpers/tempStore.js";

/**
 * A store that already holds customers, transactions, interactions and feedback, so that "the
 * store is unchanged" after a bad file means something for every table.
 */
async function seededStore(): Promise<TempStore> {
  const temp = await useTempStore();
  const seed: [ImportOptions["kind"], string[]][] = [
    ["customers", ["id,name,owner", "C1,Ann Lee,Tom", "C2,李雷,王芳"]],
    ["transactions", ["order id,customer,date,amount", "O1,C1,2024-01-02,10.5", "O2,C2,2024-01-03,20"]],
    ["interactions", ["customer,date,channel,summary", "C1,2024-01-04,email,hello"]],
    ["feedback", ["customer,date,score,text", "C2,2024-01-05,9,很好"]],
  ];
  for (const [kind, rows] of seed) {
    const report = await importFile(temp.store, {
      kind,
      file: temp.dir.write(`seed-${kind}.csv`, lines(rows)),
    });
    expect(report.errors).toEqual([]);
    expect(report.committed).toBe(true);
  }
  return temp;
}

/**
 * Imports `text` as `kind` into a seeded store and checks that, whatever happened, the store's
 * counts and contents are exactly as before. Returns the report, or the error thrown.
 */
async function importBadFile(
  kind: ImportOptions["kind"],
  text: string | Uint8Array,
  options: Partial<ImportOptions> = {},
): Promise<{ file: string; report?: ImportReport; error?: unknown }> {
  const temp = await seededStore();
  const countsBefore = await temp.store.counts();
  const before = await snapshotStore(temp.store);
  const file = temp.dir.write(`bad-${kind}.csv`, text);
  let outcome: { file: string; report?: ImportReport; error?: unknown };
  try {
    outcome = { file, report: await importFile(temp.store, { kind, file, ...options }) };
  } catch (error) {
    outcome = { file, error };
  }
  expect(await temp.store.counts()).toEqual(countsBefore);
  expect(await snapshotStore(temp.store)).toEqual(before);
  if (outcome.report) {
    expect(outcome.report.committed).toBe(false);
    expect(outcome.report.errorCount).toBeGreaterThan(0);
  }
  // The store is still usable: the failed import left no transaction open.
  await temp.store.setSetting("after-bad-import", "ok");
  return outcome;
}

function expectFileError(outcome: { error?: unknown }, message: string): void {
  expect(outcome.error).toBeInstanceOf(ImportFileError);
  expect((outcome.error as Error).message).toBe(message);
}

describe("bad import files leave the store unchanged", () => {
  it("a missing required column is named on the header's line, with the file's columns and a --map suggestion", async () => {
    const outcome = await importBadFile("transactions", lines(["Client,Amount", "C1,5"]));
    expectFileError(
      outcome,
      `${outcome.file}:1: no column for "date" (when it happened (ISO, YYYYMMDD, M/D/YYYY or D/M/YYYY with --date-format dmy)). The file's columns are Client, Amount. Map one with --map date=<column>`,
    );
  });

  it("several missing columns are all listed", async () => {
    const outcome = await importBadFile("transactions", lines(["who,when,what", "C1,2024-01-01,5"]));
    const message = (outcome.error as Error).message;
    expect(outcome.error).toBeInstanceOf(ImportFileError);
    expect(message).toContain('no column for "customer" (');
    expect(message).toContain('; "date" (');
    expect(message).toContain('; "amount" (the transaction\'s value, or both quantity and unit_price)');
    expect(message).toContain("The file's columns are who, when, what.");
    expect(message).toMatch(/Map one with --map customer=<column>$/);
  });

  it("a --map naming an unknown field or a missing column is refused", async () => {
    const header = lines(["customer,date,amount", "C1,2024-01-01,5"]);
    const unknownField = await importBadFile("transactions", header, { map: { price: "amount" } });
    expectFileError(
      unknownField,
      `${unknownField.file}: --map price=amount: transactions have no field "price"; fields are external_id, customer, date, amount, quantity, unit_price, margin, channel, country`,
    );
    const missingColumn = await importBadFile("transactions", header, { map: { customer: "CustomerID" } });
    expectFileError(
      missingColumn,
      `${missingColumn.file}: --map customer=CustomerID: the file has no column "CustomerID"; its columns are customer, date, amount`,
    );
  });

  it("a bad date is reported with file, line, column, value and reason", async () => {
    const outcome = await importBadFile(
      "transactions",
      lines([
        "order id,customer,date,amount",
        "N1,C1,2024-02-01,1",
        "N2,C1,2024-02-31,2",
        "N3,C2,2024-02-03,3",
      ]),
    );
    expect(outcome.report?.errorCount).toBe(1);
    expect(outcome.report?.errors).toEqual([
      {
        file: outcome.file,
        line: 3,
        column: "date",
        value: "2024-02-31",
        reason: "day 31 does not exist in 2024-02",
      },
    ]);
  });

  it("a non-numeric amount is reported", async () => {
    const outcome = await importBadFile(
      "transactions",
      lines(["customer,date,amount", "C1,2024-02-01,12.5", "C1,2024-02-02,twelve"]),
    );
    expect(outcome.report?.errors).toEqual([
      {
        file: outcome.file,
        line: 3,
        column: "amount",
        value: "twelve",
        reason: "not a number; write it like 1234.50 or -12",
      },
    ]);
  });

  it("an interaction for a customer not in the store is reported", async () => {
    const outcome = await importBadFile(
      "interactions",
      lines(["customer,date,channel", "C1,2024-02-01,phone", "C9,2024-02-02,email"]),
    );
    expect(outcome.report?.errors).toEqual([
      {
        file: outcome.file,
        line: 3,
        column: "customer",
        value: "C9",
        reason: "no customer with this id in the store; import the customers file first, or fix the id",
      },
    ]);
  });

  it("a transaction row without a customer fails and suggests --skip-missing-customer", async () => {
    const outcome = await importBadFile(
      "transactions",
      lines(["customer,date,amount", "C1,2024-02-01,1", "(blank),2024-02-02,2"]),
    );
    expect(outcome.report?.errors).toEqual([
      {
        file: outcome.file,
        line: 3,
        column: "customer",
        value: "(blank)",
        reason:
          "customer is required and this row leaves it empty; to import the rest and skip such rows, pass --skip-missing-customer",
      },
    ]);
  });

  it("an empty file is refused at line 1", async () => {
    const message = (file: string) =>
      `${file}:1: the file is empty; expected a header line and at least one row`;
    const empty = await importBadFile("customers", "");
    expectFileError(empty, message(empty.file));
    const blankLines = await importBadFile("customers", "\uFEFF\r\n  \r\n\r\n");
    expectFileError(blankLines, message(blankLines.file));
  });

  it("a header-only file is reported as having no rows", async () => {
    const outcome = await importBadFile("customers", lines(["id,name,email"], "\r\n"));
    expect(outcome.report?.rowsRead).toBe(0);
    expect(outcome.report?.errors).toEqual([
      {
        file: outcome.file,
        line: 1,
        column: null,
        value: null,
        reason: "the file has a header but no rows; nothing to import",
      },
    ]);
  });

  it("a row with the wrong number of fields is reported, but one trailing delimiter is harmless", async () => {
    const outcome = await importBadFile(
      "customers",
      lines([
        "id,name,email",
        "C7,Kim,",
        "C8,Lee,lee@example.com,",
        "C9,Smith, John,john@example.com",
        "C10",
      ]),
    );
    const reason = (found: number) =>
      `expected 3 fields as in the header, found ${found}; check for an unquoted delimiter inside a value`;
    expect(outcome.report?.errors).toEqual([
      { file: outcome.file, line: 4, column: null, value: null, reason: reason(4) },
      { file: outcome.file, line: 5, column: null, value: null, reason: reason(1) },
    ]);
  });

  it("a stray or unclosed quote is a file error naming the line, not an internal error", async () => {
    const stray = await importBadFile("customers", lines(["id,name", "C7,Kim", 'C8,He said "hi"']));
    expect(stray.error).toBeInstanceOf(ImportFileError);
    expect((stray.error as Error).message).toMatch(/Invalid Opening Quote: .* at line 3/);
    expect((stray.error as Error).message).toContain("double the quotes inside it");

    const unclosed = await importBadFile("customers", lines(["id,name", 'C7,"Kim', "C8,Lee"]));
    expect(unclosed.error).toBeInstanceOf(ImportFileError);
    // The parser stops at the end of the file; the report names the line the quote opened on.
    expect((unclosed.error as Error).message).toBe(
      `${unclosed.file}:2: a double quote opened on this line is never closed (the file ends inside it); close it, and double any quote that is part of a value ("He said ""hi""")`,
    );
  });

  it("a missing file or a folder is refused before anything is read", async () => {
    const temp = await useTempStore();
    const missing = temp.dir.join("nope.csv");
    await expect(importFile(temp.store, { kind: "customers", file: missing })).rejects.toThrow(
      new ImportFileError(missing, "no such file; check the path"),
    );
    await expect(importFile(temp.store, { kind: "customers", file: temp.dir.path })).rejects.toThrow(
      `${temp.dir.path}: this is a folder; give the path of a CSV file`,
    );
  });

  it("one bad row after several written batches rolls all of them back", async () => {
    const good = Array.from(
      { length: BATCH_ROWS * 3 + 7 },
      (_, index) => `N${index},C${index % 2 ? 1 : 2},2024-03-01,${index}`,
    );
    const outcome = await importBadFile(
      "transactions",
      lines(["order id,customer,date,amount", ...good, "N-last,C-new,2024-03-02,oops"]),
    );
    expect(outcome.report?.errors.map((error) => [error.line, error.value])).toEqual([
      [good.length + 2, "oops"],
    ]);
    // The rows before it were read and counted, then rolled back with the rest.
    expect(outcome.report?.rowsRead).toBe(good.length + 1);
  });

  it("lists the first 20 row errors and gives the total count", async () => {
    const rows = ["customer,date,amount"];
    for (let index = 0; index < 25; index++)
      rows.push(`C1,2024-01-${String(index + 1).padStart(2, "0")},x${index}`);
    rows.push("C1,2024-01-31,7");
    const outcome = await importBadFile("transactions", lines(rows));
    expect(REPORTED_ERRORS).toBe(20);
    expect(outcome.report?.errorCount).toBe(25);
    expect(outcome.report?.errors).toHaveLength(20);
    expect(outcome.report?.errors.map((error) => error.line)).toEqual(
      Array.from({ length: 20 }, (_, index) => index + 2),
    );
    expect(outcome.report?.errors[19]).toEqual({
      file: outcome.file,
      line: 21,
      column: "amount",
      value: "x19",
      reason: "not a number; write it like 1234.50 or -12",
    });
  });
});
