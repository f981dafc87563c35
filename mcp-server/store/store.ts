import { closeSync, existsSync, mkdirSync, openSync, statSync } from "node:fs";
import { dirname } from "node:path";
import { Database, type SqlValue } from "./database.js";
import { MIGRATIONS } from "./migrations.js";
import type { CustomerRow } from "./rows.js";

/** Parts of the book a write can change, each with its own version (`Store.areaVersions`). */
export const CHANGE_AREAS = [
  "customers",
  "transactions",
  "interactions",
  "feedback",
  "tickets",
  "events",
] as const;
export type ChangeArea = (typeof CHANGE_AREAS)[number];

/** Milliseconds a writer waits for another process's lock before giving up. */
export const BUSY_TIMEOUT_MS = 10_000;

/** Raised when a customer reference matches nothing in the store. */
export class UnknownCustomerError extends Error {
  constructor(readonly reference: string) {
    super(
      `no customer with id ${reference}; try search_customers (or \`crm customers list --search ...\`) to find the id`,
    );
    this.name = "UnknownCustomerError";
  }
}

function stderrWarning(line: string): void {
  process.stderr.write(`${line}\n`);
}

/** Creates the store's folder and file privately, or warns when an existing file is shared. */
function preparePrivateFile(path: string, warn: (line: string) => void): void {
  mkdirSync(dirname(path), { recursive: true, mode: 0o700 });
  if (!existsSync(path)) {
    closeSync(openSync(path, "a", 0o600));
    return;
  }
  const mode = statSync(path).mode;
  if (process.platform !== "win32" && (mode & 0o077) !== 0) {
    warn(
      `warning: the store ${path} can be read by other users of this machine (mode ${(mode & 0o777).toString(8)}); ` +
        `it holds customers' contact details: run  chmod 600 "${path}"*  to make it yours alone`,
    );
  }
}

/** What the long reads need of a connection. */
export type Reads = Pick<Database, "all" | "get">;

/** A read-only connection to the store's file, opened when first asked (see `Store.reads`). */
class ReadConnection implements Reads {
  private opening: Promise<Database> | undefined;

  constructor(private readonly path: string) {}

  private connection(): Promise<Database> {
    this.opening ??= (async () => {
      const db = await Database.open(this.path, { oneAtATime: true });
      try {
        await db.exec(`PRAGMA busy_timeout = ${BUSY_TIMEOUT_MS}`);
        await db.exec("PRAGMA query_only = ON");
        return db;
      } catch (error) {
        await db.close().catch(() => undefined);
        throw error;
      }
    })();
    // A failed open is tried again by the next read.
    this.opening.catch(() => (this.opening = undefined));
    return this.opening;
  }

  async all<T>(sql: string, params?: readonly SqlValue[]): Promise<T[]> {
    return (await this.connection()).all<T>(sql, params);
  }

  async get<T>(sql: string, params?: readonly SqlValue[]): Promise<T | undefined> {
    return (await this.connection()).get<T>(sql, params);
  }

  async close(): Promise<void> {
    const opening = this.opening;
    this.opening = undefined;
    if (opening) await (await opening.catch(() => undefined))?.close();
  }
}

/**
 * The customer store: one SQLite file shared by the CLI, the MCP server and the VS Code
 * extension. WAL mode and a busy timeout let two processes use it at once.
 */
export class Store {
  /**
   * A second connection for the long reads of book-wide aggregates (segment totals, the KPI
   * figures, the transaction facts): one `sqlite3` connection runs one statement at a time, so a
   * 9-second aggregate on `db` would hold up every at-risk list, profile and write behind it. It
   * sees what is committed (never a write transaction in progress on `db`), refuses writes, and is
   * opened on first use; a store in memory has only `db`.
   */
  readonly reads: Reads;

  private constructor(
    readonly db: Database,
    readonly path: string,
  ) {
    this.reads = path === ":memory:" ? db : new ReadConnection(path);
  }

  /**
   * Opens the store at `path`, creating the file and its folder if needed, and migrates it. A new
   * folder is made private to the user (0700) and a new file too (0600; SQLite gives its -wal and
   * -shm files the same mode): the book holds customers' names, emails and phones. An existing
   * file that other users can read is opened with a warning on stderr that says how to fix it.
   */
  static async open(path: string, warn: (line: string) => void = stderrWarning): Promise<Store> {
    if (path !== ":memory:") preparePrivateFile(path, warn);
    const db = await Database.open(path);
    try {
      await db.exec(`PRAGMA busy_timeout = ${BUSY_TIMEOUT_MS}`);
      await db.exec("PRAGMA journal_mode = WAL");
      await db.exec("PRAGMA foreign_keys = ON");
      await db.exec("PRAGMA synchronous = NORMAL");
      const store = new Store(db, path);
      await store.migrate();
      return store;
    } catch (error) {
      await db.close().catch(() => undefined);
      throw error;
    }
  }

  /** Schema version: the number of migrations applied. */
  async schemaVersion(): Promise<number> {
    const row = await this.db.get<{ user_version: number }>("PRAGMA user_version");
    return row?.user_version ?? 0;
  }

  private async migrate(): Promise<void> {
    const current = await this.schemaVersion();
    if (current > MIGRATIONS.length) {
      throw new Error(
        `the database ${this.path} has schema version ${current}, newer than this program knows (${MIGRATIONS.length}); upgrade CRM Assistant`,
      );
    }
    for (let version = current + 1; version <= MIGRATIONS.length; version++) {
      await this.db.transaction(async () => {
        await this.db.exec(MIGRATIONS[version - 1]);
        await this.db.exec(`PRAGMA user_version = ${version}`);
      });
    }
  }

  async close(): Promise<void> {
    if (this.reads instanceof ReadConnection) await this.reads.close();
    await this.db.close();
  }

  /** Row counts of the main tables. */
  async counts(): Promise<{
    customers: number;
    transactions: number;
    interactions: number;
    feedback: number;
    followUps: number;
  }> {
    const row = await this.db.get<Record<string, number>>(
      `SELECT (SELECT COUNT(*) FROM customers) AS customers,
              (SELECT COUNT(*) FROM transactions) AS transactions,
              (SELECT COUNT(*) FROM interactions) AS interactions,
              (SELECT COUNT(*) FROM feedback) AS feedback,
              (SELECT COUNT(*) FROM follow_ups) AS followUps`,
    );
    return row as {
      customers: number;
      transactions: number;
      interactions: number;
      feedback: number;
      followUps: number;
    };
  }

  /**
   * Finds a customer by the store's numeric id or by the imported external id. External ids
   * win when both could match, because they are what users see in their own systems.
   */
  async findCustomer(reference: string | number): Promise<CustomerRow | undefined> {
    const text = String(reference).trim();
    const byExternal = await this.db.get<CustomerRow>("SELECT * FROM customers WHERE external_id = ?", [
      text,
    ]);
    if (byExternal) return byExternal;
    if (/^\d+$/.test(text))
      return this.db.get<CustomerRow>("SELECT * FROM customers WHERE id = ?", [Number(text)]);
    return undefined;
  }

  /** Like `findCustomer`, but throws an actionable error when nothing matches. */
  async requireCustomer(reference: string | number): Promise<CustomerRow> {
    const customer = await this.findCustomer(reference);
    if (!customer) throw new UnknownCustomerError(String(reference));
    return customer;
  }

  /**
   * A counter bumped by every write that changes what scores depend on. Cached scores remember
   * the version they were computed from, so a change from any process makes them stale.
   */
  async dataVersion(): Promise<number> {
    return Number((await this.getSetting("data_version")) ?? 0);
  }

  /**
   * Marks the book as changed (call inside the writing transaction when there is one): bumps the
   * data version, and the version of each area the write touched (`areaVersions`); without a list,
   * of every area, as an import or any write that does not say does.
   */
  async markChanged(areas: readonly ChangeArea[] = CHANGE_AREAS): Promise<void> {
    for (const key of ["data_version", ...areas.map((area) => `data_version:${area}`)]) {
      await this.db.run(
        `INSERT INTO settings (key, value) VALUES (?, '1')
         ON CONFLICT (key) DO UPDATE SET value = CAST(value AS INTEGER) + 1`,
        [key],
      );
    }
  }

  /**
   * The versions of some areas of the book, as one key: what an aggregate that reads only those
   * tables is remembered by, so a write elsewhere (a logged interaction, for the transaction
   * facts) does not make it be computed again.
   */
  async areaVersions(areas: readonly ChangeArea[]): Promise<string> {
    const rows = await this.db.all<{ key: string; value: string }>(
      `SELECT key, value FROM settings WHERE key IN (${areas.map(() => "?").join(", ")})`,
      areas.map((area) => `data_version:${area}`),
    );
    const byKey = new Map(rows.map((row) => [row.key, row.value]));
    return areas.map((area) => `${area}:${byKey.get(`data_version:${area}`) ?? 0}`).join(",");
  }

  async getSetting(key: string): Promise<string | undefined> {
    const row = await this.db.get<{ value: string }>("SELECT value FROM settings WHERE key = ?", [key]);
    return row?.value;
  }

  async setSetting(key: string, value: string): Promise<void> {
    await this.db.run(
      "INSERT INTO settings (key, value) VALUES (?, ?) ON CONFLICT (key) DO UPDATE SET value = excluded.value",
      [key, value],
    );
  }
}
