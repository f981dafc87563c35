import { describe, expect, it } from "vitest";
import type { ImportKind } from "../../../mcp-server/import/fields.js";
import { resolveMapping } from "../../../mcp-server/import/fields.js";
import { importFile, type ImportOptions } from "../../../mcp-server/import/importFile.js";
import { RecordParser, contentId } from "../../../mcp-server/import/rows.js";
import { BATCH_ROWS } from "../../../mcp-server/import/writer.js";
import { lines } from "../../helpers/tempFiles.js";
import { useTempStore, type TempStore } from "../../helpers/tempStore.js";

/**
 * The import stages rows in a temporary table and settles ids, line items and conflicts with
 * SQL once every row is in. These tests pin what that must not change: the ids rows without
 * their own id are stored under, line items folded one by one in file order wherever they are,
 * every contradicting row reported, and a large load leaving the schema as it found it.
 */

async function importText(
  temp: TempStore,
  kind: ImportKind,
  text: string,
  options: Partial<ImportOptions> = {},
) {
  const file = temp.dir.write(`${kind}.csv`, text);
  return importFile(temp.store, { kind, file, now: new Date("2024-06-01T00:00:00Z"), ...options });
}

/** The ids rows without one have always been stored under: content hash and occurrence, in file order. */
function contentIds(kind: ImportKind, text: string): string[] {
  const [headerLine, ...rows] = text.trim().split("\n");
  const header = headerLine.split(",");
  const parser = new RecordParser(kind, header, resolveMapping(kind, header, {}), { format: "auto" });
  const seen = new Map<string, number>();
  return rows.map((row) => {
    const parsed = parser.parse(row.split(","));
    const first = contentId(kind, parsed, 0);
    const occurrence = seen.get(first) ?? 0;
    seen.set(first, occurrence + 1);
    return contentId(kind, parsed, occurrence);
  });
}

describe("rows without their own id", () => {
  it("keep the content ids earlier versions gave them, repeats numbered in file order", async () => {
    const temp = await useTempStore();
    await importText(temp, "customers", lines(["id,name", "C1,Ann", "C2,Bob"]));
    const files: [ImportKind, string][] = [
      [
        "transactions",
        lines([
          "customer,date,amount,quantity,channel",
          "C1,2024-01-01,9.99,1,web",
          "C1,2024-01-01,9.99,1,web",
          "C2,2024-01-01,0.1,3,",
          "C1,2024-01-01,9.99,1,web",
          "C1,2024-01-02,1234567.891,2,store",
        ]),
      ],
      [
        "feedback",
        lines([
          "customer,date,score,text",
          "C1,2024-02-01,9,Great",
          "C1,2024-02-01,9,Great",
          "C2,2024-02-02,3,",
        ]),
      ],
      [
        "interactions",
        lines([
          "customer,date,channel,notes",
          "C1,2024-03-01,email,hi",
          "C1,2024-03-01,email,hi",
          "C2,2024-03-01,phone,",
        ]),
      ],
    ];
    for (const [kind, text] of files) {
      expect((await importText(temp, kind, text)).errors).toEqual([]);
      const stored = await temp.store.db.all<{ external_id: string }>(
        `SELECT external_id FROM ${kind} ORDER BY id`,
      );
      expect(stored.map((row) => row.external_id)).toEqual(contentIds(kind, text));
    }
  });
});

describe("line items", () => {
  const header = "order id,customer,date,amount,quantity,margin";

  it("fold one by one in file order, so an order gives the same totals whether its lines are together or apart", async () => {
    // Sub-cent amounts and fractional quantities and margins: sums that depend on their order.
    const items = [
      "X,C1,2024-01-03,0.005,0.1,0.1",
      "X,C1,2024-01-01,0.005,0.2,0.2",
      "X,C1,2024-01-02,0.335,0.3,0.7",
    ];
    const filler = Array.from({ length: BATCH_ROWS + 3 }, (_, index) => `F${index},C2,2024-02-01,1,1,0.5`);
    const together = lines([header, ...items, ...filler]);
    const apart = lines([header, items[0], ...filler.slice(0, 7), items[1], ...filler.slice(7), items[2]]);
    const twoRuns = lines([header, items[0], ...filler, items[1], items[2]]);
    const folded: unknown[] = [];
    for (const text of [together, apart, twoRuns]) {
      const temp = await useTempStore();
      const report = await importText(temp, "transactions", text);
      expect(report).toMatchObject({ committed: true, inserted: BATCH_ROWS + 4, duplicates: 0 });
      folded.push(
        await temp.store.db.get(
          "SELECT occurred_at, amount, quantity, margin FROM transactions WHERE external_id = 'X'",
        ),
      );
    }
    // What folding the lines one by one gives, as the importer has always done it.
    let amount = 0.005;
    let quantity = 0.1;
    let margin = 0.1;
    for (const [lineAmount, lineQuantity, lineMargin] of [
      [0.005, 0.2, 0.2],
      [0.335, 0.3, 0.7],
    ]) {
      amount = Math.round((amount + lineAmount) * 100) / 100;
      quantity += lineQuantity;
      margin += lineMargin;
    }
    const expected = { occurred_at: "2024-01-01T00:00:00Z", amount, quantity, margin };
    expect(folded).toEqual([expected, expected, expected]);
  });

  it("report the line that takes an order out of range or names another customer, together or apart", async () => {
    const temp = await useTempStore();
    const filler = Array.from({ length: 20 }, (_, index) => `F${index},C2,2024-02-01,1,1,`);
    const report = await importText(
      temp,
      "transactions",
      lines([
        header,
        "A,C1,2024-01-01,600000000,1,",
        "A,C1,2024-01-01,300000000,1,",
        "A,C1,2024-01-01,300000000,1,", // line 4: A adds up to 1.2e9
        "A,C9,2024-01-01,1,1,", // line 5: another customer
        "A,C1,2024-01-01,-500000000,1,", // refused lines do not count: back to 400 M
        ...filler,
        "B,C1,2024-01-01,900000000,1,", // line 27
        ...filler.map((row) => row.replace(/^F/, "G")),
        "B,C1,2024-01-01,50000000,1,", // line 48: 950 M
        "B,C1,2024-01-01,60000000,1,", // line 49: 1.01e9
        "B,C2,2024-01-01,1,1,", // line 50
      ]),
    );
    expect(report.committed).toBe(false);
    expect(
      report.errors.map((error) => [error.line, error.column, error.value, error.reason.split(";")[0]]),
    ).toEqual([
      [
        4,
        "order id",
        "A",
        "with this line, order A adds up to more than 1,000,000,000 (amounts and margins must be between -1,000,000,000 and 1,000,000,000)",
      ],
      [5, "order id", "A", "order A belongs to customer C1 on an earlier line, not C9"],
      [
        49,
        "order id",
        "B",
        "with this line, order B adds up to more than 1,000,000,000 (amounts and margins must be between -1,000,000,000 and 1,000,000,000)",
      ],
      [50, "order id", "B", "order B belongs to customer C1 on an earlier line, not C2"],
    ]);
    expect(await temp.store.counts()).toMatchObject({ customers: 0, transactions: 0 });
  });
});

describe("the report", () => {
  it("lists every bad row in line order: those that fail to parse and those that contradict others", async () => {
    const temp = await useTempStore();
    await importText(temp, "customers", lines(["id,name", "C1,Ann"]));
    const report = await importText(
      temp,
      "interactions",
      lines([
        "id,customer,date,channel",
        "I1,C1,2024-03-01,email",
        "I2,C1,someday,email",
        "I3,C404,2024-03-01,email",
        "I1,C1,2024-03-02,phone",
        "I4,C1,2024-03-02,fax",
      ]),
    );
    expect(report.errors.map((error) => [error.line, error.column])).toEqual([
      [3, "date"],
      [4, "customer"],
      [5, "id"],
      [6, "channel"],
    ]);
    expect(report.errorCount).toBe(4);
  });
});

describe("a large load", () => {
  it("builds the table's indexes afresh in the same transaction and leaves the schema as it was", async () => {
    const temp = await useTempStore();
    const schema = "SELECT type, name, tbl_name, sql FROM sqlite_schema ORDER BY type, name";
    const before = await temp.store.db.all(schema);
    const rows = Array.from(
      { length: 60_000 },
      (_, index) =>
        `O${index},C${index % 700},2024-01-${String((index % 28) + 1).padStart(2, "0")},${index % 97}.5`,
    );
    const text = lines(["order,customer,date,amount", ...rows]);
    // A dry run rolls the rebuilt indexes back with everything else.
    expect(await importText(temp, "transactions", text, { dryRun: true })).toMatchObject({
      inserted: 60_000,
    });
    expect(await temp.store.db.all(schema)).toEqual(before);
    expect(await temp.store.counts()).toMatchObject({ transactions: 0 });
    expect(await importText(temp, "transactions", text)).toMatchObject({ committed: true, inserted: 60_000 });
    expect(await temp.store.db.all(schema)).toEqual(before);
    expect(await temp.store.db.get("PRAGMA integrity_check")).toEqual({ integrity_check: "ok" });
    const plan = await temp.store.db.all<{ detail: string }>(
      "EXPLAIN QUERY PLAN SELECT * FROM transactions WHERE customer_id = 5 ORDER BY occurred_at",
    );
    expect(plan.map((step) => step.detail).join(" ")).toContain("transactions_customer_time");
  });
});
