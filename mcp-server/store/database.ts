import sqlite3 from "sqlite3";
import { isBusy, translateStoreError } from "./errors.js";

/**
 * Extra attempts after SQLite's own busy timeout (set by the store) ran out, with these pauses:
 * together about three busy timeouts, inside the 60 s MCP clients wait for an answer.
 */
const BUSY_RETRY_PAUSES_MS = [250, 1000];

/**
 * Runs one statement, trying again when another connection holds the lock, and turns what still
 * fails into a typed error with a plain message (`store/errors.ts`). Safe to retry: a statement
 * that fails with SQLITE_BUSY has done nothing.
 */
async function patiently<T>(statement: () => Promise<T>): Promise<T> {
  for (let attempt = 0; ; attempt++) {
    try {
      return await statement();
    } catch (error) {
      if (isBusy(error) && attempt < BUSY_RETRY_PAUSES_MS.length) {
        await new Promise((resolve) => setTimeout(resolve, BUSY_RETRY_PAUSES_MS[attempt]));
        continue;
      }
      throw translateStoreError(error);
    }
  }
}

/** A value SQLite can bind. */
export type SqlValue = string | number | bigint | null | Buffer;

/** Result of a statement that writes. */
export interface RunResult {
  changes: number;
  lastID: number;
}

/**
 * A small promise wrapper over one `sqlite3` connection. Every method queues on the
 * connection, so statements start in the order they were called (and with `oneAtATime`, each
 * once the one before has finished).
 */
export class Database {
  private constructor(private readonly connection: sqlite3.Database) {}

  /**
   * Opens (creating if needed) the database file at `path`; `:memory:` works too.
   *
   * `oneAtATime` is for a connection that runs long aggregates side by side. The driver starts
   * every statement at once on its thread pool, where they take turns on the connection anyway,
   * and finalizes a finished one on the main thread, which then waits there for whichever
   * statement holds the connection: a portfolio overview at a million customers held every tool
   * call for up to 3.9 s that way. One at a time, a statement starts only once the main thread has
   * taken the last one's answer, which costs a connection that streams many short reads (a
   * scoring's) about a tenth of its time, so the others keep the driver's default.
   */
  static open(path: string, options: { oneAtATime?: boolean } = {}): Promise<Database> {
    const mode = sqlite3.OPEN_READWRITE | sqlite3.OPEN_CREATE;
    return new Promise((resolve, reject) => {
      const connection = new sqlite3.Database(path, mode, (error) => {
        if (error) reject(new Error(`cannot open the database ${path}: ${error.message}`));
        else {
          if (options.oneAtATime) connection.serialize();
          resolve(new Database(connection));
        }
      });
    });
  }

  run(sql: string, params: readonly SqlValue[] = []): Promise<RunResult> {
    return patiently(() => this.runOnce(sql, params));
  }

  private runOnce(sql: string, params: readonly SqlValue[]): Promise<RunResult> {
    return new Promise((resolve, reject) => {
      this.connection.run(sql, params, function (this: sqlite3.RunResult, error: Error | null) {
        if (error) reject(error);
        else resolve({ changes: this.changes, lastID: this.lastID });
      });
    });
  }

  get<T>(sql: string, params: readonly SqlValue[] = []): Promise<T | undefined> {
    return patiently(
      () =>
        new Promise<T | undefined>((resolve, reject) => {
          this.connection.get(sql, params, (error: Error | null, row: T | undefined) => {
            if (error) reject(error);
            else resolve(row);
          });
        }),
    );
  }

  all<T>(sql: string, params: readonly SqlValue[] = []): Promise<T[]> {
    return patiently(
      () =>
        new Promise<T[]>((resolve, reject) => {
          this.connection.all(sql, params, (error: Error | null, rows: T[]) => {
            if (error) reject(error);
            else resolve(rows);
          });
        }),
    );
  }

  /**
   * Inserts many rows with multi-row `INSERT ... VALUES (...), (...)` statements: one statement
   * per ~30,000 bound values (under SQLite's limit of 32,766). Batching like this is what makes
   * sqlite3 fast; row-by-row inserts are about 20 times slower.
   */
  async insertRows(
    table: string,
    columns: readonly string[],
    rows: readonly (readonly SqlValue[])[],
  ): Promise<void> {
    const perStatement = Math.max(1, Math.floor(30_000 / columns.length));
    const tuple = `(${columns.map(() => "?").join(", ")})`;
    for (let start = 0; start < rows.length; start += perStatement) {
      const chunk = rows.slice(start, start + perStatement);
      await this.run(
        `INSERT INTO ${table} (${columns.join(", ")}) VALUES ${chunk.map(() => tuple).join(", ")}`,
        chunk.flat(),
      );
    }
  }

  /** Runs several `;`-separated statements without parameters (schema scripts). */
  exec(sql: string): Promise<void> {
    return patiently(
      () =>
        new Promise<void>((resolve, reject) => {
          this.connection.exec(sql, (error) => (error ? reject(error) : resolve()));
        }),
    );
  }

  /** The tail of the queue of transactions on this connection. */
  private lastTransaction: Promise<unknown> = Promise.resolve();

  /**
   * Runs `work` inside one IMMEDIATE transaction: committed if it resolves, rolled back if it
   * throws, or rolled back without an error when `work` calls `rollback()` (dry runs, files
   * with invalid rows). IMMEDIATE takes the write lock up front, so another process waits on
   * the busy timeout instead of failing half-way. SQLite cannot nest transactions on one
   * connection, so transactions from concurrent callers in this process take turns.
   */
  transaction<T>(work: (control: { rollback(): void }) => Promise<T>): Promise<T> {
    const run = this.lastTransaction.then(async () => {
      let rollBack = false;
      await this.exec("BEGIN IMMEDIATE");
      try {
        const result = await work({ rollback: () => (rollBack = true) });
        await this.exec(rollBack ? "ROLLBACK" : "COMMIT");
        return result;
      } catch (error) {
        await this.exec("ROLLBACK").catch(() => undefined);
        throw error;
      }
    });
    this.lastTransaction = run.catch(() => undefined);
    return run;
  }

  close(): Promise<void> {
    return new Promise((resolve, reject) => {
      this.connection.close((error) => (error ? reject(error) : resolve()));
    });
  }
}
