import { mkdtempSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { ensureBuilt, runCli } from "../../helpers/cli.js";

const folder = mkdtempSync(join(tmpdir(), "crm-cli-"));
beforeAll(() => ensureBuilt());
afterAll(() => rmSync(folder, { recursive: true, force: true }));

describe("crm command line", () => {
  it("npm start's job seeds an empty default store on first run and prints the portfolio summary", () => {
    const db = join(folder, "start.db");
    const first = runCli(["start", "--no-serve"], { CRM_DB: db });
    expect(first.code).toBe(0);
    expect(first.stderr).toContain("First run: seeding");
    expect(first.stdout).toMatch(/Customers 2,000 \(\d[\d,]* English, \d[\d,]* Chinese\)/);
    expect(first.stdout).toContain("account manager");
    expect(first.stdout).toContain("Who to call");
    expect(first.stdout).toContain("Most valuable (12-month CLV)");
    expect(first.stdout).toContain("What customers are saying");
    const second = runCli(["start", "--no-serve"], { CRM_DB: db });
    expect(second.code).toBe(0);
    expect(second.stderr).not.toContain("First run");
  });

  it("prints JSON on read commands", () => {
    const db = join(folder, "json.db");
    const demo = runCli(["--db", db, "demo", "--customers", "40", "--as-of", "2026-01-31"]);
    expect(demo.code).toBe(0);
    // A demo written for a past day is scored as of that day, not today.
    expect(demo.stderr).toContain("customers as of 2026-01-31");
    expect(demo.stderr).not.toContain("looks long gone");
    const stats = JSON.parse(runCli(["--db", db, "stats", "--json", "--as-of", "2026-01-31"]).stdout);
    expect(stats.customers).toBe(40);
    const list = JSON.parse(runCli(["--db", db, "customers", "list", "--json", "--limit", "5"]).stdout);
    expect(list.total).toBe(40);
    expect(list.rows).toHaveLength(5);
    const shown = JSON.parse(runCli(["--db", db, "customers", "show", "C00003", "--json"]).stdout);
    expect(shown.customer.external_id).toBe("C00003");
  });

  it("exits 1 with a one-line message for user errors", () => {
    const db = join(folder, "errors.db");
    const unknown = runCli(["--db", db, "customers", "show", "nobody"]);
    expect(unknown.code).toBe(1);
    expect(unknown.stderr.trim().split("\n")).toHaveLength(1);
    expect(unknown.stderr).toContain("no customer with id nobody");
    const badDate = runCli(["--db", db, "stats", "--as-of", "31/01/2026"]);
    expect(badDate.code).toBe(1);
    expect(badDate.stderr).toContain("YYYY-MM-DD");
    const missingFile = runCli(["--db", db, "import", "transactions", join(folder, "absent.csv")]);
    expect(missingFile.code).toBe(1);
    expect(missingFile.stderr).toContain("no such file");
  });

  it("exits 2 for internal errors and shows the stack only with --debug", () => {
    // A folder where the database file should be cannot be opened: an internal error.
    const result = runCli(["--db", folder, "stats"]);
    expect(result.code).toBe(2);
    expect(result.stderr).toContain("internal error");
    expect(result.stderr).not.toMatch(/\n\s+at /);
    const debug = runCli(["--db", folder, "--debug", "stats"]);
    expect(debug.code).toBe(2);
    expect(debug.stderr).toMatch(/\n\s+at /);
  });
});
