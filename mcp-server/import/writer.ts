import { MAX_MONEY, MAX_QUANTITY, formatLimit } from "../limits.js";
import type { Database, SqlValue } from "../store/database.js";
import type { ImportKind } from "./fields.js";
import type {
  CustomerImportRow,
  FeedbackImportRow,
  ImportRow,
  InteractionImportRow,
  TransactionImportRow,
} from "./rows.js";

/** A row ready to write, with its id settled and the line it came from. */
export interface PendingRow {
  line: number;
  externalId: string;
  row: ImportRow;
}

/** A row whose customer does not exist (only transactions may create customers). */
export interface UnknownCustomer {
  line: number;
  customer: string;
}

/** A line item that made its order's total amount or quantity too large. */
export interface OrderOutOfRange {
  line: number;
  externalId: string;
  reason: string;
}

export interface WriteCounts {
  inserted: number;
  updated: number;
  duplicates: number;
  customersCreated: number;
}

/** Rows per multi-row INSERT: batching is what makes sqlite3 fast (one statement, many rows). */
export const BATCH_ROWS = 400;

/**
 * Writes batches of parsed rows into the store. The caller owns the surrounding transaction,
 * so everything a file writes commits or rolls back together.
 */
export class BatchWriter {
  private readonly customerIds = new Map<string, number>();
  readonly counts: WriteCounts = { inserted: 0, updated: 0, duplicates: 0, customersCreated: 0 };

  constructor(
    private readonly db: Database,
    private readonly kind: ImportKind,
    private readonly createdAt: string,
    /** Fields the file supplies; re-imported customers only have these updated. */
    private readonly mappedFields: ReadonlySet<string>,
    /** Told about rows whose customer is not in the store (those rows are not written). */
    private readonly onUnknownCustomer: (row: UnknownCustomer) => void,
    /** Told about line items that push their order's total out of range (found when flushing). */
    private readonly onOrderOutOfRange: (row: OrderOutOfRange) => void = () => undefined,
  ) {}

  private batch: PendingRow[] = [];
  /** Line items waiting in `batch`, by order id, so later lines of the same order merge in. */
  private readonly pendingOrders = new Map<string, PendingRow>();
  /** Order ids written earlier in this import, and the customer each belongs to. */
  private readonly writtenOrders = new Map<string, string>();
  /** Order ids this import inserted (as opposed to ones already in the store). */
  private readonly insertedOrders = new Set<string>();
  private readonly lineItemUpdates: PendingRow[] = [];

  /**
   * Adds one parsed row. Transaction rows that share an order id are line items of one order:
   * they merge into one transaction (amounts and quantities summed, earliest time kept).
   * Returns a reason when the row contradicts an earlier line, else null.
   */
  async add(pending: PendingRow, hasOwnId: boolean): Promise<string | null> {
    if (this.kind === "transactions" && hasOwnId) {
      const row = pending.row as TransactionImportRow;
      const waiting = this.pendingOrders.get(pending.externalId);
      const writtenFor = this.writtenOrders.get(pending.externalId);
      const owner = waiting ? (waiting.row as TransactionImportRow).customer : writtenFor;
      if (owner !== undefined && owner !== row.customer) {
        return `order ${pending.externalId} belongs to customer ${owner} on an earlier line, not ${row.customer}; order ids must not be shared between customers`;
      }
      if (waiting) return mergeLineItem(pending.externalId, waiting.row as TransactionImportRow, row);
      if (writtenFor !== undefined) {
        this.lineItemUpdates.push(pending);
        return null;
      }
      this.pendingOrders.set(pending.externalId, pending);
    }
    this.batch.push(pending);
    if (this.batch.length >= BATCH_ROWS) await this.flush();
    return null;
  }

  /** Writes what is waiting. */
  async flush(): Promise<void> {
    const batch = this.batch;
    this.batch = [];
    this.pendingOrders.clear();
    await this.write(batch);
    if (this.lineItemUpdates.length > 0) await this.applyLineItemUpdates();
  }

  private async write(batch: readonly PendingRow[]): Promise<void> {
    if (batch.length === 0) return;
    if (this.kind === "customers") {
      await this.writeCustomers(
        batch.map((pending) => ({ ...(pending.row as CustomerImportRow), external_id: pending.externalId })),
      );
      return;
    }
    const rows = batch as readonly (PendingRow & {
      row: TransactionImportRow | InteractionImportRow | FeedbackImportRow;
    })[];
    if (this.kind === "transactions")
      await this.createMissingCustomers(rows.map((pending) => pending.row as TransactionImportRow));
    await this.resolveCustomers(rows.map((pending) => pending.row.customer));

    const known = rows.filter((pending) => {
      if (this.customerIds.has(pending.row.customer)) return true;
      this.onUnknownCustomer({ line: pending.line, customer: pending.row.customer });
      return false;
    });
    if (known.length === 0) return;

    const columns = this.columnsFor();
    const values = known.flatMap((pending) => this.valuesFor(pending));
    const placeholders = known.map(() => `(${columns.map(() => "?").join(", ")})`).join(", ");
    // Only a repeated external id is skipped (a duplicate). OR IGNORE would also skip rows that
    // break a CHECK or NOT NULL constraint and count them as duplicates, hiding a lost row.
    const sql = `INSERT INTO ${this.kind} (${columns.join(", ")}) VALUES ${placeholders} ON CONFLICT (external_id) DO NOTHING`;
    let inserted: number;
    if (this.kind === "transactions") {
      // RETURNING tells which orders are new, so later line items update only those.
      const returned = await this.db.all<{ external_id: string }>(`${sql} RETURNING external_id`, values);
      for (const { external_id } of returned) this.insertedOrders.add(external_id);
      for (const pending of known)
        this.writtenOrders.set(pending.externalId, (pending.row as TransactionImportRow).customer);
      inserted = returned.length;
    } else {
      inserted = (await this.db.run(sql, values)).changes;
    }
    this.counts.inserted += inserted;
    this.counts.duplicates += known.length - inserted;
  }

  private async applyLineItemUpdates(): Promise<void> {
    for (const pending of this.lineItemUpdates.splice(0)) {
      if (!this.insertedOrders.has(pending.externalId)) continue;
      const row = pending.row as TransactionImportRow;
      const order = await this.db.get<{ amount: number; quantity: number | null; margin: number | null }>(
        `UPDATE transactions SET amount = ROUND(amount + ?, 2), quantity = CASE WHEN ? IS NULL THEN quantity ELSE COALESCE(quantity, 0) + ? END,
           margin = CASE WHEN ? IS NULL THEN margin ELSE COALESCE(margin, 0) + ? END, occurred_at = MIN(occurred_at, ?)
         WHERE external_id = ? RETURNING amount, quantity, margin`,
        [row.amount, row.quantity, row.quantity, row.margin, row.margin, row.occurred_at, pending.externalId],
      );
      const reason = order && orderOutOfRange(pending.externalId, order);
      if (reason) this.onOrderOutOfRange({ line: pending.line, externalId: pending.externalId, reason });
    }
  }

  private columnsFor(): string[] {
    switch (this.kind) {
      case "transactions":
        return ["external_id", "customer_id", "occurred_at", "amount", "quantity", "margin", "channel"];
      case "interactions":
        return ["external_id", "customer_id", "occurred_at", "channel", "direction", "summary", "outcome"];
      default:
        return ["external_id", "customer_id", "occurred_at", "source", "score", "text", "language", "status"];
    }
  }

  private valuesFor(pending: PendingRow): SqlValue[] {
    const customerId = this.customerIds.get((pending.row as TransactionImportRow).customer)!;
    if (this.kind === "transactions") {
      const row = pending.row as TransactionImportRow;
      return [
        pending.externalId,
        customerId,
        row.occurred_at,
        row.amount,
        row.quantity,
        row.margin,
        row.channel,
      ];
    }
    if (this.kind === "interactions") {
      const row = pending.row as InteractionImportRow;
      return [
        pending.externalId,
        customerId,
        row.occurred_at,
        row.channel,
        row.direction,
        row.summary,
        row.outcome,
      ];
    }
    const row = pending.row as FeedbackImportRow;
    return [
      pending.externalId,
      customerId,
      row.occurred_at,
      row.source,
      row.score,
      row.text,
      row.language,
      row.status,
    ];
  }

  private async resolveCustomers(keys: readonly string[]): Promise<void> {
    const missing = [...new Set(keys)].filter((key) => !this.customerIds.has(key));
    if (missing.length === 0) return;
    const found = await this.db.all<{ id: number; external_id: string }>(
      `SELECT id, external_id FROM customers WHERE external_id IN (${missing.map(() => "?").join(", ")})`,
      missing,
    );
    for (const row of found) this.customerIds.set(row.external_id, row.id);
  }

  /** Transaction files (CDNOW, retail exports) have no customer file: their customers are created. */
  private async createMissingCustomers(rows: readonly TransactionImportRow[]): Promise<void> {
    const firstSeen = new Map<string, TransactionImportRow>();
    for (const row of rows)
      if (!this.customerIds.has(row.customer) && !firstSeen.has(row.customer))
        firstSeen.set(row.customer, row);
    if (firstSeen.size === 0) return;
    const values = [...firstSeen.values()].flatMap((row) => [row.customer, row.country, this.createdAt]);
    const placeholders = [...firstSeen.keys()].map(() => "(?, ?, ?)").join(", ");
    const result = await this.db.run(
      `INSERT INTO customers (external_id, country, created_at) VALUES ${placeholders} ON CONFLICT (external_id) DO NOTHING`,
      values,
    );
    this.counts.customersCreated += result.changes;
  }

  private async writeCustomers(rows: readonly CustomerImportRow[]): Promise<void> {
    const columns = [
      "external_id",
      "name",
      "company",
      "email",
      "phone",
      "country",
      "language",
      "owner",
      "acquisition_channel",
      "acquired_at",
      "tags",
      "do_not_contact",
      "created_at",
    ];
    const values = rows.flatMap((row) => [
      row.external_id,
      row.name,
      row.company,
      row.email,
      row.phone,
      row.country,
      row.language ?? "en",
      row.owner,
      row.acquisition_channel,
      row.acquired_at,
      JSON.stringify(row.tags ?? []),
      row.do_not_contact ? 1 : 0,
      this.createdAt,
    ]);
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
      `INSERT INTO customers (${columns.join(", ")}) VALUES ${rows.map(() => `(${columns.map(() => "?").join(", ")})`).join(", ")}
       ON CONFLICT (external_id) ${onConflict}`,
      values,
    );
    const after = await this.db.get<{ count: number }>("SELECT COUNT(*) AS count FROM customers");
    const inserted = after!.count - before!.count;
    this.counts.inserted += inserted;
    this.counts.updated += result.changes - inserted;
    this.counts.duplicates += rows.length - result.changes;
  }
}

/**
 * Folds one more line item into an order. Returns why not when the order's total would leave
 * the range a single amount must keep (each line is in range, but thousands may add up).
 */
function mergeLineItem(
  externalId: string,
  order: TransactionImportRow,
  item: TransactionImportRow,
): string | null {
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
