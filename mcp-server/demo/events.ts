import type { Rng } from "../../core/random.js";
import { DAY_MS, HOUR_MS, isoAt, type DemoClock } from "./clock.js";
import type { DemoCustomerRecord, DemoEvent, DemoEventType } from "./generate.js";
import { PRODUCT_CATEGORIES } from "./vocabulary.js";

/**
 * The demo's web and store events over the last weeks before as-of. Some lead to an order:
 * browsing, a search or a cart in the two days before an online order, a store visit with an
 * in-store one. Others do not: browsing sessions at any time of the window, most often by
 * customers who bought in the last year, rarely by lapsed ones, sometimes by prospects. A
 * session that no order follows within three days is the "viewed a category and did not buy"
 * signal the playbooks act on.
 */
export const DEMO_EVENTS = {
  /** Events fall in the `windowDays` days up to the as-of moment. */
  windowDays: 42,
  /** Share of online orders in the window that browsing led to. */
  journeyShare: 0.6,
  /** Share of in-store orders in the window that come with a recorded store visit. */
  storeVisitShare: 0.5,
  /** Browsing sessions over the window, on average, per customer. */
  browsingSessions: { boughtLastYear: 0.8, lapsed: 0.2, prospect: 0.5 },
  /** Share of sessions in the customer's favourite category; the rest pick any. */
  favouriteShare: 0.6,
  /** Chances a browsing session puts something in the cart, or on the wishlist. */
  cartShare: 0.3,
  wishlistShare: 0.15,
} as const;

const MINUTE_MS = 60_000;

/** A browsing session from `startMs`: a search or a page view, more page views, maybe a cart or wishlist. */
function session(rng: Rng, startMs: number, endMs: number): { type: DemoEventType; atMs: number }[] {
  const steps: DemoEventType[] = [rng.uniform() < 0.3 ? "search" : "page_view"];
  const views = Math.min(3, rng.poisson(0.8));
  for (let i = 0; i < views; i++) steps.push("page_view");
  if (steps[steps.length - 1] === "search") steps.push("page_view");
  if (rng.uniform() < DEMO_EVENTS.cartShare) steps.push("cart");
  else if (rng.uniform() < DEMO_EVENTS.wishlistShare) steps.push("wishlist");
  const result: { type: DemoEventType; atMs: number }[] = [];
  let atMs = startMs;
  for (const type of steps) {
    if (atMs > endMs) break;
    result.push({ type, atMs });
    atMs += (1 + rng.int(10)) * MINUTE_MS;
  }
  return result;
}

/**
 * One customer's events, in time order. Draws from `rng` only: the customer's other rows are
 * read, never redrawn.
 */
export function demoEvents(
  rng: Rng,
  record: DemoCustomerRecord,
  clock: DemoClock,
  nextId: () => string,
): DemoEvent[] {
  const { customer, transactions } = record;
  const windowStartMs = clock.endDayMs - DEMO_EVENTS.windowDays * DAY_MS;
  const windowStart = isoAt(windowStartMs);
  const favourite = rng.pick(PRODUCT_CATEGORIES);
  const category = () =>
    rng.uniform() < DEMO_EVENTS.favouriteShare ? favourite : rng.pick(PRODUCT_CATEGORIES);
  const events: { type: DemoEventType; atMs: number; category: string }[] = [];
  // Nobody browses as a customer before the book knows them.
  const createdMs = Date.parse(customer.created_at);

  // The journeys that led to the orders in the window. Orders are in time order: the window's
  // are at the end, found without reading the customer's whole history.
  let firstInWindow = transactions.length;
  while (firstInWindow > 0 && transactions[firstInWindow - 1].occurred_at >= windowStart) firstInWindow--;
  for (const order of transactions.slice(firstInWindow)) {
    const orderMs = Date.parse(order.occurred_at);
    if (order.channel === "in-store") {
      if (rng.uniform() < DEMO_EVENTS.storeVisitShare)
        events.push({ type: "store_visit", atMs: orderMs - rng.int(30) * MINUTE_MS, category: category() });
    } else if (rng.uniform() < DEMO_EVENTS.journeyShare) {
      const chosen = category();
      const startMs = Math.max(createdMs, orderMs - Math.floor(rng.uniform() * 48 * HOUR_MS));
      for (const step of session(rng, startMs, orderMs - MINUTE_MS))
        events.push({ ...step, category: chosen });
    }
  }

  const lastOrder = transactions.at(-1);
  const rates = DEMO_EVENTS.browsingSessions;
  const rate =
    lastOrder === undefined
      ? rates.prospect
      : Date.parse(lastOrder.occurred_at) >= clock.endDayMs - 365 * DAY_MS
        ? rates.boughtLastYear
        : rates.lapsed;
  const sessions = rng.poisson(rate);
  const fromMs = Math.max(windowStartMs, createdMs);
  for (let i = 0; i < sessions && fromMs < clock.asOfMs; i++) {
    const chosen = category();
    const startMs = fromMs + Math.floor(rng.uniform() * (clock.asOfMs - fromMs));
    for (const step of session(rng, startMs, clock.asOfMs)) events.push({ ...step, category: chosen });
  }

  events.sort((first, second) => first.atMs - second.atMs);
  return events
    .filter((event) => event.atMs <= clock.asOfMs)
    .map((event) => ({
      external_id: nextId(),
      customer: customer.external_id,
      occurred_at: isoAt(event.atMs),
      type: event.type,
      category: event.category,
    }));
}
