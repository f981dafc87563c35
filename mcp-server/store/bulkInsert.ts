import type { Database, SqlValue } from "./database.js";

/**
 * How a column's values travel into SQLite: as text, as whole numbers, as real numbers entered by
 * someone (amounts: a short decimal form), or as real numbers the product computed (scores).
 */
export type BulkColumnType = "text" | "integer" | "real" | "computed";

export interface BulkColumn {
  name: string;
  type: BulkColumnType;
}

/** Rows queued by a `BulkInsert`: runs of encoded rows and runs of rows to bind, in order. */
export interface BulkRows {
  runs: ({ json: string[] } | { bound: (readonly SqlValue[])[] })[];
}

/** Column descriptions by type: `bulkColumn.text("name")`. */
export const bulkColumn = {
  text: (name: string): BulkColumn => ({ name, type: "text" }),
  integer: (name: string): BulkColumn => ({ name, type: "integer" }),
  real: (name: string): BulkColumn => ({ name, type: "real" }),
  computed: (name: string): BulkColumn => ({ name, type: "computed" }),
};

/**
 * Slots per group of a JSON row. SQLite finds the n-th element of an array by stepping over the
 * n before it, so a row of 43 columns read as one flat array costs ~900 steps; as groups of 8
 * (a group is stepped over whole) ~250. 100,000 score rows into a table: 1.88 s flat, 1.58 s in
 * groups of 8 (one run each), the difference on the thread SQLite writes on.
 */
const SLOT_GROUP = 8;

/** Rows per statement of `BulkInsert`: large enough to amortise the call, small enough to overlap. */
export const BULK_ROWS = 5000;

/**
 * Inserts many rows into one table with one bound value per statement: the rows travel as one
 * JSON array that SQLite unpacks itself (`jsonb_each`).
 *
 * Why: `sqlite3` converts every bound value on the JavaScript thread (about 0.5 µs each, so 3.5 s
 * for a million seven-column rows), and a multi-row `VALUES` statement is compiled anew for every
 * batch, a cost that grows with each index on the table. One JSON text per batch costs the
 * JavaScript thread a `JSON.stringify`, and the unpacking runs on SQLite's worker thread, where it
 * overlaps with whatever JavaScript does next.
 *
 * Text and whole numbers survive JSON exactly. Real numbers do not always: SQLite's text-to-real
 * conversion is not correctly rounded (879.514837 comes back as 879.5148369999999), so a real
 * value travels as two whole numbers k and 10^d with value = k / 10^d, which SQLite divides in
 * IEEE arithmetic, giving exactly the double JavaScript had. Every amount written with up to 15
 * significant digits has such a form. A computed column's value (a score: most have no short
 * form) travels as its 17 significant digits instead, which SQLite reads back as the same double
 * (its own text output relies on that: SQLite writes at most 17 digits and tests that they read
 * back unchanged; `bulkInsert.test.ts` checks it on arbitrary doubles). A row holding a value that
 * fits neither (an amount with 16 or 17 digits, an infinity) or a string that is not well-formed
 * UTF-16 is bound the ordinary way. Rows are written in the order given either way.
 */
export class BulkInsert {
  private readonly jsonSql: string;
  private readonly valuesSql: string;
  /** Rows per bound statement, under SQLite's limit of 32,766 variables. */
  private readonly boundRows: number;
  /** Which columns are real, and which computed reals. */
  private readonly reals: boolean[];
  private readonly computed: boolean[];
  /** Rows added and not yet written, in order. */
  private runs: BulkRows["runs"] = [];
  private count = 0;

  /**
   * @param tail SQL after the inserted rows, such as `ON CONFLICT (external_id) DO NOTHING`.
   */
  constructor(
    private readonly db: Database,
    table: string,
    private readonly columns: readonly BulkColumn[],
    private readonly tail = "",
  ) {
    // A real takes two slots of a JSON row (k and 10^d), every other column one. The slots go in
    // groups (see `SLOT_GROUP`). (A path such as '$[3]' is read about a fifth faster than the bare
    // index 3.)
    let slot = 0;
    const at = () => {
      const index = slot++;
      return `value ->> '$[${Math.floor(index / SLOT_GROUP)}][${index % SLOT_GROUP}]'`;
    };
    const expressions = columns.map((column) =>
      column.type === "real"
        ? `(${at()}) * 1.0 / (${at()})`
        : column.type === "computed"
          ? `CAST(${at()} AS REAL)`
          : at(),
    );
    const names = columns.map((column) => column.name).join(", ");
    // `WHERE true` lets an upsert follow the SELECT (SQLite's documented parsing rule).
    this.jsonSql = `INSERT INTO ${table} (${names}) SELECT ${expressions.join(", ")} FROM jsonb_each(jsonb(?)) WHERE true ${tail}`;
    this.valuesSql = `INSERT INTO ${table} (${names}) VALUES `;
    this.boundRows = Math.max(1, Math.floor(30_000 / columns.length));
    this.reals = columns.map((column) => column.type === "real");
    this.computed = columns.map((column) => column.type === "computed");
  }

  /** Rows added since the last `flush`. */
  get pending(): number {
    return this.count;
  }

  /**
   * Queues one row (values in column order) for the next `flush`. It is encoded at once, so a
   * long queue holds one string per row rather than the row's values.
   */
  add(row: readonly SqlValue[]): void {
    const json = this.encode(row);
    const last = this.runs[this.runs.length - 1];
    if (json !== null) {
      if (last !== undefined && "json" in last) last.json.push(json);
      else this.runs.push({ json: [json] });
    } else if (last !== undefined && "bound" in last) {
      last.bound.push(row);
    } else {
      this.runs.push({ bound: [row] });
    }
    this.count++;
  }

  /** Writes the queued rows in order; returns how many rows changed. */
  flush(): Promise<number> {
    return this.write(this.take());
  }

  /**
   * Takes the queued rows, to write later with `write`: several tables' rows can be taken at one
   * moment and written in turn while more rows are queued.
   */
  take(): BulkRows {
    const runs = this.runs;
    this.runs = [];
    this.count = 0;
    return { runs };
  }

  /** Writes rows taken with `take`, in order; returns how many rows changed. */
  async write(rows: BulkRows): Promise<number> {
    let changes = 0;
    for (const run of rows.runs)
      changes += "json" in run ? await this.insertJson(run.json) : await this.insertBound(run.bound);
    return changes;
  }

  /** Queues `rows` and writes everything queued. */
  async insert(rows: readonly (readonly SqlValue[])[]): Promise<number> {
    for (const row of rows) this.add(row);
    return this.flush();
  }

  /** The row as a JSON array, or null when a value would not survive the trip exactly. */
  private encode(row: readonly SqlValue[]): string | null {
    // One array reused for every row: encoding is most of what a bulk insert costs JavaScript.
    const slots = this.slots;
    slots.length = 0;
    for (let index = 0; index < this.columns.length; index++) {
      const value = row[index];
      if (this.reals[index]) {
        if (value === null) {
          slots.push(null, null);
          continue;
        }
        const decimal = typeof value === "number" ? decimalParts(value) : null;
        if (decimal === null) return null;
        slots.push(decimal[0], decimal[1]);
      } else if (this.computed[index]) {
        if (value === null || Number.isSafeInteger(value)) slots.push(value);
        else if (typeof value === "number" && Number.isFinite(value)) slots.push(value.toPrecision(17));
        else return null;
      } else if (value === null || typeof value === "string" || Number.isSafeInteger(value)) {
        slots.push(value);
      } else {
        return null;
      }
    }
    const groups: SqlValue[][] = [];
    for (let start = 0; start < slots.length; start += SLOT_GROUP)
      groups.push(slots.slice(start, start + SLOT_GROUP));
    const json = JSON.stringify(groups);
    // JSON.stringify writes half a surrogate pair as an escape (\udXXX), which SQLite would
    // decode into bytes that are not UTF-8; binding turns it into U+FFFD like every other write.
    // Looking for the escape first keeps the exact check off the common path.
    if (json.includes("\\ud") && slots.some((value) => typeof value === "string" && !wellFormed(value)))
      return null;
    return json;
  }

  private readonly slots: SqlValue[] = [];

  private async insertJson(rows: readonly string[]): Promise<number> {
    return (await this.db.run(this.jsonSql, [`[${rows.join(",")}]`])).changes;
  }

  private async insertBound(rows: readonly (readonly SqlValue[])[]): Promise<number> {
    const tuple = `(${this.columns.map(() => "?").join(", ")})`;
    let changes = 0;
    for (let start = 0; start < rows.length; start += this.boundRows) {
      const chunk = rows.slice(start, start + this.boundRows);
      const sql = `${this.valuesSql}${chunk.map(() => tuple).join(", ")} ${this.tail}`;
      changes += (await this.db.run(sql, chunk.flat())).changes;
    }
    return changes;
  }
}

/**
 * Whole numbers k and 10^d (d ≤ 15) with k / 10^d === value in IEEE arithmetic, or null. Both
 * are exact doubles (|k| ≤ 2^53, 10^d ≤ 10^22), so the quotient is the correctly rounded value of
 * the decimal k·10^-d, which is what parsing that decimal gives.
 */
export function decimalParts(value: number): [number, number] | null {
  if (Number.isInteger(value)) return Number.isSafeInteger(value) ? [value + 0, 1] : null;
  if (!Number.isFinite(value)) return null;
  for (let digits = 1, scale = 10; digits <= 15; digits++, scale *= 10) {
    const scaled = Math.round(value * scale);
    if (!Number.isSafeInteger(scaled)) return null;
    if (scaled / scale === value) return [scaled, scale];
  }
  return null;
}

const SURROGATE = /[\ud800-\udfff]/;
const LONE_SURROGATE = /[\ud800-\udbff](?![\udc00-\udfff])|(?<![\ud800-\udbff])[\udc00-\udfff]/;

/** Whether `text` has no half of a surrogate pair, which JSON and binding would carry differently. */
function wellFormed(text: string): boolean {
  return !SURROGATE.test(text) || !LONE_SURROGATE.test(text);
}

/**
 * Derived data that triggers keep in step with a table row by row, and the statements that
 * rebuild it from the table: migration 5's trigram search index over customers (FTS5 flushes
 * what it has indexed to disk every 1 MB by default and keeps merging the pieces; with room for
 * 64 MB the rebuild takes about 40% less time; the default is put back afterwards), and
 * migration 8's purchase digests, which scoring rebuilds from the transactions once they are gone.
 */
const TRIGGER_REBUILDS: Readonly<Record<string, readonly string[]>> = {
  transactions: ["DELETE FROM purchase_digests"],
  customers: [
    "INSERT INTO customers_search (customers_search, rank) VALUES ('hashsize', 67108864)",
    "INSERT INTO customers_search (customers_search) VALUES ('rebuild')",
    "INSERT INTO customers_search (customers_search, rank) VALUES ('hashsize', 1048576)",
  ],
};

/**
 * Runs `load` with the secondary indexes of `tables` (and the triggers whose work can be redone
 * in bulk) set aside, then recreates them from their stored definitions and rebuilds what the
 * triggers maintain. Call it inside the transaction that does the load: other connections never
 * see the tables without their indexes, and a failed load rolls the drops back with it.
 *
 * Why: keeping an index in step costs a B-tree insert per row at a random place (about 4 µs per
 * row and index, so most of a million-row load), while building it afterwards is one sort
 * (about 1 µs per row). Worth it when the load is large next to what the table holds already;
 * the caller decides. Indexes that enforce a UNIQUE constraint stay, since they check the rows.
 */
export async function withIndexesRebuilt<T>(
  db: Database,
  tables: readonly string[],
  load: () => Promise<T>,
  /** Indexes to keep in step all the same: ones the load fills in key order, which costs little. */
  keep: readonly string[] = [],
): Promise<T> {
  const deferred: { type: string; name: string; sql: string }[] = [];
  for (const table of tables) {
    const objects = await db.all<{ type: string; name: string; sql: string }>(
      `SELECT type, name, sql FROM sqlite_schema
       WHERE tbl_name = ? AND sql IS NOT NULL AND sql NOT LIKE 'CREATE UNIQUE%'
         AND (type = 'index' OR (type = 'trigger' AND ?))
       ORDER BY type, name`,
      [table, Object.hasOwn(TRIGGER_REBUILDS, table) ? 1 : 0],
    );
    deferred.push(...objects.filter(({ name }) => !keep.includes(name)));
  }
  const quoted = (name: string) => `"${name.replace(/"/g, '""')}"`;
  for (const { type, name } of deferred) await db.exec(`DROP ${type.toUpperCase()} ${quoted(name)}`);
  const result = await load();
  for (const { sql } of deferred) await db.exec(sql);
  for (const table of tables)
    if (Object.hasOwn(TRIGGER_REBUILDS, table))
      for (const statement of TRIGGER_REBUILDS[table]) await db.exec(statement);
  return result;
}
