import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { KPI_REPORT, kpiReportToolOutput } from "../../../mcp-server/contract/kpiReport.js";
import { ensureScores } from "../../../mcp-server/scoring/scoreCache.js";
import { kpiReport } from "../../../mcp-server/reports/kpi.js";
import { createMcpHarness, DEMO_AS_OF, textOf, type McpHarness } from "../../helpers/mcpClient.js";

let harness: McpHarness;

beforeAll(async () => {
  harness = await createMcpHarness();
});
afterAll(async () => {
  await harness?.close();
});

const AS_OF = new Date(`${DEMO_AS_OF}T23:59:59Z`);

describe("kpi_report", () => {
  it("is listed read-only, linked to the cohorts view, with an output schema", async () => {
    const { tools } = await harness.client.listTools();
    const tool = tools.find((candidate) => candidate.name === KPI_REPORT)!;
    expect(tool.annotations).toMatchObject({ readOnlyHint: true, destructiveHint: false });
    expect(tool.outputSchema).toBeDefined();
    expect((tool._meta as { ui?: { resourceUri?: string } }).ui?.resourceUri).toBe(
      "ui://crm/cohorts-kpis.html",
    );
  });

  it("answers with the report crm kpi prints: monthly series and cohorts over the cached score set", async () => {
    const result = await harness.call(KPI_REPORT, {
      as_of: DEMO_AS_OF,
      owner: "alice martin",
      from: "2026-01",
    });
    expect(result.isError, textOf(result)).toBeFalsy();
    const answer = kpiReportToolOutput.parse(result.structuredContent);
    const set = await ensureScores(harness.store, AS_OF);
    const { scores, ...report } = answer;
    expect(report).toEqual(
      await kpiReport(harness.store, { owner: "alice martin", from: "2026-01", asOf: AS_OF, set }),
    );
    expect(scores.as_of.slice(0, 10)).toBe(DEMO_AS_OF);
    expect(answer.owner).toBe("Alice Martin");
    expect(answer.months.map((month) => month.month)).toEqual([
      "2026-01",
      "2026-02",
      "2026-03",
      "2026-04",
      "2026-05",
      "2026-06",
    ]);
    expect(answer.cohorts.length).toBeGreaterThan(0);
    const text = textOf(result);
    expect(text).toContain("Relationship KPIs");
    expect(text).toContain(`| ${answer.cohorts[0].cohort} | ${answer.cohorts[0].customers} |`);
  });

  it("refuses a month that is not YYYY-MM, an inverted period and an unknown owner, with what to fix", async () => {
    const badMonth = await harness.call(KPI_REPORT, { as_of: DEMO_AS_OF, from: "2026-1" });
    expect(badMonth.isError).toBe(true);
    expect(textOf(badMonth)).toMatch(/YYYY-MM/);
    const inverted = await harness.call(KPI_REPORT, { as_of: DEMO_AS_OF, from: "2026-06", to: "2026-01" });
    expect(inverted.isError).toBe(true);
    const nobody = await harness.call(KPI_REPORT, { as_of: DEMO_AS_OF, owner: "Nobody Here" });
    expect(nobody.isError).toBe(true);
    expect(textOf(nobody)).toMatch(/Nobody Here/);
  });
});
