import fc from "fast-check";
import { describe, expect, it } from "vitest";
import { lowerBound, upperBound } from "../../core/sortedSearch.js";

describe("binary searches in a sorted column", () => {
  it("find where a value would go before and after its equals, as a scan of the column does", () => {
    fc.assert(
      fc.property(
        fc.array(fc.integer({ min: -20, max: 20 }), { maxLength: 60 }),
        fc.integer({ min: -25, max: 25 }),
        (values, probe) => {
          const sorted = Float64Array.from(values).sort();
          const below = [...sorted].filter((value) => value < probe).length;
          const atOrBelow = [...sorted].filter((value) => value <= probe).length;
          expect(lowerBound(sorted, probe)).toBe(below);
          expect(upperBound(sorted, probe)).toBe(atOrBelow);
        },
      ),
    );
  });
});
