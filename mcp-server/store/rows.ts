/** Rows as SQLite returns them (snake_case columns, ISO text timestamps). */

export interface CustomerRow {
  id: number;
  external_id: string;
  name: string | null;
  company: string | null;
  email: string | null;
  phone: string | null;
  country: string | null;
  language: "en" | "zh";
  owner: string | null;
  acquisition_channel: string | null;
  created_at: string;
  acquired_at: string | null;
  /** JSON array of strings. */
  tags: string;
  do_not_contact: 0 | 1;
  /** ISO date (YYYY-MM-DD) when known: the birthday playbook. */
  birthday: string | null;
}

export interface TransactionRow {
  id: number;
  external_id: string;
  customer_id: number;
  occurred_at: string;
  amount: number;
  quantity: number | null;
  margin: number | null;
  channel: string | null;
}

export interface InteractionRow {
  id: number;
  external_id: string;
  customer_id: number;
  occurred_at: string;
  channel: "email" | "phone" | "meeting" | "chat" | "social" | "in-store";
  direction: "inbound" | "outbound";
  summary: string;
  outcome: string | null;
}

export interface FeedbackRow {
  id: number;
  external_id: string;
  customer_id: number;
  occurred_at: string;
  source: "survey" | "nps" | "review" | "ticket" | "complaint";
  score: number | null;
  text: string;
  language: "en" | "zh" | null;
  status: "open" | "resolved";
}

export interface FollowUpRow {
  id: number;
  customer_id: number;
  created_at: string;
  channel: string;
  goal: string;
  language: "en" | "zh";
  subject: string | null;
  body: string;
  generator: string;
  status: "draft" | "sent" | "discarded";
}

/** A customer's display name: the name, else the company, else the external id. */
export function displayName(customer: Pick<CustomerRow, "name" | "company" | "external_id">): string {
  return customer.name || customer.company || `Customer ${customer.external_id}`;
}

/**
 * Magnitude beyond which a stored amount, quantity or margin is not a real one. No import or tool
 * writes such values, but a store edited by hand or by an older version may hold them (even
 * infinities); reads that add amounts up or show them leave those rows out rather than report
 * Infinity. Scoring isolates their customers (see `scoring/scoreCustomers.ts`).
 */
export const SANE_MAGNITUDE = 1e15;

/** SQL that is true when a transaction's numbers are usable; `alias` is the table's alias. */
export function usableTransaction(alias = ""): string {
  const column = (name: string) => (alias ? `${alias}.${name}` : name);
  return `(${column("amount")} BETWEEN -${SANE_MAGNITUDE} AND ${SANE_MAGNITUDE}
    AND (${column("quantity")} IS NULL OR ${column("quantity")} BETWEEN -${SANE_MAGNITUDE} AND ${SANE_MAGNITUDE})
    AND (${column("margin")} IS NULL OR ${column("margin")} BETWEEN -${SANE_MAGNITUDE} AND ${SANE_MAGNITUDE}))`;
}
