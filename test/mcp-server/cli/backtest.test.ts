import { existsSync, mkdtempSync, readFileSync, readdirSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { parse } from "csv-parse/sync";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { EXPORT_COLUMNS } from "../../../mcp-server/cli/commands/scores.js";
import { ensureBuilt, runCli } from "../../helpers/cli.js";
import { datasetFile } from "../../helpers/datasets.js";

const folder = mkdtempSync(join(tmpdir(), "crm-backtest-"));
const db = join(folder, "book.db");
beforeAll(() => {
  ensureBuilt();
  expect(runCli(["--db", db, "demo", "--customers", "400", "--as-of", "2026-06-30"]).code).toBe(0);
});
afterAll(() => rmSync(folder, { recursive: true, force: true }));

describe("crm backtest", () => {
  it("scores the book as of a past day and compares with what customers did next", () => {
    const result = runCli(["--db", db, "backtest", "--as-of", "2026-03-31", "--horizon", "90"]);
    expect(result.code, result.stderr).toBe(0);
    expect(result.stdout).toContain("scored as of 2026-03-31, holdout to 2026-06-29 (90 days)");
    expect(result.stdout).toMatch(/churn probability \(the product\)\s+0\.\d{4}/);
    expect(result.stdout).toMatch(/days since the last purchase\s+0\.\d{4}/);
    expect(result.stdout).toMatch(
      /BG\/NBD expected purchases, negated|MBG\/NBD expected purchases|Pareto\/NBD expected purchases/,
    );
    expect(result.stdout).toMatch(/expected calibration error \d+\.\d points/);
    expect(result.stdout.match(/\[[#.|]{40}\]/g)).toHaveLength(10);
  });

  it("prints the figures as JSON, splits at the newest purchase minus the horizon by default, and keeps the result", () => {
    const result = runCli(["--db", db, "backtest", "--horizon", "60", "--json"]);
    expect(result.code, result.stderr).toBe(0);
    const report = JSON.parse(result.stdout);
    expect(report.horizonDays).toBe(60);
    expect(report.holdoutDaysObserved).toBe(60);
    expect(report.rankings.map((row: { name: string }) => row.name)).toEqual([
      "churn_probability",
      "days_since_last_purchase",
      "expected_purchases",
    ]);
    const product = report.rankings[0];
    expect(product.auc).toBeGreaterThan(report.rankings[1].auc);
    expect(report.calibration.bins).toHaveLength(10);
    expect(report.calibration.expectedCalibrationError).toBeLessThan(0.1);
    // The MCP server reports the latest backtest, so a chat answer can say how far to trust the list.
    const stats = runCli(["--db", db, "start", "--no-serve"]);
    expect(stats.code, stats.stderr).toBe(0);
    expect(stats.stdout).toContain(
      `last backtest (as of ${report.asOf}, 60 days): AUC ${product.auc.toFixed(3)}`,
    );
  });

  it("refuses a split or horizon it cannot use, saying what to change, and keeps nothing", () => {
    for (const [args, message] of [
      [["--horizon", "0"], /--horizon must be a whole number above 0/],
      [["--horizon", "900"], /from 1 to 730/],
      [
        ["--as-of", "2026-07-15"],
        /nothing happens after the split 2026-07-15: the newest purchase is 2026-06-\d\d/,
      ],
      [["--as-of", "2000-01-01"], /is not after the first purchase/],
      [["--as-of", "2026-02-30"], /not a real date/],
    ] as const) {
      const result = runCli(["--db", db, "backtest", ...args]);
      expect(result.code, args.join(" ")).toBe(1);
      expect(result.stderr).toMatch(message);
    }
    const empty = runCli(["--db", join(folder, "empty.db"), "backtest"]);
    expect(empty.code).toBe(1);
    expect(empty.stderr).toContain("no purchases to backtest on");
  });
});

describe("crm scores export", () => {
  it("writes one CSV row per customer with the churn probability and the model in use", () => {
    const file = join(folder, "scores.csv");
    const result = runCli(["--db", db, "scores", "export", file, "--as-of", "2026-06-30"]);
    expect(result.code, result.stderr).toBe(0);
    expect(result.stderr).toContain("wrote 400 customers to");
    const rows = parse(readFileSync(file, "utf8"), { columns: true }) as Record<string, string>[];
    expect(Object.keys(rows[0])).toEqual([...EXPORT_COLUMNS]);
    expect(rows).toHaveLength(400);
    const buyers = rows.filter((row) => row.churn_probability !== "");
    expect(buyers.length).toBeGreaterThan(300);
    for (const row of buyers) {
      const probability = Number(row.churn_probability);
      expect(probability).toBeGreaterThanOrEqual(0);
      expect(probability).toBeLessThanOrEqual(1);
      expect(Number(row.risk_score)).toBe(Math.round(100 * probability));
      expect(Number(row.value_at_risk)).toBeCloseTo(Number(row.value_if_retained) * probability, 6);
      expect(row.model).toMatch(/BG\/NBD|MBG\/NBD|Pareto\/NBD/);
      expect(row.horizon_days).toBe("90");
      expect(row.customer_id).toMatch(/^C\d{5}$/);
    }
    expect(existsSync(`${file}.partial`)).toBe(false);
  });

  it("writes JSON for a .json file or --format json, and to stdout for -", () => {
    const file = join(folder, "scores.json");
    expect(
      runCli(["--db", db, "scores", "export", file, "--as-of", "2026-06-30", "--horizon", "30"]).code,
    ).toBe(0);
    const rows = JSON.parse(readFileSync(file, "utf8"));
    expect(rows).toHaveLength(400);
    expect(rows[0].horizon_days).toBe(30);
    const piped = runCli(["--db", db, "scores", "export", "-", "--format", "json", "--as-of", "2026-06-30"]);
    expect(piped.code).toBe(0);
    expect(JSON.parse(piped.stdout)).toHaveLength(400);
  });

  it("refuses a bad format or an unwritable path and leaves no partial file", () => {
    const bad = runCli(["--db", db, "scores", "export", join(folder, "x.xml"), "--format", "xml"]);
    expect(bad.code).toBe(1);
    expect(bad.stderr).toContain("--format must be csv or json");
    const nowhere = join(folder, "missing-folder", "scores.csv");
    const unwritable = runCli(["--db", db, "scores", "export", nowhere, "--as-of", "2026-06-30"]);
    expect(unwritable.code).toBe(1);
    expect(unwritable.stderr).toContain(`cannot write ${nowhere}`);
    expect(readdirSync(folder).some((name) => name.endsWith(".partial"))).toBe(false);
  });
});

const summary = datasetFile("cdnow/cdnow_customers_summary.csv");
describe.skipIf(summary.missing !== null)(
  `crm model fit on the CDNOW summary${summary.missing ? ` (skipped: ${summary.missing})` : ""}`,
  () => {
    it("reports the three purchase models with the published estimates and their diagnostics", () => {
      const result = runCli(["model", "fit", "--summary", summary.path, "--unit", "weeks"]);
      expect(result.code, result.stderr).toBe(0);
      const report = JSON.parse(result.stdout);
      const [bg, mbg, pareto] = report.purchaseModels;
      expect([bg.model, mbg.model, pareto.model]).toEqual(["BG/NBD", "MBG/NBD", "Pareto/NBD"]);
      expect(bg.params.r).toBeCloseTo(0.243, 3);
      expect(mbg.params.a).toBeCloseTo(0.891, 3);
      expect(pareto.params.s).toBeCloseTo(0.606, 3);
      for (const model of report.purchaseModels) {
        expect(model).toMatchObject({ converged: true, degenerate: false, problems: [] });
        expect(Object.keys(model.logStandardErrors)).toEqual(Object.keys(model.params));
      }
    });
  },
);
