import fc from "fast-check";
import { describe, expect, it } from "vitest";
import { openTicketsOn } from "../../../mcp-server/scoring/customerState.js";
import type { CustomerHistory } from "../../../mcp-server/scoring/history.js";
import {
  DEFAULT_SLA,
  SLA_SETTINGS,
  findTickets,
  openAtSql,
  overdueAtSql,
  slaOf,
  ticketAsOf,
  ticketById,
  type Sla,
  type TicketRow,
} from "../../../mcp-server/store/ticketQueries.js";
import { storedTime } from "../../../mcp-server/store/timestamps.js";
import { useTempStore } from "../../helpers/tempStore.js";

const HOUR_MS = 3_600_000;
const START = Date.parse("2026-06-01T00:00:00Z");

/** A ticket's times as hours after START: opened, then maybe answered, then maybe resolved. */
const ticketTimes = fc.record({
  opened: fc.integer({ min: 0, max: 48 }),
  response: fc.option(fc.integer({ min: 0, max: 12 }), { nil: null }),
  resolution: fc.option(fc.integer({ min: 0, max: 30 }), { nil: null }),
});

const at = (hours: number) => storedTime(START + hours * HOUR_MS);

describe("ticket queries", () => {
  it("judge open and overdue in SQL exactly as ticketAsOf does, at any moment and SLA", async () => {
    const temp = await useTempStore();
    const store = temp.store;
    await store.db.run(
      "INSERT INTO customers (external_id, created_at) VALUES ('C1', '2026-01-01T00:00:00Z')",
    );
    await fc.assert(
      fc.asyncProperty(
        fc.array(ticketTimes, { minLength: 1, maxLength: 12 }),
        // Moments near the tickets' own times and SLAs of a few hours, so deadlines are often met to the hour.
        fc.nat(),
        fc.integer({ min: -2, max: 30 }),
        fc.record({
          firstResponseHours: fc.integer({ min: 1, max: 12 }),
          resolutionHours: fc.integer({ min: 1, max: 30 }),
        }),
        async (tickets, pick, delta, sla: Sla) => {
          const momentHours = tickets[pick % tickets.length].opened + delta;
          await store.db.run("DELETE FROM tickets");
          for (const [index, ticket] of tickets.entries()) {
            const responded = ticket.response === null ? null : at(ticket.opened + ticket.response);
            const resolved =
              ticket.resolution === null
                ? null
                : at(ticket.opened + (ticket.response ?? 0) + ticket.resolution);
            await store.db.run(
              `INSERT INTO tickets (external_id, customer_id, kind, opened_at, first_response_at, resolved_at, status)
               VALUES (?, 1, 'question', ?, ?, ?, ?)`,
              [
                `T${index}`,
                at(ticket.opened),
                responded,
                resolved,
                resolved ? "resolved" : responded ? "answered" : "open",
              ],
            );
          }
          const moment = new Date(START + momentHours * HOUR_MS);
          const rows = await store.db.all<TicketRow>(
            "SELECT t.*, NULL AS feedback_external_id FROM tickets t ORDER BY id",
          );
          const overdue = overdueAtSql("t", moment, sla);
          const sqlOverdue = await store.db.all<{ id: number }>(
            `SELECT id FROM tickets t WHERE ${overdue.sql} ORDER BY id`,
            overdue.params,
          );
          const open = openAtSql("t", moment);
          const sqlOpen = await store.db.all<{ id: number }>(
            `SELECT id FROM tickets t WHERE ${open.sql} ORDER BY id`,
            open.params,
          );
          const judged = rows.map((row) => ticketAsOf(row, moment, sla));
          expect(sqlOverdue.map((row) => row.id)).toEqual(
            judged.filter((row) => row.overdue).map((row) => row.id),
          );
          expect(sqlOpen.map((row) => row.id)).toEqual(
            judged
              .filter((row) => row.opened_at <= storedTime(moment) && row.status_as_of !== "resolved")
              .map((row) => row.id),
          );
        },
      ),
      { numRuns: 100 },
    );
  });

  it("page through every match once with keyset cursors, whatever the page size and filters", async () => {
    const temp = await useTempStore();
    const store = temp.store;
    await store.db.run(
      "INSERT INTO customers (external_id, owner, created_at) VALUES ('C1', 'Ann', '2026-01-01T00:00:00Z')",
    );
    // Many tickets share an opened time, so the id must break ties between pages.
    for (let i = 0; i < 23; i++) {
      await store.db.run(
        `INSERT INTO tickets (external_id, customer_id, kind, opened_at, status, first_response_at)
         VALUES (?, 1, 'question', ?, ?, ?)`,
        [`T${i}`, at(i % 4), i % 3 === 0 ? "answered" : "open", i % 3 === 0 ? at(5) : null],
      );
    }
    const asOf = new Date(START + 100 * HOUR_MS);
    for (const filters of [{}, { status: "open" as const }, { overdue: true }, { owner: "ann" }]) {
      const all = await findTickets(store, { ...filters, asOf, sla: DEFAULT_SLA }, { limit: 1000 });
      for (const limit of [1, 4, 7]) {
        const seen: number[] = [];
        let after;
        do {
          const page = await findTickets(store, { ...filters, asOf, sla: DEFAULT_SLA }, { limit, after });
          expect(page.total).toBe(all.rows.length);
          seen.push(...page.rows.map((row) => row.id));
          after = page.next ?? undefined;
        } while (after);
        expect(seen, JSON.stringify({ filters, limit })).toEqual(all.rows.map((row) => row.id));
      }
    }
  });

  it("take the SLA from the settings, ignoring values that are not a positive number of hours", async () => {
    const temp = await useTempStore();
    expect(await slaOf(temp.store)).toEqual({ firstResponseHours: 24, resolutionHours: 72 });
    await temp.store.setSetting(SLA_SETTINGS.firstResponseHours, "8");
    await temp.store.setSetting(SLA_SETTINGS.resolutionHours, "48.5");
    expect(await slaOf(temp.store)).toEqual({ firstResponseHours: 8, resolutionHours: 48.5 });
    for (const bad of ["0", "-4", "soon", "1e9", ""]) {
      await temp.store.setSetting(SLA_SETTINGS.resolutionHours, bad);
      expect((await slaOf(temp.store)).resolutionHours, bad).toBe(72);
    }
  });

  it("find a ticket by its external id before its store id", async () => {
    const temp = await useTempStore();
    const store = temp.store;
    await store.db.run(
      "INSERT INTO customers (external_id, created_at) VALUES ('C1', '2026-01-01T00:00:00Z')",
    );
    await store.db.run(
      "INSERT INTO tickets (external_id, customer_id, kind, opened_at) VALUES ('2', 1, 'question', '2026-06-01T00:00:00Z'), ('X', 1, 'return', '2026-06-02T00:00:00Z')",
    );
    expect((await ticketById(store, "2"))!.external_id).toBe("2");
    expect((await ticketById(store, 2))!.external_id).toBe("2");
    expect((await ticketById(store, "X"))!.id).toBe(2);
    expect(await ticketById(store, "3")).toBeUndefined();
    expect(await ticketById(store, "1 OR 1=1")).toBeUndefined();
  });
});

describe("open tickets in the churn features", () => {
  const history = (openTickets?: CustomerHistory["openTickets"]) => ({ openTickets }) as CustomerHistory;

  it("count every ticket open at the cutoff on the cutoff, and never one on a day before it was opened", () => {
    const tickets = { count: 3, oldestDay: 100, newestDay: 110 };
    expect(openTicketsOn(history(tickets), 120)).toBe(3);
    expect(openTicketsOn(history(tickets), 110)).toBe(3);
    expect(openTicketsOn(history(tickets), 109)).toBe(1);
    expect(openTicketsOn(history(tickets), 100)).toBe(1);
    expect(openTicketsOn(history(tickets), 99)).toBe(0);
    expect(openTicketsOn(history(undefined), 120)).toBe(0);
  });
});
