import fc from "fast-check";
import { describe, expect, it } from "vitest";
import { quintileScores, quintileScoresOfColumn } from "../../core/rfm.js";
import { abcTiers, abcTiersOfColumn, upperHalfOfColumn, valueMatrix } from "../../core/valueTiers.js";

// Few distinct values, so ties (the hard part) are common; some negative, as CLV can be.
const values = fc.array(
  fc.oneof(
    fc.integer({ min: -3, max: 12 }).map((v) => v * 10),
    fc.double({ min: -50, max: 500, noNaN: true }),
  ),
  { minLength: 1, maxLength: 300 },
);

describe("population ranks over columns", () => {
  it("give the same quintile scores as the object version, ties included", () => {
    fc.assert(
      fc.property(values, (list) => {
        expect(Array.from(quintileScoresOfColumn(Float64Array.from(list)))).toEqual(quintileScores(list));
      }),
      { numRuns: 300 },
    );
  });

  it("give the same ABC tiers as the object version, ties and loss-making customers included", () => {
    fc.assert(
      fc.property(values, (list) => {
        const expected = abcTiers(list.map((value, i) => ({ id: `c${i}`, value }))).customers;
        const byId = new Map(expected.map((row) => [row.id, row.tier]));
        const tiers = abcTiersOfColumn(Float64Array.from(list));
        list.forEach((_, i) => expect("ABC"[tiers[i]]).toBe(byId.get(`c${i}`)));
      }),
      { numRuns: 300 },
    );
  });

  it("split the value matrix at the same median as the object version", () => {
    fc.assert(
      fc.property(values, values, (profits, loyalties) => {
        const n = Math.min(profits.length, loyalties.length);
        const rows = Array.from({ length: n }, (_, i) => ({
          id: `c${i}`,
          profit: profits[i],
          loyalty: loyalties[i],
        }));
        const expected = valueMatrix(rows).customers;
        const high = upperHalfOfColumn(Float64Array.from(profits.slice(0, n)));
        const loyal = upperHalfOfColumn(Float64Array.from(loyalties.slice(0, n)));
        expected.forEach((row, i) => {
          const quadrant = high[i]
            ? loyal[i]
              ? "true-friends"
              : "butterflies"
            : loyal[i]
              ? "barnacles"
              : "strangers";
          expect(quadrant).toBe(row.quadrant);
        });
      }),
      { numRuns: 300 },
    );
  });
});
