import iconv from "iconv-lite";
import { describe, expect, it } from "vitest";
import { ImportFileError } from "../../../mcp-server/import/errors.js";
import { importFile } from "../../../mcp-server/import/importFile.js";
import { useTempStore } from "../../helpers/tempStore.js";

const NOW = new Date("2024-06-01T12:00:00Z");

/** Enough rows that the file spans several 64 KB read chunks, with multi-byte names throughout. */
function customerRows(count: number): { text: string; names: string[] } {
  const names = Array.from({ length: count }, (_, i) => `王芳${"测试".repeat(i % 7)}${i}`);
  const text = ["客户编号,姓名,公司", ...names.map((name, i) => `K${i},${name},北京星辰科技有限公司`)].join(
    "\n",
  );
  return { text: `${text}\n`, names };
}

describe("file encodings", () => {
  it("imports a GBK file exactly when told --encoding gbk, across read chunks", async () => {
    const temp = await useTempStore();
    const { text, names } = customerRows(6000);
    const bytes = iconv.encode(text, "gbk");
    expect(bytes.length).toBeGreaterThan(3 * 64 * 1024);
    const file = temp.dir.write("gbk.csv", bytes);
    const report = await importFile(temp.store, { kind: "customers", file, encoding: "gbk", now: NOW });
    expect(report).toMatchObject({ committed: true, errorCount: 0, inserted: names.length });
    expect(report.mapping).toMatchObject({ external_id: "客户编号", name: "姓名", company: "公司" });
    const stored = await temp.store.db.all<{ name: string; company: string }>(
      "SELECT name, company FROM customers ORDER BY id",
    );
    expect(stored.map((row) => row.name)).toEqual(names);
    expect(new Set(stored.map((row) => row.company))).toEqual(new Set(["北京星辰科技有限公司"]));
  });

  it("reads UTF-8 whose characters straddle the read chunks without losing a byte", async () => {
    const temp = await useTempStore();
    const { text, names } = customerRows(6000);
    const file = temp.dir.write("utf8.csv", text);
    const report = await importFile(temp.store, { kind: "customers", file, now: NOW });
    expect(report).toMatchObject({ committed: true, inserted: names.length });
    const stored = await temp.store.db.all<{ name: string }>("SELECT name FROM customers ORDER BY id");
    expect(stored.map((row) => row.name)).toEqual(names);
  });

  it("refuses a GBK file read as UTF-8, naming the line and the --encoding option, and writes nothing", async () => {
    const temp = await useTempStore();
    const ascii = Array.from({ length: 5000 }, (_, i) => `K${i},Ann ${i}`);
    // A GBK name deep in the file: the rows before it were already read (and rolled back).
    const bytes = Buffer.concat([
      Buffer.from(["id,name", ...ascii].join("\n") + "\n"),
      iconv.encode("K-gbk,王芳\n", "gbk"),
    ]);
    const file = temp.dir.write("gbk.csv", bytes);
    const error = await importFile(temp.store, { kind: "customers", file }).catch((caught) => caught);
    expect(error).toBeInstanceOf(ImportFileError);
    expect(error.line).toBe(5002);
    expect(error.message).toMatch(
      /:5002: the file is not valid UTF-8: byte [\d,]+ of the file \(0xCD\) is not part of a UTF-8 character; if it was saved in another encoding, name it with --encoding gbk\|gb18030\|big5\|shift_jis\|euc-kr\|latin1\|windows-1252\|utf-16le\|utf-16be, or save it as UTF-8$/,
    );
    expect((await temp.store.counts()).customers).toBe(0);
  });

  it("decodes UTF-16 with a byte-order mark without being told", async () => {
    const temp = await useTempStore();
    for (const [encoding, mark] of [
      ["utf-16le", [0xff, 0xfe]],
      ["utf-16be", [0xfe, 0xff]],
    ] as const) {
      const file = temp.dir.write(
        `${encoding}.csv`,
        Buffer.concat([Buffer.from(mark), iconv.encode(`id,name\r\n${encoding},Zoë 王芳\r\n`, encoding)]),
      );
      const report = await importFile(temp.store, { kind: "customers", file, now: NOW });
      expect(report.errors).toEqual([]);
    }
    expect(await temp.store.db.all("SELECT external_id, name FROM customers ORDER BY id")).toEqual([
      { external_id: "utf-16le", name: "Zoë 王芳" },
      { external_id: "utf-16be", name: "Zoë 王芳" },
    ]);
  });

  it("refuses an encoding name it does not know before reading", async () => {
    const temp = await useTempStore();
    const file = temp.dir.write("x.csv", "id\nK1\n");
    await expect(importFile(temp.store, { kind: "customers", file, encoding: "klingon" })).rejects.toThrow(
      /unknown encoding "klingon"; use one of gbk, gb18030, big5, shift_jis, euc-kr, latin1, windows-1252, utf-16le, utf-16be/,
    );
  });
});
