import { describe, expect, it } from "vitest";
import { importFile, type ImportOptions } from "../../../mcp-server/import/importFile.js";
import { BATCH_ROWS } from "../../../mcp-server/import/writer.js";
import { lines } from "../../helpers/tempFiles.js";
import { useTempStore, type TempStore } from "../../helpers/tempStore.js";

async function importTransactions(temp: TempStore, rows: string[], options: Partial<ImportOptions> = {}) {
  const file = temp.dir.write("transactions.csv", lines(rows));
  return importFile(temp.store, { kind: "transactions", file, ...options });
}

async function storedDates(temp: TempStore): Promise<string[]> {
  const rows = await temp.store.db.all<{ occurred_at: string }>(
    "SELECT occurred_at FROM transactions ORDER BY id",
  );
  return rows.map((row) => row.occurred_at);
}

describe("import date forms", () => {
  it("reads ISO dates and date-times, with zones converted to UTC", async () => {
    const temp = await useTempStore();
    const report = await importTransactions(temp, [
      "customer,date,amount",
      "A,2024-03-31,1",
      "A,2024-3-5,2",
      "A,2024-03-31T14:05:00Z,3",
      "A,2024-03-31 14:05,4",
      "A,2024-03-31T14:05:09.123+05:30,5",
      "A,2024-01-01T01:00:00-0200,6",
    ]);
    expect(report.errors).toEqual([]);
    expect(await storedDates(temp)).toEqual([
      "2024-03-31T00:00:00Z",
      "2024-03-05T00:00:00Z",
      "2024-03-31T14:05:00Z",
      "2024-03-31T14:05:00Z",
      "2024-03-31T08:35:09Z",
      "2024-01-01T03:00:00Z",
    ]);
  });

  it("reads YYYYMMDD dates", async () => {
    const temp = await useTempStore();
    const report = await importTransactions(temp, ["customer,date,amount", "A,19970101,1", "A,20240229,2"]);
    expect(report.errors).toEqual([]);
    expect(await storedDates(temp)).toEqual(["1997-01-01T00:00:00Z", "2024-02-29T00:00:00Z"]);
  });

  it("reads US month/day/year with hours and minutes in auto mode", async () => {
    const temp = await useTempStore();
    const report = await importTransactions(temp, [
      "customer,date,amount",
      "A,12/1/2010 8:26,1",
      "A,3/31/2024 14:05,2",
      "A,1/2/2024,3",
      "A,3/31/2024 2:05 PM,4",
      "A,3/31/2024 12:30 AM,5",
    ]);
    expect(report.errors).toEqual([]);
    expect(await storedDates(temp)).toEqual([
      "2010-12-01T08:26:00Z",
      "2024-03-31T14:05:00Z",
      "2024-01-02T00:00:00Z",
      "2024-03-31T14:05:00Z",
      "2024-03-31T00:30:00Z",
    ]);
  });

  it("reads day/month/year when told dmy, even for dates that could be either", async () => {
    const temp = await useTempStore();
    const report = await importTransactions(
      temp,
      ["customer,date,amount", "A,1/12/2010 8:26,1", "A,31/3/2024 14:05,2", "A,05.06.2024,3"],
      { dateFormat: "dmy" },
    );
    expect(report.errors).toEqual([]);
    expect(await storedDates(temp)).toEqual([
      "2010-12-01T08:26:00Z",
      "2024-03-31T14:05:00Z",
      "2024-06-05T00:00:00Z",
    ]);
  });

  it("settles auto mode on day/month/year when the first slashed date can only be that", async () => {
    const temp = await useTempStore();
    const report = await importTransactions(temp, ["customer,date,amount", "A,25/12/2023,1", "A,1/2/2024,2"]);
    expect(report.errors).toEqual([]);
    expect(await storedDates(temp)).toEqual(["2023-12-25T00:00:00Z", "2024-02-01T00:00:00Z"]);
  });

  it("refuses a file that mixes month/day and day/month orders in auto mode", async () => {
    const temp = await useTempStore();
    const report = await importTransactions(temp, [
      "customer,date,amount",
      "A,3/4/2024,1",
      "A,25/4/2024,2",
      "A,4/5/2024,3",
    ]);
    expect(report.committed).toBe(false);
    expect(report.errorCount).toBe(1);
    expect(report.errors[0]).toEqual({
      file: temp.dir.join("transactions.csv"),
      line: 3,
      column: "date",
      value: "25/4/2024",
      reason:
        "this is day/month/year but earlier dates in the file were read as month/day/year; pass --date-format dmy (or mdy) to say which",
    });

    const reverse = await importTransactions(temp, [
      "customer,date,amount",
      "A,25/4/2024,1",
      "A,4/25/2024,2",
    ]);
    expect(reverse.errors.map((error) => [error.line, error.value, error.reason])).toEqual([
      [
        3,
        "4/25/2024",
        "this is month/day/year but earlier dates in the file were read as day/month/year; pass --date-format mdy (or dmy) to say which",
      ],
    ]);
    expect((await temp.store.counts()).transactions).toBe(0);
  });

  it("rejects dates that do not exist or that the chosen format does not read", async () => {
    const temp = await useTempStore();
    const report = await importTransactions(temp, [
      "customer,date,amount",
      "A,2023-02-29,1",
      "A,2024-13-01,1",
      "A,2024-01-01 25:00,1",
      "A,March 3 2024,1",
    ]);
    expect(report.errors.map((error) => [error.line, error.value, error.reason])).toEqual([
      [2, "2023-02-29", "day 29 does not exist in 2023-02"],
      [3, "2024-13-01", "month 13 is not between 1 and 12"],
      [4, "2024-01-01 25:00", "time 25:0:0 is not a valid time of day"],
      [
        5,
        "March 3 2024",
        "not a date this importer reads: use 2024-03-31, 20240331, 3/31/2024 (US) or 31/3/2024 with --date-format dmy",
      ],
    ]);

    const isoOnly = await importTransactions(temp, ["customer,date,amount", "A,3/31/2024,1"], {
      dateFormat: "iso",
    });
    expect(isoOnly.errors[0].reason).toBe("expected an ISO date such as 2024-03-31 or 2024-03-31T14:05:00Z");
    const ymdOnly = await importTransactions(temp, ["customer,date,amount", "A,2024-03-31,1"], {
      dateFormat: "ymd",
    });
    expect(ymdOnly.errors[0].reason).toBe("expected a date written YYYYMMDD such as 20240331");
  });
});

describe("line-item transaction files", () => {
  const header = "InvoiceNo,InvoiceDate,CustomerID,Quantity,UnitPrice";

  async function storedOrders(temp: TempStore) {
    return temp.store.db.all(
      "SELECT external_id, occurred_at, amount, quantity FROM transactions ORDER BY external_id",
    );
  }

  it("computes amount as quantity × unit price, rounded to cents, and keeps negative amounts as returns", async () => {
    const temp = await useTempStore();
    const report = await importTransactions(temp, [
      header,
      "536365,12/1/2010 8:26,17850,3,1.1",
      "536366,12/1/2010 8:28,17850,40,3.91",
      "C536379,12/1/2010 9:41,14527,-1,27.5",
      "536380,12/1/2010 9:45,14527,7,0.333",
    ]);
    expect(report).toMatchObject({ committed: true, inserted: 4, customersCreated: 2 });
    expect(await storedOrders(temp)).toEqual([
      { external_id: "536365", occurred_at: "2010-12-01T08:26:00Z", amount: 3.3, quantity: 3 },
      { external_id: "536366", occurred_at: "2010-12-01T08:28:00Z", amount: 156.4, quantity: 40 },
      { external_id: "536380", occurred_at: "2010-12-01T09:45:00Z", amount: 2.33, quantity: 7 },
      { external_id: "C536379", occurred_at: "2010-12-01T09:41:00Z", amount: -27.5, quantity: -1 },
    ]);
  });

  it("merges rows sharing an order id into one transaction with summed amount and quantity and the earliest time", async () => {
    const temp = await useTempStore();
    const report = await importTransactions(temp, [
      header,
      "536591,12/1/2010 16:58,14606,12,3.89",
      "536592,12/1/2010 17:00,14606,1,10",
      "536591,12/1/2010 16:57,14606,81,2.7826",
      "536591,12/1/2010 16:59,14606,-2,3.89",
    ]);
    expect(report).toMatchObject({ committed: true, rowsRead: 4, inserted: 2, duplicates: 0 });
    // 12 × 3.89 = 46.68; 81 × 2.7826 = 225.39 (rounded); -2 × 3.89 = -7.78.
    expect(await storedOrders(temp)).toEqual([
      { external_id: "536591", occurred_at: "2010-12-01T16:57:00Z", amount: 264.29, quantity: 91 },
      { external_id: "536592", occurred_at: "2010-12-01T17:00:00Z", amount: 10, quantity: 1 },
    ]);
  });

  it("merges an order's lines the same way when they are far apart in the file", async () => {
    // More rows than one write batch between the two lines of order X, so the second line
    // updates a row already written instead of merging in memory.
    const filler = Array.from(
      { length: BATCH_ROWS + 5 },
      (_, index) => `F${index},1/2/2011 10:00,C${index % 7},1,1`,
    );
    const merged = [header, "X,1/1/2011 10:00,17850,1,0.1", "X,1/1/2011 09:00,17850,1,0.2"];
    const apart = [header, "X,1/1/2011 10:00,17850,1,0.1", ...filler, "X,1/1/2011 09:00,17850,1,0.2"];

    const adjacent = await useTempStore();
    await importTransactions(adjacent, merged);
    const distant = await useTempStore();
    const report = await importTransactions(distant, apart);
    expect(report).toMatchObject({ committed: true, inserted: BATCH_ROWS + 6 });

    const order = "SELECT occurred_at, amount, quantity FROM transactions WHERE external_id = 'X'";
    const expected = { occurred_at: "2011-01-01T09:00:00Z", amount: 0.3, quantity: 2 };
    expect(await adjacent.store.db.get(order)).toEqual(expected);
    expect(await distant.store.db.get(order)).toEqual(expected);
  });

  it("refuses an order id that two customers share", async () => {
    const temp = await useTempStore();
    const report = await importTransactions(temp, [
      header,
      "536365,12/1/2010 8:26,17850,1,1",
      "536365,12/1/2010 8:26,13047,1,1",
    ]);
    expect(report.committed).toBe(false);
    expect(report.errors).toEqual([
      {
        file: temp.dir.join("transactions.csv"),
        line: 3,
        column: "InvoiceNo",
        value: "536365",
        reason:
          "order 536365 belongs to customer 17850 on an earlier line, not 13047; order ids must not be shared between customers",
      },
    ]);
    expect(await temp.store.counts()).toMatchObject({ customers: 0, transactions: 0 });
  });

  it("asks for quantity and unit price when a row has neither an amount nor both of them", async () => {
    const temp = await useTempStore();
    const report = await importTransactions(temp, [header, "1,1/1/2011 9:00,17850,,2.5"]);
    expect(report.errors).toEqual([
      {
        file: temp.dir.join("transactions.csv"),
        line: 2,
        column: "Quantity",
        value: "",
        reason: "the amount is missing: give an amount, or both quantity and unit_price",
      },
    ]);
  });
});
