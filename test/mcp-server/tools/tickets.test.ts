import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { DRAFT_FOLLOW_UP, draftFollowUpOutput } from "../../../mcp-server/contract/draftFollowUp.js";
import { GET_CUSTOMER, getCustomerOutput } from "../../../mcp-server/contract/getCustomer.js";
import {
  LIST_TICKETS,
  listTicketsOutput,
  type TicketOutput,
} from "../../../mcp-server/contract/listTickets.js";
import { RECORD_FEEDBACK, recordFeedbackOutput } from "../../../mcp-server/contract/recordFeedback.js";
import { RESOLVE_TICKET, resolveTicketOutput } from "../../../mcp-server/contract/resolveTicket.js";
import { RESPOND_TO_TICKET, respondToTicketOutput } from "../../../mcp-server/contract/respondToTicket.js";
import { ensureScores, readScore } from "../../../mcp-server/scoring/scoreCache.js";
import type { AuditRow } from "../../../mcp-server/store/audit.js";
import type { Store } from "../../../mcp-server/store/store.js";
import { SLA_SETTINGS, type TicketRow } from "../../../mcp-server/store/ticketQueries.js";
import { TICKET_SUBJECT_LENGTH } from "../../../mcp-server/tools/recordFeedback.js";
import { WRITES_DISABLED } from "../../../mcp-server/tools/support.js";
import { createMcpHarness, DEMO_AS_OF, textOf, type McpHarness } from "../../helpers/mcpClient.js";
import { snapshotStore } from "../../helpers/tempStore.js";

/**
 * Tickets of one customer, placed around the test clock (2026-07-01T09:00:00Z) so each sits on a
 * known side of the default SLA (first response within 24 h, resolution within 72 h).
 */
const TICKETS = [
  // Opened exactly 24 h ago and not answered: due now, not yet late.
  { id: "TK-A", kind: "question", subject: "Invoice copy", opened: "2026-06-30T09:00:00Z" },
  // One second earlier: the first response is late.
  { id: "TK-B", kind: "complaint", subject: "Broken lid", opened: "2026-06-30T08:59:59Z" },
  // Answered in time, but unresolved for more than 72 h.
  {
    id: "TK-C",
    kind: "return",
    subject: "Wrong size",
    opened: "2026-06-27T12:00:00Z",
    responded: "2026-06-27T13:00:00Z",
  },
  // Answered, within both deadlines.
  {
    id: "TK-D",
    kind: "request",
    subject: "New address",
    opened: "2026-06-29T12:00:00Z",
    responded: "2026-06-29T13:00:00Z",
  },
  // Resolved long ago.
  {
    id: "TK-E",
    kind: "question",
    subject: "Opening hours",
    opened: "2026-06-01T10:00:00Z",
    responded: "2026-06-01T11:00:00Z",
    resolved: "2026-06-02T10:00:00Z",
  },
] as const;

/** Replaces a customer's tickets and open complaints with the hand-placed `TICKETS`. */
async function placeTickets(store: Store, customer: string, owner: string | null = null): Promise<number> {
  const row = await store.db.get<{ id: number }>("SELECT id FROM customers WHERE external_id = ?", [
    customer,
  ]);
  const id = row!.id;
  await store.db.run("DELETE FROM tickets WHERE customer_id = ?", [id]);
  for (const ticket of TICKETS) {
    const responded = "responded" in ticket ? ticket.responded : null;
    const resolved = "resolved" in ticket ? ticket.resolved : null;
    await store.db.run(
      `INSERT INTO tickets (external_id, customer_id, channel, kind, subject, opened_at, first_response_at, resolved_at, status, owner)
       VALUES (?, ?, 'email', ?, ?, ?, ?, ?, ?, ?)`,
      [
        `${customer}-${ticket.id}`,
        id,
        ticket.kind,
        ticket.subject,
        ticket.opened,
        responded,
        resolved,
        resolved ? "resolved" : responded ? "answered" : "open",
        ticket.id === "TK-D" ? owner : null,
      ],
    );
  }
  return id;
}

async function list(mcp: McpHarness, args: Record<string, unknown>) {
  const result = await mcp.call(LIST_TICKETS, args);
  expect(result.isError, textOf(result)).toBeFalsy();
  return listTicketsOutput.parse(result.structuredContent);
}

const ids = (tickets: readonly TicketOutput[]) =>
  tickets.map((ticket) => ticket.ticket_id.split("-").slice(1).join("-"));

describe("list_tickets", () => {
  let mcp: McpHarness;
  beforeAll(async () => {
    mcp = await createMcpHarness();
    await placeTickets(mcp.store, "C00011");
  });
  afterAll(() => mcp.close());

  it("judges each ticket against the SLA to the second, on a server without --allow-writes", async () => {
    const all = await list(mcp, { customer_id: "C00011" });
    expect(all.sla).toEqual({ first_response_hours: 24, resolution_hours: 72 });
    expect(all.as_of).toBe("2026-07-01T09:00:00Z");
    const byId = Object.fromEntries(all.tickets.map((ticket) => [ticket.ticket_id.slice(7), ticket]));
    expect(byId["TK-A"]).toMatchObject({
      overdue: false,
      overdue_for: null,
      response_due_at: "2026-07-01T09:00:00Z",
    });
    expect(byId["TK-B"]).toMatchObject({ overdue: true, overdue_for: "first_response", status: "open" });
    expect(byId["TK-C"]).toMatchObject({
      overdue: true,
      overdue_for: "resolution",
      status: "answered",
      resolution_due_at: "2026-06-30T12:00:00Z",
    });
    expect(byId["TK-D"]).toMatchObject({ overdue: false, status: "answered" });
    expect(byId["TK-E"]).toMatchObject({ overdue: false, status: "resolved" });
    expect(byId["TK-B"].customer).toMatchObject({ customer_id: "C00011" });
  });

  it("filters overdue and status, lists unresolved tickets oldest first and others newest first", async () => {
    const overdue = await list(mcp, { customer_id: "C00011", overdue: true });
    expect(overdue.order).toBe("oldest-first");
    expect(ids(overdue.tickets)).toEqual(["TK-C", "TK-B"]);
    expect(overdue.total).toBe(2);
    const inTime = await list(mcp, { customer_id: "C00011", overdue: false });
    expect(inTime.order).toBe("newest-first");
    expect(ids(inTime.tickets)).toEqual(["TK-A", "TK-D", "TK-E"]);
    const answered = await list(mcp, { customer_id: "C00011", status: "answered" });
    expect(ids(answered.tickets)).toEqual(["TK-C", "TK-D"]);
    const resolved = await list(mcp, { customer_id: "C00011", status: "resolved" });
    expect(ids(resolved.tickets)).toEqual(["TK-E"]);
  });

  it("pages with a cursor through exactly the rows of one query, and refuses a cursor from another", async () => {
    const whole = await list(mcp, { customer_id: "C00011", limit: 100 });
    const seen: string[] = [];
    let cursor: string | undefined;
    let pages = 0;
    do {
      const page = await list(mcp, { customer_id: "C00011", limit: 2, ...(cursor ? { cursor } : {}) });
      expect(page.total).toBe(5);
      seen.push(...page.tickets.map((ticket) => ticket.ticket_id));
      cursor = page.next_cursor ?? undefined;
      pages++;
    } while (cursor);
    expect(pages).toBe(3);
    expect(seen).toEqual(whole.tickets.map((ticket) => ticket.ticket_id));

    const first = await list(mcp, { customer_id: "C00011", limit: 2 });
    const wrong = await mcp.call(LIST_TICKETS, {
      customer_id: "C00011",
      overdue: true,
      cursor: first.next_cursor!,
    });
    expect(wrong.isError).toBe(true);
    expect(textOf(wrong)).toMatch(/cursor does not belong to this query/);
    const forged = await mcp.call(LIST_TICKETS, { cursor: "bm90IGEgY3Vyc29y" });
    expect(forged.isError).toBe(true);
  });

  it("matches the ticket's owner, or the account manager for unassigned tickets, case-insensitively", async () => {
    const customer = (await mcp.store.findCustomer("C00012"))!;
    await mcp.store.db.run("UPDATE customers SET owner = 'Zoe Account' WHERE id = ?", [customer.id]);
    await placeTickets(mcp.store, "C00012", "Sam Support");
    const sam = await list(mcp, { owner: "sam support" });
    expect(sam.tickets.map((ticket) => ticket.ticket_id)).toEqual(["C00012-TK-D"]);
    const zoe = await list(mcp, { owner: "Zoe Account", limit: 100 });
    expect(zoe.tickets.map((ticket) => ticket.ticket_id).sort()).toEqual(
      ["C00012-TK-A", "C00012-TK-B", "C00012-TK-C", "C00012-TK-E"].sort(),
    );
  });

  it("reads the SLA from the settings", async () => {
    await mcp.store.setSetting(SLA_SETTINGS.firstResponseHours, "48");
    try {
      const overdue = await list(mcp, { customer_id: "C00011", overdue: true });
      expect(overdue.sla.first_response_hours).toBe(48);
      expect(ids(overdue.tickets)).toEqual(["TK-C"]);
    } finally {
      await mcp.store.db.run("DELETE FROM settings WHERE key = ?", [SLA_SETTINGS.firstResponseHours]);
    }
  });

  it("refuses an unknown customer and bad filters with an actionable error", async () => {
    const unknown = await mcp.call(LIST_TICKETS, { customer_id: "C99999" });
    expect(unknown.isError).toBe(true);
    expect(textOf(unknown)).toMatch(/no customer with id C99999/);
    for (const args of [{ status: "closed" }, { overdue: "yes" }, { limit: 0 }, { limit: 101 }]) {
      expect((await mcp.call(LIST_TICKETS, args)).isError, JSON.stringify(args)).toBe(true);
    }
  });
});

describe("ticket write tools without --allow-writes", () => {
  let mcp: McpHarness;
  beforeAll(async () => {
    mcp = await createMcpHarness();
    await placeTickets(mcp.store, "C00011");
  });
  afterAll(() => mcp.close());

  it("are listed as disabled and refuse every call, writing nothing", async () => {
    const { tools } = await mcp.client.listTools();
    for (const name of [RESPOND_TO_TICKET, RESOLVE_TICKET]) {
      const tool = tools.find((candidate) => candidate.name === name)!;
      expect(tool.description).toMatch(/^DISABLED on this server/);
      expect(tool.annotations).toMatchObject({ readOnlyHint: false, destructiveHint: false });
    }
    const before = await snapshotStore(mcp.store);
    for (const [name, args] of [
      [RESPOND_TO_TICKET, { ticket: "C00011-TK-B", note: "Sent a new lid" }],
      [RESOLVE_TICKET, { ticket: "C00011-TK-B", resolution: "Replaced" }],
    ] as const) {
      const result = await mcp.call(name, args);
      expect(result.isError).toBe(true);
      expect(textOf(result)).toContain(WRITES_DISABLED);
    }
    expect(await snapshotStore(mcp.store)).toEqual(before);
  });
});

describe("ticket write tools with --allow-writes", () => {
  let mcp: McpHarness;
  let customerId: number;
  beforeAll(async () => {
    mcp = await createMcpHarness({ allowWrites: true, actor: "alice@laptop" });
    customerId = await placeTickets(mcp.store, "C00011");
  });
  afterAll(() => mcp.close());

  const ticketRow = (externalId: string) =>
    mcp.store.db.get<TicketRow>("SELECT * FROM tickets WHERE external_id = ?", [externalId]);
  const lastAudit = async () =>
    (await mcp.store.db.get<AuditRow>("SELECT * FROM audit_log ORDER BY id DESC LIMIT 1"))!;

  it("respond_to_ticket stamps the first response once, moves the ticket to answered, and audits every answer", async () => {
    const version = await mcp.store.dataVersion();
    const args = {
      ticket: "C00011-TK-B",
      note: "Sent a new lid today",
      responded_at: "2026-07-01T08:30:00Z",
    };
    const result = await mcp.call(RESPOND_TO_TICKET, args);
    expect(result.isError, textOf(result)).toBeFalsy();
    const out = respondToTicketOutput.parse(result.structuredContent);
    expect(out).toMatchObject({ first_response: true, note: "Sent a new lid today" });
    expect(out.ticket).toMatchObject({
      ticket_id: "C00011-TK-B",
      status: "answered",
      first_response_at: "2026-07-01T08:30:00Z",
      overdue: false,
    });
    expect(await ticketRow("C00011-TK-B")).toMatchObject({
      first_response_at: "2026-07-01T08:30:00Z",
      status: "answered",
    });
    expect(await lastAudit()).toMatchObject({
      id: out.audit.audit_id,
      actor: "alice@laptop",
      action: "respond_to_ticket",
      customer_id: customerId,
      details: JSON.stringify(args),
    });
    expect(await mcp.store.dataVersion()).toBe(version + 1);

    // A second answer keeps the first stamp; it is still audited.
    const again = respondToTicketOutput.parse(
      (await mcp.call(RESPOND_TO_TICKET, { ticket: String(out.ticket.store_id), note: "Courier booked" }))
        .structuredContent,
    );
    expect(again.first_response).toBe(false);
    expect(again.ticket.first_response_at).toBe("2026-07-01T08:30:00Z");
    expect((await lastAudit()).id).toBe(again.audit.audit_id);
  });

  it("resolve_ticket stamps when and how, fills a missing first response, and cannot resolve twice", async () => {
    const result = await mcp.call(RESOLVE_TICKET, {
      ticket: "C00011-TK-A",
      resolution: "Sent the invoice copy",
    });
    expect(result.isError, textOf(result)).toBeFalsy();
    const out = resolveTicketOutput.parse(result.structuredContent);
    expect(out.ticket).toMatchObject({
      status: "resolved",
      resolved_at: "2026-07-01T09:00:00Z",
      first_response_at: "2026-07-01T09:00:00Z",
      resolution: "Sent the invoice copy",
      overdue: false,
    });
    expect(out.complaint_resolved).toBeNull();
    expect((await lastAudit()).action).toBe("resolve_ticket");

    const before = await snapshotStore(mcp.store);
    const twice = await mcp.call(RESOLVE_TICKET, { ticket: "C00011-TK-A", resolution: "Again" });
    expect(twice.isError).toBe(true);
    expect(textOf(twice)).toMatch(/already resolved at 2026-07-01T09:00:00Z/);
    const respond = await mcp.call(RESPOND_TO_TICKET, { ticket: "C00011-TK-A" });
    expect(respond.isError).toBe(true);
    expect(textOf(respond)).toMatch(/was resolved/);
    expect(await snapshotStore(mcp.store)).toEqual(before);
  });

  it("refuses bad input and impossible times with an isError result and leaves every table as it was", async () => {
    const before = await snapshotStore(mcp.store);
    const bad: [string, Record<string, unknown>][] = [
      [RESPOND_TO_TICKET, { ticket: "NO-SUCH" }],
      [RESPOND_TO_TICKET, { ticket: "" }],
      [RESPOND_TO_TICKET, { ticket: "C00011-TK-D", responded_at: "2026-06-29T11:00:00Z" }],
      [RESPOND_TO_TICKET, { ticket: "C00011-TK-D", responded_at: "2026-07-02" }],
      [RESPOND_TO_TICKET, { ticket: "C00011-TK-D", responded_at: "2026-06-31" }],
      [RESPOND_TO_TICKET, { ticket: "C00011-TK-D", note: "bad\u0000note" }],
      [RESOLVE_TICKET, { ticket: "C00011-TK-D" }],
      [RESOLVE_TICKET, { ticket: "C00011-TK-D", resolution: "   " }],
      [RESOLVE_TICKET, { ticket: "C00011-TK-D", resolution: "x".repeat(2001) }],
      [RESOLVE_TICKET, { ticket: "C00011-TK-D", resolution: "Done", resolved_at: "2026-06-29T12:30:00Z" }],
      [RESOLVE_TICKET, { ticket: "C00011-TK-D", resolution: "Done", resolved_at: "2026-06-28" }],
    ];
    for (const [name, args] of bad) {
      const result = await mcp.call(name, args);
      expect(result.isError, `${name} ${JSON.stringify(args)}`).toBe(true);
    }
    const early = await mcp.call(RESPOND_TO_TICKET, {
      ticket: "C00011-TK-D",
      responded_at: "2026-06-29T11:00:00Z",
    });
    expect(textOf(early)).toMatch(
      /responded_at 2026-06-29T11:00:00Z is before ticket C00011-TK-D was opened/,
    );
    const beforeAnswer = await mcp.call(RESOLVE_TICKET, {
      ticket: "C00011-TK-D",
      resolution: "Done",
      resolved_at: "2026-06-29T12:30:00Z",
    });
    expect(textOf(beforeAnswer)).toMatch(/before ticket C00011-TK-D was first answered/);
    const unknown = await mcp.call(RESPOND_TO_TICKET, { ticket: "NO-SUCH" });
    expect(textOf(unknown)).toMatch(/no ticket with id NO-SUCH; list_tickets/);
    expect(await snapshotStore(mcp.store)).toEqual(before);
  });

  it("record_feedback opens a linked ticket for an open complaint, and resolving the ticket resolves the complaint", async () => {
    const customer = (await mcp.store.findCustomer("C00013"))!;
    const firstLine = `The blender stopped working after ${"two ".repeat(40)}days`;
    const args = { customer_id: "C00013", source: "complaint", text: `${firstLine}\nPlease call me.` };
    const result = await mcp.call(RECORD_FEEDBACK, args);
    expect(result.isError, textOf(result)).toBeFalsy();
    const out = recordFeedbackOutput.parse(result.structuredContent);
    const ticket = out.ticket!;
    expect(ticket).toMatchObject({
      kind: "complaint",
      status: "open",
      opened_at: out.feedback.occurred_at,
      feedback_id: out.feedback.external_id,
      customer: { customer_id: "C00013" },
    });
    expect(ticket.subject.length).toBeLessThanOrEqual(TICKET_SUBJECT_LENGTH);
    expect(ticket.subject).toMatch(/^The blender stopped working after two two .*…$/);
    expect(firstLine.startsWith(ticket.subject.slice(0, -1))).toBe(true);
    expect(textOf(result)).toContain(ticket.ticket_id);
    // One audit entry for the feedback and its ticket.
    expect(JSON.parse((await lastAudit()).details)).toEqual(args);

    // Scored as of the server's today, the complaint and its ticket count once.
    const asOf = new Date("2026-07-01T23:59:59Z");
    const open = async () => {
      const set = await ensureScores(mcp.store, asOf, mcp.deps.now);
      return (await readScore(mcp.store, set, customer.id))!.openComplaints;
    };
    const expected = await mcp.store.db.get<{ count: number }>(
      `SELECT (SELECT COUNT(*) FROM feedback WHERE customer_id = ? AND source = 'complaint' AND status = 'open')
            + (SELECT COUNT(*) FROM tickets t WHERE t.customer_id = ? AND t.status <> 'resolved'
                 AND NOT EXISTS (SELECT 1 FROM feedback f WHERE f.id = t.feedback_id AND f.source = 'complaint' AND f.status = 'open')) AS count`,
      [customer.id, customer.id],
    );
    const withComplaint = await open();
    expect(withComplaint).toBe(expected!.count);

    const resolved = resolveTicketOutput.parse(
      (await mcp.call(RESOLVE_TICKET, { ticket: ticket.ticket_id, resolution: "Replaced the blender" }))
        .structuredContent,
    );
    expect(resolved.complaint_resolved).toBe(out.feedback.external_id);
    const feedback = await mcp.store.db.get<{ status: string }>("SELECT status FROM feedback WHERE id = ?", [
      out.feedback.id,
    ]);
    expect(feedback!.status).toBe("resolved");
    expect(await open()).toBe(withComplaint - 1);
  });

  it("record_feedback opens no ticket for other feedback or a complaint recorded as resolved", async () => {
    for (const args of [
      { customer_id: "C00013", source: "review", score: 4, text: "Nice" },
      { customer_id: "C00013", source: "complaint", text: "Late again", status: "resolved" },
    ]) {
      const before = (await mcp.store.counts()) as unknown as Record<string, number>;
      const tickets = (await mcp.store.db.get<{ n: number }>("SELECT COUNT(*) AS n FROM tickets"))!.n;
      const out = recordFeedbackOutput.parse((await mcp.call(RECORD_FEEDBACK, args)).structuredContent);
      expect(out.ticket).toBeNull();
      expect((await mcp.store.db.get<{ n: number }>("SELECT COUNT(*) AS n FROM tickets"))!.n).toBe(tickets);
      expect((await mcp.store.counts()).feedback).toBe(before.feedback + 1);
    }
    const request = recordFeedbackOutput.parse(
      (
        await mcp.call(RECORD_FEEDBACK, {
          customer_id: "C00013",
          source: "ticket",
          text: "Can I change my address?",
        })
      ).structuredContent,
    );
    expect(request.ticket).toMatchObject({ kind: "request", subject: "Can I change my address?" });
  });
});

describe("open tickets in scoring, get_customer and drafts", () => {
  let mcp: McpHarness;
  let customerId: number;
  const asOf = new Date(`${DEMO_AS_OF}T23:59:59Z`);

  beforeAll(async () => {
    mcp = await createMcpHarness();
    const customer = (await mcp.store.findCustomer("C00021"))!;
    customerId = customer.id;
    // A clean slate for this customer: contactable, no tickets, no open complaints.
    await mcp.store.db.run("UPDATE customers SET do_not_contact = 0 WHERE id = ?", [customerId]);
    await mcp.store.db.run("DELETE FROM tickets WHERE customer_id = ?", [customerId]);
    await mcp.store.db.run(
      "UPDATE feedback SET status = 'resolved' WHERE customer_id = ? AND source = 'complaint'",
      [customerId],
    );
    await mcp.store.markChanged();
  });
  afterAll(() => mcp.close());

  async function openComplaints(): Promise<number> {
    const set = await ensureScores(mcp.store, asOf, mcp.deps.now);
    return (await readScore(mcp.store, set, customerId))!.openComplaints;
  }

  async function addTicket(externalId: string, fields: Partial<TicketRow>): Promise<void> {
    const row = {
      kind: "question",
      subject: "",
      opened_at: "2026-06-20T10:00:00Z",
      status: "open",
      ...fields,
    };
    await mcp.store.db.run(
      `INSERT INTO tickets (external_id, customer_id, kind, subject, opened_at, first_response_at, resolved_at, status, feedback_id)
       VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?)`,
      [
        externalId,
        customerId,
        row.kind,
        row.subject,
        row.opened_at,
        row.first_response_at ?? null,
        row.resolved_at ?? null,
        row.status,
        row.feedback_id ?? null,
      ],
    );
    await mcp.store.markChanged();
  }

  it("count tickets open at the as-of date as open complaints, but not tickets opened later or resolved by then", async () => {
    expect(await openComplaints()).toBe(0);
    await addTicket("S-1", { kind: "complaint", subject: "Damaged box", opened_at: "2026-06-20T10:00:00Z" });
    expect(await openComplaints()).toBe(1);
    // Answered but unresolved still counts; resolved before the as-of date does not; resolved
    // after it was still open then; opened after it does not exist yet.
    await addTicket("S-2", {
      opened_at: "2026-06-25T10:00:00Z",
      first_response_at: "2026-06-25T11:00:00Z",
      status: "answered",
    });
    await addTicket("S-3", {
      opened_at: "2026-06-10T10:00:00Z",
      resolved_at: "2026-06-12T10:00:00Z",
      status: "resolved",
    });
    await addTicket("S-4", {
      opened_at: "2026-06-28T10:00:00Z",
      resolved_at: "2026-07-01T08:00:00Z",
      status: "resolved",
    });
    await addTicket("S-5", { opened_at: "2026-07-01T08:00:00Z" });
    expect(await openComplaints()).toBe(3);
  });

  it("count a ticket opened for an open complaint once", async () => {
    const before = await openComplaints();
    const { lastID } = await mcp.store.db.run(
      `INSERT INTO feedback (external_id, customer_id, occurred_at, source, text, language, status)
       VALUES ('S-F', ?, '2026-06-26T10:00:00Z', 'complaint', 'Rude staff', 'en', 'open')`,
      [customerId],
    );
    await addTicket("S-6", { kind: "complaint", opened_at: "2026-06-26T10:00:00Z", feedback_id: lastID });
    expect(await openComplaints()).toBe(before + 1);
  });

  it("get_customer lists the open tickets with their status and SLA verdict", async () => {
    const result = await mcp.call(GET_CUSTOMER, { customer_id: "C00021", as_of: DEMO_AS_OF });
    expect(result.isError, textOf(result)).toBeFalsy();
    const out = getCustomerOutput.parse(result.structuredContent);
    expect(out.open_tickets.map((ticket) => ticket.ticket_id)).toEqual(["S-1", "S-2", "S-6", "S-4"]);
    expect(out.open_tickets[0]).toEqual({
      ticket_id: "S-1",
      kind: "complaint",
      subject: "Damaged box",
      opened_at: "2026-06-20T10:00:00Z",
      status: "open",
      overdue: true,
      overdue_for: "first_response",
    });
    expect(out.open_tickets[1]).toMatchObject({
      status: "answered",
      overdue: true,
      overdue_for: "resolution",
    });
    // S-4 was resolved after the as-of date: then it was still open, and unanswered past its SLA.
    expect(out.open_tickets[3]).toMatchObject({
      ticket_id: "S-4",
      status: "open",
      overdue: true,
      overdue_for: "first_response",
    });
    expect(out.open_complaints).toBe(out.open_tickets.length);
    expect(textOf(result)).toContain("**Open tickets** (4");
  });

  async function feedbackResponse(language: "en" | "zh") {
    const result = await mcp.call(DRAFT_FOLLOW_UP, {
      customer_id: "C00021",
      goal: "feedback-response",
      language,
      prefer: "template",
      as_of: DEMO_AS_OF,
    });
    expect(result.isError, textOf(result)).toBeFalsy();
    return draftFollowUpOutput.parse(result.structuredContent);
  }

  it("a feedback-response draft cites the ticket of the complaint it answers, and its facts hold the tickets' ids and quoted subjects", async () => {
    const out = await feedbackResponse("en");
    expect(out.facts.open_tickets.map((ticket) => ticket.ticket_id)).toEqual(["S-1", "S-2", "S-6", "S-4"]);
    expect(out.facts.open_tickets[0]).toEqual({
      ticket_id: "S-1",
      store_id: expect.any(Number),
      kind: "complaint",
      opened_at: "2026-06-20",
      status: "open",
      overdue: true,
      subject: { quoted: true, text: "Damaged box" },
    });
    // The open complaint of 26 June is answered, and its ticket cited.
    expect(out.body).toContain("Thank you for your complaint on 26 June 2026.");
    expect(out.body).toContain("It is logged as ticket S-6, and I am following it up personally.");
    // Subjects are the customer's words: in the facts, never in the message.
    expect(out.body).not.toMatch(/Damaged box|Rude staff/);
    expect((await feedbackResponse("zh")).body).toContain("该问题已登记为工单S-6");
  });

  it("a feedback-response draft without an open complaint leads with the oldest complaint ticket", async () => {
    await mcp.store.db.run("UPDATE feedback SET status = 'resolved' WHERE external_id = 'S-F'");
    await mcp.store.markChanged();
    const out = await feedbackResponse("en");
    expect(out.body).toContain("Thank you for getting in touch on 20 June 2026 about a problem.");
    expect(out.body).toContain("I am sorry it is taking us longer than it should");
    expect(out.body).toContain("It is logged as ticket S-1");
    expect(out.warnings.join("\n")).not.toMatch(/no feedback in the last year/);
    const zh = await feedbackResponse("zh");
    expect(zh.body).toContain("感谢您在2026年6月20日向我们反映问题。");
    expect(zh.body).toContain("工单S-1");
  });
});
