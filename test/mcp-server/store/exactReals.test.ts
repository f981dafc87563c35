import fc from "fast-check";
import { describe, expect, it } from "vitest";
import { exactRealJson, fromExactParts } from "../../../mcp-server/store/exactReals.js";
import { Database } from "../../../mcp-server/store/database.js";

describe("exact reals out of SQLite", () => {
  it("reads back every double SQLite holds, where SQLite's own text is one unit off", async () => {
    const db = await Database.open(":memory:");
    try {
      await db.exec("CREATE TABLE reals (n INTEGER PRIMARY KEY, value REAL)");
      const values = fc.sample(
        fc.oneof(
          fc.double({ noNaN: true, noDefaultInfinity: true }),
          fc.double({ min: 0, max: 1000, noNaN: true }),
          fc.constant(null),
        ),
        { numRuns: 20_000, seed: 29 },
      );
      // SQLite writes these as "78.947008156391", "0.13789186192432" and "8.3952221214375e-308".
      values.push(
        78.94700815639099,
        0.13789186192431999,
        8.3952221214374995e-308,
        2 ** 62,
        -(2 ** -900),
        0.5,
      );
      await db.insertRows(
        "reals",
        ["n", "value"],
        values.map((value, n) => [n, value]),
      );
      const rows = await db.all<{ n: number; parts: string; plain: string | null }>(
        `SELECT n, ${exactRealJson("value")} AS parts, CAST(value AS TEXT) AS plain FROM reals ORDER BY n`,
      );
      for (const row of rows) {
        const value = values[row.n];
        const [whole, scale] = JSON.parse(`[${row.parts}]`) as [number | null, number | null];
        if (value === null) expect(fromExactParts(whole, scale)).toBeNaN();
        // Values below 1e-250 travel as 17 digits, and the sign of zero is not kept.
        else if (Math.abs(value) >= 1e-250)
          expect(fromExactParts(whole, scale), `row ${row.n}`).toBe(value + 0);
      }
      // The plain text does lose some of them (else this test would prove nothing).
      expect(
        rows.filter((row) => row.plain !== null && Number(row.plain) !== values[row.n]).length,
      ).toBeGreaterThan(0);
    } finally {
      await db.close();
    }
  });
});
