import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { LOG_INTERACTION, logInteractionOutput } from "../../../mcp-server/contract/logInteraction.js";
import { RECORD_FEEDBACK, recordFeedbackOutput } from "../../../mcp-server/contract/recordFeedback.js";
import { ensureScores, readScore } from "../../../mcp-server/scoring/scoreCache.js";
import { auditedWrite, type AuditRow } from "../../../mcp-server/store/audit.js";
import type { FeedbackRow, InteractionRow } from "../../../mcp-server/store/rows.js";
import { WRITES_DISABLED } from "../../../mcp-server/tools/support.js";
import { createMcpHarness, DEMO_AS_OF, TEST_NOW, textOf, type McpHarness } from "../../helpers/mcpClient.js";
import { snapshotStore } from "../../helpers/tempStore.js";

const AS_OF = new Date(`${DEMO_AS_OF}T23:59:59Z`);
const UUID = /^mcp:[0-9a-f]{8}-[0-9a-f]{4}-4[0-9a-f]{3}-[89ab][0-9a-f]{3}-[0-9a-f]{12}$/;

const validInteraction = {
  customer_id: "C00007",
  channel: "phone",
  direction: "outbound",
  summary: "Called about the delayed order; agreed to ship the rest on Friday.",
  outcome: "resolved",
  occurred_at: "2026-06-30T10:15:00Z",
};
const validFeedback = {
  customer_id: "C00007",
  source: "complaint",
  text: "The last two deliveries were late.",
  occurred_at: "2026-06-30",
};

async function auditRows(mcp: McpHarness): Promise<AuditRow[]> {
  return mcp.store.db.all<AuditRow>("SELECT * FROM audit_log ORDER BY id");
}

describe("write tools without --allow-writes", () => {
  let mcp: McpHarness;
  beforeAll(async () => {
    mcp = await createMcpHarness();
  });
  afterAll(() => mcp.close());

  it("are listed, say they are disabled, and carry truthful annotations", async () => {
    const { tools } = await mcp.client.listTools();
    for (const name of [LOG_INTERACTION, RECORD_FEEDBACK]) {
      const tool = tools.find((candidate) => candidate.name === name)!;
      expect(tool.description).toMatch(/^DISABLED on this server \(started without --allow-writes\)/);
      expect(tool.annotations).toMatchObject({
        readOnlyHint: false,
        destructiveHint: false,
        idempotentHint: false,
        openWorldHint: false,
      });
      expect(tool.outputSchema).toBeDefined();
      for (const [field, property] of Object.entries(tool.inputSchema.properties ?? {})) {
        expect((property as { description?: string }).description, `${name}.${field}`).toBeTruthy();
      }
    }
  });

  it("refuse every call with the --allow-writes hint and write no rows and no audit entries", async () => {
    const before = await snapshotStore(mcp.store);
    for (const [name, args] of [
      [LOG_INTERACTION, validInteraction],
      [RECORD_FEEDBACK, validFeedback],
    ] as const) {
      const result = await mcp.call(name, args);
      expect(result.isError).toBe(true);
      expect(textOf(result)).toContain(WRITES_DISABLED);
      expect(WRITES_DISABLED).toBe(
        "writes are disabled; restart the server with --allow-writes (crm serve --allow-writes)",
      );
    }
    expect(await snapshotStore(mcp.store)).toEqual(before);
    expect(before.rowCounts.audit_log).toBe(0);
  });
});

describe("write tools with --allow-writes", () => {
  let mcp: McpHarness;
  beforeAll(async () => {
    mcp = await createMcpHarness({ allowWrites: true, actor: "alice@laptop" });
  });
  afterAll(() => mcp.close());

  it("are listed without the disabled note", async () => {
    const { tools } = await mcp.client.listTools();
    expect(tools.find((tool) => tool.name === LOG_INTERACTION)!.description).toMatch(/^Records a contact/);
  });

  it("log_interaction writes one interaction and one audit entry in one go, and the next score read reflects it without a full rescore", async () => {
    const customer = (await mcp.store.findCustomer("C00007"))!;
    const firstSet = await ensureScores(mcp.store, AS_OF, mcp.deps.now);
    const before = await snapshotStore(mcp.store);
    const version = await mcp.store.dataVersion();

    const result = await mcp.call(LOG_INTERACTION, validInteraction);
    expect(result.isError, textOf(result)).toBeFalsy();
    const out = logInteractionOutput.parse(result.structuredContent);

    const after = await snapshotStore(mcp.store);
    expect(after.rowCounts.interactions).toBe(before.rowCounts.interactions + 1);
    expect(after.rowCounts.audit_log).toBe(before.rowCounts.audit_log + 1);
    expect(after.rowCounts.feedback).toBe(before.rowCounts.feedback);
    expect(after.rowCounts.transactions).toBe(before.rowCounts.transactions);
    const row = (await mcp.store.db.get<InteractionRow>("SELECT * FROM interactions WHERE external_id = ?", [
      out.interaction.external_id,
    ]))!;
    expect(row).toEqual({
      id: out.interaction.id,
      external_id: out.interaction.external_id,
      customer_id: customer.id,
      occurred_at: "2026-06-30T10:15:00Z",
      channel: "phone",
      direction: "outbound",
      summary: validInteraction.summary,
      outcome: "resolved",
    });
    expect(row.external_id).toMatch(UUID);
    const [audit] = (await auditRows(mcp)).slice(-1);
    expect(audit).toEqual({
      id: out.audit.audit_id,
      at: "2026-07-01T09:00:00Z",
      actor: "alice@laptop",
      action: "log_interaction",
      customer_id: customer.id,
      details: JSON.stringify(validInteraction),
    });
    expect(await mcp.store.dataVersion()).toBe(version + 1);
    expect(out.audit.data_version).toBe(version + 1);

    // The cached set was carried over the write: same set, new version, this customer rescored.
    const nextSet = await ensureScores(mcp.store, AS_OF, mcp.deps.now);
    expect(nextSet.id).toBe(firstSet.id);
    expect(nextSet.dataVersion).toBe(version + 1);
    expect((await readScore(mcp.store, nextSet, customer.id))!.lastInteraction).toBe("2026-06-30T10:15:00Z");
  });

  it("record_feedback writes one feedback row and one audit entry, with the language detected and complaints open, and the next score read reflects it without a full rescore", async () => {
    const customer = (await mcp.store.findCustomer("C00007"))!;
    const TODAY = new Date("2026-07-01T23:59:59Z");
    const firstSet = await ensureScores(mcp.store, TODAY, mcp.deps.now);
    const before = await snapshotStore(mcp.store);
    const version = await mcp.store.dataVersion();
    const args = { customer_id: "C00007", source: "complaint", text: "客服五天都没有回复我的工单，太慢了。" };
    const result = await mcp.call(RECORD_FEEDBACK, args);
    expect(result.isError, textOf(result)).toBeFalsy();
    const out = recordFeedbackOutput.parse(result.structuredContent);
    expect(out.feedback).toMatchObject({
      source: "complaint",
      score: null,
      language: "zh",
      language_detected: true,
      status: "open",
      sentiment: "negative",
      occurred_at: "2026-07-01T09:00:00Z",
    });
    const after = await snapshotStore(mcp.store);
    expect(after.rowCounts.feedback).toBe(before.rowCounts.feedback + 1);
    expect(after.rowCounts.audit_log).toBe(before.rowCounts.audit_log + 1);
    expect(after.rowCounts.interactions).toBe(before.rowCounts.interactions);
    const row = (await mcp.store.db.get<FeedbackRow>("SELECT * FROM feedback WHERE id = ?", [
      out.feedback.id,
    ]))!;
    expect(row).toMatchObject({ customer_id: customer.id, text: args.text, language: "zh", status: "open" });
    expect(row.external_id).toMatch(UUID);
    const [audit] = (await auditRows(mcp)).slice(-1);
    expect(audit).toMatchObject({
      action: "record_feedback",
      actor: "alice@laptop",
      customer_id: customer.id,
    });
    expect(JSON.parse(audit.details)).toEqual(args);
    expect(await mcp.store.dataVersion()).toBe(version + 1);

    // The complaint is filed after the demo's as-of date, so it counts as of the server's today.
    const today = await ensureScores(mcp.store, TODAY, mcp.deps.now);
    // The cached set was carried over the write: same set, new version, this customer rescored.
    expect(today.id).toBe(firstSet.id);
    expect(today.dataVersion).toBe(version + 1);
    const score = (await readScore(mcp.store, today, customer.id))!;
    // Open complaints, plus open tickets other than those opened for an open complaint.
    const open = await mcp.store.db.get<{ count: number }>(
      `SELECT (SELECT COUNT(*) FROM feedback WHERE customer_id = ? AND source = 'complaint' AND status = 'open')
            + (SELECT COUNT(*) FROM tickets t WHERE t.customer_id = ? AND t.status <> 'resolved' AND NOT EXISTS
                 (SELECT 1 FROM feedback f WHERE f.id = t.feedback_id AND f.source = 'complaint' AND f.status = 'open')) AS count`,
      [customer.id, customer.id],
    );
    expect(score.openComplaints).toBe(open!.count);
  });

  it("record_feedback takes an NPS score alone, defaulting to the customer's language and status resolved", async () => {
    const customer = (await mcp.store.findCustomer("C00003"))!;
    const result = await mcp.call(RECORD_FEEDBACK, { customer_id: "C00003", source: "nps", score: 9 });
    expect(result.isError, textOf(result)).toBeFalsy();
    const out = recordFeedbackOutput.parse(result.structuredContent);
    expect(out.feedback).toMatchObject({
      score: 9,
      text: "",
      language: customer.language,
      language_detected: false,
      status: "resolved",
      sentiment: null,
    });
  });

  it("refuses bad input with an isError result and leaves every table as it was", async () => {
    const longText = "x".repeat(5001);
    const bad: [string, Record<string, unknown>][] = [
      [LOG_INTERACTION, { ...validInteraction, customer_id: "C99999" }],
      [LOG_INTERACTION, { ...validInteraction, customer_id: "1 OR 1=1" }],
      [LOG_INTERACTION, { ...validInteraction, channel: "fax" }],
      [LOG_INTERACTION, { ...validInteraction, direction: "sideways" }],
      [LOG_INTERACTION, { ...validInteraction, summary: "" }],
      [LOG_INTERACTION, { ...validInteraction, summary: "   " }],
      [LOG_INTERACTION, { ...validInteraction, summary: "y".repeat(2001) }],
      [LOG_INTERACTION, { ...validInteraction, summary: 42 }],
      [LOG_INTERACTION, { ...validInteraction, occurred_at: "2026-07-02" }],
      [LOG_INTERACTION, { ...validInteraction, occurred_at: "2026-02-30" }],
      [LOG_INTERACTION, { ...validInteraction, occurred_at: "2026-06-30T10:15:00" }],
      [LOG_INTERACTION, { ...validInteraction, occurred_at: "yesterday" }],
      [LOG_INTERACTION, { channel: "phone", summary: "no customer" }],
      [RECORD_FEEDBACK, { ...validFeedback, customer_id: "C99999" }],
      [RECORD_FEEDBACK, { ...validFeedback, source: "tweet" }],
      [RECORD_FEEDBACK, { ...validFeedback, score: 11 }],
      [RECORD_FEEDBACK, { ...validFeedback, score: -1 }],
      [RECORD_FEEDBACK, { ...validFeedback, score: "7" }],
      [RECORD_FEEDBACK, { customer_id: "C00007", source: "nps", score: 7.5 }],
      [RECORD_FEEDBACK, { customer_id: "C00007", source: "review" }],
      [RECORD_FEEDBACK, { customer_id: "C00007", source: "review", text: "   " }],
      [RECORD_FEEDBACK, { ...validFeedback, text: longText }],
      [RECORD_FEEDBACK, { ...validFeedback, language: "fr" }],
      [RECORD_FEEDBACK, { ...validFeedback, status: "closed" }],
      [RECORD_FEEDBACK, { ...validFeedback, occurred_at: "2027-01-01" }],
    ];
    const before = await snapshotStore(mcp.store);
    for (const [name, args] of bad) {
      const result = await mcp.call(name, args);
      expect(result.isError, `${name} ${JSON.stringify(args).slice(0, 120)}`).toBe(true);
    }
    expect(await snapshotStore(mcp.store)).toEqual(before);
  });

  it("stores SQL-looking text verbatim as data", async () => {
    const text = "'); DROP TABLE customers; -- \" OR 1=1";
    const before = await snapshotStore(mcp.store);
    const result = await mcp.call(LOG_INTERACTION, { customer_id: "C00007", channel: "chat", summary: text });
    expect(result.isError, textOf(result)).toBeFalsy();
    const out = logInteractionOutput.parse(result.structuredContent);
    expect(out.interaction.summary).toBe(text);
    const after = await snapshotStore(mcp.store);
    expect(after.rowCounts.customers).toBe(before.rowCounts.customers);
    expect(after.rowCounts.interactions).toBe(before.rowCounts.interactions + 1);
    expect(
      (await mcp.store.db.get<{ summary: string }>("SELECT summary FROM interactions WHERE id = ?", [
        out.interaction.id,
      ]))!.summary,
    ).toBe(text);
    expect(out.interaction.occurred_at).toBe(TEST_NOW.toISOString().replace(/\.\d{3}Z$/, "Z"));
  });

  it("takes concurrent writes in turn: every call lands with its own audit entry", async () => {
    const before = await snapshotStore(mcp.store);
    const version = await mcp.store.dataVersion();
    const results = await Promise.all(
      Array.from({ length: 5 }, (_, i) =>
        mcp.call(LOG_INTERACTION, { customer_id: "C00008", channel: "chat", summary: `message ${i}` }),
      ),
    );
    expect(results.map((result) => result.isError ?? false)).toEqual([false, false, false, false, false]);
    const after = await snapshotStore(mcp.store);
    expect(after.rowCounts.interactions).toBe(before.rowCounts.interactions + 5);
    expect(after.rowCounts.audit_log).toBe(before.rowCounts.audit_log + 5);
    expect(await mcp.store.dataVersion()).toBe(version + 5);
  });

  it("rolls the row back when the audit entry cannot be written", async () => {
    const before = await snapshotStore(mcp.store);
    const circular: Record<string, unknown> = {};
    circular.self = circular;
    await expect(
      auditedWrite(
        mcp.store,
        {
          at: "2026-07-01T09:00:00Z",
          actor: "test",
          action: "log_interaction",
          customerId: 1,
          details: circular,
        },
        { changesScores: true },
        () =>
          mcp.store.db.run(
            "INSERT INTO interactions (external_id, customer_id, occurred_at, channel) VALUES ('mcp:rollback', 1, '2026-06-30T00:00:00Z', 'chat')",
          ),
      ),
    ).rejects.toThrow(/circular/i);
    expect(await snapshotStore(mcp.store)).toEqual(before);
  });
});
