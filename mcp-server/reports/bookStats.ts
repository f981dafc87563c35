import { usableTransaction } from "../store/rows.js";
import type { Store } from "../store/store.js";
import { storedTime } from "../store/timestamps.js";

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

function iso(ms: number): string {
  return storedTime(ms);
}

/** Computes the book's headline numbers as of a date (transactions after it are ignored). */
export async function bookStats(store: Store, asOf: Date, owner?: string): Promise<BookStats> {
  const end = iso(asOf.getTime());
  const yearAgo = iso(asOf.getTime() - 365 * DAY_MS);
  const ownerFilter = owner === undefined ? "" : "AND c.owner = ?";
  const ownerParams = owner === undefined ? [] : [owner];
  const perCustomer = `
    SELECT c.id, c.owner, c.language, COUNT(t.id) AS orders, COALESCE(SUM(t.amount), 0) AS revenue,
           COALESCE(SUM(CASE WHEN t.occurred_at > ? THEN t.amount END), 0) AS revenue_last_year,
           MAX(t.occurred_at) AS last_order, MIN(t.occurred_at) AS first_order
    FROM customers c LEFT JOIN transactions t ON t.customer_id = c.id AND t.occurred_at <= ? AND ${usableTransaction("t")}
    WHERE 1 = 1 ${ownerFilter}
    GROUP BY c.id`;
  const params = [yearAgo, end, ...ownerParams];
  const totals = await store.db.get<Record<string, number | string | null>>(
    `SELECT COUNT(*) AS customers,
            SUM(orders > 0) AS purchasing,
            SUM(orders > 1) AS repeating,
            SUM(last_order > ?) AS active,
            SUM(orders) AS transactions,
            SUM(revenue) AS revenue,
            SUM(revenue_last_year) AS revenue_last_year,
            MIN(first_order) AS first_order,
            MAX(last_order) AS last_order,
            SUM(language = 'en') AS en,
            SUM(language = 'zh') AS zh
     FROM (${perCustomer})`,
    [yearAgo, ...params],
  );
  const owners = await store.db.all<{
    owner: string | null;
    customers: number;
    active: number;
    revenue_last_year: number;
  }>(
    `SELECT owner, COUNT(*) AS customers, SUM(COALESCE(last_order > ?, 0)) AS active, SUM(revenue_last_year) AS revenue_last_year
     FROM (${perCustomer}) GROUP BY owner ORDER BY revenue_last_year DESC`,
    [yearAgo, ...params],
  );
  const activity = await store.db.get<{ interactions: number; feedback: number; open_complaints: number }>(
    `SELECT (SELECT COUNT(*) FROM interactions i JOIN customers c ON c.id = i.customer_id WHERE i.occurred_at <= ? ${ownerFilter}) AS interactions,
            (SELECT COUNT(*) FROM feedback f JOIN customers c ON c.id = f.customer_id WHERE f.occurred_at <= ? ${ownerFilter}) AS feedback,
            (SELECT COUNT(*) FROM feedback f JOIN customers c ON c.id = f.customer_id
              WHERE f.occurred_at <= ? AND f.source = 'complaint' AND f.status = 'open' ${ownerFilter}) AS open_complaints`,
    [end, ...ownerParams, end, ...ownerParams, end, ...ownerParams],
  );
  const number = (value: number | string | null | undefined) => Number(value ?? 0);
  const transactions = number(totals?.transactions);
  const revenue = number(totals?.revenue);
  const purchasing = number(totals?.purchasing);
  return {
    asOf: end,
    customers: number(totals?.customers),
    customersWithPurchases: purchasing,
    activeCustomers: number(totals?.active),
    repeatRate: purchasing === 0 ? 0 : number(totals?.repeating) / purchasing,
    transactions,
    revenue,
    revenueLastYear: number(totals?.revenue_last_year),
    averageOrderValue: transactions === 0 ? 0 : revenue / transactions,
    firstTransaction: (totals?.first_order as string | null) ?? null,
    lastTransaction: (totals?.last_order as string | null) ?? null,
    interactions: activity?.interactions ?? 0,
    feedback: activity?.feedback ?? 0,
    openComplaints: activity?.open_complaints ?? 0,
    languages: { en: number(totals?.en), zh: number(totals?.zh) },
    owners: owners.map((row) => ({
      owner: row.owner ?? "(no owner)",
      customers: row.customers,
      activeCustomers: row.active,
      revenueLastYear: row.revenue_last_year,
    })),
  };
}
