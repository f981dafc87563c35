/**
 * Plain facts about the book as of a date, straight from the tables (no models): customers,
 * orders, revenue, retention between the last two 12-month windows and how concentrated the last
 * year's revenue is, per account manager and for the whole book. `crm stats`, `crm start` and
 * portfolio_overview read them.
 */
import { Memo } from "./memo.js";
import { usableTransaction } from "./rows.js";
import type { Store } from "./store.js";
import { storedTime } from "./timestamps.js";

const DAY_MS = 86_400_000;

export interface OwnerStats {
  owner: string;
  customers: number;
  activeCustomers: number;
  revenueLastYear: number;
}

/** Plain facts about the book, straight from the store (no models). */
export interface BookStats {
  asOf: string;
  customers: number;
  customersWithPurchases: number;
  /** Customers with a purchase in the 365 days before as-of. */
  activeCustomers: number;
  /** Share of purchasing customers who bought more than once. */
  repeatRate: number;
  transactions: number;
  revenue: number;
  revenueLastYear: number;
  averageOrderValue: number;
  firstTransaction: string | null;
  lastTransaction: string | null;
  interactions: number;
  feedback: number;
  openComplaints: number;
  languages: { en: number; zh: number };
  owners: OwnerStats[];
}

/**
 * Transaction facts of a group of customers (one account manager's, or the whole book's), from
 * their usable transactions up to as-of (`usableTransaction`).
 */
export interface GroupFacts {
  customers: number;
  /** Customers with at least one usable transaction. */
  purchasing: number;
  /** Customers with more than one. */
  repeating: number;
  /** Customers whose last usable transaction is in the 365 days up to as-of. */
  active: number;
  transactions: number;
  revenue: number;
  revenueLastYear: number;
  firstOrder: string | null;
  lastOrder: string | null;
  english: number;
  chinese: number;
  /** Customers with a transaction 366-730 days before as-of. */
  previousWindow: number;
  /** Of those, customers with one in the 365 days up to as-of too. */
  retained: number;
  /** Customers whose net revenue over the last 365 days is positive. */
  customersWithRevenue: number;
  /** Their revenue. */
  positiveRevenue: number;
  /** Revenue of the top ceil(10%) and ceil(20%) of them. */
  top10Revenue: number;
  top20Revenue: number;
  /** NPS answers (0-10) in the 365 days up to as-of, and how many were 9-10 and 0-6. */
  npsResponses: number;
  promoters: number;
  detractors: number;
}

/** The facts per account manager (null: customers without one) and for the whole book. */
export interface BookFacts {
  asOf: string;
  owners: ({ owner: string | null } & GroupFacts)[];
  book: GroupFacts;
}

const EMPTY: GroupFacts = {
  customers: 0,
  purchasing: 0,
  repeating: 0,
  active: 0,
  transactions: 0,
  revenue: 0,
  revenueLastYear: 0,
  firstOrder: null,
  lastOrder: null,
  english: 0,
  chinese: 0,
  previousWindow: 0,
  retained: 0,
  customersWithRevenue: 0,
  positiveRevenue: 0,
  top10Revenue: 0,
  top20Revenue: 0,
  npsResponses: 0,
  promoters: 0,
  detractors: 0,
};

// Parameters: ?1 the as-of moment, ?2 one year before it, ?3 two years before it.
//
// One read of the usable transactions up to as-of, in customer order along
// transactions_customer_time, makes a row per customer (`per`); everything else is arithmetic
// over those rows inside SQLite. Retention reads the same usable rows: a row no import accepts
// (an absurd amount written into the file by hand) says nothing about whether a customer bought.
// The top 10% and 20% are rows ranked by last-year revenue, cut at ceil(n × 0.1) and
// ceil(n × 0.2) computed in floating point as JavaScript would (so 30 buyers give a top "10%" of
// 4: 30 × 0.1 is just above 3). The last row of the result is the whole book's concentration.
// A count over the same ordered window as a rank shares its sort.
const WHOLE = "ROWS BETWEEN UNBOUNDED PRECEDING AND UNBOUNDED FOLLOWING";

const FACTS_SQL = `
WITH per AS MATERIALIZED (
  SELECT customer_id, COUNT(*) AS orders, TOTAL(amount) AS revenue,
         TOTAL(CASE WHEN occurred_at > ?2 THEN amount END) AS recent_revenue,
         MIN(occurred_at) AS first_order, MAX(occurred_at) AS last_order,
         MAX(occurred_at > ?3 AND occurred_at <= ?2) AS bought_previous
  FROM transactions WHERE occurred_at <= ?1 AND ${usableTransaction()}
  GROUP BY customer_id),
book AS MATERIALIZED (
  SELECT c.owner, c.language, p.* FROM customers c LEFT JOIN per p ON p.customer_id = c.id),
ranked AS MATERIALIZED (
  SELECT owner, recent_revenue,
         ROW_NUMBER() OVER by_owner AS owner_rank, COUNT(*) OVER (by_owner ${WHOLE}) AS owner_buyers,
         ROW_NUMBER() OVER by_book AS book_rank, COUNT(*) OVER (by_book ${WHOLE}) AS book_buyers
  FROM book WHERE recent_revenue > 0
  WINDOW by_owner AS (PARTITION BY owner ORDER BY recent_revenue DESC),
         by_book AS (ORDER BY recent_revenue DESC)),
concentration AS MATERIALIZED (
  SELECT owner, COUNT(*) AS buyers, TOTAL(recent_revenue) AS positive,
         TOTAL(CASE WHEN owner_rank <= ceil(owner_buyers * 0.1) THEN recent_revenue END) AS top10,
         TOTAL(CASE WHEN owner_rank <= ceil(owner_buyers * 0.2) THEN recent_revenue END) AS top20
  FROM ranked GROUP BY owner)
SELECT 0 AS whole, b.owner, COUNT(*) AS customers, TOTAL(b.orders > 0) AS purchasing,
       TOTAL(b.orders > 1) AS repeating, TOTAL(b.last_order > ?2) AS active, TOTAL(b.orders) AS transactions,
       TOTAL(b.revenue) AS revenue, TOTAL(b.recent_revenue) AS revenue_last_year,
       MIN(b.first_order) AS first_order, MAX(b.last_order) AS last_order,
       TOTAL(b.language = 'en') AS english, TOTAL(b.language = 'zh') AS chinese,
       TOTAL(b.bought_previous) AS previous_window, TOTAL(b.bought_previous AND b.last_order > ?2) AS retained,
       (SELECT buyers FROM concentration k WHERE k.owner IS b.owner) AS buyers,
       (SELECT positive FROM concentration k WHERE k.owner IS b.owner) AS positive,
       (SELECT top10 FROM concentration k WHERE k.owner IS b.owner) AS top10,
       (SELECT top20 FROM concentration k WHERE k.owner IS b.owner) AS top20
FROM book b GROUP BY b.owner
UNION ALL
SELECT 1, NULL, NULL, NULL, NULL, NULL, NULL, NULL, NULL, NULL, NULL, NULL, NULL, NULL, NULL,
       COUNT(*), TOTAL(recent_revenue),
       TOTAL(CASE WHEN book_rank <= ceil(book_buyers * 0.1) THEN recent_revenue END),
       TOTAL(CASE WHEN book_rank <= ceil(book_buyers * 0.2) THEN recent_revenue END)
FROM ranked`;

interface FactsRow {
  whole: number;
  owner: string | null;
  customers: number;
  purchasing: number;
  repeating: number;
  active: number;
  transactions: number;
  revenue: number;
  revenue_last_year: number;
  first_order: string | null;
  last_order: string | null;
  english: number;
  chinese: number;
  previous_window: number;
  retained: number;
  buyers: number | null;
  positive: number | null;
  top10: number | null;
  top20: number | null;
}

function toFacts(row: FactsRow): GroupFacts {
  return {
    customers: row.customers,
    purchasing: row.purchasing,
    repeating: row.repeating,
    active: row.active,
    transactions: row.transactions,
    revenue: row.revenue,
    revenueLastYear: row.revenue_last_year,
    firstOrder: row.first_order,
    lastOrder: row.last_order,
    english: row.english,
    chinese: row.chinese,
    previousWindow: row.previous_window,
    retained: row.retained,
    customersWithRevenue: row.buyers ?? 0,
    positiveRevenue: row.positive ?? 0,
    top10Revenue: row.top10 ?? 0,
    top20Revenue: row.top20 ?? 0,
    npsResponses: 0,
    promoters: 0,
    detractors: 0,
  };
}

// NPS answers per owner over the same year. The feedback is read in storage order, not along
// feedback_time: a year's range of that index fetches each row on its own page in time order
// (600,000 feedback rows of a million-customer book: 1.68 s against 0.26 s for the whole table),
// and a year is most of a book's feedback. NOT INDEXED is SQLite's; PostgreSQL plans this itself.
const NPS_SQL = `
SELECT c.owner, COUNT(*) AS responses, TOTAL(f.score >= 9) AS promoters, TOTAL(f.score <= 6) AS detractors
FROM feedback AS f NOT INDEXED JOIN customers c ON c.id = f.customer_id
WHERE f.source = 'nps' AND f.score BETWEEN 0 AND 10 AND f.occurred_at > ? AND f.occurred_at <= ?
GROUP BY c.owner`;

const earliest = (a: string | null, b: string | null) => (a === null ? b : b === null || a <= b ? a : b);
const latest = (a: string | null, b: string | null) => (a === null ? b : b === null || a >= b ? a : b);

/** The book's facts: its owners' facts added up, with the book-wide concentration. */
function wholeBook(owners: readonly GroupFacts[], concentration: FactsRow | undefined): GroupFacts {
  const book = { ...EMPTY };
  for (const facts of owners) {
    for (const key of Object.keys(EMPTY) as (keyof GroupFacts)[]) {
      if (key === "firstOrder") book.firstOrder = earliest(book.firstOrder, facts.firstOrder);
      else if (key === "lastOrder") book.lastOrder = latest(book.lastOrder, facts.lastOrder);
      else book[key] += facts[key];
    }
  }
  return {
    ...book,
    customersWithRevenue: concentration?.buyers ?? 0,
    positiveRevenue: concentration?.positive ?? 0,
    top10Revenue: concentration?.top10 ?? 0,
    top20Revenue: concentration?.top20 ?? 0,
  };
}

interface NpsRow {
  owner: string | null;
  responses: number;
  promoters: number;
  detractors: number;
}

const remembered = new Memo<BookFacts>(16);
const transactionFacts = new Memo<FactsRow[]>(16);
const npsAnswers = new Memo<NpsRow[]>(16);

/**
 * The book's transaction and NPS facts as of a date, per account manager and for the whole book.
 * One statement reads the transactions once, another the year's NPS answers. Each result is
 * remembered per version of what it reads and per as-of date: every owner's view and the next
 * call cost nothing until one of those changes, and feedback written (an NPS answer) reads the
 * year's answers again but not the transactions (9 s at a million customers).
 */
export async function bookFacts(store: Store, asOf: Date): Promise<BookFacts> {
  const end = storedTime(asOf.getTime());
  const yearAgo = storedTime(asOf.getTime() - 365 * DAY_MS);
  // Logged interactions and ticket work leave these facts as they were.
  const purchases = await store.areaVersions(["customers", "transactions"]);
  const answers = await store.areaVersions(["customers", "feedback"]);
  return remembered.remember(store, [purchases, answers, end], async () => {
    const rows = await transactionFacts.remember(store, [purchases, end], () =>
      store.reads.all<FactsRow>(FACTS_SQL, [end, yearAgo, storedTime(asOf.getTime() - 730 * DAY_MS)]),
    );
    const nps = await npsAnswers.remember(store, [answers, end], () =>
      store.reads.all<NpsRow>(NPS_SQL, [yearAgo, end]),
    );
    const owners = rows
      .filter((row) => row.whole === 0)
      .map((row) => {
        const answers = nps.find((candidate) => candidate.owner === row.owner);
        return {
          owner: row.owner,
          ...toFacts(row),
          npsResponses: answers?.responses ?? 0,
          promoters: answers?.promoters ?? 0,
          detractors: answers?.detractors ?? 0,
        };
      });
    return {
      asOf: end,
      owners,
      book: wholeBook(
        owners,
        rows.find((row) => row.whole === 1),
      ),
    };
  });
}

/** One account manager's facts (matched exactly), or the whole book's. */
export function factsOf(facts: BookFacts, owner: string | undefined): GroupFacts {
  if (owner === undefined) return facts.book;
  const { owner: _name, ...group } = facts.owners.find((row) => row.owner === owner) ?? { owner, ...EMPTY };
  return group;
}

/** Computes the book's headline numbers as of a date (transactions after it are ignored). */
export async function bookStats(store: Store, asOf: Date, owner?: string): Promise<BookStats> {
  const facts = await bookFacts(store, asOf);
  const group = factsOf(facts, owner);
  const end = facts.asOf;
  const ownerFilter =
    owner === undefined ? "" : "AND customer_id IN (SELECT id FROM customers WHERE owner = ?)";
  const ownerParams = owner === undefined ? [] : [owner];
  const activity = await store.db.get<{ interactions: number; feedback: number; open_complaints: number }>(
    `SELECT (SELECT COUNT(*) FROM interactions WHERE occurred_at <= ? ${ownerFilter}) AS interactions,
            (SELECT COUNT(*) FROM feedback WHERE occurred_at <= ? ${ownerFilter}) AS feedback,
            (SELECT COUNT(*) FROM feedback
              WHERE occurred_at <= ? AND source = 'complaint' AND status = 'open' ${ownerFilter}) AS open_complaints`,
    [end, ...ownerParams, end, ...ownerParams, end, ...ownerParams],
  );
  const owners = (owner === undefined ? facts.owners : facts.owners.filter((row) => row.owner === owner))
    .map((row) => ({
      owner: row.owner ?? "(no owner)",
      customers: row.customers,
      activeCustomers: row.active,
      revenueLastYear: row.revenueLastYear,
    }))
    .sort((a, b) => b.revenueLastYear - a.revenueLastYear);
  return {
    asOf: end,
    customers: group.customers,
    customersWithPurchases: group.purchasing,
    activeCustomers: group.active,
    repeatRate: group.purchasing === 0 ? 0 : group.repeating / group.purchasing,
    transactions: group.transactions,
    revenue: group.revenue,
    revenueLastYear: group.revenueLastYear,
    averageOrderValue: group.transactions === 0 ? 0 : group.revenue / group.transactions,
    firstTransaction: group.firstOrder,
    lastTransaction: group.lastOrder,
    interactions: activity?.interactions ?? 0,
    feedback: activity?.feedback ?? 0,
    openComplaints: activity?.open_complaints ?? 0,
    languages: { en: group.english, zh: group.chinese },
    owners,
  };
}
