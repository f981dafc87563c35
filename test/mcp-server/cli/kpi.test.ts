import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { kpiReportOutput, type KpiReport } from "../../../mcp-server/contract/kpi.js";
import { ensureBuilt, runCli } from "../../helpers/cli.js";
import { createTempDir, type TempDir } from "../../helpers/tempFiles.js";

const AS_OF = "2026-06-30";

let dir: TempDir;
let db: string;

const crm = (...args: string[]) => runCli(["--db", db, ...args]);

function kpiJson(...args: string[]): KpiReport {
  const result = crm("kpi", "--as-of", AS_OF, "--json", ...args);
  expect(result.code, result.stderr).toBe(0);
  return kpiReportOutput.parse(JSON.parse(result.stdout));
}

beforeAll(() => {
  ensureBuilt();
  dir = createTempDir("crm-cli-kpi-");
  db = dir.join("crm.db");
  expect(crm("demo", "--customers", "300", "--as-of", AS_OF).code).toBe(0);
});
afterAll(() => dir?.remove());

describe("crm kpi", () => {
  it("prints the indices with a row per month of the last year as JSON the contract accepts", () => {
    const report = kpiJson();
    expect(report.as_of).toBe(AS_OF);
    expect(report.owner).toBeNull();
    expect(report.period).toEqual({ from: "2025-07", to: "2026-06" });
    expect(report.months.map((row) => row.month)).toEqual([
      "2025-07",
      "2025-08",
      "2025-09",
      "2025-10",
      "2025-11",
      "2025-12",
      "2026-01",
      "2026-02",
      "2026-03",
      "2026-04",
      "2026-05",
      "2026-06",
    ]);
    // The period's figures are the months' figures added up.
    const sum = (pick: (row: KpiReport["months"][number]) => number) =>
      report.months.reduce((total, row) => total + pick(row), 0);
    expect(sum((row) => row.service.tickets)).toBe(report.service.tickets);
    expect(sum((row) => row.service.breaching)).toBe(report.service.breaching.any);
    expect(sum((row) => row.emotion.nps_responses)).toBe(report.emotion.nps_responses);
    expect(sum((row) => row.activation.new_customers)).toBe(report.activation.new_customers);
    expect(report.cohorts.map((row) => row.cohort)).toEqual(
      report.months.filter((row) => row.activation.new_customers > 0).map((row) => row.month),
    );
    // The as-of month has the score set's CHI and CLV.
    expect(report.months[11].chi).toMatchObject({ index: report.chi.index, score_set_as_of: AS_OF });
    expect(report.months[11].ltv_12_months).toBeCloseTo(report.ltv.twelve_months ?? 0, 6);
    expect(report.chi.index).toBeGreaterThan(0);
    expect(report.ltv.five_years!).toBeGreaterThan(report.ltv.twelve_months!);
  });

  it("narrows to one account manager and to the months asked for", () => {
    const stats = JSON.parse(crm("stats", "--json", "--as-of", AS_OF).stdout) as {
      owners: { owner: string }[];
    };
    const owner = stats.owners[0].owner;
    const book = kpiJson("--from", "2026-01", "--to", "2026-03");
    const mine = kpiJson("--owner", owner.toUpperCase(), "--from", "2026-01", "--to", "2026-03");
    expect(mine.owner).toBe(owner);
    expect(mine.months.map((row) => row.month)).toEqual(["2026-01", "2026-02", "2026-03"]);
    expect(mine.chi.customers).toBeLessThan(book.chi.customers);
    expect(mine.activation.new_customers).toBeLessThanOrEqual(book.activation.new_customers);
    expect(mine.service.tickets).toBeLessThanOrEqual(book.service.tickets);
  });

  it("prints a readable table with the headline lines and the cohorts", () => {
    const result = crm("kpi", "--as-of", AS_OF, "--from", "2026-01");
    expect(result.code, result.stderr).toBe(0);
    const lines = result.stdout.split("\n");
    expect(lines[0]).toBe(`KPIs (whole book) as of ${AS_OF}, months 2026-01 to 2026-06`);
    expect(lines[2]).toMatch(/^CHI \d+\.\d over \d+ customers \(healthy \d+, watch \d+, at risk \d+\)/);
    expect(result.stdout).toMatch(/^(SE: |EI |LTV |Activation )/m);
    expect(result.stdout).toMatch(/^month\s+CHI\s+EI\s+NPS\s+tickets/m);
    expect(result.stdout).toMatch(/^2026-06\s/m);
    expect(result.stdout).toMatch(/^cohort\s+customers\s+30-day\s+m0/m);
  });

  it("adds a KPI block to the npm start briefing", () => {
    const result = runCli(["start", "--no-serve"], { CRM_DB: db });
    expect(result.code, result.stderr).toBe(0);
    const block = result.stdout.slice(result.stdout.indexOf("Relationship KPIs ("));
    expect(block).toMatch(
      /^Relationship KPIs \(\d{4}-\d{2} to \d{4}-\d{2}; crm kpi for the monthly series\):\n {2}CHI /,
    );
    for (const start of ["  SE", "  EI", "  LTV", "  Activation"]) expect(block).toContain(`\n${start}`);
  });

  it("exits 1 with a one-line message for a period or owner it cannot use", () => {
    const late = crm("kpi", "--as-of", AS_OF, "--to", "2026-09");
    expect(late.code).toBe(1);
    expect(late.stderr.trim().split("\n")).toHaveLength(1);
    expect(late.stderr).toContain("after the as-of month 2026-06");
    const badMonth = crm("kpi", "--as-of", AS_OF, "--from", "June");
    expect(badMonth.code).toBe(1);
    expect(badMonth.stderr).toContain("YYYY-MM");
    const nobody = crm("kpi", "--as-of", AS_OF, "--owner", "Nobody Here");
    expect(nobody.code).toBe(1);
    expect(nobody.stderr).toContain('no customers have the owner "Nobody Here"');
  });
});
