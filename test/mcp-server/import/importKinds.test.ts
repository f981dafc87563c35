import { describe, expect, it } from "vitest";
import { importFile, type ImportOptions } from "../../../mcp-server/import/importFile.js";
import type { Store } from "../../../mcp-server/store/store.js";
import { lines } from "../../helpers/tempFiles.js";
import { useTempStore, type TempStore } from "../../helpers/tempStore.js";

const NOW = new Date("2024-06-01T12:00:00.000Z");

/** Writes `text` to `name` in the store's temp folder and imports it. */
async function importText(
  temp: TempStore,
  kind: ImportOptions["kind"],
  name: string,
  text: string,
  options: Partial<ImportOptions> = {},
) {
  const file = temp.dir.write(name, text);
  return importFile(temp.store, { kind, file, now: NOW, ...options });
}

/**
 * A spreadsheet export as Excel writes it: UTF-8 BOM, CRLF line ends, quoted fields holding
 * commas, doubled quotes and a line break, Chinese names, companies and headers-as-words.
 */
const CUSTOMERS_CSV =
  "\uFEFF" +
  lines(
    [
      "Customer ID,Name,Company,Email,Phone,Country,Language,Owner,Tags,Do Not Contact,Customer Since",
      'C001,王伟,"北京星辰科技有限公司",wang.wei@example.cn,+86 10 1234 5678,CN,zh,李娜,"vip, 华北",no,2023-03-15',
      'C002,"Smith, Jane","Acme, Inc.",jane@acme.example,,US,,Tom,wholesale|net30|vip,yes,3/4/2023',
      'C003,"Li ""Lily"" Chen","Multi\r\nLine Co",,,,English,,,,',
    ],
    "\r\n",
  );

async function importCustomers(temp: TempStore) {
  const report = await importText(temp, "customers", "customers.csv", CUSTOMERS_CSV);
  expect(report.errors).toEqual([]);
  return report;
}

async function customer(store: Store, externalId: string) {
  return store.db.get<Record<string, unknown>>("SELECT * FROM customers WHERE external_id = ?", [externalId]);
}

describe("importing customers", () => {
  it("reads a BOM, CRLF, quoted commas and line breaks and Chinese text exactly", async () => {
    const temp = await useTempStore();
    const report = await importCustomers(temp);
    expect(report).toMatchObject({
      kind: "customers",
      committed: true,
      dryRun: false,
      rowsRead: 3,
      inserted: 3,
      updated: 0,
      duplicates: 0,
      errorCount: 0,
    });
    // The BOM is not part of the first header name, so "Customer ID" still maps automatically.
    expect(report.mapping).toEqual({
      external_id: "Customer ID",
      name: "Name",
      company: "Company",
      email: "Email",
      phone: "Phone",
      country: "Country",
      language: "Language",
      owner: "Owner",
      tags: "Tags",
      do_not_contact: "Do Not Contact",
      acquired_at: "Customer Since",
    });

    const rows = await temp.store.db.all("SELECT * FROM customers ORDER BY id");
    expect(rows).toEqual([
      {
        id: 1,
        external_id: "C001",
        name: "王伟",
        company: "北京星辰科技有限公司",
        email: "wang.wei@example.cn",
        phone: "+86 10 1234 5678",
        country: "CN",
        language: "zh",
        owner: "李娜",
        acquisition_channel: null,
        created_at: "2024-06-01T12:00:00Z",
        acquired_at: "2023-03-15T00:00:00Z",
        tags: '["vip","华北"]',
        do_not_contact: 0,
        birthday: null,
      },
      {
        id: 2,
        external_id: "C002",
        name: "Smith, Jane",
        company: "Acme, Inc.",
        email: "jane@acme.example",
        phone: null,
        country: "US",
        language: "en",
        owner: "Tom",
        acquisition_channel: null,
        created_at: "2024-06-01T12:00:00Z",
        acquired_at: "2023-03-04T00:00:00Z",
        tags: '["wholesale","net30","vip"]',
        do_not_contact: 1,
        birthday: null,
      },
      {
        id: 3,
        external_id: "C003",
        name: 'Li "Lily" Chen',
        company: "Multi\r\nLine Co",
        email: null,
        phone: null,
        country: null,
        language: "en",
        owner: null,
        acquisition_channel: null,
        created_at: "2024-06-01T12:00:00Z",
        acquired_at: null,
        tags: "[]",
        do_not_contact: 0,
        birthday: null,
      },
    ]);
  });

  it("matches Chinese headers and semicolon-delimited files automatically", async () => {
    const temp = await useTempStore();
    const report = await importText(
      temp,
      "customers",
      "zh.csv",
      lines(["客户编号;姓名;公司;电话;语言;标签", "K1;张丽;上海贸易;13800000000;中文;重点客户，华东"]),
      { map: { external_id: "客户编号" } },
    );
    expect(report.errors).toEqual([]);
    expect(await customer(temp.store, "K1")).toMatchObject({
      name: "张丽",
      company: "上海贸易",
      phone: "13800000000",
      language: "zh",
      tags: '["重点客户","华东"]',
    });
  });

  it("re-importing a changed file updates only the columns the file has", async () => {
    const temp = await useTempStore();
    await importCustomers(temp);
    const report = await importText(
      temp,
      "customers",
      "owners.csv",
      lines(["id,owner", "C001,赵敏", "C002,Tom", "C004,Ann"]),
    );
    expect(report).toMatchObject({ committed: true, inserted: 1, updated: 1, duplicates: 1 });
    expect(await customer(temp.store, "C001")).toMatchObject({
      owner: "赵敏",
      name: "王伟",
      language: "zh",
      tags: '["vip","华北"]',
    });
    expect(await customer(temp.store, "C002")).toMatchObject({ owner: "Tom", do_not_contact: 1 });
    expect(await customer(temp.store, "C004")).toMatchObject({ owner: "Ann", name: null, language: "en" });
  });
});

describe("importing transactions", () => {
  it("stores ISO UTC times, parsed amounts and returns, and creates unknown customers", async () => {
    const temp = await useTempStore();
    await importCustomers(temp);
    const report = await importText(
      temp,
      "transactions",
      "orders.csv",
      lines([
        "Order ID,Customer ID,Order Date,Amount,Quantity,Margin,Channel",
        'T1,C001,2024-01-05T10:30:00+08:00,"1,234.50",2,300,online',
        "T2,C002,20240210,$99.99,1,,store",
        "T3,C001,2024-02-29,(25.00),1,,online",
        "T4,NEW9,2024-03-01 09:15,10,,,",
        "T5,NEW9,2024-03-02T08:00:00Z,-5.5,-1,-1.25,",
      ]),
    );
    expect(report).toMatchObject({
      committed: true,
      rowsRead: 5,
      inserted: 5,
      duplicates: 0,
      customersCreated: 1,
      errorCount: 0,
    });
    const rows = await temp.store.db.all(
      `SELECT t.external_id, c.external_id AS customer, occurred_at, amount, quantity, margin, channel
       FROM transactions t JOIN customers c ON c.id = t.customer_id ORDER BY t.id`,
    );
    expect(rows).toEqual([
      {
        external_id: "T1",
        customer: "C001",
        occurred_at: "2024-01-05T02:30:00Z",
        amount: 1234.5,
        quantity: 2,
        margin: 300,
        channel: "online",
      },
      {
        external_id: "T2",
        customer: "C002",
        occurred_at: "2024-02-10T00:00:00Z",
        amount: 99.99,
        quantity: 1,
        margin: null,
        channel: "store",
      },
      {
        external_id: "T3",
        customer: "C001",
        occurred_at: "2024-02-29T00:00:00Z",
        amount: -25,
        quantity: 1,
        margin: null,
        channel: "online",
      },
      {
        external_id: "T4",
        customer: "NEW9",
        occurred_at: "2024-03-01T09:15:00Z",
        amount: 10,
        quantity: null,
        margin: null,
        channel: null,
      },
      {
        external_id: "T5",
        customer: "NEW9",
        occurred_at: "2024-03-02T08:00:00Z",
        amount: -5.5,
        quantity: -1,
        margin: -1.25,
        channel: null,
      },
    ]);
    // A customer created by a transactions file is acquired at its first purchase; customers with
    // their own acquisition date keep it.
    expect(await customer(temp.store, "NEW9")).toMatchObject({
      name: null,
      created_at: "2024-06-01T12:00:00Z",
      acquired_at: "2024-03-01T09:15:00Z",
      language: "en",
    });
    expect(await customer(temp.store, "C001")).toMatchObject({ acquired_at: "2023-03-15T00:00:00Z" });
    expect(await customer(temp.store, "C003")).toMatchObject({ acquired_at: null });
  });

  it("gives a created customer the country of its first row", async () => {
    const temp = await useTempStore();
    const report = await importText(
      temp,
      "transactions",
      "country.csv",
      lines(["customer,date,amount,country", "U1,2024-01-01,5,France", "U1,2024-01-02,6,Germany"]),
    );
    expect(report.customersCreated).toBe(1);
    expect(await customer(temp.store, "U1")).toMatchObject({ country: "France" });
  });
});

describe("importing interactions", () => {
  it("normalises channel and direction words in English and Chinese", async () => {
    const temp = await useTempStore();
    await importCustomers(temp);
    const report = await importText(
      temp,
      "interactions",
      "interactions.csv",
      lines([
        "id,customer,date,type,direction,notes,outcome",
        'I1,C001,2024-03-01T09:00:00Z,电话,inbound,"询问报价, 需要跟进",quoted',
        "I2,C002,2024-03-02 14:00,E-mail,out,Sent the Q2 catalogue,",
        "I3,C003,3/5/2024 16:45,WeChat,,,",
        "I4,C001,2024-03-06,拜访,incoming,现场演示,won",
      ]),
    );
    expect(report).toMatchObject({ committed: true, rowsRead: 4, inserted: 4, errorCount: 0 });
    const rows = await temp.store.db.all(
      `SELECT i.external_id, c.external_id AS customer, occurred_at, channel, direction, summary, outcome
       FROM interactions i JOIN customers c ON c.id = i.customer_id ORDER BY i.id`,
    );
    expect(rows).toEqual([
      {
        external_id: "I1",
        customer: "C001",
        occurred_at: "2024-03-01T09:00:00Z",
        channel: "phone",
        direction: "inbound",
        summary: "询问报价, 需要跟进",
        outcome: "quoted",
      },
      {
        external_id: "I2",
        customer: "C002",
        occurred_at: "2024-03-02T14:00:00Z",
        channel: "email",
        direction: "outbound",
        summary: "Sent the Q2 catalogue",
        outcome: null,
      },
      {
        external_id: "I3",
        customer: "C003",
        occurred_at: "2024-03-05T16:45:00Z",
        channel: "chat",
        direction: "outbound",
        summary: "",
        outcome: null,
      },
      {
        external_id: "I4",
        customer: "C001",
        occurred_at: "2024-03-06T00:00:00Z",
        channel: "meeting",
        direction: "inbound",
        summary: "现场演示",
        outcome: "won",
      },
    ]);
  });

  it("rejects an interaction id used twice in one file", async () => {
    const temp = await useTempStore();
    await importCustomers(temp);
    const report = await importText(
      temp,
      "interactions",
      "twice.csv",
      lines(["id,customer,date,channel", "I1,C001,2024-03-01,email", "I1,C002,2024-03-02,phone"]),
    );
    expect(report.committed).toBe(false);
    expect(report.errors).toEqual([
      {
        file: temp.dir.join("twice.csv"),
        line: 3,
        column: "id",
        value: "I1",
        reason: "this id appears on an earlier line of the file; ids must be unique",
      },
    ]);
    expect((await temp.store.counts()).interactions).toBe(0);
  });
});

describe("importing feedback", () => {
  it("detects English and Chinese text and defaults source and status", async () => {
    const temp = await useTempStore();
    await importCustomers(temp);
    const report = await importText(
      temp,
      "feedback",
      "feedback.csv",
      lines([
        "Response ID,Customer,Date,Type,Rating,Comment,Status",
        "F1,C001,2024-04-01,nps,9,产品很好，物流很快,",
        'F2,C002,2024-04-02,complaint,2,"Late delivery, box damaged",',
        "F3,C003,2024-04-03,review,,Great service!,resolved",
        "F4,C001,2024-04-04,投诉,,包装破损,已解决",
        "F5,C002,2024-04-05,,4.5,,",
        "F6,C002,2024-04-06,ticket,,Invoice 已收到 thanks,",
      ]),
    );
    expect(report).toMatchObject({ committed: true, rowsRead: 6, inserted: 6, errorCount: 0 });
    const rows = await temp.store.db.all(
      `SELECT f.external_id, c.external_id AS customer, f.occurred_at, f.source, f.score, f.text, f.language, f.status
       FROM feedback f JOIN customers c ON c.id = f.customer_id ORDER BY f.id`,
    );
    expect(rows).toEqual([
      {
        external_id: "F1",
        customer: "C001",
        occurred_at: "2024-04-01T00:00:00Z",
        source: "nps",
        score: 9,
        text: "产品很好，物流很快",
        language: "zh",
        status: "resolved",
      },
      {
        external_id: "F2",
        customer: "C002",
        occurred_at: "2024-04-02T00:00:00Z",
        source: "complaint",
        score: 2,
        text: "Late delivery, box damaged",
        language: "en",
        status: "open",
      },
      {
        external_id: "F3",
        customer: "C003",
        occurred_at: "2024-04-03T00:00:00Z",
        source: "review",
        score: null,
        text: "Great service!",
        language: "en",
        status: "resolved",
      },
      {
        external_id: "F4",
        customer: "C001",
        occurred_at: "2024-04-04T00:00:00Z",
        source: "complaint",
        score: null,
        text: "包装破损",
        language: "zh",
        status: "resolved",
      },
      {
        external_id: "F5",
        customer: "C002",
        occurred_at: "2024-04-05T00:00:00Z",
        source: "survey",
        score: 4.5,
        text: "",
        language: "en",
        status: "resolved",
      },
      {
        external_id: "F6",
        customer: "C002",
        occurred_at: "2024-04-06T00:00:00Z",
        source: "ticket",
        score: null,
        text: "Invoice 已收到 thanks",
        language: "zh",
        status: "open",
      },
    ]);
  });

  it("keeps an explicit language column over detection", async () => {
    const temp = await useTempStore();
    await importCustomers(temp);
    const report = await importText(
      temp,
      "feedback",
      "lang.csv",
      lines([
        "customer,date,score,text,language",
        "C001,2024-04-01,8,OK 好,en",
        "C002,2024-04-02,7,fine,zh-CN",
      ]),
    );
    expect(report.errors).toEqual([]);
    const languages = await temp.store.db.all("SELECT text, language FROM feedback ORDER BY id");
    expect(languages).toEqual([
      { text: "OK 好", language: "en" },
      { text: "fine", language: "zh" },
    ]);
  });
});
