/**
 * Service tickets (migration 7): reads by id, a customer's open tickets, the filtered and
 * paginated list, and the service-level agreement they are measured against.
 *
 * A ticket is judged "as of" a moment T from its stamps, not only from its stored status, so a
 * past date gives the answer it had then:
 * - awaiting a first response at T: nobody answered (or resolved, which answers too) by T;
 * - unresolved at T: not resolved by T;
 * - overdue at T: awaiting a response longer than the first-response SLA, or unresolved longer
 *   than the resolution SLA, both counted from when it was opened.
 * Bounds are computed here as stored-time text (`storedTime`), so every comparison is a plain
 * text comparison that SQLite and PostgreSQL both answer from the `tickets_*` indexes.
 */
import { ownedBy } from "./customerQueries.js";
import type { SqlValue } from "./database.js";
import {
  OPEN_TICKETS_SHOWN,
  TICKET_KINDS,
  TICKET_STATUSES,
  type TicketKind,
  type TicketStatus,
} from "../contract/tickets.js";
import type { Store } from "./store.js";
import { storedTime } from "./timestamps.js";

export { OPEN_TICKETS_SHOWN, TICKET_KINDS, TICKET_STATUSES, type TicketKind, type TicketStatus };

/** A `tickets` row as SQLite returns it. */
export interface TicketRow {
  id: number;
  external_id: string;
  customer_id: number;
  channel: string | null;
  kind: TicketKind;
  subject: string;
  opened_at: string;
  first_response_at: string | null;
  resolved_at: string | null;
  status: TicketStatus;
  owner: string | null;
  resolution: string | null;
  feedback_id: number | null;
  /** The external id of that feedback row (joined in by every read here). */
  feedback_external_id: string | null;
}

/** What every ticket read selects: the row and its feedback's external id. */
const TICKET_SELECT =
  "SELECT t.*, f.external_id AS feedback_external_id FROM tickets t LEFT JOIN feedback f ON f.id = t.feedback_id";

/** Hours a ticket may wait for its first response, and for its resolution, from when it was opened. */
export interface Sla {
  firstResponseHours: number;
  resolutionHours: number;
}

/** The service levels the issue names: answered within a day, resolved within three. */
export const DEFAULT_SLA: Sla = { firstResponseHours: 24, resolutionHours: 72 };

/** The `settings` keys that override `DEFAULT_SLA` (hours, a positive number). */
export const SLA_SETTINGS = {
  firstResponseHours: "sla.first_response_hours",
  resolutionHours: "sla.resolution_hours",
} as const;

/** Longest SLA a setting may give: a year. Anything longer is a typo, not a service level. */
const MAX_SLA_HOURS = 24 * 366;

/**
 * The store's SLA: `DEFAULT_SLA`, with each value a setting overrides. A setting that is not a
 * positive number of hours (at most a year) is ignored, so a typo cannot make every ticket overdue
 * or none; `crm`'s settings commands are where it gets fixed.
 */
export async function slaOf(store: Store): Promise<Sla> {
  const read = async (key: string, fallback: number): Promise<number> => {
    const text = await store.getSetting(key);
    if (text === undefined) return fallback;
    const hours = Number(text);
    return Number.isFinite(hours) && hours > 0 && hours <= MAX_SLA_HOURS ? hours : fallback;
  };
  return {
    firstResponseHours: await read(SLA_SETTINGS.firstResponseHours, DEFAULT_SLA.firstResponseHours),
    resolutionHours: await read(SLA_SETTINGS.resolutionHours, DEFAULT_SLA.resolutionHours),
  };
}

const HOUR_MS = 3_600_000;

/** When a ticket opened at `openedAt` is due its first response and its resolution. */
export function ticketDeadlines(
  openedAt: string,
  sla: Sla,
): { responseDueAt: string; resolutionDueAt: string } {
  const opened = Date.parse(openedAt);
  return {
    responseDueAt: storedTime(opened + sla.firstResponseHours * HOUR_MS),
    resolutionDueAt: storedTime(opened + sla.resolutionHours * HOUR_MS),
  };
}

/** SQL true when ticket `t` (the alias) still awaited its first response at the bound `?`. */
function awaitingResponseSql(t: string): string {
  return `(COALESCE(${t}.first_response_at, ${t}.resolved_at) IS NULL AND ${t}.status = 'open'
           OR COALESCE(${t}.first_response_at, ${t}.resolved_at) > ?)`;
}

/** SQL true when ticket `t` was still unresolved at the bound `?`. */
function unresolvedSql(t: string): string {
  return `(${t}.resolved_at IS NULL AND ${t}.status <> 'resolved' OR ${t}.resolved_at > ?)`;
}

/**
 * SQL (with its parameters) true when ticket `t` was opened by `asOf` and not resolved by then.
 * Open tickets of a customer and the churn features' count use it.
 */
export function openAtSql(t: string, asOf: Date): { sql: string; params: SqlValue[] } {
  const at = storedTime(asOf);
  return { sql: `(${t}.opened_at <= ? AND ${unresolvedSql(t)})`, params: [at, at] };
}

/**
 * SQL (with its parameters) true when ticket `t` was overdue at `asOf`: waiting for its first
 * response past the first-response SLA, or unresolved past the resolution SLA.
 */
export function overdueAtSql(t: string, asOf: Date, sla: Sla): { sql: string; params: SqlValue[] } {
  const at = storedTime(asOf);
  const responseOpenedBefore = storedTime(asOf.getTime() - sla.firstResponseHours * HOUR_MS);
  const resolutionOpenedBefore = storedTime(asOf.getTime() - sla.resolutionHours * HOUR_MS);
  // The unary + keeps SQLite from answering the OR with two passes over the opened_at index,
  // which reads nearly every ticket twice (old tickets are most of them): one scan is 5x faster.
  return {
    sql: `((${awaitingResponseSql(t)} AND +${t}.opened_at < ?) OR (${unresolvedSql(t)} AND +${t}.opened_at < ?))`,
    params: [at, responseOpenedBefore, at, resolutionOpenedBefore],
  };
}

/** A ticket as of a moment: its status then, and which SLA it had broken by then, if any. */
export interface TicketAsOf extends TicketRow {
  /** The status at the moment asked about (the stored status for "now"). */
  status_as_of: TicketStatus;
  overdue: boolean;
  /** Which deadline an overdue ticket missed first: its first response, or its resolution. */
  overdue_for: "first_response" | "resolution" | null;
  response_due_at: string;
  resolution_due_at: string;
}

/** Adds the as-of status and SLA verdict to a stored ticket. */
export function ticketAsOf(row: TicketRow, asOf: Date, sla: Sla): TicketAsOf {
  const at = storedTime(asOf);
  const { responseDueAt, resolutionDueAt } = ticketDeadlines(row.opened_at, sla);
  const resolved = row.resolved_at !== null ? row.resolved_at <= at : row.status === "resolved";
  const respondedAt = row.first_response_at ?? row.resolved_at;
  const responded = respondedAt !== null ? respondedAt <= at : row.status !== "open";
  const status: TicketStatus = resolved ? "resolved" : responded ? "answered" : "open";
  const responseLate = !responded && at > responseDueAt;
  const resolutionLate = !resolved && at > resolutionDueAt;
  return {
    ...row,
    status_as_of: status,
    overdue: responseLate || resolutionLate,
    // The earlier deadline is the one broken first.
    overdue_for: responseLate
      ? responseDueAt <= resolutionDueAt || !resolutionLate
        ? "first_response"
        : "resolution"
      : resolutionLate
        ? "resolution"
        : null,
    response_due_at: responseDueAt,
    resolution_due_at: resolutionDueAt,
  };
}

/**
 * A ticket by its external id (the service desk's, or `mcp:<uuid>` for one a tool opened), else
 * by the store's numeric id. External ids win, as they do for customers.
 */
export async function ticketById(
  store: Store,
  idOrExternalId: string | number,
): Promise<TicketRow | undefined> {
  const text = String(idOrExternalId).trim();
  const byExternal = await store.db.get<TicketRow>(`${TICKET_SELECT} WHERE t.external_id = ?`, [text]);
  if (byExternal) return byExternal;
  if (/^\d{1,15}$/.test(text))
    return store.db.get<TicketRow>(`${TICKET_SELECT} WHERE t.id = ?`, [Number(text)]);
  return undefined;
}

/** A ticket by the store's numeric id only (after a write, where an external id "7" must not answer). */
export async function ticketByStoreId(store: Store, id: number): Promise<TicketRow | undefined> {
  return store.db.get<TicketRow>(`${TICKET_SELECT} WHERE t.id = ?`, [id]);
}

/** Raised when a ticket reference matches nothing in the store. */
export class UnknownTicketError extends Error {
  constructor(readonly reference: string) {
    super(
      `no ticket with id ${reference}; list_tickets (filter by customer or status) shows the ids of the tickets in the store`,
    );
    this.name = "UnknownTicketError";
  }
}

/** Like `ticketById`, but throws an actionable error when nothing matches. */
export async function requireTicket(store: Store, idOrExternalId: string | number): Promise<TicketRow> {
  const ticket = await ticketById(store, idOrExternalId);
  if (!ticket) throw new UnknownTicketError(String(idOrExternalId));
  return ticket;
}

/**
 * One customer's tickets that were open (not resolved) at `asOf` (default now), oldest first,
 * each with its status then and whether it was overdue against the SLA (default `slaOf(store)`).
 */
export async function openTicketsOf(
  store: Store,
  customerId: number,
  options: { asOf?: Date; sla?: Sla; limit?: number } = {},
): Promise<TicketAsOf[]> {
  const asOf = options.asOf ?? new Date();
  const sla = options.sla ?? (await slaOf(store));
  const open = openAtSql("t", asOf);
  const rows = await store.db.all<TicketRow>(
    `${TICKET_SELECT} WHERE t.customer_id = ? AND ${open.sql} ORDER BY t.opened_at, t.id LIMIT ?`,
    [customerId, ...open.params, options.limit ?? OPEN_TICKETS_SHOWN],
  );
  return rows.map((row) => ticketAsOf(row, asOf, sla));
}

/** What `findTickets` filters on; all combine. */
export interface TicketFilters {
  /** The stored (current) status. */
  status?: TicketStatus;
  /** The ticket's owner, or its customer's account manager when the ticket has none (case-insensitive). */
  owner?: string;
  customerId?: number;
  /** Only tickets overdue at `asOf` (true), or only those that are not (false). */
  overdue?: boolean;
  /** The moment overdue is judged at. */
  asOf: Date;
  sla: Sla;
}

/** Where a page ends: the last row's sort key, from which the next page goes on. */
export interface TicketKey {
  opened_at: string;
  id: number;
}

/**
 * Whether a listing runs oldest first: a list of unresolved tickets is a queue to work through
 * (the longest waiting first); any other list is history, newest first.
 */
export function oldestFirst(filters: Pick<TicketFilters, "status" | "overdue">): boolean {
  return filters.status === "open" || filters.status === "answered" || filters.overdue === true;
}

function filterSql(filters: TicketFilters): { sql: string; params: SqlValue[] } {
  const where: string[] = [];
  const params: SqlValue[] = [];
  if (filters.status) {
    where.push("t.status = ?");
    params.push(filters.status);
  }
  if (filters.customerId !== undefined) {
    where.push("t.customer_id = ?");
    params.push(filters.customerId);
  }
  if (filters.owner !== undefined) {
    // The ticket's own owner first; a ticket nobody took is its account manager's.
    const customerOwner = ownedBy("t.customer_id", filters.owner);
    where.push(`(t.owner = ? COLLATE NOCASE OR (t.owner IS NULL${customerOwner.sql}))`);
    params.push(filters.owner, ...customerOwner.params);
  }
  if (filters.overdue !== undefined) {
    const overdue = overdueAtSql("t", filters.asOf, filters.sla);
    where.push(filters.overdue ? overdue.sql : `NOT ${overdue.sql}`);
    params.push(...overdue.params);
  }
  return { sql: where.length > 0 ? where.join(" AND ") : "1 = 1", params };
}

/**
 * A page of tickets matching `filters`, in `oldestFirst` order by opened time and id, after the
 * key `after` (keyset pagination: each page reads about as many index entries as it returns, and
 * tickets added meanwhile neither repeat nor shift a row). Also counts every match.
 */
export async function findTickets(
  store: Store,
  filters: TicketFilters,
  page: { limit: number; after?: TicketKey },
): Promise<{ rows: TicketAsOf[]; total: number; next: TicketKey | null }> {
  const where = filterSql(filters);
  const total = await store.db.get<{ count: number }>(
    `SELECT COUNT(*) AS count FROM tickets t WHERE ${where.sql}`,
    where.params,
  );
  const ascending = oldestFirst(filters);
  // Row values compare as a pair, in index order, on SQLite and PostgreSQL alike.
  const after = page.after ? ` AND (t.opened_at, t.id) ${ascending ? ">" : "<"} (?, ?)` : "";
  const direction = ascending ? "ASC" : "DESC";
  const rows = await store.db.all<TicketRow>(
    `${TICKET_SELECT} WHERE ${where.sql}${after}
     ORDER BY t.opened_at ${direction}, t.id ${direction} LIMIT ?`,
    [...where.params, ...(page.after ? [page.after.opened_at, page.after.id] : []), page.limit + 1],
  );
  const more = rows.length > page.limit;
  const shown = rows.slice(0, page.limit);
  const last = shown.at(-1);
  return {
    rows: shown.map((row) => ticketAsOf(row, filters.asOf, filters.sla)),
    total: total?.count ?? 0,
    next: more && last ? { opened_at: last.opened_at, id: last.id } : null,
  };
}

/**
 * How many of each customer's tickets were open at `asOf`, leaving out those opened for a
 * complaint the feedback count already holds (an open complaint row), for customers with store ids in [low, high]: one
 * aggregate per chunk of customers, for the churn features. `newest` and `oldest` are when the
 * newest and oldest of them were opened, so earlier days (the calibration's origins) can tell
 * which of them existed yet.
 */
export async function openTicketCounts(
  store: Store,
  low: number,
  high: number,
  asOf: Date,
): Promise<{ c: number; n: number; oldest: string; newest: string }[]> {
  const open = openAtSql("t", asOf);
  return store.db.all(
    `SELECT t.customer_id AS c, COUNT(*) AS n, MIN(t.opened_at) AS oldest, MAX(t.opened_at) AS newest
     FROM tickets t
     WHERE t.customer_id BETWEEN ? AND ? AND ${open.sql}
       AND NOT EXISTS (SELECT 1 FROM feedback f
                       WHERE f.id = t.feedback_id AND f.source = 'complaint' AND f.status = 'open')
     GROUP BY t.customer_id ORDER BY t.customer_id`,
    [low, high, ...open.params],
  );
}
