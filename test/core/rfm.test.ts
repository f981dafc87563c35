import fc from "fast-check";
import { describe, expect, it } from "vitest";
import {
  RFM_SEGMENT_GRID,
  RFM_SEGMENT_KEYS,
  RFM_SEGMENTS,
  quintileScores,
  rfmScores,
  rfmSegment,
  type RfmCustomer,
  type RfmSegmentKey,
} from "../../core/rfm.js";

/**
 * Five customers with distinct values, so scores equal ranks; the customer "target" gets the
 * scores r, f, m and the others fill the remaining ranks.
 */
function populationFor(r: number, f: number, m: number): RfmCustomer[] {
  const others = (score: number): number[] => [1, 2, 3, 4, 5].filter((s) => s !== score);
  const [ro, fo, mo] = [others(r), others(f), others(m)];
  // Recency score s comes from (6 - s) * 10 days: fewer days = higher score.
  const customers: RfmCustomer[] = [
    { id: "target", recencyDays: (6 - r) * 10, frequency: f, monetary: m * 100 },
  ];
  for (let i = 0; i < 4; i++) {
    customers.push({
      id: `other-${i}`,
      recencyDays: (6 - ro[i]) * 10,
      frequency: fo[i],
      monetary: mo[i] * 100,
    });
  }
  return customers;
}

const EXAMPLES: Record<RfmSegmentKey, [number, number, number]> = {
  champions: [5, 5, 5],
  loyal: [4, 3, 3],
  "potential-loyalist": [5, 2, 2],
  new: [5, 1, 1],
  promising: [4, 1, 2],
  "need-attention": [3, 3, 3],
  "about-to-sleep": [3, 1, 1],
  "at-risk": [2, 4, 4],
  "cant-lose-them": [1, 5, 5],
  hibernating: [2, 1, 1],
  lost: [1, 1, 1],
};

describe("quintileScores", () => {
  it("splits 100 distinct values into five groups of 20", () => {
    const values = Array.from({ length: 100 }, (_, i) => (i * 37) % 100);
    const scores = quintileScores(values);
    for (let score = 1; score <= 5; score++) expect(scores.filter((s) => s === score)).toHaveLength(20);
  });

  it("keeps quintiles balanced within one customer on uniform random data", () => {
    fc.assert(
      fc.property(
        fc.uniqueArray(fc.double({ min: 0, max: 1000, noNaN: true }), { minLength: 50, maxLength: 300 }),
        (values) => {
          const scores = quintileScores(values);
          const counts = [1, 2, 3, 4, 5].map((s) => scores.filter((x) => x === s).length);
          return Math.max(...counts) - Math.min(...counts) <= 1;
        },
      ),
    );
  });

  it("gives tied values the same score whatever the input order", () => {
    const scores = quintileScores([1, 1, 1, 2, 3, 4, 5, 5, 6, 7]);
    expect(scores.slice(0, 3)).toEqual([1, 1, 1]);
    expect(scores[6]).toBe(scores[7]);
    fc.assert(
      fc.property(
        fc.array(fc.integer({ min: 0, max: 5 }), { minLength: 1, maxLength: 60 }),
        fc.integer(),
        (values, seed) => {
          const scores = quintileScores(values);
          // Rotate the input; each value must keep its score.
          const shift = Math.abs(seed) % values.length;
          const rotated = [...values.slice(shift), ...values.slice(0, shift)];
          const rotatedScores = quintileScores(rotated);
          return rotated.every((value, i) => rotatedScores[i] === scores[values.indexOf(value)]);
        },
      ),
    );
  });

  it("never gives a higher value a lower score", () => {
    fc.assert(
      fc.property(
        fc.array(fc.double({ min: -1e6, max: 1e6, noNaN: true }), { minLength: 1, maxLength: 80 }),
        (values) => {
          const scores = quintileScores(values);
          return values.every((a, i) => values.every((b, j) => !(a > b) || scores[i] >= scores[j]));
        },
      ),
    );
  });
});

describe("rfmScores", () => {
  it("scores the most recent customer 5 on recency", () => {
    const scores = rfmScores(populationFor(5, 1, 1));
    expect(scores[0]).toMatchObject({ id: "target", r: 5, f: 1, m: 1, code: "511" });
  });

  for (const [segment, [r, f, m]] of Object.entries(EXAMPLES)) {
    it(`reaches the ${segment} segment for R=${r}, F=${f}, M=${m}`, () => {
      const target = rfmScores(populationFor(r, f, m)).find((score) => score.id === "target");
      expect(target).toMatchObject({ r, f, m, segment });
    });
  }

  it("covers every segment in the grid and every grid cell with a known segment", () => {
    const inGrid = new Set(RFM_SEGMENT_GRID.flat());
    expect([...inGrid].sort()).toEqual([...RFM_SEGMENT_KEYS].sort());
    for (let r = 1; r <= 5; r++)
      for (let fm = 1; fm <= 5; fm++) expect(RFM_SEGMENTS[rfmSegment(r, fm)]).toBeDefined();
  });

  it("labels every segment in English and Chinese with a description and an action", () => {
    expect(RFM_SEGMENTS.champions.label).toEqual({ en: "Champions", zh: "冠军客户" });
    for (const info of Object.values(RFM_SEGMENTS)) {
      for (const text of [info.label, info.description, info.action]) {
        expect(text.en.length).toBeGreaterThan(0);
        expect(text.zh).toMatch(/\p{Script=Han}/u);
      }
    }
  });

  it("gives the same scores for the same customers in any order", () => {
    const customers: RfmCustomer[] = Array.from({ length: 40 }, (_, i) => ({
      id: `c${i}`,
      recencyDays: (i * 7) % 13,
      frequency: 1 + (i % 4),
      monetary: 50 * ((i * 3) % 5),
    }));
    const byId = (list: ReturnType<typeof rfmScores>) => Object.fromEntries(list.map((s) => [s.id, s]));
    expect(byId(rfmScores([...customers].reverse()))).toEqual(byId(rfmScores(customers)));
  });

  it("rejects duplicate ids and negative recency with a message naming the customer", () => {
    expect(() =>
      rfmScores([
        { id: "a", recencyDays: 1, frequency: 1, monetary: 1 },
        { id: "a", recencyDays: 2, frequency: 1, monetary: 1 },
      ]),
    ).toThrow(/id a appears twice/);
    expect(() => rfmScores([{ id: "b", recencyDays: -1, frequency: 1, monetary: 1 }])).toThrow(
      /id b.*negative recencyDays/,
    );
  });
});
