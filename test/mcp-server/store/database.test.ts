import { afterEach, describe, expect, it } from "vitest";
import { Database } from "../../../mcp-server/store/database.js";

/** An aggregate that SQLite computes in one step of its statement, holding the connection. */
const COUNT_TO = (n: number, name: string) =>
  `WITH RECURSIVE ${name}(x) AS (SELECT 1 UNION ALL SELECT x + 1 FROM ${name} WHERE x < ${n}) SELECT COUNT(*) AS count FROM ${name}`;

/**
 * By default the driver starts every statement of a connection at once on its thread pool, and
 * finalizes a finished one on the main thread, which then waits for whichever statement holds the
 * connection: every tool call waited behind the longest aggregate (3.9 s in a portfolio overview
 * at a million customers). Statements on one connection run one at a time instead.
 */
describe("statements on one connection", () => {
  let db: Database | undefined;
  afterEach(async () => {
    await db?.close();
    db = undefined;
  });

  it("leave the event loop free while the next one runs", async () => {
    db = await Database.open(":memory:");
    let turns = 0;
    let counting = false;
    const turn = () => {
      if (!counting) return;
      turns++;
      setImmediate(turn);
    };
    const first = db.get<{ count: number }>(COUNT_TO(200_000, "a")).then((row) => {
      // From here until the second answers, calls must still get their turns.
      counting = true;
      setImmediate(turn);
      return row;
    });
    const second = db.get<{ count: number }>(COUNT_TO(2_000_000, "b"));
    expect((await first)!.count).toBe(200_000);
    expect((await second)!.count).toBe(2_000_000);
    counting = false;
    expect(turns).toBeGreaterThan(20);
  });
});
