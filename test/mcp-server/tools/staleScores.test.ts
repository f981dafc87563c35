import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { findAtRiskCustomersOutput } from "../../../mcp-server/contract/findAtRiskCustomers.js";
import { ensureScores } from "../../../mcp-server/scoring/scoreCache.js";
import { createMcpHarness, DEMO_AS_OF, textOf, type McpHarness } from "../../helpers/mcpClient.js";

const AS_OF = new Date(`${DEMO_AS_OF}T23:59:59Z`);

describe("tool calls while scores are being computed", () => {
  let mcp: McpHarness;
  beforeAll(async () => {
    // Never wait: every call that finds its scores missing answers from the previous set.
    mcp = await createMcpHarness({ freshWaitMs: 0 });
    await ensureScores(mcp.store, AS_OF);
  });
  afterAll(() => mcp.close());

  async function atRisk(asOf = DEMO_AS_OF) {
    const result = await mcp.call("find_at_risk_customers", { as_of: asOf, limit: 5 });
    expect(result.isError, textOf(result)).toBeFalsy();
    return { out: findAtRiskCustomersOutput.parse(result.structuredContent), text: textOf(result) };
  }

  it("answer from the previous set after the data changed elsewhere, say so, and are fresh once it is computed", async () => {
    // Another process (an import) changed the book.
    await mcp.store.db.transaction(async () => {
      await mcp.store.db.run(
        "INSERT INTO transactions (external_id, customer_id, occurred_at, amount, channel) VALUES ('elsewhere-1', 3, '2026-06-30T08:00:00Z', 120, 'web')",
      );
      await mcp.store.markChanged();
    });
    const stale = await atRisk();
    expect(stale.out.scores.stale).toBe(true);
    expect(stale.out.scores.as_of).toBe(DEMO_AS_OF);
    expect(stale.out.scores.warnings[0]).toMatch(/computed before the latest changes to the data/);
    expect(stale.text).toContain("> **Warning:** These scores were computed before the latest changes");

    await ensureScores(mcp.store, AS_OF); // the computation the call started, or a new one
    const fresh = await atRisk();
    expect(fresh.out.scores.stale).toBe(false);
    expect(fresh.out.scores.warnings.join(" ")).not.toMatch(/computed before/);
  });

  it("answer a new day from the day before while its scores are computed, naming both dates", async () => {
    const next = await atRisk("2026-07-01");
    expect(next.out.scores.stale).toBe(true);
    expect(next.out.scores.as_of).toBe(DEMO_AS_OF);
    expect(next.out.scores.warnings[0]).toMatch(/as of 2026-06-30, not 2026-07-01/);
    await ensureScores(mcp.store, new Date("2026-07-01T23:59:59Z"));
    expect((await atRisk("2026-07-01")).out.scores).toMatchObject({ as_of: "2026-07-01", stale: false });
  });

  it("wait for the scores when no earlier set can stand in", async () => {
    const far = await atRisk("2026-05-01");
    expect(far.out.scores).toMatchObject({ as_of: "2026-05-01", stale: false });
  });

  it("tell the caller to ask again when nothing can stand in and the scores take longer than it may wait, and go on computing", async () => {
    const asOf = new Date("2026-04-01T23:59:59Z");
    await expect(
      ensureScores(mcp.store, asOf, undefined, undefined, { freshWaitMs: 0, computingWaitMs: 0 }),
    ).rejects.toThrow(
      /scores as of 2026-04-01 are still being computed for [\d,]+ customers.*took \d+ s for [\d,]+ customers.*Ask again in a minute/,
    );
    // The computation goes on (a caller that waits joins it) and then answers at once.
    await ensureScores(mcp.store, asOf);
    const set = await ensureScores(mcp.store, asOf, undefined, undefined, {
      freshWaitMs: 0,
      computingWaitMs: 0,
    });
    expect(set.asOf).toBe("2026-04-01T23:59:59Z");
  });
});
