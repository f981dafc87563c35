import { BulkInsert, bulkColumn, type BulkColumn } from "../store/bulkInsert.js";
import { Database, type SqlValue } from "../store/database.js";
import { BUSY_TIMEOUT_MS, type Store } from "../store/store.js";
import type { ScoreFigures } from "./explain.js";
import type { ScoreRanks } from "./scoreCustomers.js";

/** The population ranks' columns (in `rankToRow`'s order), which a pass with reused fits writes after the rest. */
const RANK_COLUMNS = ["rfm_r", "rfm_f", "rfm_m", "rfm_segment", "abc_tier", "value_quadrant"] as const;
const RANK_NAMES = new Set<string>(RANK_COLUMNS);

/** Tables a scoring in this process made, numbered so concurrent scorings never share one. */
let made = 0;

/** Pending tables of scorings whose process is gone (a crash, a kill) are dropped by the next. */
const LEFTOVER = /^pending_(?:scores|ranks)_(\d+)_\d+$/;

function processAlive(pid: number): boolean {
  try {
    process.kill(pid, 0);
    return true;
  } catch (error) {
    // EPERM: it exists, as another user's process.
    return (error as NodeJS.ErrnoException).code === "EPERM";
  }
}

/**
 * Where a score set's rows wait until they are published in one transaction, so readers see the
 * old set or the whole new one.
 *
 * A pass that fits the models writes its rows after reading the whole book, into a temporary
 * table on the store's connection. A pass with reused fits hands each chunk's rows over while the
 * next chunk is read (`ScoringOptions.early`), and the ranks at the end; those are written by a
 * second connection, because one `sqlite3` connection runs its statements one at a time and the
 * next chunk's read would wait behind each insert (measured: no faster than writing after the
 * read). A second connection cannot see the first's temporary tables, so these are real tables,
 * dropped once published; a process that dies leaves them behind for the next scoring to drop.
 */
export class PendingScores {
  private writing: Promise<unknown> = Promise.resolve();
  private readonly scoreRows: BulkInsert;
  private readonly rankRows: BulkInsert | null;
  written = 0;
  ranked = 0;

  private constructor(
    private readonly store: Store,
    private readonly writer: Database | null,
    private readonly scoresTable: string,
    private readonly ranksTable: string | null,
    columns: readonly BulkColumn[],
  ) {
    const db = writer ?? store.db;
    this.scoreRows = new BulkInsert(db, scoresTable, columns);
    // The ranks travel as the score columns of the same names do.
    const rankColumns = RANK_COLUMNS.map((name) => columns.find((column) => column.name === name)!);
    this.rankRows = ranksTable
      ? new BulkInsert(db, ranksTable, [bulkColumn.integer("customer_id"), ...rankColumns])
      : null;
  }

  /**
   * Tables for one set's rows: `early` (reused fits, a store on a file) on a connection of its own
   * with a ranks table, else a temporary table on the store's connection.
   */
  static async open(store: Store, columns: readonly BulkColumn[], early: boolean): Promise<PendingScores> {
    const number = `${process.pid}_${++made}`;
    if (!early || store.path === ":memory:") {
      const table = `temp.pending_scores_${number}`;
      await store.db.exec(`CREATE TABLE ${table} AS SELECT * FROM customer_scores WHERE 0`);
      return new PendingScores(store, null, table, null, columns);
    }
    await dropLeftovers(store);
    const writer = await Database.open(store.path);
    try {
      await writer.exec(`PRAGMA busy_timeout = ${BUSY_TIMEOUT_MS}`);
      await writer.exec("PRAGMA synchronous = NORMAL");
      const scores = `pending_scores_${number}`;
      const ranks = `pending_ranks_${number}`;
      await writer.exec(`CREATE TABLE ${scores} AS SELECT * FROM customer_scores WHERE 0`);
      await writer.exec(
        `CREATE TABLE ${ranks} (customer_id INTEGER PRIMARY KEY, ${RANK_COLUMNS.join(", ")})`,
      );
      return new PendingScores(store, writer, scores, ranks, columns);
    } catch (error) {
      await writer.close().catch(() => undefined);
      throw error;
    }
  }

  /** Whether the ranks come separately (`writeRanks`), after every chunk's scores. */
  get early(): boolean {
    return this.ranksTable !== null;
  }

  /**
   * Queues a chunk of rows. At most one chunk is being written while the caller computes the next;
   * a failure surfaces at the next call or at `finish`.
   */
  async writeScores(rows: readonly (readonly SqlValue[])[]): Promise<void> {
    await this.queue(() => this.scoreRows.insert(rows));
    this.written += rows.length;
  }

  async writeRanks(ranks: readonly ScoreRanks[]): Promise<void> {
    const rankRows = this.rankRows;
    if (!rankRows) throw new Error("this scoring writes its ranks with the scores");
    await this.queue(() => rankRows.insert(ranks.map(rankToRow)));
    this.ranked += ranks.length;
  }

  private async queue(write: () => Promise<unknown>): Promise<void> {
    await this.writing;
    this.writing = write();
    // Observed here so a failure while scoring goes on is not unhandled; awaited by `finish`.
    this.writing.catch(() => undefined);
  }

  /** Waits for the queued writes; throws when the ranks do not cover the scores. */
  async finish(): Promise<number> {
    await this.writing;
    if (this.early && this.ranked !== this.written)
      throw new Error(`scoring ranked ${this.ranked} customers but wrote ${this.written}; try again`);
    return this.written;
  }

  /** The statement copying the rows into `customer_scores` as set `?` (run inside the publishing transaction). */
  copySql(columns: readonly string[]): string {
    const others = columns.filter((column) => column !== "score_set_id");
    if (!this.ranksTable)
      return `INSERT INTO customer_scores (${columns.join(", ")}) SELECT ?, ${others.join(", ")} FROM ${this.scoresTable}`;
    const picked = others.map((column) => (RANK_NAMES.has(column) ? `r.${column}` : `p.${column}`));
    return `INSERT INTO customer_scores (${columns.join(", ")})
            SELECT ?, ${picked.join(", ")}
            FROM ${this.scoresTable} AS p LEFT JOIN ${this.ranksTable} AS r ON r.customer_id = p.customer_id`;
  }

  /** Drops the tables and closes the second connection (after publishing, or after a failure). */
  async dispose(): Promise<void> {
    await this.writing.catch(() => undefined);
    await this.writer?.close().catch(() => undefined);
    await this.store.db.exec(`DROP TABLE IF EXISTS ${this.scoresTable}`).catch(() => undefined);
    if (this.ranksTable)
      await this.store.db.exec(`DROP TABLE IF EXISTS ${this.ranksTable}`).catch(() => undefined);
  }
}

/** A customer's ranks in `RANK_COLUMNS` order, after the customer id. */
function rankToRow(ranks: ScoreRanks): SqlValue[] {
  return [
    ranks.customerId,
    ranks.rfm?.r ?? null,
    ranks.rfm?.f ?? null,
    ranks.rfm?.m ?? null,
    ranks.rfm?.segment ?? null,
    ranks.abcTier,
    ranks.valueQuadrant,
  ];
}

/** Drops the pending tables of scorings whose process no longer runs. */
async function dropLeftovers(store: Store): Promise<void> {
  const tables = await store.db.all<{ name: string }>(
    "SELECT name FROM sqlite_schema WHERE type = 'table' AND name LIKE 'pending\\_%' ESCAPE '\\'",
  );
  for (const { name } of tables) {
    const owner = LEFTOVER.exec(name);
    if (owner && Number(owner[1]) !== process.pid && !processAlive(Number(owner[1])))
      await store.db.exec(`DROP TABLE IF EXISTS "${name}"`);
  }
}
