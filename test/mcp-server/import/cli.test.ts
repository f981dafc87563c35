import { execFileSync } from "node:child_process";
import { existsSync } from "node:fs";
import { join } from "node:path";
import { createHash } from "node:crypto";
import { readFileSync } from "node:fs";
import iconv from "iconv-lite";
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

  it("imports a GBK file with --encoding gbk, and refuses it without, naming the option", async () => {
    const dir = useTempDir();
    const db = dir.join("crm.db");
    const file = dir.write(
      "客户.csv",
      iconv.encode("客户编号,姓名,公司\nK1,王芳,北京星辰科技有限公司\n", "gbk"),
    );

    const refused = runCli(["--db", db, "import", "customers", file]);
    expect(refused.code).toBe(1);
    expect(refused.stderr).toMatch(
      new RegExp(
        `^crm: ${file.replace(/[.*+?^${}()|[\]\\]/g, "\\$&")}:1: the file is not valid UTF-8: .* name it with --encoding gbk\\|gb18030\\|`,
      ),
    );

    const unknown = runCli(["--db", db, "import", "customers", file, "--encoding", "klingon"]);
    expect(unknown.code).toBe(1);
    expect(unknown.stderr).toMatch(
      /^crm: --encoding klingon: unknown encoding "klingon"; use one of gbk, gb18030, /,
    );

    const ok = runCli(["--db", db, "import", "customers", file, "--encoding", "gbk"]);
    expect(ok.code, ok.stderr).toBe(0);
    const store = await Store.open(db);
    try {
      expect(await store.db.all("SELECT external_id, name, company FROM customers")).toEqual([
        { external_id: "K1", name: "王芳", company: "北京星辰科技有限公司" },
      ]);
    } finally {
      await store.close();
    }
  });

  it("exits 1 for an amount out of range or a bad zone, and leaves the store file byte-identical", async () => {
    const dir = useTempDir();
    const db = dir.join("crm.db");
    const good = dir.write("good.csv", lines(["customer,date,amount", "C1,2024-01-01,5"]));
    expect(runCli(["--db", db, "import", "transactions", good]).code).toBe(0);
    const hash = () => createHash("sha256").update(readFileSync(db)).digest("hex");
    const before = hash();

    const bad = dir.write(
      "bad.csv",
      lines([
        "customer,date,amount",
        "C1,2024-01-02,1e308",
        "C1,2024-01-03T10:00:00+99:99,5",
        "C1,0001-01-01,5",
      ]),
    );
    const failed = runCli(["--db", db, "import", "transactions", bad]);
    expect(failed.code).toBe(1);
    expect(failed.stderr).toBe(
      `  ${bad}:2, column "amount": value "1e308": out of range: amounts must be between -1,000,000,000 and 1,000,000,000; fix the value or remove the row\n` +
        `  ${bad}:3, column "date": value "2024-01-03T10:00:00+99:99": time zone +99:99 is not a real offset: zones run from -14:00 to +14:00 with minutes below 60; fix the zone or write the time in UTC with Z\n` +
        `  ${bad}:4, column "date": value "0001-01-01": year 0001 is outside the dates the store keeps (1900-01-01 to 2100-12-31); fix the date or remove the row\n` +
        `crm: 3 invalid rows in ${bad}; nothing was imported. Fix them and run the import again.\n`,
    );
    expect(hash()).toBe(before);
  });

  it("exits 1 for an unknown kind", async () => {
    const dir = useTempDir();
    const result = runCli(["--db", dir.join("crm.db"), "import", "orders", dir.join("x.csv")]);
    expect(result.code).toBe(1);
    expect(result.stderr).toBe(
      'crm: unknown kind "orders"; use one of customers, transactions, interactions, feedback, tickets, events\n',
    );
  });
});
