import { describe, expect, it } from "vitest";
import { importFile, type ImportOptions } from "../../../mcp-server/import/importFile.js";
import { lines } from "../../helpers/tempFiles.js";
import { snapshotStore, useTempStore, type TempStore } from "../../helpers/tempStore.js";

const NOW = new Date("2024-06-01T12:00:00Z");

async function importText(temp: TempStore, kind: ImportOptions["kind"], name: string, text: string) {
  return importFile(temp.store, { kind, file: temp.dir.write(name, text), now: NOW });
}

async function withCustomers(): Promise<TempStore> {
  const temp = await useTempStore();
  const report = await importText(
    temp,
    "customers",
    "customers.csv",
    lines(["id,name", "C1,Ann Lee", "C2,李雷"]),
  );
  expect(report.errors).toEqual([]);
  return temp;
}

async function events(temp: TempStore) {
  return temp.store.db.all<Record<string, unknown>>(
    `SELECT e.external_id, c.external_id AS customer, e.occurred_at, e.type, e.category
     FROM events e JOIN customers c ON c.id = e.customer_id ORDER BY e.id`,
  );
}

describe("importing events", () => {
  it("reads web and store events with their synonyms, Chinese headers included", async () => {
    const temp = await withCustomers();
    const report = await importText(
      temp,
      "events",
      "events.csv",
      lines([
        "事件编号,客户编号,时间,行为,品类",
        "E1,C1,2024-05-01T10:00:00Z,page view,shoes",
        "E2,C1,2024-05-01T10:05:00Z,add to cart,shoes",
        "E3,C2,2024-05-02,到店,",
        "E4,C2,2024-05-03,search,bags",
      ]),
    );
    expect(report.errors).toEqual([]);
    expect(report).toMatchObject({ kind: "events", committed: true, inserted: 4 });
    expect(report.mapping).toEqual({
      external_id: "事件编号",
      customer: "客户编号",
      date: "时间",
      type: "行为",
      category: "品类",
    });
    expect(await events(temp)).toEqual([
      {
        external_id: "E1",
        customer: "C1",
        occurred_at: "2024-05-01T10:00:00Z",
        type: "page_view",
        category: "shoes",
      },
      {
        external_id: "E2",
        customer: "C1",
        occurred_at: "2024-05-01T10:05:00Z",
        type: "cart",
        category: "shoes",
      },
      {
        external_id: "E3",
        customer: "C2",
        occurred_at: "2024-05-02T00:00:00Z",
        type: "store_visit",
        category: null,
      },
      {
        external_id: "E4",
        customer: "C2",
        occurred_at: "2024-05-03T00:00:00Z",
        type: "search",
        category: "bags",
      },
    ]);
  });

  it("gives rows without an id a content id, so importing the file again adds nothing", async () => {
    const temp = await withCustomers();
    const text = lines([
      "customer,occurred_at,type,category",
      "C1,2024-05-01,page_view,shoes",
      "C1,2024-05-01,page_view,shoes",
      "C2,2024-05-02,cart,bags",
    ]);
    const first = await importText(temp, "events", "events.csv", text);
    expect(first).toMatchObject({ committed: true, inserted: 3 });
    const once = await snapshotStore(temp.store);
    const again = await importText(temp, "events", "events.csv", text);
    expect(again).toMatchObject({ committed: true, inserted: 0, duplicates: 3 });
    expect(await snapshotStore(temp.store)).toEqual(once);
  });

  it("refuses unknown customers, types and dates by line and column, and writes nothing", async () => {
    const temp = await withCustomers();
    const before = await snapshotStore(temp.store);
    const report = await importText(
      temp,
      "events",
      "bad.csv",
      lines([
        "id,customer,date,type",
        "E1,C1,2024-05-01,page_view",
        "E2,NOPE,2024-05-01,page_view",
        "E3,C1,2024-05-01,purchase",
        "E4,C1,2024-13-01,cart",
        "E5,C1,2024-05-01,",
      ]),
    );
    expect(report.committed).toBe(false);
    expect(report.errors.map(({ line, column, value }) => [line, column, value])).toEqual([
      [3, "customer", "NOPE"],
      [4, "type", "purchase"],
      [5, "date", "2024-13-01"],
      [6, "type", ""],
    ]);
    expect(report.errors[1].reason).toMatch(/page_view, cart, store_visit, search, wishlist/);
    expect(await snapshotStore(temp.store)).toEqual(before);
  });
});
