import { describe, expect, it } from "vitest";
import { ImportFileError } from "../../../mcp-server/import/errors.js";
import { importFile } from "../../../mcp-server/import/importFile.js";
import { useTempStore } from "../../helpers/tempStore.js";

/** CDNOW's layout: padded customer ids, YYYYMMDD dates, columns aligned with runs of spaces. */
const ROWS = [" 00001 19970101  1   11.77", " 00002 19970112  1   12.00", " 00002 19970112  5   77.00"];
const HEADER = " customer_id  date number_of_cds  dollar_value";

const STORED = [
  { customer: "00001", occurred_at: "1997-01-01T00:00:00Z", quantity: 1, amount: 11.77 },
  { customer: "00002", occurred_at: "1997-01-12T00:00:00Z", quantity: 1, amount: 12 },
  { customer: "00002", occurred_at: "1997-01-12T00:00:00Z", quantity: 5, amount: 77 },
];

async function stored(store: Awaited<ReturnType<typeof useTempStore>>["store"]) {
  return store.db.all(
    `SELECT c.external_id AS customer, occurred_at, quantity, amount
     FROM transactions t JOIN customers c ON c.id = t.customer_id ORDER BY t.id`,
  );
}

describe("whitespace-separated files", () => {
  it("read a header line and map its names automatically", async () => {
    const temp = await useTempStore();
    const file = temp.dir.write("cdnow.txt", [HEADER, ...ROWS].join("\n") + "\n");
    const report = await importFile(temp.store, { kind: "transactions", file, format: "whitespace" });
    expect(report).toMatchObject({ committed: true, rowsRead: 3, inserted: 3, customersCreated: 2 });
    expect(report.mapping).toEqual({
      customer: "customer_id",
      date: "date",
      quantity: "number_of_cds",
      amount: "dollar_value",
    });
    expect(await stored(temp.store)).toEqual(STORED);
  });

  it("read a file without a header when given the column names", async () => {
    const temp = await useTempStore();
    // Tabs, CRLF line ends and blank lines are all just separators.
    const file = temp.dir.write(
      "cdnow.txt",
      `${ROWS[0]}\r\n\r\n${ROWS[1].replace(/ +/g, "\t")}\r\n${ROWS[2]}\r\n\r\n`,
    );
    const report = await importFile(temp.store, {
      kind: "transactions",
      file,
      format: "whitespace",
      columns: ["customer", "date", "quantity", "amount"],
    });
    expect(report).toMatchObject({ committed: true, rowsRead: 3, inserted: 3 });
    expect(await stored(temp.store)).toEqual(STORED);
  });

  it("use the given column names instead of a header line the file has", async () => {
    const temp = await useTempStore();
    const file = temp.dir.write("cdnow.txt", [" id day cds value", ...ROWS].join("\n"));
    const report = await importFile(temp.store, {
      kind: "transactions",
      file,
      format: "whitespace",
      columns: ["customer", "date", "quantity", "amount"],
    });
    expect(report).toMatchObject({ committed: true, rowsRead: 3 });
    expect(await stored(temp.store)).toEqual(STORED);
  });

  it("refuse a file that starts with data when no column names are given", async () => {
    const temp = await useTempStore();
    const file = temp.dir.write("cdnow.txt", ROWS.join("\n"));
    await expect(
      importFile(temp.store, { kind: "transactions", file, format: "whitespace" }),
    ).rejects.toThrow(
      new ImportFileError(
        file,
        "the first line is data, not a header; name the columns with --columns, e.g. --columns customer_id,date,quantity,amount",
        1,
      ),
    );
  });

  it("report rows with a missing field on their physical line", async () => {
    const temp = await useTempStore();
    const file = temp.dir.write("cdnow.txt", [HEADER, ROWS[0], "", " 00003 19970105 2", ROWS[1]].join("\n"));
    const report = await importFile(temp.store, { kind: "transactions", file, format: "whitespace" });
    expect(report.committed).toBe(false);
    expect(report.errors).toEqual([
      {
        file,
        line: 4,
        column: null,
        value: null,
        reason: "expected 4 fields as in the header, found 3; check for an unquoted delimiter inside a value",
      },
    ]);
    expect((await temp.store.counts()).transactions).toBe(0);
  });
});
