import { execFileSync } from "node:child_process";
import { existsSync } from "node:fs";
import { join } from "node:path";
import { beforeAll, describe, expect, it } from "vitest";
import { Store } from "../../../mcp-server/store/store.js";
import { REPO_ROOT, runCli } from "../../helpers/cli.js";
import { lines, useTempDir } from "../../helpers/tempFiles.js";

describe("crm import (built CLI)", () => {
  beforeAll(() => {
    // Only the CLI bundle is needed here, so build just when it is missing (a fresh checkout).
    if (!existsSync(join(REPO_ROOT, "dist", "cli.js")))
      execFileSync(process.execPath, ["esbuild.mjs"], { cwd: REPO_ROOT, stdio: "inherit" });
  });

  it("exits 0 with a one-line summary, and 1 with located errors for a bad file", async () => {
    const dir = useTempDir();
    const db = dir.join("crm.db");
    const good = dir.write(
      "orders.csv",
      lines([
        "InvoiceNo,CustomerID,InvoiceDate,Quantity,UnitPrice",
        "A1,17850,12/1/2010 8:26,6,2.55",
        "A1,17850,12/1/2010 8:26,2,1",
        "A2,13047,12/1/2010 8:34,-1,4.25",
        "A3,(blank),12/1/2010 9:00,1,1",
      ]),
    );

    const ok = runCli(["--db", db, "import", "transactions", good, "--skip-missing-customer"]);
    expect(ok.code).toBe(0);
    // stderr may carry progress notes (such as refreshed scores), but no error.
    expect(ok.stderr).not.toMatch(/crm:|error/i);
    const summary = ok.stdout.split("\n").filter(Boolean);
    expect(summary).toHaveLength(1);
    expect(summary[0]).toMatch(
      new RegExp(
        `^transactions from ${good.replace(/[.*+?^${}()|[\]\\]/g, "\\$&")}: imported: 4 rows read, 2 inserted, 0 skipped as duplicates, 2 customers created, 1 skipped without a customer \\(\\d+\\.\\d s\\)$`,
      ),
    );

    const bad = dir.write(
      "bad.csv",
      lines(["customer,date,amount", "17850,2011-01-01,5", "17850,2011-13-01,7"]),
    );
    const failed = runCli(["--db", db, "import", "transactions", bad]);
    expect(failed.code).toBe(1);
    expect(failed.stdout).toMatch(/^transactions from .*bad\.csv: not imported: 2 rows read, .*\n$/);
    expect(failed.stderr).toBe(
      `  ${bad}:3, column "date": value "2011-13-01": month 13 is not between 1 and 12\n` +
        `crm: 1 invalid rows in ${bad}; nothing was imported. Fix them and run the import again.\n`,
    );

    const missing = runCli(["--db", db, "import", "transactions", dir.join("nope.csv")]);
    expect(missing.code).toBe(1);
    expect(missing.stderr).toBe(`crm: ${dir.join("nope.csv")}: no such file; check the path\n`);

    const store = await Store.open(db);
    try {
      expect(await store.counts()).toMatchObject({ customers: 2, transactions: 2 });
      const order = await store.db.get("SELECT amount, quantity FROM transactions WHERE external_id = 'A1'");
      expect(order).toEqual({ amount: 17.3, quantity: 8 });
    } finally {
      await store.close();
    }
  });

  it("prints the full report as JSON for --dry-run --json", async () => {
    const dir = useTempDir();
    const db = dir.join("crm.db");
    const file = dir.write("customers.csv", lines(["id,name", "K1,张丽", "K2,Ann"]));
    const result = runCli(["--db", db, "import", "customers", file, "--dry-run", "--json"]);
    expect(result.code).toBe(0);
    expect(JSON.parse(result.stdout)).toMatchObject({
      kind: "customers",
      dryRun: true,
      committed: false,
      rowsRead: 2,
      inserted: 2,
      errorCount: 0,
      mapping: { external_id: "id", name: "name" },
    });
    const store = await Store.open(db);
    try {
      expect((await store.counts()).customers).toBe(0);
    } finally {
      await store.close();
    }
  });

  it("exits 1 for an unknown kind", async () => {
    const dir = useTempDir();
    const result = runCli(["--db", dir.join("crm.db"), "import", "orders", dir.join("x.csv")]);
    expect(result.code).toBe(1);
    expect(result.stderr).toBe(
      'crm: unknown kind "orders"; use one of customers, transactions, interactions, feedback\n',
    );
  });
});
