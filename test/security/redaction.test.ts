import type { Client } from "@modelcontextprotocol/sdk/client/index.js";
import type { CreateMessageResult } from "@modelcontextprotocol/sdk/types.js";
import fc from "fast-check";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { redactText, redactValue } from "../../mcp-server/context/redact.js";
import { storedTime } from "../../mcp-server/store/timestamps.js";
import { startFakeOpenAi, type FakeOpenAi } from "../helpers/fakeOpenAi.js";
import { createMcpHarness, DEMO_AS_OF, textOf, type McpHarness } from "../helpers/mcpClient.js";
import { connectSession, fakeEndpoint, type Session } from "../mcp-server/llm/llmHarness.js";

describe("redactText", () => {
  const MASKED: [string, string][] = [
    ["王芳@例子.中国", "王***@例子.中国"],
    ["write to josé.martínez@correo.españa today", "write to j***@correo.españa today"],
    ["ivan.petrov@пример.рф", "i***@пример.рф"],
    ["sales+crm@shop.photography", "s***@shop.photography"],
    ["o'brien@example.co.uk", "o***@example.co.uk"],
    ["a quote cut short: wang@examp…", "a quote cut short: w***@examp…"],
    ["full-width at: li＠example.com", "full-width at: l***@example.com"],
    ["+44 20 7946 0959", "+***59"],
    ["0044 20 7946 0959", "***59"],
    ["07700 900123", "***23"],
    ["02-9876-5432", "***32"],
    ["call 555 1234 today", "call ***34 today"],
    ["8 (495) 123-45-67", "***67"],
    ["+7 (495) 123-45-67", "+***67"],
    ["１３８００１３８０００", "***00"],
    ["＋８６ １３８ ００１３ ８０００", "+***00"],
    ["电话13800138000，谢谢", "电话***00，谢谢"],
    ["(555) 123-4567", "***67"],
    ["555.123.4567", "***67"],
    ["+44 (0)20 7946 0959", "+***59"],
    ["01.23.45.67.89", "***89"],
    ["030/1234567", "***67"],
    ["+442079460959", "+***59"],
    ["call 5551234567", "call ***67"],
    ["13800138000 13900139000", "***00 ***00"],
    ["02-2019-2023", "***23"],
  ];
  const KEPT = [
    "2026-06-30",
    "as of 2026-06-30T23:59:59Z",
    "1,234.50",
    "4 210.50",
    "order 20260630123",
    "73%",
    "revenue 1234567.89",
    "$1234567",
    "500元",
    "2025-2026",
    "2026-06-01 2026-06-30",
    "Recent orders: 2026-04-12 345.60; 2026-03-20 1234.50",
    "30/06/2026 and 06.30.2026",
    "09:30-17:30",
    "192.168.100.200",
    "NPS +16 from 116 answers",
    "79 days since the last purchase, 3.8x the usual 21-day gap",
    "customer C00042, 14 orders",
    "Feel free to reply @ any time",
  ];

  it("masks emails in any script and phones in international and local formats", () => {
    expect(MASKED.map(([text]) => [text, redactText(text)])).toEqual(MASKED);
  });

  it("leaves dates, amounts, order ids and percentages alone", () => {
    expect(KEPT.map(redactText)).toEqual(KEPT);
  });

  it("masks fields named email and phone whole, whatever they hold", () => {
    expect(
      redactValue({
        email: "王芳@例子.中国",
        phone: "0044 20 7946 0959",
        other: { email: "not an address", phone: "ext. 12" },
      }),
    ).toEqual({ email: "王***@例子.中国", phone: "***59", other: { email: "***", phone: "***" } });
  });
});

/** Turns ASCII digits and phone punctuation into their full-width forms. */
function fullWidth(text: string): string {
  return text
    .replace(/[0-9]/g, (digit) => String.fromCharCode(0xff10 + Number(digit)))
    .replace(/\+/g, "＋")
    .replace(/-/g, "－")
    .replace(/ /g, "\u3000");
}

/** Phone layouts: N any digit, Z a non-zero digit, C 3-9 (a Chinese mobile's second digit). */
const PHONE_LAYOUTS = [
  "+ZN NNNN NNNN",
  "+ZNNNNNNNNNN",
  "+Z NNN NNN NNNN",
  "+ZN (0)NN NNNN NNNN",
  "00ZN NN NNNN NNNN",
  "00ZNNNNNNNNNNN",
  "0ZNNN NNNNNN",
  "0ZNNNNNNNNN",
  "(0ZN) NNNN NNNN",
  "0Z-NNNN-NNNN",
  "0ZN NNNN NNNN",
  "(ZNN) NNN-NNNN",
  "ZNN.NNN.NNNN",
  "ZNN-NNN-NNNN",
  "1-800-NNN-NNNN",
  "+1 ZNN NNN NNNN",
  "ZNN NNNN",
  "ZNN-NNNN",
  "8 (ZNN) NNN-NN-NN",
  "+7 (ZNN) NNN-NN-NN",
  "1CNNNNNNNNN",
  "1CN NNNN NNNN",
  "+86 1CN NNNN NNNN",
  "+86-1CN-NNNN-NNNN",
  "0Z NN NN NN NN",
  "0Z.NN.NN.NN.NN",
  "+33 Z NN NN NN NN",
  "0ZN/NNNNNNN",
  "+49 ZN NNNNNNN",
  "+852 NNNN NNNN",
];

const phoneArb = fc
  .tuple(
    fc.constantFrom(...PHONE_LAYOUTS),
    fc.array(fc.integer({ min: 0, max: 9 }), { minLength: 20, maxLength: 20 }),
    fc.boolean(),
  )
  .map(([layout, digits, wide]) => {
    let at = 0;
    const filled = layout.replace(/[NZC]/g, (slot) => {
      const digit = digits[at++];
      if (slot === "Z") return String(1 + (digit % 9));
      if (slot === "C") return String(3 + (digit % 7));
      return String(digit);
    });
    return wide ? fullWidth(filled) : filled;
  });

const LOCAL_WORDS = [
  "wang",
  "fang",
  "王芳",
  "李娜",
  "josé",
  "müller",
  "élodie",
  "иван",
  "ολγα",
  "محمد",
  "søren",
  "x",
  "sales",
];
const DOMAIN_WORDS = ["example", "例子", "bücher", "пример", "españa", "münchen", "shop", "mail", "公司名"];
const TLDS = [
  "com",
  "org",
  "io",
  "museum",
  "photography",
  "co.uk",
  "中国",
  "рф",
  "xn--fiqs8s",
  "公司",
  "ελ",
  "みんな",
  "africa",
];

const emailArb = fc
  .tuple(
    fc.array(fc.constantFrom(...LOCAL_WORDS), { minLength: 1, maxLength: 3 }),
    fc.constantFrom(".", "_", "-", "+", ""),
    fc.integer({ min: 0, max: 999 }),
    fc.array(fc.constantFrom(...DOMAIN_WORDS), { minLength: 1, maxLength: 2 }),
    fc.constantFrom(...TLDS),
    fc.constantFrom("@", "@", "@", "＠"),
  )
  .map(
    ([local, joiner, number, domain, tld, at]) =>
      `${local.join(joiner)}${number % 3 === 0 ? number : ""}${at}${domain.join(".")}.${tld}`,
  );

const BEFORE = [
  "",
  "Call ",
  "Mobile: ",
  "电话：",
  "请联系",
  "tel. ",
  "reach me on ",
  "(",
  "手机号",
  "or ",
  "email ",
];
const AFTER = ["", ".", " today", "。", ")", "，谢谢", " or later", " please"];

const contextArb = fc.tuple(fc.constantFrom(...BEFORE), fc.constantFrom(...AFTER));

interface Planted {
  kind: "email" | "phone";
  value: string;
}

/** What one run plants: per customer a name, company, email, phone, two interactions and two feedback texts. */
const plantsArb = fc.record({
  emails: fc.array(emailArb, { minLength: 20, maxLength: 20 }),
  phones: fc.array(phoneArb, { minLength: 28, maxLength: 28 }),
  contexts: fc.array(contextArb, { minLength: 36, maxLength: 36 }),
});

type Plants = typeof plantsArb extends fc.Arbitrary<infer T> ? T : never;

/** Every planted value that appears in the outputs: as written, NFKC-normalised, or as its phone digits. */
function leaked(planted: readonly Planted[], outputs: readonly string[]): string[] {
  const text = outputs.join("\n");
  const normal = text.normalize("NFKC");
  const digitRuns = (normal.match(/[+(]?\d[\d\s().\-/]*\d/g) ?? []).map((run) => run.replace(/\D/g, ""));
  return planted
    .filter(({ kind, value }) => {
      if (text.includes(value) || normal.includes(value.normalize("NFKC"))) return true;
      if (kind !== "phone") return false;
      const digits = value.normalize("NFKC").replace(/\D/g, "");
      return digits.length >= 7 && digitRuns.some((run) => run.includes(digits));
    })
    .map(({ value }) => value);
}

const CUSTOMERS = 4;

describe("--redact with emails and phones planted in every text field of the store", () => {
  let mcp: McpHarness;
  let fake: FakeOpenAi;
  let session: Session;
  const sampled: string[] = [];
  let targets: { id: number; external_id: string; owner: string }[];
  let planted: number[] = [];
  let plantedFeedback: number[] = [];

  /** A model that repeats its whole prompt back: whatever it was sent comes back in its answer. */
  function echo(prompt: string): string {
    return `Subject: Hello\n\nHello,\n\n${prompt}\n\nBest regards`;
  }

  beforeAll(async () => {
    mcp = await createMcpHarness({ redact: true });
    fake = await startFakeOpenAi((request) => ({ content: echo(JSON.stringify(request.body.messages)) }));
    session = await connectSession(
      { ...mcp.deps, llm: fakeEndpoint(fake) },
      {
        sampling: (request): CreateMessageResult => {
          sampled.push(JSON.stringify(request.params));
          return {
            role: "assistant",
            model: "echo",
            content: { type: "text", text: echo(JSON.stringify(request.params.messages)) },
            stopReason: "endTurn",
          };
        },
      },
    );
    // The customers every list leads with, so the planted values reach the lists too.
    const atRisk = await mcp.store.db.all<{ id: number; external_id: string; owner: string }>(
      "SELECT id, external_id, owner FROM customers WHERE do_not_contact = 0 AND owner IS NOT NULL ORDER BY id",
    );
    const ranked = await session.call("find_at_risk_customers", { as_of: DEMO_AS_OF, limit: 10 });
    const top = (
      (ranked.structuredContent as { customers: { customer: { store_id: number } }[] }).customers ?? []
    ).map((row) => row.customer.store_id);
    targets = atRisk.filter((row) => top.includes(row.id)).slice(0, CUSTOMERS);
    expect(targets).toHaveLength(CUSTOMERS);
  });
  afterAll(async () => {
    await session.close();
    await fake.close();
    await mcp.close();
  });

  /** Writes the values into the store straight (no data-version change, so no rescoring). */
  async function plant(plants: Plants): Promise<Planted[]> {
    const db = mcp.store.db;
    await db.run(`DELETE FROM interactions WHERE id IN (${planted.join(",") || "0"})`);
    await db.run(`DELETE FROM feedback WHERE id IN (${plantedFeedback.join(",") || "0"})`);
    planted = [];
    plantedFeedback = [];
    const values: Planted[] = [];
    let email = 0;
    let phone = 0;
    let context = 0;
    const nextEmail = () => {
      const value = plants.emails[email++];
      values.push({ kind: "email", value });
      return value;
    };
    const nextPhone = () => {
      const value = plants.phones[phone++];
      values.push({ kind: "phone", value });
      return value;
    };
    const inText = (value: string) => {
      const [before, after] = plants.contexts[context++];
      return `${before}${value}${after}`;
    };
    for (const [index, customer] of targets.entries()) {
      const name = index % 2 === 0 ? nextEmail() : nextPhone();
      const company = inText(index % 2 === 0 ? nextPhone() : nextEmail());
      await db.run("UPDATE customers SET name = ?, company = ?, email = ?, phone = ? WHERE id = ?", [
        name,
        company,
        nextEmail(),
        nextPhone(),
        customer.id,
      ]);
      for (const day of [27, 28]) {
        const summary = `Customer asked us to ${inText(nextPhone())} and to write to ${inText(nextEmail())}`;
        const outcome = `new number ${inText(nextPhone())}`;
        const { lastID } = await db.run(
          "INSERT INTO interactions (external_id, customer_id, occurred_at, channel, direction, summary, outcome) VALUES (?, ?, ?, 'phone', 'inbound', ?, ?)",
          [
            `planted-i-${customer.id}-${day}`,
            customer.id,
            storedTime(new Date(`2026-06-${day}T10:00:00Z`)),
            summary,
            outcome,
          ],
        );
        planted.push(lastID);
        const text =
          day === 27
            ? `The delivery was late, call me on ${inText(nextPhone())}`
            : `Please answer to ${inText(nextEmail())}, the parcel was damaged`;
        const row = await db.run(
          "INSERT INTO feedback (external_id, customer_id, occurred_at, source, score, text, status) VALUES (?, ?, ?, 'complaint', NULL, ?, 'open')",
          [
            `planted-f-${customer.id}-${day}`,
            customer.id,
            storedTime(new Date(`2026-06-${day}T11:00:00Z`)),
            text,
          ],
        );
        plantedFeedback.push(row.lastID);
      }
    }
    return values;
  }

  /** Every tool, resource and prompt output for the planted customers, and everything sent to a model. */
  async function outputs(client: Client, call: Session["call"]): Promise<string[]> {
    const texts: string[] = [];
    const tool = async (name: string, args: Record<string, unknown>) => {
      const result = await call(name, { as_of: DEMO_AS_OF, ...args });
      // A failed call would pass the scan without proving anything.
      expect(result.isError, `${name}: ${textOf(result)}`).toBeFalsy();
      texts.push(JSON.stringify(result));
      return result;
    };
    fake.requests.length = 0;
    sampled.length = 0;
    const ids = targets.map((customer) => customer.external_id);
    await tool("server_status", {});
    await tool("find_at_risk_customers", { limit: 20 });
    await tool("portfolio_overview", {});
    for (const by of ["rfm", "lifecycle", "abc", "value_matrix", "kmeans"])
      await tool("segment_customers", { by });
    await tool("search_customers", {});
    await tool("compute_clv", { customer_ids: ids });
    await tool("summarise_feedback", { from: "2026-01-01" });
    for (const [index, customer] of targets.entries()) {
      await tool("get_customer", { customer_id: customer.external_id });
      await tool("search_customers", { query: customer.external_id });
      await tool("find_at_risk_customers", { owner: customer.owner });
      await tool("compute_clv", { customer_id: customer.external_id });
      await tool("summarise_feedback", {
        customer_id: customer.external_id,
        from: "2026-01-01",
        language: index % 2 === 0 ? "en" : "zh",
        prefer: index % 2 === 0 ? "openai" : "sampling",
      });
      for (const prefer of ["sampling", "openai", "template"]) {
        await tool("draft_follow_up", {
          customer_id: customer.external_id,
          prefer,
          channel: prefer === "template" ? "call-script" : "email",
          language: index % 2 === 0 ? "en" : "zh",
        });
      }
      await tool("draft_follow_up", { customer_id: customer.external_id, channel: "sms", prefer: "openai" });
      const resource = await client.readResource({ uri: `crm://customers/${customer.external_id}` });
      texts.push(JSON.stringify(resource));
      const plan = await client.getPrompt({
        name: "retention_plan",
        arguments: { customer_id: customer.external_id },
      });
      texts.push(JSON.stringify(plan));
      const review = await client.getPrompt({
        name: "weekly_account_review",
        arguments: { owner: customer.owner },
      });
      texts.push(JSON.stringify(review));
    }
    texts.push(JSON.stringify(await client.listResources()));
    texts.push(JSON.stringify(await client.readResource({ uri: "crm://reports/at-risk" })));
    texts.push(JSON.stringify(await client.readResource({ uri: "crm://schema" })));
    texts.push(
      JSON.stringify(await client.getPrompt({ name: "feedback_digest", arguments: { period: "30d" } })),
    );
    // Everything a model was sent: the OpenAI-compatible endpoint and the client's model.
    texts.push(...fake.requests.map((request) => JSON.stringify(request.body)), ...sampled);
    expect(fake.requests.length).toBeGreaterThan(0);
    expect(sampled.length).toBeGreaterThan(0);
    return texts;
  }

  it("the scan sees planted values in the outputs when redaction is off (the control)", async () => {
    const values = await plant(fc.sample(plantsArb, { numRuns: 1, seed: 7 })[0]);
    const plain = await connectSession(
      { ...mcp.deps, redact: false, llm: fakeEndpoint(fake) },
      {
        sampling: (request): CreateMessageResult => {
          sampled.push(JSON.stringify(request.params));
          return {
            role: "assistant",
            model: "echo",
            content: { type: "text", text: "Hello" },
            stopReason: "endTurn",
          };
        },
      },
    );
    try {
      const seen = leaked(values, await outputs(plain.client, plain.call));
      // Every field reaches some output: a scan that found nothing here would prove nothing below.
      expect(seen.length).toBe(values.length);
    } finally {
      await plain.close();
    }
  });

  it("lets no planted email or phone out of any tool, resource, prompt or model request (property)", async () => {
    let total = 0;
    const leaks: string[] = [];
    await fc.assert(
      fc.asyncProperty(plantsArb, async (plants) => {
        const values = await plant(plants);
        total += values.length;
        const found = leaked(values, await outputs(session.client, session.call));
        leaks.push(...found);
        expect(found).toEqual([]);
      }),
      { numRuns: 14, seed: 20260630, endOnFailure: true },
    );
    expect(total).toBe(14 * CUSTOMERS * 12);
    expect(leaks).toEqual([]);
  });

  it("masks what the write tools echo back", async () => {
    const writer = await createMcpHarness({ redact: true, allowWrites: true });
    try {
      const values: Planted[] = [
        { kind: "phone", value: "0044 20 7946 0959" },
        { kind: "email", value: "王芳@例子.中国" },
        { kind: "phone", value: "１３８００１３８０００" },
        { kind: "phone", value: "8 (495) 123-45-67" },
      ];
      const logged = await writer.call("log_interaction", {
        customer_id: "C00005",
        channel: "phone",
        summary: `Asked us to call ${values[0].value} or write to ${values[1].value}`,
        outcome: `mobile ${values[2].value}`,
      });
      const recorded = await writer.call("record_feedback", {
        customer_id: "C00005",
        source: "complaint",
        text: `Call me on ${values[3].value}`,
      });
      expect(logged.isError, textOf(logged)).toBeFalsy();
      expect(recorded.isError, textOf(recorded)).toBeFalsy();
      expect(leaked(values, [JSON.stringify(logged), JSON.stringify(recorded)])).toEqual([]);
    } finally {
      await writer.close();
    }
  });
});
