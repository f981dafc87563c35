import fc from "fast-check";
import { describe, expect, it } from "vitest";
import { storedTime } from "../../../mcp-server/store/timestamps.js";

const reference = (ms: number) => new Date(ms).toISOString().replace(/\.\d{3}Z$/, "Z");
const LIMIT = 8.64e15; // the range of a JavaScript Date

describe("storedTime", () => {
  it("writes what toISOString writes, cut to the second, for any valid time including before 1970 and past 9999", () => {
    fc.assert(
      fc.property(
        fc.oneof(
          fc.integer({ min: -LIMIT, max: LIMIT }),
          fc.integer({ min: Date.UTC(1990, 0, 1), max: Date.UTC(2040, 0, 1) }),
          fc.double({ min: -1e12, max: 1e12, noNaN: true }),
        ),
        (ms) => {
          expect(storedTime(ms)).toBe(reference(ms));
          expect(storedTime(new Date(ms))).toBe(reference(new Date(ms).getTime()));
        },
      ),
      { numRuns: 20_000 },
    );
    for (const ms of [0, -1, 999, 1000, -LIMIT, LIMIT, Date.UTC(2026, 5, 30, 23, 59, 59, 999)])
      expect(storedTime(ms)).toBe(reference(ms));
  });

  it("throws the same RangeError as toISOString for a time that is not one", () => {
    for (const ms of [NaN, Infinity, LIMIT + 1]) expect(() => storedTime(ms)).toThrow(RangeError);
  });
});
