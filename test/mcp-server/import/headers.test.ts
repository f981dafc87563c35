import { describe, expect, it } from "vitest";
import { FIELDS, IMPORT_KINDS, normaliseHeader, resolveMapping } from "../../../mcp-server/import/fields.js";
import { importFile } from "../../../mcp-server/import/importFile.js";
import { lines } from "../../helpers/tempFiles.js";
import { useTempStore } from "../../helpers/tempStore.js";

const NOW = new Date("2024-06-01T12:00:00Z");

describe("header matching", () => {
  it("no synonym feeds two fields of one kind (the first field would silently win)", () => {
    for (const kind of IMPORT_KINDS) {
      const owners = new Map<string, string>();
      for (const spec of FIELDS[kind]) {
        for (const synonym of spec.synonyms) {
          expect(normaliseHeader(synonym), `${kind}: "${synonym}"`).toBe(synonym);
          expect(owners.get(synonym), `${kind}: "${synonym}" is listed for two fields`).toBeUndefined();
          owners.set(synonym, spec.name);
        }
      }
    }
  });

  it("matches the Chinese headers exports use, for every kind", () => {
    expect(
      Object.fromEntries(
        resolveMapping(
          "customers",
          ["客户编号", "姓名", "公司", "电子邮件", "手机", "国家", "客户经理", "标签"],
          {},
        ),
      ),
    ).toEqual({
      external_id: "客户编号",
      name: "姓名",
      company: "公司",
      email: "电子邮件",
      phone: "手机",
      country: "国家",
      owner: "客户经理",
      tags: "标签",
    });
    expect(
      Object.fromEntries(
        resolveMapping("transactions", ["订单号", "客户ID", "下单日期", "总额", "数量", "单价"], {}),
      ),
    ).toEqual({
      external_id: "订单号",
      customer: "客户ID",
      date: "下单日期",
      amount: "总额",
      quantity: "数量",
      unit_price: "单价",
    });
    expect(
      Object.fromEntries(
        resolveMapping("interactions", ["客户", "时间", "渠道", "方向", "备注", "结果"], {}),
      ),
    ).toEqual({
      customer: "客户",
      date: "时间",
      channel: "渠道",
      direction: "方向",
      summary: "备注",
      outcome: "结果",
    });
    expect(
      Object.fromEntries(
        resolveMapping("feedback", ["客户编号", "日期", "来源", "分数", "反馈", "状态"], {}),
      ),
    ).toEqual({
      customer: "客户编号",
      date: "日期",
      source: "来源",
      score: "分数",
      text: "反馈",
      status: "状态",
    });
  });

  it("matches full-width letters as their ASCII forms and ignores a unit in brackets", () => {
    expect(
      Object.fromEntries(resolveMapping("transactions", ["客户ＩＤ", "Ｄａｔｅ", "金额（元）"], {})),
    ).toMatchObject({
      customer: "客户ＩＤ",
      date: "Ｄａｔｅ",
      amount: "金额（元）",
    });
    expect(
      Object.fromEntries(resolveMapping("transactions", ["Customer (ID)", "Date", "Amount (USD)"], {})),
    ).toEqual({ customer: "Customer (ID)", date: "Date", amount: "Amount (USD)" });
  });

  it("imports a Chinese export with interactions and feedback end to end", async () => {
    const temp = await useTempStore();
    const customers = temp.dir.write("客户.csv", lines(["客户编号,姓名", "K1,张丽"]));
    const interactions = temp.dir.write(
      "沟通.csv",
      lines(["客户编号,日期,渠道,方向,摘要", "K1,2024-05-01,微信,呼入,询问发货时间"]),
    );
    const feedback = temp.dir.write(
      "反馈.csv",
      lines(["客户编号,日期,评分,评价,来源", "K1,2024-05-02,3,物流太慢,投诉"]),
    );
    for (const [kind, file] of [
      ["customers", customers],
      ["interactions", interactions],
      ["feedback", feedback],
    ] as const) {
      expect((await importFile(temp.store, { kind, file, now: NOW })).errors).toEqual([]);
    }
    expect(await temp.store.db.get("SELECT channel, direction, summary FROM interactions")).toEqual({
      channel: "chat",
      direction: "inbound",
      summary: "询问发货时间",
    });
    expect(await temp.store.db.get("SELECT source, score, text, language, status FROM feedback")).toEqual({
      source: "complaint",
      score: 3,
      text: "物流太慢",
      language: "zh",
      status: "open",
    });
  });

  it("takes any header name in --map, including names of Object.prototype's properties", async () => {
    const temp = await useTempStore();
    const file = temp.dir.write(
      "odd.csv",
      lines(["__proto__,constructor,toString,hasOwnProperty", "K1,Ann Lee,Acme,ann@example.com"]),
    );
    const report = await importFile(temp.store, {
      kind: "customers",
      file,
      now: NOW,
      map: { external_id: "__proto__", name: "constructor", company: "toString", email: "hasOwnProperty" },
    });
    expect(report.errors).toEqual([]);
    expect(report.mapping).toEqual({
      external_id: "__proto__",
      name: "constructor",
      company: "toString",
      email: "hasOwnProperty",
    });
    expect(Object.keys(JSON.parse(JSON.stringify(report.mapping)))).toContain("external_id");
    expect(await temp.store.db.get("SELECT external_id, name, company, email FROM customers")).toEqual({
      external_id: "K1",
      name: "Ann Lee",
      company: "Acme",
      email: "ann@example.com",
    });
  });
});
