import { describe, expect, it } from "vitest";
import { importFile, type ImportOptions } from "../../../mcp-server/import/importFile.js";
import { lines } from "../../helpers/tempFiles.js";
import { snapshotStore, useTempStore, type TempStore } from "../../helpers/tempStore.js";

const NOW = new Date("2024-06-01T12:00:00Z");

async function importText(temp: TempStore, kind: ImportOptions["kind"], name: string, text: string) {
  return importFile(temp.store, { kind, file: temp.dir.write(name, text), now: NOW });
}

/** A store with two customers, C1 (English) and C2 (Chinese). */
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

async function tickets(temp: TempStore) {
  return temp.store.db.all<Record<string, unknown>>(
    `SELECT t.external_id, c.external_id AS customer, t.channel, t.kind, t.subject, t.opened_at, t.first_response_at,
            t.resolved_at, t.status, t.owner, t.resolution, t.feedback_id
     FROM tickets t JOIN customers c ON c.id = t.customer_id ORDER BY t.id`,
  );
}

const TICKETS = lines([
  "Ticket ID,Customer,Channel,Type,Subject,Created At,First Response,Resolved At,Status,Agent,Resolution",
  "T1,C1,email,complaint,Parcel arrived damaged,2024-05-01T09:00:00Z,2024-05-01T15:30:00Z,2024-05-03T10:00:00Z,,Tom,Replacement sent",
  "T2,C2,电话,咨询,发票怎么开,2024-05-02 08:00,2024-05-02 09:00,,,王芳,",
  "T3,C1,chat,return,Wrong size,2024-05-04,,,open,,",
]);

describe("importing tickets", () => {
  it("reads every column, matches Chinese kinds, and derives the status from the stamps when none is given", async () => {
    const temp = await withCustomers();
    const report = await importText(temp, "tickets", "tickets.csv", TICKETS);
    expect(report.errors).toEqual([]);
    expect(report).toMatchObject({
      kind: "tickets",
      committed: true,
      rowsRead: 3,
      inserted: 3,
      duplicates: 0,
    });
    expect(report.mapping).toEqual({
      external_id: "Ticket ID",
      customer: "Customer",
      channel: "Channel",
      kind: "Type",
      subject: "Subject",
      opened_at: "Created At",
      first_response_at: "First Response",
      resolved_at: "Resolved At",
      status: "Status",
      owner: "Agent",
      resolution: "Resolution",
    });
    expect(await tickets(temp)).toEqual([
      {
        external_id: "T1",
        customer: "C1",
        channel: "email",
        kind: "complaint",
        subject: "Parcel arrived damaged",
        opened_at: "2024-05-01T09:00:00Z",
        first_response_at: "2024-05-01T15:30:00Z",
        resolved_at: "2024-05-03T10:00:00Z",
        status: "resolved",
        owner: "Tom",
        resolution: "Replacement sent",
        feedback_id: null,
      },
      {
        external_id: "T2",
        customer: "C2",
        channel: "电话",
        kind: "question",
        subject: "发票怎么开",
        opened_at: "2024-05-02T08:00:00Z",
        first_response_at: "2024-05-02T09:00:00Z",
        resolved_at: null,
        status: "answered",
        owner: "王芳",
        resolution: null,
        feedback_id: null,
      },
      {
        external_id: "T3",
        customer: "C1",
        channel: "chat",
        kind: "return",
        subject: "Wrong size",
        opened_at: "2024-05-04T00:00:00Z",
        first_response_at: null,
        resolved_at: null,
        status: "open",
        owner: null,
        resolution: null,
        feedback_id: null,
      },
    ]);
  });

  it("refuses bad rows with the file, line and column, names every broken rule, and changes nothing", async () => {
    const temp = await withCustomers();
    await importText(temp, "tickets", "tickets.csv", TICKETS);
    const before = await snapshotStore(temp.store);
    const report = await importText(
      temp,
      "tickets",
      "bad.csv",
      lines([
        "id,customer,kind,opened_at,first_response_at,resolved_at,status",
        "B1,C9,question,2024-05-01,,,",
        "B2,C1,praise,2024-05-01,,,",
        "B3,C1,question,2024-05-01,,,closedish",
        "B4,C1,question,2024-05-02T10:00:00Z,2024-05-02T09:00:00Z,,",
        "B5,C1,question,2024-05-02,,2024-05-01,",
        "B6,C1,question,2024-05-02,,,resolved",
        "B7,C1,question,2024-05-02,2024-05-02,2024-05-03,open",
        "B8,C1,question,2024-05-02,,,answered",
        "B9,C1,,2024-05-02,,,",
        "B10,C1,question,,,,",
        "B11,C1,question,2024-05-01,,,",
        "B11,C2,question,2024-05-01,,,",
      ]),
    );
    expect(report.committed).toBe(false);
    const byLine = Object.fromEntries(report.errors.map((error) => [error.line, error]));
    expect(report.errorCount).toBe(11);
    expect(byLine[2]).toMatchObject({
      file: expect.stringMatching(/bad\.csv$/),
      column: "customer",
      value: "C9",
    });
    expect(byLine[2].reason).toMatch(/no customer with this id/);
    expect(byLine[3]).toMatchObject({ column: "kind", value: "praise" });
    expect(byLine[3].reason).toMatch(/complaint, question, request, return/);
    expect(byLine[4]).toMatchObject({ column: "status", value: "closedish" });
    expect(byLine[4].reason).toMatch(/open, answered, resolved/);
    expect(byLine[5]).toMatchObject({ column: "first_response_at" });
    expect(byLine[5].reason).toMatch(/before the ticket was opened/);
    expect(byLine[6]).toMatchObject({ column: "resolved_at" });
    expect(byLine[6].reason).toMatch(/before the ticket was opened/);
    expect(byLine[7]).toMatchObject({ column: "status", value: "resolved" });
    expect(byLine[7].reason).toMatch(/needs its resolved_at/);
    expect(byLine[8].reason).toMatch(/resolved_at time .* but status open/);
    expect(byLine[9].reason).toMatch(/needs its first_response_at/);
    expect(byLine[10]).toMatchObject({ column: "kind" });
    expect(byLine[10].reason).toMatch(/kind is required/);
    expect(byLine[11]).toMatchObject({ column: "opened_at" });
    expect(byLine[13]).toMatchObject({ column: "id", value: "B11" });
    expect(byLine[13].reason).toMatch(/appears on an earlier line/);
    expect(await snapshotStore(temp.store)).toEqual(before);
  });

  it("says which column is missing when the header has no opened_at or kind", async () => {
    const temp = await withCustomers();
    await expect(
      importText(temp, "tickets", "nohead.csv", lines(["id,customer,subject", "T1,C1,hello"])),
    ).rejects.toThrow(/no column for "opened_at".*"kind"/);
  });

  it("imports the same file twice without doubling anything, and a later export moves tickets on without losing what the store knows", async () => {
    const temp = await withCustomers();
    await importText(temp, "tickets", "tickets.csv", TICKETS);
    const once = await snapshotStore(temp.store);
    const again = await importText(temp, "tickets", "tickets.csv", TICKETS);
    expect(again).toMatchObject({ committed: true, inserted: 0, updated: 0, duplicates: 3 });
    expect(await snapshotStore(temp.store)).toEqual(once);

    // Meanwhile T3 was answered in the store (as respond_to_ticket does).
    await temp.store.db.run(
      "UPDATE tickets SET first_response_at = '2024-05-04T08:00:00Z', status = 'answered' WHERE external_id = 'T3'",
    );
    const later = await importText(
      temp,
      "tickets",
      "later.csv",
      lines([
        "id,customer,kind,subject,opened_at,first_response_at,resolved_at,status",
        // T2 is now resolved; T3's export still predates the response; T4 is new.
        "T2,C2,question,发票怎么开,2024-05-02 08:00,2024-05-02 09:00,2024-05-05,resolved",
        "T3,C1,return,Wrong size,2024-05-04,,,open",
        "T4,C2,request,New address,2024-05-06,,,",
      ]),
    );
    expect(later).toMatchObject({ committed: true, inserted: 1, updated: 1, duplicates: 1 });
    const rows = Object.fromEntries((await tickets(temp)).map((row) => [row.external_id, row]));
    expect(rows.T2).toMatchObject({ status: "resolved", resolved_at: "2024-05-05T00:00:00Z" });
    expect(rows.T3).toMatchObject({ status: "answered", first_response_at: "2024-05-04T08:00:00Z" });
    expect(rows.T4).toMatchObject({ status: "open", kind: "request" });
  });
});

describe("the customers' birthday column", () => {
  it("stores a birthday as a day, in any date format the file uses, and leaves it out when there is none", async () => {
    const temp = await useTempStore();
    const report = await importText(
      temp,
      "customers",
      "customers.csv",
      lines(["id,name,生日", "C1,Ann,1985-04-23", "C2,Bob,19900102", "C3,Cat,"]),
    );
    expect(report.errors).toEqual([]);
    expect(report.mapping.birthday).toBe("生日");
    const rows = await temp.store.db.all("SELECT external_id, birthday FROM customers ORDER BY id");
    expect(rows).toEqual([
      { external_id: "C1", birthday: "1985-04-23" },
      { external_id: "C2", birthday: "1990-01-02" },
      { external_id: "C3", birthday: null },
    ]);
  });

  it("refuses a birthday that is not a day, and one with a time of day", async () => {
    const temp = await useTempStore();
    const before = await snapshotStore(temp.store);
    const report = await importText(
      temp,
      "customers",
      "customers.csv",
      lines(["id,birthday", "C1,1985-02-30", "C2,1985-04-23T10:00:00Z", "C3,someday"]),
    );
    expect(report.committed).toBe(false);
    expect(report.errors.map(({ line, column }) => [line, column])).toEqual([
      [2, "birthday"],
      [3, "birthday"],
      [4, "birthday"],
    ]);
    expect(report.errors[0].reason).toMatch(/day 30 does not exist/);
    expect(report.errors[1].reason).toMatch(/a birthday is a day without a time/);
    expect(await snapshotStore(temp.store)).toEqual(before);
  });

  it("keeps a stored birthday when a later customers file has no birthday column", async () => {
    const temp = await useTempStore();
    await importText(temp, "customers", "a.csv", lines(["id,name,birthday", "C1,Ann,1985-04-23"]));
    const report = await importText(temp, "customers", "b.csv", lines(["id,name", "C1,Ann Lee"]));
    expect(report).toMatchObject({ committed: true, updated: 1 });
    expect(await temp.store.db.get("SELECT name, birthday FROM customers")).toEqual({
      name: "Ann Lee",
      birthday: "1985-04-23",
    });
  });
});
