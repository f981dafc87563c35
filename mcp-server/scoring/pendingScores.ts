import { BulkInsert, type BulkColumn } from "../store/bulkInsert.js";
import { Database, type SqlValue } from "../store/database.js";
import { createScoresTable, indexScoresTable, scoresTable } from "../store/setTables.js";
import { BUSY_TIMEOUT_MS, type Store } from "../store/store.js";
import type { ScoreFigures } from "./explain.js";
import type { ScoreRanks } from "./scoreCustomers.js";

/** The population ranks' columns (in `rankToRow`'s order), which a pass with reused fits writes after the rest. */
const RANK_COLUMNS = ["rfm_r", "rfm_f", "rfm_m", "rfm_segment", "abc_tier", "value_quadrant"] as const;

/** Tables a scoring in this process made, numbered so concurrent scorings never share one. */
let made = 0;

/** Pending tables of scorings whose process is gone (a crash, a kill) are dropped by the next (ranks tables: an older version's). */
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
 * names before the table is published, outside the publishing transaction.
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
    columns: readonly BulkColumn[],
  ) {
    this.scoreRows = new BulkInsert(writer ?? store.db, table, columns);
  }

  /**
   * The table for one set's rows: `early` (reused fits, a store on a file) written by a connection
   * of its own, else by the store's.
   */
  static async open(store: Store, columns: readonly BulkColumn[], early: boolean): Promise<PendingScores> {
    await dropLeftovers(store);
    const setId = await takeSetId(store);
    const number = `${process.pid}_${++made}`;
    const scores = `pending_scores_${number}`;
    if (!early || store.path === ":memory:") {
      await createScoresTable(store.db, scores);
      return new PendingScores(store, null, setId, scores, columns);
    }
    const writer = await Database.open(store.path);
    try {
      await writer.exec(`PRAGMA busy_timeout = ${BUSY_TIMEOUT_MS}`);
      await writer.exec("PRAGMA synchronous = NORMAL");
      await createScoresTable(writer, scores);
      return new PendingScores(store, writer, setId, scores, columns);
    } catch (error) {
      await writer.close().catch(() => undefined);
      await store.db.exec(`DROP TABLE IF EXISTS ${scores}`).catch(() => undefined);
      throw error;
    }
  }

  /** Whether the ranks come separately (`writeRanks`), after every chunk's scores. */
  get early(): boolean {
    return this.writer !== null;
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
   * Queues ranks to put into rows already written (by customer id), while the caller ranks the
   * next customers. Ranks are whole numbers and names, which JSON carries exactly.
   */
  async writeRanks(ranks: readonly ScoreRanks[]): Promise<void> {
    const writer = this.writer;
    if (!writer) throw new Error("this scoring writes its ranks with the scores");
    const set = RANK_COLUMNS.map((column, index) => `${column} = r.value ->> ${index + 1}`).join(", ");
    await this.queue(async () => {
      const { changes } = await writer.run(
        `UPDATE ${this.table} SET ${set} FROM json_each(?) AS r WHERE ${this.table}.customer_id = r.value ->> 0`,
        [JSON.stringify(ranks.map(rankToRow))],
      );
      this.ranked += changes;
    });
  }

  private async queue(write: () => Promise<unknown>): Promise<void> {
    await this.writing;
    this.writing = write();
    // Observed here so a failure while scoring goes on is not unhandled; awaited by `finish`.
    this.writing.catch(() => undefined);
  }

  /**
   * Waits for the queued writes and builds the value indexes; throws when the ranks do not cover
   * the scores. The table is then ready to publish. The indexes come after the ranks: SQLite's
   * UPDATE rewrote them too, though none of their columns changed (ranking a 1M set: 7.3 s with
   * them, 2.2 s without).
   */
  async finish(): Promise<number> {
    await this.writing;
    if (this.early && this.ranked !== this.written)
      throw new Error(`scoring ranked ${this.ranked} customers but wrote ${this.written}; try again`);
    // One sort each, on SQLite's default page cache: a 1M set's three in 1.7 s (2.7-3.0 s with a
    // 128 MB cache, which costs more to fill than it saves).
    await indexScoresTable(this.writer ?? this.store.db, this.table, this.setId);
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
