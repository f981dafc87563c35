import { mkdtempSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { createRng } from "../../../core/random.js";
import { demoBirthday } from "../../../mcp-server/demo/birthdays.js";
import { DEMO_DEFAULTS, generateDemoBook, type DemoBook } from "../../../mcp-server/demo/generate.js";
import { seedDemo } from "../../../mcp-server/demo/seed.js";
import { PRODUCT_CATEGORIES } from "../../../mcp-server/demo/vocabulary.js";
import { Store } from "../../../mcp-server/store/store.js";

const asOf = new Date("2026-06-30T23:59:59Z");
const AS_OF = "2026-06-30T23:59:59Z";
const HOUR = 3_600_000;
const DAY = 86_400_000;
const folder = mkdtempSync(join(tmpdir(), "crm-demo-service-"));
afterAll(() => rmSync(folder, { recursive: true, force: true }));

/** Hours between two stored times. */
const hoursBetween = (from: string, to: string) => (Date.parse(to) - Date.parse(from)) / HOUR;

describe("demo service tickets", () => {
  let book: DemoBook;
  beforeAll(() => {
    book = generateDemoBook({ seed: DEMO_DEFAULTS.seed, customers: DEMO_DEFAULTS.customers, asOf });
  });

  it("opens about 0.3 tickets per customer, of every kind, through several channels", () => {
    const perCustomer = book.tickets.length / book.customers.length;
    expect(perCustomer).toBeGreaterThan(0.2);
    expect(perCustomer).toBeLessThan(0.4);
    expect(new Set(book.tickets.map((ticket) => ticket.kind))).toEqual(
      new Set(["complaint", "question", "request", "return"]),
    );
    expect(new Set(book.tickets.map((ticket) => ticket.channel)).size).toBeGreaterThanOrEqual(4);
  });

  it("answers most tickets within the 24 h SLA, with a lognormal tail of days beyond it", () => {
    const hours = book.tickets
      .filter((ticket) => ticket.first_response_at !== null)
      .map((ticket) => hoursBetween(ticket.opened_at, ticket.first_response_at!))
      .sort((a, b) => a - b);
    const within = hours.filter((value) => value <= 24).length / hours.length;
    expect(within).toBeGreaterThan(0.8);
    expect(within).toBeLessThan(0.95);
    const median = hours[Math.floor(hours.length / 2)];
    expect(median).toBeGreaterThan(1);
    expect(median).toBeLessThan(12);
    // Skewed, as service times are: the mean sits well above the median and some take days.
    expect(hours.reduce((sum, value) => sum + value, 0) / hours.length).toBeGreaterThan(2 * median);
    expect(hours.filter((value) => value > 72).length).toBeGreaterThan(10);
  });

  it("keeps each ticket's times in order, before as-of, and its status in step with them", () => {
    for (const ticket of book.tickets) {
      expect(ticket.opened_at <= AS_OF).toBe(true);
      if (ticket.first_response_at !== null) {
        expect(ticket.first_response_at > ticket.opened_at).toBe(true);
        expect(ticket.first_response_at <= AS_OF).toBe(true);
      }
      if (ticket.resolved_at !== null) {
        expect(ticket.first_response_at).not.toBeNull();
        expect(ticket.resolved_at >= ticket.first_response_at!).toBe(true);
        expect(ticket.resolved_at <= AS_OF).toBe(true);
      }
      const status =
        ticket.resolved_at !== null ? "resolved" : ticket.first_response_at !== null ? "answered" : "open";
      expect(ticket.status).toBe(status);
      expect(ticket.resolution !== null).toBe(ticket.status === "resolved");
    }
  });

  it("leaves tickets open or answered but unresolved near as-of, some of them past the SLA", () => {
    const asOfMs = Date.parse(AS_OF);
    const recent = book.tickets.filter((ticket) => Date.parse(ticket.opened_at) > asOfMs - 14 * DAY);
    expect(recent.filter((ticket) => ticket.status === "open").length).toBeGreaterThanOrEqual(3);
    expect(recent.filter((ticket) => ticket.status === "answered").length).toBeGreaterThanOrEqual(3);
    const pastSla = book.tickets.filter(
      (ticket) => ticket.status === "open" && Date.parse(ticket.opened_at) < asOfMs - 24 * HOUR,
    );
    expect(pastSla.length).toBeGreaterThanOrEqual(3);
    // Only complaints the feedback still lists as open stay unresolved for long; others settle.
    for (const ticket of book.tickets)
      if (ticket.kind !== "complaint" && ticket.status !== "resolved")
        expect(Date.parse(ticket.opened_at)).toBeGreaterThan(asOfMs - 60 * DAY);
  });

  it("opens one complaint ticket per complaint in the feedback, for its customer, resolved when it is", () => {
    const complaints = book.feedback.filter((row) => row.source === "complaint");
    expect(complaints.length).toBeGreaterThan(50);
    const linked = new Map(book.tickets.filter((t) => t.feedback !== null).map((t) => [t.feedback, t]));
    expect(linked.size).toBe(book.tickets.filter((t) => t.feedback !== null).length);
    expect([...linked.keys()].sort()).toEqual(complaints.map((row) => row.external_id).sort());
    for (const complaint of complaints) {
      const ticket = linked.get(complaint.external_id)!;
      expect(ticket).toMatchObject({
        kind: "complaint",
        customer: complaint.customer,
        opened_at: complaint.occurred_at,
      });
      expect(ticket.status === "resolved").toBe(complaint.status === "resolved");
    }
  });

  it("gives each ticket to the customer's account manager", () => {
    const owners = new Map(book.customers.map((customer) => [customer.external_id, customer.owner]));
    for (const ticket of book.tickets) expect(ticket.owner).toBe(owners.get(ticket.customer));
  });
});

describe("demo web and store events", () => {
  let book: DemoBook;
  beforeAll(() => {
    book = generateDemoBook({ seed: DEMO_DEFAULTS.seed, customers: DEMO_DEFAULTS.customers, asOf });
  });

  it("records about two events per customer, of every type, in product categories, in the weeks before as-of", () => {
    const perCustomer = book.events.length / book.customers.length;
    expect(perCustomer).toBeGreaterThan(1.5);
    expect(perCustomer).toBeLessThan(2.5);
    expect(new Set(book.events.map((event) => event.type))).toEqual(
      new Set(["page_view", "cart", "store_visit", "search", "wishlist"]),
    );
    expect(new Set(book.events.map((event) => event.category))).toEqual(new Set(PRODUCT_CATEGORIES));
    const created = new Map(book.customers.map((customer) => [customer.external_id, customer.created_at]));
    for (const event of book.events) {
      expect(event.occurred_at <= AS_OF).toBe(true);
      expect(Date.parse(event.occurred_at)).toBeGreaterThan(Date.parse(AS_OF) - 45 * DAY);
      expect(event.occurred_at >= created.get(event.customer)!).toBe(true);
    }
  });

  it("has browsing that led to an order within a day or two, and browsing no order followed within 3 days", () => {
    const orders = new Map<string, number[]>();
    for (const row of book.transactions)
      orders.set(row.customer, [...(orders.get(row.customer) ?? []), Date.parse(row.occurred_at)]);
    let converted = 0;
    let notConverted = 0;
    for (const event of book.events) {
      if (event.type !== "page_view" && event.type !== "cart") continue;
      const at = Date.parse(event.occurred_at);
      if (at > Date.parse(AS_OF) - 3 * DAY) continue;
      const bought = (orders.get(event.customer) ?? []).some((time) => time >= at && time <= at + 3 * DAY);
      if (bought) converted++;
      else notConverted++;
    }
    expect(converted).toBeGreaterThan(100);
    expect(notConverted).toBeGreaterThan(100);
  });
});

describe("demo birthdays", () => {
  it("knows the birthday of some customers, as real dates of adults, some within the next days", () => {
    const book = generateDemoBook({ seed: DEMO_DEFAULTS.seed, customers: DEMO_DEFAULTS.customers, asOf });
    const birthdays = book.customers.map((customer) => customer.birthday).filter((day) => day !== null);
    expect(birthdays.length / book.customers.length).toBeGreaterThan(0.3);
    expect(birthdays.length / book.customers.length).toBeLessThan(0.5);
    for (const birthday of birthdays) {
      expect(birthday).toMatch(/^\d{4}-\d{2}-\d{2}$/);
      expect(new Date(`${birthday}T00:00:00Z`).toISOString().slice(0, 10)).toBe(birthday);
      const age = 2026 - Number(birthday.slice(0, 4));
      expect(age).toBeGreaterThanOrEqual(20);
      expect(age).toBeLessThanOrEqual(75);
    }
    const nextWeek = new Set(
      Array.from({ length: 7 }, (_, offset) =>
        new Date(Date.parse(AS_OF) + offset * DAY).toISOString().slice(5, 10),
      ),
    );
    const soon = birthdays.filter((birthday) => nextWeek.has(birthday.slice(5)));
    // A year's birthdays spread evenly would put about 2% in a week; the demo makes sure of more.
    expect(soon.length / birthdays.length).toBeGreaterThan(0.025);
    expect(birthdays.some((birthday) => birthday.slice(5) === "06-30")).toBe(true);
  });

  it("gives a 29 February birthday only to someone born in a leap year", () => {
    const rng = createRng(11);
    // As of 2028-02-20, the next two weeks hold 29 February.
    const clock = {
      asOfMs: Date.parse("2028-02-20T23:59:59Z"),
      endDayMs: Date.parse("2028-02-20T00:00:00Z"),
    };
    const leapDays: string[] = [];
    for (let i = 0; i < 50_000; i++) {
      const birthday = demoBirthday(rng, clock);
      if (birthday?.endsWith("-02-29")) leapDays.push(birthday);
    }
    expect(leapDays.length).toBeGreaterThan(0);
    for (const birthday of leapDays) {
      const year = Number(birthday.slice(0, 4));
      expect((year % 4 === 0 && year % 100 !== 0) || year % 400 === 0).toBe(true);
    }
  });
});

describe("demo tickets, events and birthdays in the store", () => {
  it("writes the rows the generator describes, tickets naming their feedback row, and the same rows for the same seed", async () => {
    const options = { seed: 5, customers: 400, asOf };
    const book = generateDemoBook(options);
    const rows: string[] = [];
    for (const name of ["a.db", "b.db"]) {
      const store = await Store.open(join(folder, name));
      const counts = await seedDemo(store, options);
      expect(counts).toMatchObject({ tickets: book.tickets.length, events: book.events.length });
      expect(
        await store.db.all(
          `SELECT t.external_id, c.external_id AS customer, f.external_id AS feedback, t.kind, t.opened_at,
                  t.first_response_at, t.resolved_at, t.status, t.owner
           FROM tickets t JOIN customers c ON c.id = t.customer_id LEFT JOIN feedback f ON f.id = t.feedback_id
           ORDER BY t.id`,
        ),
      ).toEqual(
        book.tickets.map(
          ({
            external_id,
            customer,
            feedback,
            kind,
            opened_at,
            first_response_at,
            resolved_at,
            status,
            owner,
          }) => ({
            external_id,
            customer,
            feedback,
            kind,
            opened_at,
            first_response_at,
            resolved_at,
            status,
            owner,
          }),
        ),
      );
      // Linked feedback belongs to the ticket's customer.
      expect(
        await store.db.get(
          "SELECT COUNT(*) AS n FROM tickets t JOIN feedback f ON f.id = t.feedback_id WHERE f.customer_id <> t.customer_id OR f.source <> 'complaint'",
        ),
      ).toEqual({ n: 0 });
      expect(
        await store.db.all(
          "SELECT e.external_id, c.external_id AS customer, e.occurred_at, e.type, e.category FROM events e JOIN customers c ON c.id = e.customer_id ORDER BY e.id",
        ),
      ).toEqual(book.events);
      expect(await store.db.all("SELECT external_id, birthday FROM customers ORDER BY id")).toEqual(
        book.customers.map(({ external_id, birthday }) => ({ external_id, birthday })),
      );
      const tables = await Promise.all(
        ["customers", "tickets", "events"].map((table) => store.db.all(`SELECT * FROM ${table} ORDER BY id`)),
      );
      rows.push(JSON.stringify(tables));
      await store.close();
    }
    expect(rows[0]).toBe(rows[1]);
  });

  it("changes the new rows with the seed", () => {
    const first = generateDemoBook({ seed: 1, customers: 300, asOf });
    const second = generateDemoBook({ seed: 2, customers: 300, asOf });
    expect(JSON.stringify(first.tickets)).not.toBe(JSON.stringify(second.tickets));
    expect(JSON.stringify(first.events)).not.toBe(JSON.stringify(second.events));
    expect(first.customers.map((c) => c.birthday)).not.toEqual(second.customers.map((c) => c.birthday));
  });
});
