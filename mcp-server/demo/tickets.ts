import type { Rng } from "../../core/random.js";
import { businessTime, DAY_MS, HOUR_MS, isoAt, type DemoClock } from "./clock.js";
import type { DemoCustomerRecord, DemoTicket, DemoTicketKind } from "./generate.js";
import { TICKET_RESOLUTIONS, TICKET_SUBJECTS } from "./vocabulary.js";

/** A lognormal duration: half of the draws are below the median; sigma is the log's spread. */
interface LogNormal {
  medianHours: number;
  sigma: number;
}

/**
 * The demo's service desk. Tickets come from three places: every complaint in the feedback
 * opens one (linked to it, as `record_feedback` does); a small share of orders lead to a
 * question, request, return or complaint in the weeks after; and customers who bought lately
 * open tickets in the last two weeks, so the book has a live queue as of its last day.
 *
 * Times are lognormal, as service times usually are: most first responses come within hours
 * and well inside the 24 h SLA, a neglected few take days. Whatever the clock has not reached
 * by the as-of moment has not happened: a ticket opened yesterday whose response would come
 * tomorrow is still open, one answered but not yet resolved is answered.
 */
export const DEMO_SERVICE = {
  /** Tickets per order, opened within `daysAfterOrder` days of it. */
  ticketsPerOrder: 0.035,
  daysAfterOrder: 21,
  /** Kinds of the tickets that follow an order, with their weights. */
  orderTicketKinds: [
    ["question", 0.45],
    ["request", 0.25],
    ["return", 0.2],
    ["complaint", 0.1],
  ] as const satisfies readonly (readonly [DemoTicketKind, number])[],
  /** The live queue: a customer who bought in the last `lookbackDays` opens a ticket in the last `days` days. */
  queue: { lookbackDays: 90, days: 14, probability: 0.15 },
  /** Hours to the first response. */
  firstResponse: { medianHours: 4, sigma: 1 } satisfies LogNormal,
  /** Share of tickets nobody picks up until someone notices, and their hours to the first response. */
  neglectedShare: 0.12,
  neglectedFirstResponse: { medianHours: 96, sigma: 0.8 } satisfies LogNormal,
  /** Hours from the first response to the resolution, by kind. */
  resolution: {
    question: { medianHours: 2, sigma: 1 },
    request: { medianHours: 24, sigma: 0.9 },
    return: { medianHours: 72, sigma: 0.7 },
    complaint: { medianHours: 48, sigma: 0.9 },
  } satisfies Record<DemoTicketKind, LogNormal>,
} as const;

function drawHours(rng: Rng, { medianHours, sigma }: LogNormal): number {
  return medianHours * Math.exp(sigma * rng.normal());
}

function drawKind(rng: Rng): DemoTicketKind {
  let left = rng.uniform();
  for (const [kind, weight] of DEMO_SERVICE.orderTicketKinds) {
    left -= weight;
    if (left < 0) return kind;
  }
  return "question";
}

/** How a ticket came about, before its times are drawn. */
interface Opening {
  openedMs: number;
  kind: DemoTicketKind;
  channel: string;
  subject: string | null;
  feedback: string | null;
  /** The linked feedback's status: an open complaint is not resolved, a resolved one is. */
  mustResolve: boolean | null;
}

/**
 * One customer's tickets, in the order they were opened. Draws from `rng` only: the customer's
 * other rows are read, never redrawn.
 */
export function demoTickets(
  rng: Rng,
  record: DemoCustomerRecord,
  clock: DemoClock,
  nextId: () => string,
): DemoTicket[] {
  const { transactions } = record;
  const openings: Opening[] = [];

  for (const feedback of record.feedback) {
    if (feedback.source !== "complaint") continue;
    openings.push({
      openedMs: Date.parse(feedback.occurred_at),
      kind: "complaint",
      channel: rng.pick(["email", "phone", "chat"]),
      subject: feedback.text,
      feedback: feedback.external_id,
      mustResolve: feedback.status === "resolved",
    });
  }

  const afterOrders =
    transactions.length === 0 ? 0 : rng.poisson(DEMO_SERVICE.ticketsPerOrder * transactions.length);
  for (let i = 0; i < afterOrders; i++) {
    const order = rng.pick(transactions);
    const orderDayMs = Math.floor(Date.parse(order.occurred_at) / DAY_MS) * DAY_MS;
    const openedMs = businessTime(rng, orderDayMs + rng.int(DEMO_SERVICE.daysAfterOrder + 1) * DAY_MS);
    const channel =
      order.channel === "in-store" ? rng.pick(["phone", "in-store"]) : rng.pick(["email", "chat", "web"]);
    // Opened after the as-of moment: not yet happened.
    if (openedMs <= clock.asOfMs)
      openings.push({
        openedMs,
        kind: drawKind(rng),
        channel,
        subject: null,
        feedback: null,
        mustResolve: null,
      });
  }

  const { lookbackDays, days, probability } = DEMO_SERVICE.queue;
  const lastOrder = transactions.at(-1);
  if (
    lastOrder !== undefined &&
    Date.parse(lastOrder.occurred_at) >= clock.endDayMs - lookbackDays * DAY_MS &&
    rng.uniform() < probability
  ) {
    // Any moment of the last `days` days up to as-of, nights included: messages arrive at any hour.
    const openedMs = clock.asOfMs - Math.floor(rng.uniform() * days * DAY_MS);
    openings.push({
      openedMs,
      kind: drawKind(rng),
      channel: rng.pick(["email", "phone", "chat"]),
      subject: null,
      feedback: null,
      mustResolve: null,
    });
  }

  openings.sort((first, second) => first.openedMs - second.openedMs);
  return openings.map((opening) => ticketFrom(rng, opening, record, clock, nextId));
}

function ticketFrom(
  rng: Rng,
  opening: Opening,
  { customer }: DemoCustomerRecord,
  clock: DemoClock,
  nextId: () => string,
): DemoTicket {
  const { openedMs, kind, mustResolve } = opening;
  const neglected = rng.uniform() < DEMO_SERVICE.neglectedShare;
  let responseMs =
    drawHours(rng, neglected ? DEMO_SERVICE.neglectedFirstResponse : DEMO_SERVICE.firstResponse) * HOUR_MS;
  let resolutionMs = drawHours(rng, DEMO_SERVICE.resolution[kind]) * HOUR_MS;
  const available = clock.asOfMs - openedMs;
  if (mustResolve === true && responseMs + resolutionMs > available) {
    // The feedback says resolved by now: the same shape of times, squeezed into the time there was.
    const squeeze = (0.95 * available) / (responseMs + resolutionMs);
    responseMs *= squeeze;
    resolutionMs *= squeeze;
  }
  const respondedMs = openedMs + Math.max(60_000, responseMs);
  const resolvedMs = respondedMs + resolutionMs;
  const responded = respondedMs <= clock.asOfMs;
  const resolved = responded && resolvedMs <= clock.asOfMs && mustResolve !== false;
  const subject = opening.subject ?? rng.pick(TICKET_SUBJECTS[customer.language][kind]);
  return {
    external_id: nextId(),
    customer: customer.external_id,
    feedback: opening.feedback,
    channel: opening.channel,
    kind,
    subject: subject.length > 120 ? `${subject.slice(0, 119)}…` : subject,
    opened_at: isoAt(openedMs),
    first_response_at: responded ? isoAt(respondedMs) : null,
    resolved_at: resolved ? isoAt(resolvedMs) : null,
    status: resolved ? "resolved" : responded ? "answered" : "open",
    owner: customer.owner,
    resolution: resolved ? rng.pick(TICKET_RESOLUTIONS[customer.language][kind]) : null,
  };
}
