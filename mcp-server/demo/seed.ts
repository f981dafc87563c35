import { BulkInsert, bulkColumn, withIndexesRebuilt } from "../store/bulkInsert.js";
import { feedbackSentiment } from "../store/feedbackSentiment.js";
import type { Store } from "../store/store.js";
import { demoCustomers, type DemoCustomerRecord, type DemoOptions } from "./generate.js";

/** Raised when the demo would write into a store that already holds customers. */
export class StoreNotEmptyError extends Error {
  constructor(path: string, customers: number) {
    super(
      `the store ${path} already has ${customers} customers; the demo only seeds an empty store, so give another --db path`,
    );
    this.name = "StoreNotEmptyError";
  }
}

/** How many rows of each kind the demo wrote. */
export interface DemoCounts {
  customers: number;
  transactions: number;
  interactions: number;
  feedback: number;
  tickets: number;
  events: number;
}

/** Customers generated per write: memory stays flat however large the book. */
const CUSTOMERS_PER_WRITE = 2000;

const CUSTOMER_COLUMNS = [
  "id",
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
  "birthday",
] as const;

/**
 * Writes generated customers into an empty store in one transaction. Each customer's rows are
 * encoded as soon as they are generated and written a few thousand customers at a time, while
 * the next ones are generated, so memory stays flat however large the book. Customers and
 * feedback get ids 1, 2, 3, ... in the order given, as SQLite would number them in an empty
 * table, so orders, interactions, feedback and tickets can name them without reading them back
 * (a complaint's ticket names its feedback row); every table's rows keep the order they were
 * generated in, so a seed gives the same rows and ids however it is chunked.
 */
export async function writeDemoBook(
  store: Store,
  records: Iterable<DemoCustomerRecord>,
): Promise<DemoCounts> {
  const db = store.db;
  const { text, integer, real } = bulkColumn;
  const customers = new BulkInsert(
    db,
    "customers",
    CUSTOMER_COLUMNS.map((name) => (name === "id" || name === "do_not_contact" ? integer(name) : text(name))),
  );
  const transactions = new BulkInsert(db, "transactions", [
    text("external_id"),
    integer("customer_id"),
    text("occurred_at"),
    real("amount"),
    real("quantity"),
    real("margin"),
    text("channel"),
  ]);
  const interactions = new BulkInsert(db, "interactions", [
    text("external_id"),
    integer("customer_id"),
    text("occurred_at"),
    text("channel"),
    text("direction"),
    text("summary"),
    text("outcome"),
  ]);
  const feedback = new BulkInsert(db, "feedback", [
    integer("id"),
    text("external_id"),
    integer("customer_id"),
    text("occurred_at"),
    text("source"),
    real("score"),
    text("text"),
    text("language"),
    text("status"),
  ]);
  const tickets = new BulkInsert(db, "tickets", [
    text("external_id"),
    integer("customer_id"),
    text("channel"),
    text("kind"),
    text("subject"),
    text("opened_at"),
    text("first_response_at"),
    text("resolved_at"),
    text("status"),
    text("owner"),
    text("resolution"),
    integer("feedback_id"),
  ]);
  const events = new BulkInsert(db, "events", [
    text("external_id"),
    integer("customer_id"),
    text("occurred_at"),
    text("type"),
    text("category"),
  ]);
  // Customers before their orders, feedback before the tickets that name it: the tables are
  // written in this order.
  const tables = [customers, transactions, interactions, feedback, tickets, events];
  const counts: DemoCounts = {
    customers: 0,
    transactions: 0,
    interactions: 0,
    feedback: 0,
    tickets: 0,
    events: 0,
  };
  // The demo's feedback texts come from a small vocabulary: each is analysed once.
  const texts = new Map<string, { text: string; language: "en" | "zh" }>();

  let writing: Promise<unknown> = Promise.resolve();
  const flush = async () => {
    // One chunk in flight, one statement at a time: `sqlite3` may run statements issued together
    // in any order, and customers must exist before their orders.
    await writing;
    const chunk = tables.map((table) => table.take());
    writing = (async () => {
      for (const [index, table] of tables.entries()) await table.write(chunk[index]);
    })();
    // Handled here so a failure is not unhandled while the next chunk is generated; it is thrown
    // where `writing` is awaited.
    writing.catch(() => undefined);
  };

  const load = async () => {
    try {
      for (const record of records) {
        const id = ++counts.customers;
        const { customer } = record;
        customers.add(CUSTOMER_COLUMNS.map((column) => (column === "id" ? id : customer[column])));
        for (const t of record.transactions)
          transactions.add([t.external_id, id, t.occurred_at, t.amount, t.quantity, t.margin, t.channel]);
        for (const i of record.interactions)
          interactions.add([i.external_id, id, i.occurred_at, i.channel, i.direction, i.summary, i.outcome]);
        const feedbackIds = new Map<string, number>();
        for (const f of record.feedback) {
          const feedbackId = ++counts.feedback;
          feedbackIds.set(f.external_id, feedbackId);
          feedback.add([
            feedbackId,
            f.external_id,
            id,
            f.occurred_at,
            f.source,
            f.score,
            f.text,
            f.language,
            f.status,
          ]);
          texts.set(`${f.language}\n${f.text}`, { text: f.text, language: f.language });
        }
        for (const t of record.tickets)
          tickets.add([
            t.external_id,
            id,
            t.channel,
            t.kind,
            t.subject,
            t.opened_at,
            t.first_response_at,
            t.resolved_at,
            t.status,
            t.owner,
            t.resolution,
            t.feedback === null ? null : (feedbackIds.get(t.feedback) ?? null),
          ]);
        for (const e of record.events) events.add([e.external_id, id, e.occurred_at, e.type, e.category]);
        counts.transactions += record.transactions.length;
        counts.interactions += record.interactions.length;
        counts.tickets += record.tickets.length;
        counts.events += record.events.length;
        if (customers.pending === CUSTOMERS_PER_WRITE) await flush();
        // Generating is synchronous: give the write in flight its turn to send its next statement.
        else if (customers.pending % 250 === 0) await new Promise((resolve) => setImmediate(resolve));
      }
      await flush();
    } finally {
      // Settle the last write before the transaction ends, whether generating failed or not.
      await writing;
    }
    // Every feedback row gets the sentiment of its text, computed once per distinct text.
    await db.exec(
      "CREATE TEMP TABLE demo_sentiment (text TEXT, language TEXT, sentiment REAL, sentiment_label TEXT, PRIMARY KEY (text, language))",
    );
    const sentiments = [...texts.values()].map(({ text, language }) => {
      const { sentiment, sentiment_label } = feedbackSentiment(text, language);
      return [text, language, sentiment, sentiment_label];
    });
    await db.insertRows(
      "temp.demo_sentiment",
      ["text", "language", "sentiment", "sentiment_label"],
      sentiments,
    );
    await db.exec(`
      UPDATE feedback SET sentiment = s.sentiment, sentiment_label = s.sentiment_label
      FROM temp.demo_sentiment s WHERE s.text = feedback.text AND s.language = feedback.language;
      DROP TABLE temp.demo_sentiment;`);
  };
  // The store is empty: building the indexes once at the end beats keeping them in step, except
  // for those by customer and time, which the rows arrive in the order of.
  await db.transaction(async () => {
    await withIndexesRebuilt(
      db,
      ["customers", "transactions", "interactions", "feedback", "tickets", "events"],
      load,
      [
        "transactions_customer_time",
        "interactions_customer_time",
        "feedback_customer_time",
        "feedback_customer_source",
        "tickets_customer",
        "events_customer",
      ],
    );
    await store.markChanged();
  });
  return counts;
}

/** Generates the demo book and writes it into an empty store; returns how many rows it wrote. */
export async function seedDemo(store: Store, options: DemoOptions): Promise<DemoCounts> {
  const { customers } = await store.counts();
  if (customers > 0) throw new StoreNotEmptyError(store.path, customers);
  return writeDemoBook(store, demoCustomers(options));
}
