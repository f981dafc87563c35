import { MAX_MONEY, MAX_QUANTITY, formatLimit } from "../limits.js";
import {
  BULK_ROWS,
  BulkInsert,
  bulkColumn,
  withIndexesRebuilt,
  type BulkColumn,
} from "../store/bulkInsert.js";
import type { Database, SqlValue } from "../store/database.js";
import { feedbackSentiment } from "../store/feedbackSentiment.js";
import type { ImportKind } from "./fields.js";
import {
  contentId,
  type CustomerImportRow,
  type EventImportRow,
  type FeedbackImportRow,
  type ImportRow,
  type InteractionImportRow,
  type TicketImportRow,
  type TransactionImportRow,
} from "./rows.js";

/** Rows per staging write: the file is read and parsed while SQLite writes the previous batch. */
export const BATCH_ROWS = BULK_ROWS;

/** A row that contradicts the store or another row of the file, found after all rows were read. */
export interface RowProblem {
  line: number;
  /** The file's column for `field` is named in the report. */
  field: "customer" | "external_id";
  value: string;
  reason: string;
}

export interface WriteCounts {
  inserted: number;
  updated: number;
  duplicates: number;
  customersCreated: number;
}

/** How many problems of one check there are, and the first few by line. */
export interface FoundProblems {
  count: number;
  first: RowProblem[];
}

const UNKNOWN_CUSTOMER =
  "no customer with this id in the store; import the customers file first, or fix the id";
const REPEATED_ID = "this id appears on an earlier line of the file; ids must be unique";

const { text, integer, real } = bulkColumn;

/**
 * The columns each kind stages after `seq, line, external_id, own_id`. For the kinds whose rows
 * may come without an id, they are the row's content in the order `RecordParser` builds it, so
 * the content id of a repeated row can be computed again from what was staged
 * (`settleContentIds`).
 */
const STAGED: Record<ImportKind, readonly BulkColumn[]> = {
  customers: [
    text("name"),
    text("company"),
    text("email"),
    text("phone"),
    text("country"),
    text("language"),
    text("owner"),
    text("acquisition_channel"),
    text("acquired_at"),
    text("tags"),
    integer("do_not_contact"),
    text("birthday"),
  ],
  transactions: [
    text("customer"),
    text("occurred_at"),
    real("amount"),
    real("quantity"),
    real("margin"),
    text("channel"),
    text("country"),
  ],
  interactions: [
    text("customer"),
    text("occurred_at"),
    text("channel"),
    text("direction"),
    text("summary"),
    text("outcome"),
  ],
  feedback: [
    text("customer"),
    text("occurred_at"),
    text("source"),
    real("score"),
    text("text"),
    text("language"),
    text("status"),
    real("sentiment"),
    text("sentiment_label"),
  ],
  tickets: [
    text("customer"),
    text("channel"),
    text("kind"),
    text("subject"),
    text("opened_at"),
    text("first_response_at"),
    text("resolved_at"),
    text("status"),
    text("owner"),
    text("resolution"),
  ],
  events: [text("customer"), text("occurred_at"), text("type"), text("category")],
};

/** Staged fields that are not part of a row's content (derived when it was staged). */
const DERIVED = new Set(["sentiment", "sentiment_label"]);

/** The row as staged: `seq, line, external_id, own_id`, then the values of `STAGED[kind]`. */
function stagedRow(
  kind: ImportKind,
  seq: number,
  line: number,
  externalId: string,
  ownId: boolean,
  row: ImportRow,
): SqlValue[] {
  const own = ownId ? 1 : 0;
  switch (kind) {
    case "customers": {
      const r = row as CustomerImportRow;
      return [
        seq,
        line,
        externalId,
        own,
        r.name,
        r.company,
        r.email,
        r.phone,
        r.country,
        r.language ?? "en",
        r.owner,
        r.acquisition_channel,
        r.acquired_at,
        JSON.stringify(r.tags ?? []),
        r.do_not_contact ? 1 : 0,
        r.birthday,
      ];
    }
    case "transactions": {
      const r = row as TransactionImportRow;
      return [
        seq,
        line,
        externalId,
        own,
        r.customer,
        r.occurred_at,
        r.amount,
        r.quantity,
        r.margin,
        r.channel,
        r.country,
      ];
    }
    case "interactions": {
      const r = row as InteractionImportRow;
      return [
        seq,
        line,
        externalId,
        own,
        r.customer,
        r.occurred_at,
        r.channel,
        r.direction,
        r.summary,
        r.outcome,
      ];
    }
    case "feedback": {
      const r = row as FeedbackImportRow;
      const { sentiment, sentiment_label } = feedbackSentiment(r.text, r.language);
      return [
        seq,
        line,
        externalId,
        own,
        r.customer,
        r.occurred_at,
        r.source,
        r.score,
        r.text,
        r.language,
        r.status,
        sentiment,
        sentiment_label,
      ];
    }
    case "tickets": {
      const r = row as TicketImportRow;
      return [
        seq,
        line,
        externalId,
        own,
        r.customer,
        r.channel,
        r.kind,
        r.subject,
        r.opened_at,
        r.first_response_at,
        r.resolved_at,
        r.status,
        r.owner,
        r.resolution,
      ];
    }
    case "events": {
      const r = row as EventImportRow;
      return [seq, line, externalId, own, r.customer, r.occurred_at, r.type, r.category];
    }
  }
}

/**
 * Writes one file's rows, all-or-nothing inside the caller's transaction, in two steps.
 *
 * 1. `add` stages every valid row, in file order, into a temporary table (private to this
 *    connection, so readers in other processes never see it), a batch at a time while the file
 *    is still being read. Nothing in JavaScript grows with the file.
 * 2. After the last row, `problems` finds the rows that contradict the store or each other
 *    (repeated ids, unknown customers, order ids shared between customers, orders whose lines
 *    add up out of range) with set-based SQL over the staged rows, and `write` (called only when
 *    no row has a problem) moves the rows into the store with one statement per table.
 *
 * Transaction rows sharing an order id are line items of one order: they merge into one
 * transaction (amounts, quantities and margins summed, the earliest time kept), folded line by
 * line in file order by `mergeLineItem` wherever in the file the lines are. Lines that follow
 * each other, as an order's lines usually do, are folded while staging; `refoldOrders` reads back
 * only the orders whose lines are apart or were refused.
 */
export class ImportWriter {
  private readonly staging: BulkInsert;
  /** Folded totals of orders whose lines follow each other (transactions only). */
  private readonly runs: BulkInsert;
  /** The order whose lines are being read, folded as they come. */
  private run: OrderRun | null = null;
  /** The staging write in flight, if any: one at a time, so rows arrive in file order. */
  private writing: Promise<unknown> = Promise.resolve();
  private seq = 0;

  constructor(
    private readonly db: Database,
    private readonly kind: ImportKind,
    /** When the import runs (the created time of new customers). */
    private readonly createdAt: string,
    /** Fields the file supplies; re-imported customers only have these updated. */
    private readonly mappedFields: ReadonlySet<string>,
  ) {
    this.staging = new BulkInsert(db, "temp.import_rows", [
      integer("seq"),
      integer("line"),
      text("external_id"),
      integer("own_id"),
      ...STAGED[kind],
    ]);
    // A run folded again in `refoldOrders` replaces what staging folded.
    this.runs = new BulkInsert(
      db,
      "temp.import_orders",
      [
        integer("first_seq"),
        text("occurred_at"),
        real("amount"),
        real("quantity"),
        real("margin"),
        integer("clean"),
      ],
      `ON CONFLICT (first_seq) DO UPDATE SET occurred_at = excluded.occurred_at, amount = excluded.amount,
         quantity = excluded.quantity, margin = excluded.margin, clean = excluded.clean`,
    );
  }

  /** Creates the staging tables (inside the caller's transaction). */
  async start(): Promise<void> {
    const columns = STAGED[this.kind].map(({ name, type }) => `${name} ${type.toUpperCase()}`);
    await this.db.exec(`
      DROP TABLE IF EXISTS temp.import_rows;
      DROP TABLE IF EXISTS temp.import_orders;
      DROP TABLE IF EXISTS temp.import_multi;
      DROP TABLE IF EXISTS temp.import_refold;
      DROP TABLE IF EXISTS temp.import_repeats;
      CREATE TEMP TABLE import_rows (
        seq INTEGER PRIMARY KEY, line INTEGER NOT NULL, external_id TEXT NOT NULL,
        own_id INTEGER NOT NULL, ${columns.join(", ")}
      );
      CREATE TEMP TABLE import_orders (
        first_seq INTEGER PRIMARY KEY, occurred_at TEXT NOT NULL, amount REAL NOT NULL, quantity REAL,
        margin REAL, clean INTEGER NOT NULL
      );`);
  }

  /** Drops the staging tables. */
  async finish(): Promise<void> {
    await this.settle();
    await this.db.exec("DROP TABLE IF EXISTS temp.import_rows; DROP TABLE IF EXISTS temp.import_orders;");
  }

  /**
   * Stages one parsed row. `externalId` is the file's id for the row, or null for a row without
   * one: it is then stored under its content id (see `contentId`).
   */
  async add(line: number, externalId: string | null, row: ImportRow): Promise<void> {
    const seq = ++this.seq;
    if (this.kind === "transactions") this.follow(seq, externalId, row as TransactionImportRow);
    const stagedId = externalId ?? contentId(this.kind, row, 0);
    this.staging.add(stagedRow(this.kind, seq, line, stagedId, externalId !== null, row));
    if (this.staging.pending >= BATCH_ROWS) await this.flush();
  }

  /**
   * Folds a transaction line into the order of the line before it when both have the same order
   * id, as the line items of one order usually do; otherwise starts a new run. A run folded
   * without a refused line is the order's total, unless the order has lines elsewhere in the
   * file too (`refoldOrders` sees to those, and to runs with a refused line).
   */
  private follow(seq: number, externalId: string | null, row: TransactionImportRow): void {
    const run = this.run;
    if (run !== null && externalId === run.externalId) {
      run.lines++;
      if (run.clean)
        run.clean = row.customer === run.customer && mergeLineItem(externalId, run, row) === null;
      return;
    }
    this.closeRun();
    this.run =
      externalId === null
        ? null
        : {
            externalId,
            customer: row.customer,
            firstSeq: seq,
            lines: 1,
            clean: true,
            occurred_at: row.occurred_at,
            amount: row.amount,
            quantity: row.quantity,
            margin: row.margin,
          };
  }

  private closeRun(): void {
    const run = this.run;
    if (run !== null && run.lines > 1)
      this.runs.add([run.firstSeq, run.occurred_at, run.amount, run.quantity, run.margin, run.clean ? 1 : 0]);
    this.run = null;
  }

  /** Sends the waiting rows to SQLite without waiting for them to be written. */
  private async flush(): Promise<void> {
    if (this.staging.pending === 0 && this.runs.pending === 0) return;
    await this.writing;
    const rows = this.staging.flush();
    this.writing = rows.then(() => this.runs.flush());
    // Handled here so a failure is not reported as unhandled while the next batch is parsed;
    // it is thrown where `writing` is awaited.
    this.writing.catch(() => undefined);
  }

  private async settle(): Promise<void> {
    this.closeRun();
    await this.flush();
    await this.writing;
  }

  /**
   * Ends staging and finds the rows that contradict the store or each other. Rows without their
   * own id get their final content ids first: the n-th repeat of identical content gets
   * `contentId(kind, row, n)`, as it always has, so re-importing a file changes nothing.
   */
  async problems(limit: number): Promise<FoundProblems> {
    await this.settle();
    // Every check below (and the write) finds rows by id; repeats of id-less rows are found by
    // their first content id, which the index keeps in order too.
    await this.db.exec("CREATE INDEX temp.import_rows_by_id ON import_rows (external_id, seq)");
    await this.settleContentIds();
    const found: FoundProblems = { count: 0, first: [] };
    const add = (more: FoundProblems) => {
      found.count += more.count;
      found.first = [...found.first, ...more.first].sort((a, b) => a.line - b.line).slice(0, limit);
    };
    if (this.kind === "transactions") {
      add(await this.refoldOrders(limit));
      return found;
    }
    // Transactions sharing an id are line items of one order; anything else sharing an id would
    // overwrite the earlier line (customers) or be skipped as a duplicate, unseen.
    add(
      await this.query(
        limit,
        `SELECT line, 'external_id' AS field, external_id AS value, ? AS reason
         FROM import_rows r WHERE own_id AND ${EARLIER_SAME_ID}`,
        REPEATED_ID,
      ),
    );
    if (this.kind !== "customers") {
      // A repeated row is reported as such, not for its customer as well.
      add(
        await this.query(
          limit,
          `SELECT line, 'customer' AS field, customer AS value, ? AS reason
           FROM import_rows r
           WHERE NOT EXISTS (SELECT 1 FROM customers c WHERE c.external_id = r.customer)
             AND NOT (own_id AND ${EARLIER_SAME_ID})`,
          UNKNOWN_CUSTOMER,
        ),
      );
    }
    return found;
  }

  /** Counts the rows `select` finds and returns the first `limit` of them by line. */
  private async query(limit: number, select: string, reason: string): Promise<FoundProblems> {
    const count = await this.db.get<{ count: number }>(`SELECT COUNT(*) AS count FROM (${select})`, [reason]);
    if (!count || count.count === 0) return { count: 0, first: [] };
    const first = await this.db.all<RowProblem>(`${select} ORDER BY line LIMIT ?`, [reason, limit]);
    return { count: count.count, first };
  }

  /** Gives the repeats of identical id-less rows their occurrence-numbered content ids. */
  private async settleContentIds(): Promise<void> {
    if (this.kind === "customers") return;
    const content = STAGED[this.kind].filter(({ name }) => !DERIVED.has(name)).map(({ name }) => name);
    // Repeats are rare (most files have ids, and most id-less rows differ): list them once.
    await this.db.exec(`
      CREATE TEMP TABLE import_repeats AS
      SELECT seq, occurrence FROM (
        SELECT seq, ROW_NUMBER() OVER (PARTITION BY external_id ORDER BY seq) - 1 AS occurrence
        FROM import_rows WHERE NOT own_id)
      WHERE occurrence > 0`);
    let afterSeq = 0;
    for (;;) {
      const repeats = await this.db.all<Record<string, SqlValue> & { seq: number; occurrence: number }>(
        `SELECT p.seq, p.occurrence, ${content.map((name) => `r.${name}`).join(", ")}
         FROM import_repeats p JOIN import_rows r ON r.seq = p.seq
         WHERE p.seq > ? ORDER BY p.seq LIMIT ?`,
        [afterSeq, BATCH_ROWS],
      );
      if (repeats.length === 0) break;
      afterSeq = repeats[repeats.length - 1].seq;
      // The row as parsing built it, fields in the same order, so its content hashes the same.
      const values = repeats.flatMap((repeat) => {
        const row = Object.fromEntries([
          ["external_id", null],
          ...content.map((name) => [name, repeat[name]]),
        ]);
        return [repeat.seq, contentId(this.kind, row as ImportRow, repeat.occurrence)];
      });
      await this.db.run(
        `WITH settled (seq, external_id) AS (VALUES ${repeats.map(() => "(?, ?)").join(", ")})
         UPDATE import_rows SET external_id = settled.external_id FROM settled WHERE import_rows.seq = settled.seq`,
        values,
      );
    }
    await this.db.exec("DROP TABLE temp.import_repeats");
  }

  /**
   * Finds the orders with more than one line and folds again, line by line in file order, those
   * that staging could not settle: orders whose lines are apart in the file, and runs with a line
   * for another customer (order ids must not be shared) or a line that takes the totals out of
   * range. Those lines are reported; the rest merge. Staged ids are in `import_rows_by_id` order.
   */
  private async refoldOrders(limit: number): Promise<FoundProblems> {
    const found: FoundProblems = { count: 0, first: [] };
    // Lines staged one after another have consecutive seqs: an order whose seqs span more than
    // its line count has lines elsewhere in the file.
    await this.db.exec(`
      CREATE TEMP TABLE import_multi AS
      SELECT external_id, MIN(seq) AS first_seq, COUNT(*) AS lines, MAX(seq) - MIN(seq) + 1 = COUNT(*) AS together
      FROM import_rows WHERE own_id GROUP BY external_id HAVING COUNT(*) > 1;
      CREATE TEMP TABLE import_refold AS
      SELECT m.external_id FROM import_multi m LEFT JOIN import_orders o ON o.first_seq = m.first_seq
      WHERE NOT m.together OR o.clean IS NOT 1 ORDER BY m.external_id;`);
    const refold = (await this.db.get<{ orders: number }>("SELECT COUNT(*) AS orders FROM import_refold"))!
      .orders;
    for (let first = 1; first <= refold; first += ORDERS_PER_FOLD) {
      const lines = await this.db.all<OrderLine>(
        `SELECT r.seq, r.line, r.external_id, r.customer, r.occurred_at, r.amount, r.quantity, r.margin
         FROM import_refold f JOIN import_rows r ON r.external_id = f.external_id
         WHERE f.rowid BETWEEN ? AND ? ORDER BY f.rowid, r.seq`,
        [first, first + ORDERS_PER_FOLD - 1],
      );
      for (let start = 0; start < lines.length;) {
        const order = { ...lines[start] };
        let clean = true;
        let end = start + 1;
        for (; end < lines.length && lines[end].external_id === order.external_id; end++) {
          const line = lines[end];
          const reason =
            line.customer !== order.customer
              ? `order ${line.external_id} belongs to customer ${order.customer} on an earlier line, not ${line.customer}; order ids must not be shared between customers`
              : mergeLineItem(line.external_id, order, line);
          if (reason) {
            clean = false;
            found.count++;
            if (found.first.length < limit)
              found.first.push({ line: line.line, field: "external_id", value: line.external_id, reason });
          }
        }
        this.runs.add([
          order.seq,
          order.occurred_at,
          order.amount,
          order.quantity,
          order.margin,
          clean ? 1 : 0,
        ]);
        start = end;
      }
      await this.runs.flush();
    }
    const later = await this.db.get<{ lines: number | null }>(
      "SELECT SUM(lines - 1) AS lines FROM import_multi",
    );
    this.laterLines = later?.lines ?? 0;
    await this.db.exec("DROP TABLE temp.import_multi; DROP TABLE temp.import_refold;");
    found.first.sort((a, b) => a.line - b.line);
    return found;
  }

  /** Lines that fold into an earlier line of their order (set by `refoldOrders`). */
  private laterLines = 0;

  /** Moves the staged rows into the store (call only when `problems` found none). */
  async write(): Promise<WriteCounts> {
    const counts: WriteCounts = { inserted: 0, updated: 0, duplicates: 0, customersCreated: 0 };
    const staged = (await this.db.get<{ rows: number }>("SELECT COUNT(*) AS rows FROM import_rows"))!.rows;
    if (staged === 0) return counts;
    const table = this.kind;
    const stored = (await this.db.get<{ rows: number }>(`SELECT COUNT(*) AS rows FROM ${table}`))!.rows;
    // Building the table's indexes afresh beats keeping them in step once the rows added are
    // many next to those it holds (see `withIndexesRebuilt`).
    const rebuild = staged >= 50_000 && staged * 2 >= stored;
    const load = () =>
      this.kind === "customers" ? this.writeCustomers(counts) : this.writeRows(counts, staged);
    await (rebuild ? withIndexesRebuilt(this.db, [table], load) : load());
    if (this.kind === "transactions") {
      await this.db.run(
        `UPDATE customers SET acquired_at = (SELECT MIN(occurred_at) FROM transactions WHERE customer_id = customers.id)
         WHERE acquired_at IS NULL AND EXISTS (SELECT 1 FROM transactions WHERE customer_id = customers.id)`,
      );
    }
    return counts;
  }

  private async writeRows(counts: WriteCounts, staged: number): Promise<void> {
    if (this.kind === "transactions") {
      // Transaction files (CDNOW, retail exports) have no customer file: their customers are
      // created, in the order they first appear, with the country of their first row.
      const created = await this.db.run(
        `INSERT INTO customers (external_id, country, created_at)
         SELECT customer, country, ? FROM (SELECT customer, country, MIN(seq) AS first FROM import_rows GROUP BY customer)
         WHERE true ORDER BY first
         ON CONFLICT (external_id) DO NOTHING`,
        [this.createdAt],
      );
      counts.customersCreated = created.changes;
    }
    // One row per order: the first line of each, with the folded totals of orders that have more.
    const firstLine = `NOT (r.own_id AND ${EARLIER_SAME_ID})`;
    const rows = (await this.db.get<{ rows: number }>(
      `SELECT COUNT(*) AS rows FROM import_rows r WHERE ${firstLine}`,
    ))!.rows;
    const values: Record<Exclude<ImportKind, "customers">, string> = {
      transactions: `r.external_id, c.id, COALESCE(o.occurred_at, r.occurred_at), COALESCE(o.amount, r.amount),
                     CASE WHEN o.first_seq IS NULL THEN r.quantity ELSE o.quantity END,
                     CASE WHEN o.first_seq IS NULL THEN r.margin ELSE o.margin END, r.channel`,
      interactions: "r.external_id, c.id, r.occurred_at, r.channel, r.direction, r.summary, r.outcome",
      feedback: `r.external_id, c.id, r.occurred_at, r.source, r.score, r.text, r.language, r.status,
                 r.sentiment, r.sentiment_label`,
      tickets: `r.external_id, c.id, r.channel, r.kind, r.subject, r.opened_at, r.first_response_at,
                r.resolved_at, r.status, r.owner, r.resolution`,
      events: "r.external_id, c.id, r.occurred_at, r.type, r.category",
    };
    const kind = this.kind as Exclude<ImportKind, "customers">;
    const before =
      kind === "tickets"
        ? (await this.db.get<{ rows: number }>("SELECT COUNT(*) AS rows FROM tickets"))!.rows
        : 0;
    // Only a repeated external id is skipped (a duplicate). OR IGNORE would also skip rows that
    // break a CHECK or NOT NULL constraint and count them as duplicates, hiding a lost row.
    const written = await this.db.run(
      `INSERT INTO ${kind} (${WRITTEN_COLUMNS[kind].join(", ")})
       SELECT ${values[kind]}
       FROM import_rows r JOIN customers c ON c.external_id = r.customer
       ${kind === "transactions" ? "LEFT JOIN import_orders o ON o.first_seq = r.seq" : ""}
       WHERE ${firstLine} ORDER BY r.seq
       ON CONFLICT (external_id) ${kind === "tickets" ? ticketUpdate(this.mappedFields) : "DO NOTHING"}`,
    );
    if (kind === "tickets") {
      const after = (await this.db.get<{ rows: number }>("SELECT COUNT(*) AS rows FROM tickets"))!.rows;
      counts.inserted = after - before;
      counts.updated = written.changes - counts.inserted;
    } else counts.inserted = written.changes;
    counts.duplicates = rows - written.changes;
  }

  private async writeCustomers(counts: WriteCounts): Promise<void> {
    const columns = ["external_id", ...STAGED.customers.map(({ name }) => name), "created_at"];
    const before = await this.db.get<{ count: number }>("SELECT COUNT(*) AS count FROM customers");
    // Re-importing a customer updates the fields the file gives; a row identical to what is
    // stored changes nothing and counts as a duplicate.
    // Columns the file does not have keep what is stored.
    const updatable = columns.filter((column) => column !== "external_id" && this.mappedFields.has(column));
    const onConflict =
      updatable.length === 0
        ? "DO NOTHING"
        : `DO UPDATE SET ${updatable.map((column) => `${column} = excluded.${column}`).join(", ")}
           WHERE ${updatable.map((column) => `${column} IS NOT excluded.${column}`).join(" OR ")}`;
    const result = await this.db.run(
      `INSERT INTO customers (${columns.join(", ")})
       SELECT ${columns.map((column) => (column === "created_at" ? "?" : column)).join(", ")}
       FROM import_rows WHERE true ORDER BY seq
       ON CONFLICT (external_id) ${onConflict}`,
      [this.createdAt],
    );
    const after = await this.db.get<{ count: number }>("SELECT COUNT(*) AS count FROM customers");
    const rows = (await this.db.get<{ rows: number }>("SELECT COUNT(*) AS rows FROM import_rows"))!.rows;
    const inserted = after!.count - before!.count;
    counts.inserted = inserted;
    counts.updated = result.changes - inserted;
    counts.duplicates = rows - result.changes;
  }
}

/** A staged row `r` whose id an earlier staged row has (served by `import_rows_by_id`). */
const EARLIER_SAME_ID =
  "EXISTS (SELECT 1 FROM import_rows e WHERE e.external_id = r.external_id AND e.seq < r.seq)";

/** The columns written to each table, in the order of the values selected for them. */
const WRITTEN_COLUMNS: Record<Exclude<ImportKind, "customers">, readonly string[]> = {
  transactions: ["external_id", "customer_id", "occurred_at", "amount", "quantity", "margin", "channel"],
  interactions: ["external_id", "customer_id", "occurred_at", "channel", "direction", "summary", "outcome"],
  feedback: [
    "external_id",
    "customer_id",
    "occurred_at",
    "source",
    "score",
    "text",
    "language",
    "status",
    "sentiment",
    "sentiment_label",
  ],
  tickets: [
    "external_id",
    "customer_id",
    "channel",
    "kind",
    "subject",
    "opened_at",
    "first_response_at",
    "resolved_at",
    "status",
    "owner",
    "resolution",
  ],
  events: ["external_id", "customer_id", "occurred_at", "type", "category"],
};

/**
 * A ticket moves on after it is exported (answered, resolved), so a ticket file imported again
 * updates the tickets it names; an unchanged row changes nothing and counts as a duplicate. What
 * the store learnt in the meantime is kept when the file does not know it yet: a response or
 * resolution stamped through `respond_to_ticket` / `resolve_ticket` survives an older export, and
 * a ticket never moves back to an earlier status (open < answered < resolved). Columns the file
 * does not have keep what is stored, and the link to the feedback row that opened a ticket is the
 * store's own and never touched.
 */
function ticketUpdate(mappedFields: ReadonlySet<string>): string {
  const replaced = (
    [
      ["customer", "customer_id"],
      ["channel", "channel"],
      ["kind", "kind"],
      ["subject", "subject"],
      ["opened_at", "opened_at"],
      ["owner", "owner"],
    ] as const
  )
    .filter(([field]) => mappedFields.has(field))
    .map(([, column]) => column);
  return `DO UPDATE SET
    ${replaced.map((column) => `${column} = excluded.${column}, `).join("")}
    first_response_at = COALESCE(excluded.first_response_at, tickets.first_response_at),
    resolved_at = COALESCE(excluded.resolved_at, tickets.resolved_at),
    status = CASE WHEN tickets.status = 'resolved' OR excluded.status = 'resolved' THEN 'resolved'
                  WHEN tickets.status = 'answered' OR excluded.status = 'answered' THEN 'answered'
                  ELSE 'open' END,
    resolution = COALESCE(excluded.resolution, tickets.resolution)
  WHERE ${replaced.map((column) => `tickets.${column} IS NOT excluded.${column} OR `).join("")}
    (excluded.first_response_at IS NOT NULL AND tickets.first_response_at IS NOT excluded.first_response_at)
    OR (excluded.resolved_at IS NOT NULL AND tickets.resolved_at IS NOT excluded.resolved_at)
    OR (excluded.resolution IS NOT NULL AND tickets.resolution IS NOT excluded.resolution)
    OR (excluded.status = 'resolved' AND tickets.status <> 'resolved')
    OR (excluded.status = 'answered' AND tickets.status = 'open')`;
}

/** Orders folded per query. */
const ORDERS_PER_FOLD = 2000;

/** A staged line of an order with more than one. */
interface OrderLine extends OrderTotals {
  seq: number;
  line: number;
  external_id: string;
  customer: string;
}

/** A transaction line's order, folded while its lines follow each other in the file. */
interface OrderRun extends OrderTotals {
  externalId: string;
  customer: string;
  firstSeq: number;
  lines: number;
  /** False once a line was for another customer or took the totals out of range. */
  clean: boolean;
}

/** What an order adds up to so far. */
interface OrderTotals {
  occurred_at: string;
  amount: number;
  quantity: number | null;
  margin: number | null;
}

/**
 * Folds one more line item into an order. Returns why not when the order's total would leave
 * the range a single amount must keep (each line is in range, but thousands may add up).
 */
function mergeLineItem(externalId: string, order: OrderTotals, item: OrderTotals): string | null {
  const merged = {
    amount: Math.round((order.amount + item.amount) * 100) / 100,
    quantity: item.quantity === null ? order.quantity : (order.quantity ?? 0) + item.quantity,
    margin: item.margin === null ? order.margin : (order.margin ?? 0) + item.margin,
  };
  const reason = orderOutOfRange(externalId, merged);
  if (reason) return reason;
  Object.assign(order, merged);
  if (item.occurred_at < order.occurred_at) order.occurred_at = item.occurred_at;
  return null;
}

/** Why an order's summed lines are out of range, or null. */
function orderOutOfRange(
  externalId: string,
  order: { amount: number; quantity: number | null; margin: number | null },
): string | null {
  const money = (value: number | null) => value !== null && Math.abs(value) > MAX_MONEY;
  if (money(order.amount) || money(order.margin)) {
    return `with this line, order ${externalId} adds up to more than ${formatLimit(MAX_MONEY)} (amounts and margins must be between -${formatLimit(MAX_MONEY)} and ${formatLimit(MAX_MONEY)}); fix the values or split the order`;
  }
  if (order.quantity !== null && Math.abs(order.quantity) > MAX_QUANTITY) {
    return `with this line, order ${externalId} holds more than ${formatLimit(MAX_QUANTITY)} items (quantities must be between -${formatLimit(MAX_QUANTITY)} and ${formatLimit(MAX_QUANTITY)}); fix the values or split the order`;
  }
  return null;
}
