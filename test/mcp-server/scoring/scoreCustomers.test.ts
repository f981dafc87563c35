import fc from "fast-check";
import { describe, expect, it } from "vitest";
import type { CustomerRecord } from "../../../mcp-server/scoring/history.js";
import { scoreCustomers } from "../../../mcp-server/scoring/scoreCustomers.js";

const AS_OF = new Date("2026-06-30T23:59:59Z");
const DAY = 86_400_000;

function record(id: number, rows: [daysBeforeAsOf: number, amount: number][]): CustomerRecord {
  return {
    id,
    transactions: rows
      .map(([days, amount]) => ({
        timestamp: new Date(AS_OF.getTime() - days * DAY - 3_600_000),
        amount,
        margin: null,
      }))
      .sort((a, b) => a.timestamp.getTime() - b.timestamp.getTime()),
    feedback: [],
    interactions: [],
  };
}

/** A plain book of repeat buyers, so the models have something to fit beside the odd customers. */
function ordinaryBook(count: number, firstId = 1): CustomerRecord[] {
  return Array.from({ length: count }, (_, i) =>
    record(
      firstId + i,
      Array.from({ length: 1 + (i % 7) }, (_, k) => [20 + ((i * 37 + k * 61) % 600), 20 + ((i * 13) % 90)]),
    ),
  );
}

function expectScored(score: Awaited<ReturnType<typeof scoreCustomers>>["scores"][number]) {
  expect(score.scoreProblem).toBeNull();
  expect(score.churnProbability).toBeGreaterThanOrEqual(0);
  expect(score.churnProbability).toBeLessThanOrEqual(1);
  expect(score.riskScore).toBe(Math.round(100 * score.churnProbability!));
  expect(Number.isFinite(score.valueAtRisk) && score.valueAtRisk >= 0).toBe(true);
}

describe("scoreCustomers on awkward books", () => {
  it("scores a customer whose refunds exceed their recent purchases (net spend negative)", async () => {
    const book = [
      ...ordinaryBook(60),
      record(100, [
        [200, 100],
        [150, 100],
        [40, 80],
        [30, -400],
      ]),
    ];
    const { scores } = await scoreCustomers(book, AS_OF);
    expectScored(scores.at(-1)!);
    expect(scores.at(-1)!.revenue).toBe(-120);
  });

  it("treats a refund-only customer as one who never bought, without an error", async () => {
    const { scores } = await scoreCustomers([...ordinaryBook(40), record(100, [[50, -30]])], AS_OF);
    const refundOnly = scores.at(-1)!;
    expect(refundOnly.churnProbability).toBeNull();
    expect(refundOnly.lifecycleStage).toBe("prospect");
    expect(refundOnly.scoreProblem).toBeNull();
  });

  it("counts zero-value rows and same-day orders correctly, and ignores rows after the as-of date", async () => {
    const odd = record(100, [
      [100, 0],
      [90, 50],
      [90, 25],
      [-10, 500],
    ]);
    const { scores } = await scoreCustomers([...ordinaryBook(40), odd], AS_OF);
    const score = scores.at(-1)!;
    expectScored(score);
    expect(score.orders).toBe(2);
    expect(score.x).toBe(0);
    expect(score.revenue).toBe(75);
  });

  it("scores a book of one customer with the rule of thumb and says so", async () => {
    const { models, scores } = await scoreCustomers(
      [
        record(1, [
          [40, 10],
          [10, 12],
        ]),
      ],
      AS_OF,
    );
    expectScored(scores[0]);
    expect(models.churn.method).toBe("heuristic");
    expect(models.notes.join(" ")).toMatch(/No purchase model: 1 purchasing customers, at least 20 needed/);
  });

  it("scores a book where nobody ever came back", async () => {
    const book = Array.from({ length: 300 }, (_, i) => record(i + 1, [[10 + ((i * 7) % 700), 30]]));
    const { models, scores } = await scoreCustomers(book, AS_OF);
    for (const score of scores) expectScored(score);
    expect(models.churn.candidates.find((c) => c.kind === "bg-nbd")!.degenerate).toBe(true);
  });

  it("leaves one customer with overflowing amounts unscored with the reason, and scores the rest", async () => {
    const book = [
      ...ordinaryBook(60),
      record(100, [
        [20, 1e308],
        [10, 1e308],
      ]),
    ];
    const { models, scores } = await scoreCustomers(book, AS_OF);
    expect(scores.at(-1)!.scoreProblem).toMatch(
      /its transaction of 2026-06-\d\d has an amount that is not a real amount \(1e\+308\); fix or delete that row/,
    );
    expect(scores.at(-1)!.churnProbability).toBeNull();
    for (const score of scores.slice(0, 60)) expectScored(score);
    expect(models.unscored).toEqual([
      { customerId: 100, reason: expect.stringMatching(/not a real amount/) },
    ]);
    expect(models.warnings.join(" ")).toMatch(/1 customer could not be scored/);
  });

  it("scores a customer whose feedback is a 0.7 MB text", async () => {
    const long = record(100, [
      [60, 40],
      [20, 45],
    ]);
    long.feedback.push({
      timestamp: new Date(AS_OF.getTime() - 10 * DAY),
      source: "review",
      score: 1,
      text: "terrible service ".repeat(45_000),
      language: "en",
      status: "resolved",
    });
    const { scores } = await scoreCustomers([...ordinaryBook(40), long], AS_OF);
    expectScored(scores.at(-1)!);
  });

  it("warns when the as-of date is far past the newest purchase, naming the date to use", async () => {
    const book = ordinaryBook(40).map((customer) => ({
      ...customer,
      transactions: customer.transactions.map((row) => ({
        ...row,
        timestamp: new Date(row.timestamp.getTime() - 5000 * DAY),
      })),
    }));
    const { models } = await scoreCustomers(book, AS_OF);
    expect(models.warnings[0]).toContain(
      "The newest purchase is 2012-10-01, 5,020 days before the as-of date 2026-06-30",
    );
    expect(models.warnings[0]).toContain("Pass --as-of 2012-10-01");
  });
});

describe("scoreCustomers on generated books", () => {
  const row = fc.tuple(
    fc.integer({ min: -30, max: 900 }),
    fc.oneof(
      fc.double({ min: -2000, max: 2000, noNaN: true }),
      fc.constantFrom(0, 0.01, -0.01, 1e12, -1e12, 1e308),
    ),
  );
  const customer = fc.array(row, { minLength: 0, maxLength: 12 });

  it("gives every customer a finite churn probability, or a stated reason for none, and never fails the book", async () => {
    await fc.assert(
      fc.asyncProperty(fc.array(customer, { minLength: 1, maxLength: 45 }), async (customers) => {
        const book = customers.map((rows, i) => record(i + 1, rows));
        const { scores, models } = await scoreCustomers(book, AS_OF, { horizonDays: 60 });
        expect(scores).toHaveLength(book.length);
        scores.forEach((score, i) => {
          const bought = customers[i].some(([days, amount]) => days >= 0 && amount > 0);
          if (score.scoreProblem !== null) {
            expect(score.scoreProblem.length).toBeGreaterThan(5);
            expect(score.churnProbability).toBeNull();
          } else if (bought) {
            expectScored(score);
            for (const value of [score.clv, score.valueIfRetained, score.revenue, score.monetary])
              expect(Number.isFinite(value)).toBe(true);
          } else expect(score.churnProbability).toBeNull();
        });
        expect(models.unscored.length).toBe(scores.filter((score) => score.scoreProblem !== null).length);
      }),
      { numRuns: 60 },
    );
  });
});
