import { afterEach, describe, expect, it } from "vitest";
import { createTempStore, type TempStore } from "../../helpers/tempStore.js";

/** An aggregate that SQLite computes in one step of its statement, holding the connection. */
const COUNT_TO = (n: number, name: string) =>
  `WITH RECURSIVE ${name}(x) AS (SELECT 1 UNION ALL SELECT x + 1 FROM ${name} WHERE x < ${n}) SELECT COUNT(*) AS count FROM ${name}`;

/**
 * The connection for long aggregates (`Store.reads`) runs its statements one at a time. The driver
 * would start them all at once and finalize a finished one on the main thread, which then waited
 * for whichever statement held the connection: every tool call waited behind the longest
 * aggregate (3.9 s in a portfolio overview at a million customers).
 */
describe("long reads side by side", () => {
  let temp: TempStore | undefined;
  afterEach(async () => {
    await temp?.dispose();
    temp = undefined;
  });

  it("leave the event loop free while the next one runs", async () => {
    temp = await createTempStore("crm-reads-");
    const reads = temp.store.reads;
    let turns = 0;
    let counting = false;
    const turn = () => {
      if (!counting) return;
      turns++;
      setImmediate(turn);
    };
    const first = reads.get<{ count: number }>(COUNT_TO(200_000, "a")).then((row) => {
      // From here until the second answers, calls must still get their turns.
      counting = true;
      setImmediate(turn);
      return row;
    });
    const second = reads.get<{ count: number }>(COUNT_TO(2_000_000, "b"));
    expect((await first)!.count).toBe(200_000);
    expect((await second)!.count).toBe(2_000_000);
    counting = false;
    expect(turns).toBeGreaterThan(20);
  });
});
