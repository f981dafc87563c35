import { createRng, type Rng } from "../../core/random.js";
import { demoBirthday } from "./birthdays.js";
import { businessTime, DAY_MS, isoAt, pad, sideSeed, type DemoClock } from "./clock.js";
import { demoEvents } from "./events.js";
import { demoTickets } from "./tickets.js";
import {
  ACQUISITION_CHANNELS,
  CHINESE_CITIES,
  CHINESE_COMPANY_SUFFIXES,
  CHINESE_COMPANY_WORDS,
  CHINESE_GIVEN_NAMES,
  CHINESE_SURNAME_PINYIN,
  CHINESE_SURNAMES,
  ENGLISH_COMPANY_SUFFIXES,
  ENGLISH_COMPANY_WORDS,
  ENGLISH_COUNTRIES,
  ENGLISH_DIALLING_CODES,
  ENGLISH_FIRST_NAMES,
  ENGLISH_LAST_NAMES,
  FEEDBACK_TEXTS,
  INTERACTION_NOTES,
  OWNERS,
  TAGS,
  THEMES,
} from "./vocabulary.js";

export interface DemoOptions {
  seed: number;
  /** The last day of the simulated history; the book looks live as of this date. */
  asOf: Date;
  customers: number;
}

export const DEMO_DEFAULTS = { seed: 42, customers: 2000 } as const;

/**
 * The purchase and spend processes behind the demo, per day. BG/NBD: each customer buys at a
 * Poisson rate lambda ~ Gamma(r, alpha) and, after each purchase, drops out with probability
 * p ~ Beta(a, b). Gamma-Gamma: spend per order ~ Gamma(p, nu) with nu ~ Gamma(q, v).
 * Chosen so the average active customer orders about every seven weeks for about 300.
 */
export const DEMO_PROCESS = {
  bgNbd: { r: 0.9, alpha: 45, a: 0.7, b: 4.5 },
  gammaGamma: { p: 5, q: 4, v: 180 },
} as const;

const HISTORY_DAYS = 730;

export interface DemoCustomer {
  external_id: string;
  name: string;
  company: string | null;
  email: string;
  phone: string;
  country: string;
  language: "en" | "zh";
  owner: string;
  acquisition_channel: string;
  created_at: string;
  acquired_at: string | null;
  tags: string;
  do_not_contact: 0 | 1;
  /** YYYY-MM-DD, for some customers. */
  birthday: string | null;
}
export interface DemoTransaction {
  external_id: string;
  customer: string;
  occurred_at: string;
  amount: number;
  quantity: number;
  margin: number;
  channel: string;
}
export interface DemoInteraction {
  external_id: string;
  customer: string;
  occurred_at: string;
  channel: string;
  direction: "inbound" | "outbound";
  summary: string;
  outcome: string;
}
export interface DemoFeedback {
  external_id: string;
  customer: string;
  occurred_at: string;
  source: string;
  score: number | null;
  text: string;
  language: "en" | "zh";
  status: "open" | "resolved";
}
export type DemoTicketKind = "complaint" | "question" | "request" | "return";
export interface DemoTicket {
  external_id: string;
  customer: string;
  /** External id of the complaint feedback row the ticket was opened for, if any. */
  feedback: string | null;
  channel: string;
  kind: DemoTicketKind;
  subject: string;
  opened_at: string;
  first_response_at: string | null;
  resolved_at: string | null;
  status: "open" | "answered" | "resolved";
  owner: string;
  resolution: string | null;
}
export type DemoEventType = "page_view" | "cart" | "store_visit" | "search" | "wishlist";
export interface DemoEvent {
  external_id: string;
  customer: string;
  occurred_at: string;
  type: DemoEventType;
  category: string;
}
export interface DemoBook {
  customers: DemoCustomer[];
  transactions: DemoTransaction[];
  interactions: DemoInteraction[];
  feedback: DemoFeedback[];
  tickets: DemoTicket[];
  events: DemoEvent[];
}
/** One generated customer with their orders, interactions, feedback, service tickets and events. */
export interface DemoCustomerRecord {
  customer: DemoCustomer;
  transactions: DemoTransaction[];
  interactions: DemoInteraction[];
  feedback: DemoFeedback[];
  tickets: DemoTicket[];
  events: DemoEvent[];
}

/** Repeat purchase days (after day 0) of one BG/NBD customer over `days` days. */
function purchaseDays(
  rng: Rng,
  lambda: number,
  dropout: number,
  days: number,
): { days: number[]; alive: boolean } {
  const result: number[] = [];
  let time = 0;
  for (;;) {
    time += rng.exponential(lambda);
    if (time > days) return { days: result, alive: true };
    result.push(Math.floor(time));
    if (rng.uniform() < dropout) return { days: result, alive: false };
  }
}

/**
 * Generates a demo customer book. Pure and seeded: the same options always give the same book.
 * Holds the whole book in memory; `seedDemo` streams `demoCustomers` instead.
 */
export function generateDemoBook(options: DemoOptions): DemoBook {
  const book: DemoBook = {
    customers: [],
    transactions: [],
    interactions: [],
    feedback: [],
    tickets: [],
    events: [],
  };
  for (const record of demoCustomers(options)) {
    book.customers.push(record.customer);
    book.transactions.push(...record.transactions);
    book.interactions.push(...record.interactions);
    book.feedback.push(...record.feedback);
    book.tickets.push(...record.tickets);
    book.events.push(...record.events);
  }
  return book;
}

/**
 * The demo book one customer at a time, in id order (C00001, C00002, ...), each with their
 * orders, interactions, feedback, birthday, service tickets and web and store events, so the same
 * options give the same book however it is consumed, and memory does not grow with it.
 *
 * Customers, orders, interactions and feedback come from one random stream drawn in the same
 * order as always; birthdays, tickets and events each come from a side stream of their own
 * (`sideSeed`), drawn after the customer's other rows are known. So adding them left every
 * earlier row as it was, and changing one kind leaves the others alone.
 */
export function* demoCustomers(options: DemoOptions): Generator<DemoCustomerRecord> {
  const rng = createRng(options.seed);
  const birthdayRng = createRng(sideSeed(options.seed, 1));
  const ticketRng = createRng(sideSeed(options.seed, 2));
  const eventRng = createRng(sideSeed(options.seed, 3));
  const endDay = Math.floor(options.asOf.getTime() / DAY_MS) * DAY_MS;
  const clock: DemoClock = { asOfMs: options.asOf.getTime(), endDayMs: endDay };
  const startDay = endDay - HISTORY_DAYS * DAY_MS;
  const { r, alpha, a, b } = DEMO_PROCESS.bgNbd;
  const spend = DEMO_PROCESS.gammaGamma;
  let transactionNumber = 0;
  let interactionNumber = 0;
  let feedbackNumber = 0;
  let ticketNumber = 0;
  let eventNumber = 0;
  const nextTicketId = () => `TK${pad(++ticketNumber, 7)}`;
  const nextEventId = () => `E${pad(++eventNumber, 7)}`;

  for (let index = 1; index <= options.customers; index++) {
    const externalId = `C${pad(index, 5)}`;
    const language: "en" | "zh" = rng.uniform() < 0.4 ? "zh" : "en";
    let name: string;
    let company: string | null;
    let email: string;
    let phone: string;
    let country: string;
    if (language === "zh") {
      const surname = rng.pick(CHINESE_SURNAMES);
      name = surname + rng.pick(CHINESE_GIVEN_NAMES);
      company =
        rng.uniform() < 0.8
          ? `${rng.pick(CHINESE_CITIES)}${rng.pick(CHINESE_COMPANY_WORDS)}${rng.pick(CHINESE_COMPANY_SUFFIXES)}`
          : null;
      email = `${CHINESE_SURNAME_PINYIN[surname]}.${index}@example.cn`;
      phone = `+86 13${rng.int(10)} ${pad(rng.int(10000), 4)} ${pad(rng.int(10000), 4)}`;
      country = "China";
    } else {
      const first = rng.pick(ENGLISH_FIRST_NAMES);
      const last = rng.pick(ENGLISH_LAST_NAMES);
      name = `${first} ${last}`;
      company =
        rng.uniform() < 0.7
          ? `${rng.pick(ENGLISH_COMPANY_WORDS)} ${rng.pick(ENGLISH_COMPANY_SUFFIXES)}`
          : null;
      email = `${first}.${last}.${index}@example.com`.toLowerCase();
      country = rng.pick(ENGLISH_COUNTRIES);
      phone = `${ENGLISH_DIALLING_CODES[country]} ${pad(100 + rng.int(900), 3)} ${pad(rng.int(10000), 4)} ${pad(rng.int(1000), 3)}`;
    }
    const owner = language === "zh" && rng.uniform() < 0.85 ? rng.pick(OWNERS.zh) : rng.pick(OWNERS.en);
    const tags = TAGS.filter(() => rng.uniform() < 0.12);

    // Acquired at some point in the two years; one in twenty is a prospect with no order yet.
    const acquiredDay = startDay + rng.int(HISTORY_DAYS - 7) * DAY_MS;
    const isProspect = rng.uniform() < 0.05;
    const lambda = rng.gamma(r, 1 / alpha);
    const dropout = rng.beta(a, b);
    const ageDays = Math.floor((endDay - acquiredDay) / DAY_MS);
    const history = isProspect ? { days: [], alive: true } : purchaseDays(rng, lambda, dropout, ageDays);
    const nu = rng.gamma(spend.q, 1 / spend.v);
    const marginRate = 0.2 + rng.uniform() * 0.2;

    const record: DemoCustomerRecord = {
      customer: {
        external_id: externalId,
        name,
        company,
        email,
        phone,
        country,
        language,
        owner,
        acquisition_channel: rng.pick(ACQUISITION_CHANNELS),
        created_at: isoAt(acquiredDay - rng.int(30) * DAY_MS),
        acquired_at: isProspect ? null : isoAt(acquiredDay),
        tags: JSON.stringify(tags),
        do_not_contact: rng.uniform() < 0.02 ? 1 : 0,
        birthday: null,
      },
      transactions: [],
      interactions: [],
      feedback: [],
      tickets: [],
      events: [],
    };

    const orderDays = isProspect ? [] : [0, ...history.days];
    let lastOrderMs = acquiredDay;
    for (const day of orderDays) {
      const when = businessTime(rng, acquiredDay + day * DAY_MS);
      const amount = Math.max(5, Math.round(rng.gamma(spend.p, 1 / nu) * 100) / 100);
      record.transactions.push({
        external_id: `T${pad(++transactionNumber, 7)}`,
        customer: externalId,
        occurred_at: isoAt(when),
        amount,
        quantity: 1 + rng.poisson(amount / 60),
        margin: Math.round(amount * marginRate * 100) / 100,
        channel: rng.uniform() < 0.7 ? "online" : "in-store",
      });
      lastOrderMs = when;
    }

    // Account managers talk more to customers who buy more; lapsed ones hear less.
    const contactRate = isProspect ? 2 : Math.min(12, 1 + orderDays.length * 0.6);
    const interactions = rng.poisson(contactRate);
    for (let i = 0; i < interactions; i++) {
      const activeEnd = history.alive ? endDay : Math.min(endDay, lastOrderMs + 90 * DAY_MS);
      const day = acquiredDay + rng.int(Math.max(1, Math.floor((activeEnd - acquiredDay) / DAY_MS))) * DAY_MS;
      const [channel, summary, outcome] = rng.pick(INTERACTION_NOTES[language]);
      record.interactions.push({
        external_id: `I${pad(++interactionNumber, 7)}`,
        customer: externalId,
        occurred_at: isoAt(businessTime(rng, day)),
        channel,
        direction: rng.uniform() < 0.7 ? "outbound" : "inbound",
        summary,
        outcome,
      });
    }

    // Feedback: lapsed customers lean to detractors with complaints, active ones to promoters.
    if (!isProspect && rng.uniform() < 0.45) {
      const responses = 1 + rng.poisson(0.4);
      for (let i = 0; i < responses; i++) {
        const unhappy = rng.uniform() < (history.alive ? 0.25 : 0.7);
        const score = unhappy ? rng.int(7) : 7 + rng.int(4);
        const theme = rng.pick(THEMES);
        const texts = FEEDBACK_TEXTS[language][theme];
        const text =
          score <= 6
            ? rng.pick(texts.complaint)
            : score >= 9
              ? rng.pick(texts.praise)
              : rng.uniform() < 0.5
                ? rng.pick(texts.praise)
                : "";
        const isComplaint = score <= 3 && rng.uniform() < 0.5;
        const when = Math.min(endDay - DAY_MS, lastOrderMs + (1 + rng.int(45)) * DAY_MS);
        record.feedback.push({
          external_id: `F${pad(++feedbackNumber, 7)}`,
          customer: externalId,
          occurred_at: isoAt(businessTime(rng, Math.floor(when / DAY_MS) * DAY_MS)),
          source: isComplaint ? "complaint" : rng.uniform() < 0.7 ? "nps" : "review",
          score: isComplaint ? null : score,
          text: text || (language === "zh" ? "还可以。" : "It's fine."),
          language,
          status: isComplaint && rng.uniform() < 0.6 ? "open" : "resolved",
        });
      }
    }

    record.customer.birthday = demoBirthday(birthdayRng, clock);
    record.tickets = demoTickets(ticketRng, record, clock, nextTicketId);
    record.events = demoEvents(eventRng, record, clock, nextEventId);
    yield record;
  }
}
