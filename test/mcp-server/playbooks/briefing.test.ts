import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { briefing } from "../../../mcp-server/reports/briefing.js";
import { todaysTasks } from "../../../mcp-server/store/taskQueries.js";
import { createMcpHarness, TEST_NOW, type McpHarness } from "../../helpers/mcpClient.js";

describe("the npm start briefing", () => {
  let mcp: McpHarness;
  beforeAll(async () => {
    mcp = await createMcpHarness();
  });
  afterAll(() => mcp.close());

  it("shows today's tasks from the playbooks, most urgent first, with their reasons", async () => {
    const text = await briefing(mcp.deps);
    const today = TEST_NOW.toISOString().slice(0, 10);
    const { rows, total } = await todaysTasks(mcp.store, { asOf: today, limit: 8 });
    expect(total).toBeGreaterThan(0);
    expect(text).toContain(`Today's tasks (${total} due by ${today}`);
    const positions = rows.map((task) => text.indexOf(`#${task.id} `));
    expect(positions.every((position) => position >= 0)).toBe(true);
    expect(positions).toEqual([...positions].sort((a, b) => a - b));
    for (const task of rows) expect(text).toContain(task.reason_en);
  });

  it("todaysTasks narrows to one account manager", async () => {
    const today = TEST_NOW.toISOString().slice(0, 10);
    const all = await todaysTasks(mcp.store, { asOf: today, limit: 100 });
    const owner = all.rows[0]!.owner!;
    const mine = await todaysTasks(mcp.store, { owner, asOf: today, limit: 100 });
    expect(mine.total).toBeLessThan(all.total);
    expect(mine.rows.every((task) => task.owner === owner)).toBe(true);
  });
});
