import { BulkInsert, bulkColumn, type BulkColumn } from "../store/bulkInsert.js";
import { Database, type SqlValue } from "../store/database.js";
import { createScoresTable, indexScoresTable, scoresTable } from "../store/setTables.js";
import { BUSY_TIMEOUT_MS, type Store } from "../store/store.js";
import type { ScoreFigures } from "./explain.js";
import type { ScoreRanks } from "./scoreCustomers.js";

/** The population ranks' columns (in `rankToRow`'s order), which a pass with reused fits writes after the rest. */
const RANK_COLUMNS = ["rfm_r", "rfm_f", "rfm_m", "rfm_segment", "abc_tier", "value_quadrant"] as const;

/** SQLite's page cache while a set's indexes are built (negative: KiB), 128 MB. */
const INDEX_CACHE_KIB = -131_072;

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
 * The table a score set's rows are written to before it is published, under a name of its own
 * (`pending_scores_<pid>_<n>`) until the publishing transaction renames it to the set's
 * (`store/setTables.ts`), so readers see the old set or the whole new one.
 *
 * The set's id is taken when the table is made, so the value indexes are built under their final
 * names as soon as the last row is in: with reused fits, while scoring still ranks the book.
 *
 * A pass that fits the models writes its rows after reading the whole book, on the store's
 * connection. A pass with reused fits hands each chunk's rows over while the next chunk is read
 * (`ScoringOptions.early`), and the ranks at the end; those are written by a second connection,
 * because one `sqlite3` connection runs its statements one at a time and the next chunk's read
 * would wait behind each insert. A process that dies leaves its tables behind for the next scoring
 * to drop.
 */
export class PendingScores {
  private writing: Promise<unknown> = Promise.resolve();
  private readonly scoreRows: BulkInsert;
  private readonly rankRows: BulkInsert | null;
  private indexed = false;
  private published = false;
  written = 0;
  ranked = 0;

  private constructor(
    private readonly store: Store,
    private readonly writer: Database | null,
    /** The id the set will be published under. */
    readonly setId: number,
    /** The table holding the set's rows until it is published. */
    readonly table: string,
    private readonly ranksTable: string | null,
    columns: readonly BulkColumn[],
  ) {
    const db = writer ?? store.db;
    this.scoreRows = new BulkInsert(db, table, columns);
    // The ranks travel as the score columns of the same names do.
    const rankColumns = RANK_COLUMNS.map((name) => columns.find((column) => column.name === name)!);
    this.rankRows = ranksTable
      ? new BulkInsert(db, ranksTable, [bulkColumn.integer("customer_id"), ...rankColumns])
      : null;
  }

  /**
   * Tables for one set's rows: `early` (reused fits, a store on a file) on a connection of its own
   * with a ranks table, else on the store's connection.
   */
  static async open(store: Store, columns: readonly BulkColumn[], early: boolean): Promise<PendingScores> {
    await dropLeftovers(store);
    const setId = await takeSetId(store);
    const number = `${process.pid}_${++made}`;
    const scores = `pending_scores_${number}`;
    if (!early || store.path === ":memory:") {
      await createScoresTable(store.db, scores);
      return new PendingScores(store, null, setId, scores, null, columns);
    }
    const writer = await Database.open(store.path);
    try {
      await writer.exec(`PRAGMA busy_timeout = ${BUSY_TIMEOUT_MS}`);
      await writer.exec("PRAGMA synchronous = NORMAL");
      const ranks = `pending_ranks_${number}`;
      await createScoresTable(writer, scores);
      await writer.exec(
        `CREATE TABLE ${ranks} (customer_id INTEGER PRIMARY KEY, ${RANK_COLUMNS.join(", ")})`,
      );
      return new PendingScores(store, writer, setId, scores, ranks, columns);
    } catch (error) {
      await writer.close().catch(() => undefined);
      await store.db.exec(`DROP TABLE IF EXISTS ${scores}`).catch(() => undefined);
      throw error;
    }
  }

  /** Whether the ranks come separately (`writeRanks`), after every chunk's scores. */
  get early(): boolean {
    return this.ranksTable !== null;
  }

  /**
   * Queues a chunk of rows, in customer order. At most one chunk is being written while the caller
   * computes the next; a failure surfaces at the next call or at `finish`.
   */
  async writeScores(rows: readonly (readonly SqlValue[])[]): Promise<void> {
    await this.queue(() => this.scoreRows.insert(rows));
    this.written += rows.length;
  }

  /**
   * Every row is queued: the value indexes are built next, on the writing connection, while the
   * caller goes on (ranking the book) until its next write.
   */
  scoresDone(): void {
    if (this.indexed) return;
    this.indexed = true;
    const previous = this.writing;
    this.writing = previous.then(() => this.buildIndexes());
    this.writing.catch(() => undefined);
  }

  /**
   * Each index is built by one sort; SQLite sorts in memory up to its page cache, so the cache is
   * raised while it does (the second connection is closed after; the store's gets its size back).
   */
  private async buildIndexes(): Promise<void> {
    const db = this.writer ?? this.store.db;
    const cache = await db.get<{ cache_size: number }>("PRAGMA cache_size");
    await db.exec(`PRAGMA cache_size = ${INDEX_CACHE_KIB}`);
    try {
      await indexScoresTable(db, this.table, this.setId);
    } finally {
      await db.exec(`PRAGMA cache_size = ${cache?.cache_size ?? -2000}`);
    }
  }

  async writeRanks(ranks: readonly ScoreRanks[]): Promise<void> {
    const rankRows = this.rankRows;
    if (!rankRows) throw new Error("this scoring writes its ranks with the scores");
    this.scoresDone();
    await this.queue(() => rankRows.insert(ranks.map(rankToRow)));
    this.ranked += ranks.length;
  }

  private async queue(write: () => Promise<unknown>): Promise<void> {
    await this.writing;
    this.writing = write();
    // Observed here so a failure while scoring goes on is not unhandled; awaited by `finish`.
    this.writing.catch(() => undefined);
  }

  /**
   * Waits for the queued writes, builds the indexes if not yet done and puts the ranks into the
   * rows; throws when the ranks do not cover the scores. The table is then ready to publish.
   */
  async finish(): Promise<number> {
    this.scoresDone();
    await this.writing;
    if (this.early && this.ranked !== this.written)
      throw new Error(`scoring ranked ${this.ranked} customers but wrote ${this.written}; try again`);
    if (this.ranksTable && this.writer) {
      await this.writer.exec(
        `UPDATE ${this.table} SET ${RANK_COLUMNS.map((column) => `${column} = r.${column}`).join(", ")}
         FROM ${this.ranksTable} AS r WHERE r.customer_id = ${this.table}.customer_id`,
      );
      await this.writer.exec(`DROP TABLE ${this.ranksTable}`);
    }
    const row = await this.store.db.get<{ rows: number }>(`SELECT COUNT(*) AS rows FROM ${this.table}`);
    if (row?.rows !== this.written)
      throw new Error(
        `scoring wrote ${this.written} scores but ${row?.rows ?? 0} reached the store; try again`,
      );
    return this.written;
  }

  /**
   * Makes the table the set's (`scoresTable(setId)`): run inside the transaction that adds the
   * set's `score_sets` row.
   */
  async publish(): Promise<void> {
    await this.store.db.exec(`ALTER TABLE ${this.table} RENAME TO ${scoresTable(this.setId)}`);
    this.published = true;
  }

  /** Drops what was not published and closes the second connection (after publishing, or after a failure). */
  async dispose(): Promise<void> {
    await this.writing.catch(() => undefined);
    await this.writer?.close().catch(() => undefined);
    if (!this.published)
      await this.store.db.exec(`DROP TABLE IF EXISTS ${this.table}`).catch(() => undefined);
    if (this.ranksTable)
      await this.store.db.exec(`DROP TABLE IF EXISTS ${this.ranksTable}`).catch(() => undefined);
  }
}

/**
 * The id the next set will be published under: taken from `score_set_ids`, which never hands out
 * one twice (AUTOINCREMENT), so concurrent scorings never share one.
 */
async function takeSetId(store: Store): Promise<number> {
  const { lastID } = await store.db.run("INSERT INTO score_set_ids DEFAULT VALUES");
  // Only the largest id matters to AUTOINCREMENT: the table stays one row long.
  await store.db.run("DELETE FROM score_set_ids WHERE id < ?", [lastID]);
  return lastID;
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
