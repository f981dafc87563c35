import type { Store } from "../store/store.js";
import { generateDemoBook, type DemoBook, type DemoOptions } from "./generate.js";

/** Raised when the demo would write into a store that already holds customers. */
export class StoreNotEmptyError extends Error {
  constructor(path: string, customers: number) {
    super(
      `the store ${path} already has ${customers} customers; the demo only seeds an empty store, so give another --db path`,
    );
    this.name = "StoreNotEmptyError";
  }
}

/** Writes a generated book into the store in one transaction. */
export async function writeDemoBook(store: Store, book: DemoBook): Promise<void> {
  const db = store.db;
  await db.transaction(async () => {
    const customerColumns = [
      "external_id",
      "name",
      "company",
      "email",
      "phone",
      "country",
      "language",
      "owner",
      "acquisition_channel",
      "created_at",
      "acquired_at",
      "tags",
      "do_not_contact",
    ] as const;
    await db.insertRows(
      "customers",
      customerColumns,
      book.customers.map((customer) => customerColumns.map((column) => customer[column])),
    );
    const ids = new Map(
      (await db.all<{ id: number; external_id: string }>("SELECT id, external_id FROM customers")).map(
        (row) => [row.external_id, row.id],
      ),
    );
    await db.insertRows(
      "transactions",
      ["external_id", "customer_id", "occurred_at", "amount", "quantity", "margin", "channel"],
      book.transactions.map((t) => [
        t.external_id,
        ids.get(t.customer)!,
        t.occurred_at,
        t.amount,
        t.quantity,
        t.margin,
        t.channel,
      ]),
    );
    await db.insertRows(
      "interactions",
      ["external_id", "customer_id", "occurred_at", "channel", "direction", "summary", "outcome"],
      book.interactions.map((i) => [
        i.external_id,
        ids.get(i.customer)!,
        i.occurred_at,
        i.channel,
        i.direction,
        i.summary,
        i.outcome,
      ]),
    );
    await db.insertRows(
      "feedback",
      ["external_id", "customer_id", "occurred_at", "source", "score", "text", "language", "status"],
      book.feedback.map((f) => [
        f.external_id,
        ids.get(f.customer)!,
        f.occurred_at,
        f.source,
        f.score,
        f.text,
        f.language,
        f.status,
      ]),
    );
    await store.markChanged();
  });
}

/** Generates the demo book and writes it into an empty store. */
export async function seedDemo(store: Store, options: DemoOptions): Promise<DemoBook> {
  const { customers } = await store.counts();
  if (customers > 0) throw new StoreNotEmptyError(store.path, customers);
  const book = generateDemoBook(options);
  await writeDemoBook(store, book);
  return book;
}
