import { describe, expect, it, vi } from "vitest";
import { importFile } from "../../../mcp-server/import/importFile.js";
import { Database } from "../../../mcp-server/store/database.js";
import { MIGRATIONS } from "../../../mcp-server/store/migrations.js";
import { Store, UnknownCustomerError } from "../../../mcp-server/store/store.js";
import { lines, useTempDir } from "../../helpers/tempFiles.js";
import { useTempStore } from "../../helpers/tempStore.js";

/**
 * The tables and indexes the migrations leave behind, read from their SQL (created, minus dropped;
 * dropping a table drops its indexes).
 */
function declared(kind: "TABLE" | "INDEX"): string[] {
  const created = new RegExp(
    `CREATE\\s+(?:UNIQUE\\s+|VIRTUAL\\s+)?${kind}\\s+(?:IF\\s+NOT\\s+EXISTS\\s+)?(\\w+)(?:\\s+ON\\s+(\\w+))?`,
    "gi",
  );
  const dropped = new RegExp(`DROP\\s+(${kind}|TABLE)\\s+(?:IF\\s+EXISTS\\s+)?(\\w+)`, "gi");
  const tableOf = new Map<string, string | undefined>();
  for (const sql of MIGRATIONS) {
    // In statement order: a migration may drop a table and create it again.
    const events = [
      ...[...sql.matchAll(created)].map((match) => ({
        at: match.index,
        name: match[1],
        table: match[2],
        add: true,
        ofTable: false,
      })),
      ...[...sql.matchAll(dropped)].map((match) => ({
        at: match.index,
        name: match[2],
        table: undefined,
        add: false,
        ofTable: match[1].toUpperCase() !== kind,
      })),
    ].sort((a, b) => a.at - b.at);
    for (const event of events) {
      if (event.add) tableOf.set(event.name, event.table);
      else if (!event.ofTable) tableOf.delete(event.name);
      else for (const [name, table] of tableOf) if (table === event.name) tableOf.delete(name);
    }
  }
  return [...tableOf.keys()].sort();
}

/** What the first migration created; later migrations may add more but never remove these. */
const BASE_TABLES = ["customers", "feedback", "follow_ups", "interactions", "settings", "transactions"];
const BASE_INDEXES = [
  "customers_email",
  "customers_name",
  "customers_owner",
  "feedback_customer_time",
  "feedback_time",
  "follow_ups_customer",
  "interactions_customer_time",
  "interactions_time",
  "transactions_customer_time",
  "transactions_time",
];

async function schemaObjects(db: Database, type: "table" | "index"): Promise<string[]> {
  // FTS5 keeps its index in shadow tables named after the virtual table (customers_search_data, ...).
  const rows = await db.all<{ name: string }>(
    `SELECT name FROM sqlite_master WHERE type = ? AND name NOT LIKE 'sqlite_%'
       AND name NOT GLOB '*_search_[a-z]*' ORDER BY name`,
    [type],
  );
  return rows.map((row) => row.name);
}

describe("Store.open migrations", () => {
  it("migrates an empty file to the latest schema with WAL and foreign keys on", async () => {
    const { store } = await useTempStore();
    expect(MIGRATIONS.length).toBeGreaterThan(0);
    expect(await store.schemaVersion()).toBe(MIGRATIONS.length);
    const version = await store.db.get<{ user_version: number }>("PRAGMA user_version");
    expect(version?.user_version).toBe(MIGRATIONS.length);
    const tables = await schemaObjects(store.db, "table");
    const indexes = await schemaObjects(store.db, "index");
    expect(tables).toEqual(declared("TABLE"));
    expect(indexes).toEqual(declared("INDEX"));
    expect(tables).toEqual(expect.arrayContaining(BASE_TABLES));
    expect(indexes).toEqual(expect.arrayContaining(BASE_INDEXES));
    expect(await store.db.get("PRAGMA journal_mode")).toEqual({ journal_mode: "wal" });
    expect(await store.db.get("PRAGMA foreign_keys")).toEqual({ foreign_keys: 1 });
    expect(await store.counts()).toEqual({
      customers: 0,
      transactions: 0,
      interactions: 0,
      feedback: 0,
      followUps: 0,
    });
  });

  it("creates the database's folder when it does not exist", async () => {
    const dir = useTempDir();
    const store = await Store.open(dir.join("nested/deeper/crm.db"));
    try {
      expect(await store.schemaVersion()).toBe(MIGRATIONS.length);
    } finally {
      await store.close();
    }
  });

  it("reopening a migrated file keeps its data and runs no migration again", async () => {
    const { store, path } = await useTempStore();
    await store.setSetting("currency", "EUR");
    await store.db.run(
      "INSERT INTO customers (external_id, created_at) VALUES ('C1', '2024-01-01T00:00:00Z')",
    );
    await store.close();

    const exec = vi.spyOn(Database.prototype, "exec");
    try {
      const reopened = await Store.open(path);
      try {
        const statements = exec.mock.calls.map(([sql]) => sql);
        expect(statements.some((sql) => /CREATE\s+TABLE/i.test(sql))).toBe(false);
        expect(statements.some((sql) => /user_version\s*=/i.test(sql))).toBe(false);
        expect(await reopened.schemaVersion()).toBe(MIGRATIONS.length);
        expect(await reopened.getSetting("currency")).toBe("EUR");
        expect((await reopened.counts()).customers).toBe(1);
        // The connection settings are per connection, so they must be applied on every open.
        expect(await reopened.db.get("PRAGMA foreign_keys")).toEqual({ foreign_keys: 1 });
        expect(await reopened.db.get("PRAGMA journal_mode")).toEqual({ journal_mode: "wal" });
      } finally {
        await reopened.close();
      }
    } finally {
      exec.mockRestore();
    }
  });

  it("refuses a file whose schema is newer than this program, saying to upgrade", async () => {
    const dir = useTempDir();
    const path = dir.join("future.db");
    const raw = await Database.open(path);
    await raw.exec(`PRAGMA user_version = ${MIGRATIONS.length + 5}`);
    await raw.close();

    const error = await Store.open(path).then(
      () => null,
      (thrown: unknown) => thrown,
    );
    expect(error).toBeInstanceOf(Error);
    expect((error as Error).message).toBe(
      `the database ${path} has schema version ${MIGRATIONS.length + 5}, newer than this program knows (${MIGRATIONS.length}); upgrade CRM Assistant`,
    );
    // The refused file is left as it was.
    const check = await Database.open(path);
    try {
      expect(await check.get("PRAGMA user_version")).toEqual({ user_version: MIGRATIONS.length + 5 });
      expect(await schemaObjects(check, "table")).toEqual([]);
    } finally {
      await check.close();
    }
  });

  it("enforces foreign keys: a transaction cannot name a customer that does not exist", async () => {
    const { store } = await useTempStore();
    await expect(
      store.db.run(
        "INSERT INTO transactions (external_id, customer_id, occurred_at, amount) VALUES ('T1', 999, '2024-01-01T00:00:00Z', 1)",
      ),
    ).rejects.toThrow(/FOREIGN KEY constraint failed/);
  });
});

describe("Store customer look-ups", () => {
  async function storeWithCustomers() {
    const temp = await useTempStore();
    const file = temp.dir.write(
      "customers.csv",
      lines(["id,name,company,email", "ACME-7,Jane Smith,Acme Ltd,jane@acme.example", "C2,王伟,星辰科技,"]),
    );
    const report = await importFile(temp.store, {
      kind: "customers",
      file,
      now: new Date("2024-06-01T12:00:00Z"),
    });
    expect(report.committed).toBe(true);
    return temp;
  }

  it("finds an imported customer by external id and by numeric id", async () => {
    const { store } = await storeWithCustomers();
    const byExternal = await store.findCustomer("ACME-7");
    expect(byExternal).toEqual({
      id: 1,
      external_id: "ACME-7",
      name: "Jane Smith",
      company: "Acme Ltd",
      email: "jane@acme.example",
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
    });
    expect(await store.findCustomer(1)).toEqual(byExternal);
    expect(await store.findCustomer(" 1 ")).toEqual(byExternal);
    expect((await store.findCustomer("C2"))?.name).toBe("王伟");
    expect((await store.findCustomer(2))?.external_id).toBe("C2");
    expect(await store.findCustomer("nobody")).toBeUndefined();
    expect(await store.findCustomer(3)).toBeUndefined();
  });

  it("prefers an external id over a numeric id when a reference could be either", async () => {
    const { store } = await useTempStore();
    await store.db.exec(
      `INSERT INTO customers (id, external_id, name, created_at) VALUES
         (1, '2', 'external two', '2024-01-01T00:00:00Z'),
         (2, 'X', 'numeric two', '2024-01-01T00:00:00Z')`,
    );
    expect((await store.findCustomer("2"))?.name).toBe("external two");
    expect((await store.findCustomer("1"))?.name).toBe("external two");
  });

  it("requireCustomer returns the customer, or throws an actionable error for an unknown id", async () => {
    const { store } = await storeWithCustomers();
    expect((await store.requireCustomer("ACME-7")).id).toBe(1);
    const error = await store.requireCustomer("NOPE-1").catch((thrown: unknown) => thrown);
    expect(error).toBeInstanceOf(UnknownCustomerError);
    expect(error).toMatchObject({ name: "UnknownCustomerError", reference: "NOPE-1" });
    expect((error as Error).message).toBe(
      "no customer with id NOPE-1; try search_customers (or `crm customers list --search ...`) to find the id",
    );
  });

  it("stores settings and overwrites them by key", async () => {
    const { store } = await useTempStore();
    expect(await store.getSetting("language")).toBeUndefined();
    await store.setSetting("language", "zh");
    await store.setSetting("language", "en");
    expect(await store.getSetting("language")).toBe("en");
  });
});

describe("Database.transaction", () => {
  it("rolls back everything when the work throws", async () => {
    const { store } = await useTempStore();
    await expect(
      store.db.transaction(async () => {
        await store.setSetting("a", "1");
        throw new Error("boom");
      }),
    ).rejects.toThrow("boom");
    expect(await store.getSetting("a")).toBeUndefined();
    await store.db.transaction(() => store.setSetting("a", "2"));
    expect(await store.getSetting("a")).toBe("2");
  });
});
