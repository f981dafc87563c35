import { describe, expect, it } from "vitest";
import { importFile, type ImportOptions } from "../../../mcp-server/import/importFile.js";
import { BATCH_ROWS } from "../../../mcp-server/import/writer.js";
import { lines } from "../../helpers/tempFiles.js";
import { snapshotStore, useTempStore, type TempStore } from "../../helpers/tempStore.js";

const CUSTOMERS = lines([
  "id,name,company,tags,do not contact",
  'C1,王伟,"星辰科技, 北京",vip;华北,no',
  "C2,Jane Smith,Acme,,yes",
]);

async function importText(
  temp: TempStore,
  kind: ImportOptions["kind"],
  text: string,
  options: Partial<ImportOptions> = {},
) {
  const file = temp.dir.write(`${kind}.csv`, text);
  return importFile(temp.store, { kind, file, now: new Date("2024-06-01T00:00:00Z"), ...options });
}

async function tableRows(temp: TempStore, table: string) {
  return temp.store.db.all(`SELECT * FROM ${table} ORDER BY id`);
}

describe("dry runs", () => {
  it("write nothing but report the counts a real import would have", async () => {
    const temp = await useTempStore();
    await importText(temp, "customers", CUSTOMERS);
    const text = lines([
      "order id,customer,date,quantity,unit price",
      "A1,C1,2024-01-01,2,5",
      "A1,C1,2024-01-01,1,5",
      "A2,NEW1,2024-01-02,1,7.5",
      "A3,NEW2,2024-01-03,1,1",
      "A4,C2,2024-01-04,-1,5",
    ]);
    const before = await snapshotStore(temp.store);
    const dry = await importText(temp, "transactions", text, { dryRun: true });
    expect(dry).toMatchObject({
      dryRun: true,
      committed: false,
      rowsRead: 5,
      inserted: 4,
      updated: 0,
      duplicates: 0,
      customersCreated: 2,
      errorCount: 0,
      errors: [],
    });
    expect(await snapshotStore(temp.store)).toEqual(before);

    const real = await importText(temp, "transactions", text);
    expect(real).toMatchObject({ dryRun: false, committed: true });
    const counts = ({ rowsRead, inserted, updated, duplicates, customersCreated }: typeof real) => ({
      rowsRead,
      inserted,
      updated,
      duplicates,
      customersCreated,
    });
    expect(counts(real)).toEqual(counts(dry));
    expect(await temp.store.counts()).toMatchObject({ customers: 4, transactions: 4 });
  });

  it("report customer inserts and updates without making them", async () => {
    const temp = await useTempStore();
    await importText(temp, "customers", CUSTOMERS);
    const before = await snapshotStore(temp.store);
    const dry = await importText(temp, "customers", lines(["id,name", "C1,王伟", "C2,Jane Doe", "C3,New"]), {
      dryRun: true,
    });
    expect(dry).toMatchObject({ committed: false, inserted: 1, updated: 1, duplicates: 1 });
    expect(await snapshotStore(temp.store)).toEqual(before);
  });

  it("still find every invalid row", async () => {
    const temp = await useTempStore();
    const dry = await importText(
      temp,
      "transactions",
      lines(["customer,date,amount", "C1,2024-01-01,1", "C1,someday,2"]),
      { dryRun: true },
    );
    expect(dry).toMatchObject({ dryRun: true, committed: false, errorCount: 1 });
    expect(dry.errors[0]).toMatchObject({ line: 3, column: "date", value: "someday" });
  });
});

describe("re-importing the same file", () => {
  it("does not duplicate transactions that have order ids, merged line items included", async () => {
    const temp = await useTempStore();
    const filler = Array.from(
      { length: BATCH_ROWS + 3 },
      (_, index) => `F${index},C${index % 3},2024-02-01,1,2`,
    );
    const text = lines([
      "InvoiceNo,CustomerID,InvoiceDate,Quantity,UnitPrice",
      "A1,C1,2024-01-01,2,5",
      "A1,C1,2024-01-01,1,5",
      ...filler,
      "A1,C1,2024-01-01,1,0.5",
      "A2,C2,2024-01-02,-1,5",
    ]);
    const first = await importText(temp, "transactions", text);
    expect(first).toMatchObject({ committed: true, inserted: BATCH_ROWS + 5, duplicates: 0 });
    const rows = await tableRows(temp, "transactions");
    expect(
      await temp.store.db.get("SELECT amount, quantity FROM transactions WHERE external_id = 'A1'"),
    ).toEqual({
      amount: 15.5,
      quantity: 4,
    });

    const second = await importText(temp, "transactions", text);
    expect(second).toMatchObject({ committed: true, inserted: 0, customersCreated: 0 });
    // One duplicate per order: the lines of an order merge before they are compared.
    expect(second.duplicates).toBe(BATCH_ROWS + 5);
    expect(await tableRows(temp, "transactions")).toEqual(rows);
  });

  it("does not duplicate transactions without ids, yet keeps identical rows within one file", async () => {
    const temp = await useTempStore();
    const text = lines([
      "customer,date,amount",
      "C1,2024-01-01,9.99",
      "C1,2024-01-01,9.99",
      "C1,2024-01-01,9.99",
      "C2,2024-01-01,9.99",
      "C1,2024-01-02,9.99",
    ]);
    const first = await importText(temp, "transactions", text);
    expect(first).toMatchObject({ committed: true, inserted: 5, duplicates: 0 });
    const rows = await tableRows(temp, "transactions");
    // Three genuinely identical purchases are three transactions, each with its own id.
    expect(new Set(rows.map((row) => (row as { external_id: string }).external_id)).size).toBe(5);

    const second = await importText(temp, "transactions", text);
    expect(second).toMatchObject({ committed: true, inserted: 0, duplicates: 5 });
    expect(await tableRows(temp, "transactions")).toEqual(rows);

    // A later export with one more identical purchase adds exactly that one.
    const grown = await importText(temp, "transactions", `${text}C1,2024-01-01,9.99\n`);
    expect(grown).toMatchObject({ inserted: 1, duplicates: 5 });
    expect((await temp.store.counts()).transactions).toBe(6);
  });

  it("does not duplicate or change customers", async () => {
    const temp = await useTempStore();
    const first = await importText(temp, "customers", CUSTOMERS);
    expect(first).toMatchObject({ inserted: 2, updated: 0, duplicates: 0 });
    const rows = await tableRows(temp, "customers");
    const second = await importText(temp, "customers", CUSTOMERS, { now: new Date("2025-01-01T00:00:00Z") });
    expect(second).toMatchObject({ committed: true, inserted: 0, updated: 0, duplicates: 2 });
    // Not even created_at moves: it records when the customer first arrived.
    expect(await tableRows(temp, "customers")).toEqual(rows);
  });

  it("does not duplicate feedback or interactions, with or without ids", async () => {
    const temp = await useTempStore();
    await importText(temp, "customers", CUSTOMERS);
    const files: [ImportOptions["kind"], string][] = [
      [
        "feedback",
        lines(["id,customer,date,score,comment", "R1,C1,2024-03-01,9,很满意", "R2,C2,2024-03-02,3,Too slow"]),
      ],
      [
        "feedback",
        lines(["customer,date,score,comment", "C1,2024-03-03,10,", "C1,2024-03-03,10,", "C2,2024-03-04,,ok"]),
      ],
      [
        "interactions",
        lines(["id,customer,date,channel", "I1,C1,2024-03-01,email", "I2,C2,2024-03-01,phone"]),
      ],
      [
        "interactions",
        lines(["customer,date,channel,notes", "C1,2024-03-05,meeting,演示", "C1,2024-03-05,meeting,演示"]),
      ],
    ];
    for (const [kind, text] of files) {
      const first = await importText(temp, kind, text);
      expect(first.errors).toEqual([]);
      const rows = await tableRows(temp, kind);
      const second = await importText(temp, kind, text);
      expect(second).toMatchObject({ committed: true, inserted: 0, duplicates: first.inserted });
      expect(await tableRows(temp, kind)).toEqual(rows);
    }
    expect(await temp.store.counts()).toMatchObject({ feedback: 5, interactions: 4 });
  });
});
