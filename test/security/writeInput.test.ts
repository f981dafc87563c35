import { afterAll, beforeAll, describe, expect, it } from "vitest";
import {
  LOG_INTERACTION,
  logInteractionOutput,
  MAX_SUMMARY,
} from "../../mcp-server/contract/logInteraction.js";
import {
  MAX_FEEDBACK_TEXT,
  RECORD_FEEDBACK,
  recordFeedbackOutput,
} from "../../mcp-server/contract/recordFeedback.js";
import { MAX_LENGTH, SCORE_RANGE } from "../../mcp-server/limits.js";
import { createMcpHarness, textOf, type McpHarness } from "../helpers/mcpClient.js";
import { snapshotStore } from "../helpers/tempStore.js";

/**
 * The write tools apply the importer's rules to what a model sends: numbers in range, text
 * within its length and free of control characters, dates inside the store's window and zones
 * that exist, enumerations matched exactly. A refused call is an isError result and leaves
 * every table as it was.
 */

const interaction = {
  customer_id: "C00007",
  channel: "phone",
  summary: "Called about the delayed order.",
  occurred_at: "2026-06-30T10:15:00Z",
};
const feedback = {
  customer_id: "C00007",
  source: "review",
  text: "Quick delivery.",
  occurred_at: "2026-06-30",
};

describe("write tool inputs", () => {
  let mcp: McpHarness;
  beforeAll(async () => {
    mcp = await createMcpHarness({ allowWrites: true });
  });
  afterAll(() => mcp.close());

  const BAD: [string, string, Record<string, unknown>, RegExp?][] = [
    [
      "NUL in a summary",
      LOG_INTERACTION,
      { ...interaction, summary: "ok\u0000" },
      /control character, U\+0000 NUL/,
    ],
    [
      "escape in a summary",
      LOG_INTERACTION,
      { ...interaction, summary: "\u001b[2Jcleared" },
      /U\+001B escape/,
    ],
    ["C1 control in a summary", LOG_INTERACTION, { ...interaction, summary: "a\u0085b" }, /U\+0085/],
    [
      "half a surrogate pair in a summary",
      LOG_INTERACTION,
      { ...interaction, summary: "x\ud800y" },
      /surrogate/,
    ],
    ["summary over its limit", LOG_INTERACTION, { ...interaction, summary: "s".repeat(MAX_SUMMARY + 1) }],
    ["summary of 0.7 MB", LOG_INTERACTION, { ...interaction, summary: "s".repeat(700_000) }],
    ["NUL in an outcome", LOG_INTERACTION, { ...interaction, outcome: "done\u0000" }, /control character/],
    [
      "outcome over its limit",
      LOG_INTERACTION,
      { ...interaction, outcome: "o".repeat(MAX_LENGTH.shortText + 1) },
    ],
    [
      "year 0000",
      LOG_INTERACTION,
      { ...interaction, occurred_at: "0000-01-01" },
      /outside the dates the store keeps/,
    ],
    [
      "year 0001",
      LOG_INTERACTION,
      { ...interaction, occurred_at: "0001-01-01T00:00:00Z" },
      /1900-01-01 to 2100-12-31/,
    ],
    ["the day before the window", LOG_INTERACTION, { ...interaction, occurred_at: "1899-12-31" }, /outside/],
    [
      "zone +99:99",
      LOG_INTERACTION,
      { ...interaction, occurred_at: "2026-06-30T10:15:00+99:99" },
      /zones run from -14:00 to \+14:00/,
    ],
    [
      "zone +14:30",
      LOG_INTERACTION,
      { ...interaction, occurred_at: "2026-06-30T10:15:00+14:30" },
      /zones run from/,
    ],
    [
      "zone -05:60",
      LOG_INTERACTION,
      { ...interaction, occurred_at: "2026-06-30T10:15:00-05:60" },
      /zones run from/,
    ],
    ["channel constructor", LOG_INTERACTION, { ...interaction, channel: "constructor" }],
    ["channel __proto__", LOG_INTERACTION, { ...interaction, channel: "__proto__" }],
    ["direction toString", LOG_INTERACTION, { ...interaction, direction: "toString" }],
    ["score 1e308", RECORD_FEEDBACK, { ...feedback, score: 1e308 }],
    ["score -1e308", RECORD_FEEDBACK, { ...feedback, score: -1e308 }],
    ["score just over 10", RECORD_FEEDBACK, { ...feedback, score: 10.0001 }],
    ["score as the text Infinity", RECORD_FEEDBACK, { ...feedback, score: "Infinity" }],
    ["score null (how JSON writes NaN)", RECORD_FEEDBACK, { ...feedback, score: null }],
    ["NPS answer 7.5", RECORD_FEEDBACK, { ...feedback, source: "nps", score: 7.5 }, /whole number/],
    ["NUL in a feedback text", RECORD_FEEDBACK, { ...feedback, text: "great\u0000" }, /control character/],
    ["DEL in a feedback text", RECORD_FEEDBACK, { ...feedback, text: "great\u007f" }, /U\+007F DEL/],
    [
      "feedback text over its limit",
      RECORD_FEEDBACK,
      { ...feedback, text: "t".repeat(MAX_FEEDBACK_TEXT + 1) },
    ],
    ["feedback text of 0.7 MB", RECORD_FEEDBACK, { ...feedback, text: "很慢".repeat(350_000) }],
    ["feedback dated 0000-01-01", RECORD_FEEDBACK, { ...feedback, occurred_at: "0000-01-01" }, /outside/],
    [
      "feedback zone +99:99",
      RECORD_FEEDBACK,
      { ...feedback, occurred_at: "2026-06-30T10:00:00+99:99" },
      /zones run/,
    ],
    ["source __proto__", RECORD_FEEDBACK, { ...feedback, source: "__proto__" }],
    ["source constructor", RECORD_FEEDBACK, { ...feedback, source: "constructor" }],
    ["status hasOwnProperty", RECORD_FEEDBACK, { ...feedback, status: "hasOwnProperty" }],
    ["language __proto__", RECORD_FEEDBACK, { ...feedback, language: "__proto__" }],
  ];

  it.each(BAD)(
    "refuse %s with an isError result and leave every table as it was",
    async (_name, tool, args, reason) => {
      const before = await snapshotStore(mcp.store);
      const result = await mcp.call(tool, args);
      expect(result.isError, textOf(result).slice(0, 300)).toBe(true);
      if (reason) expect(textOf(result)).toMatch(reason);
      expect(await snapshotStore(mcp.store)).toEqual(before);
    },
  );

  it("keep tabs and line breaks in free text and store it exactly", async () => {
    const summary = "Agenda:\tprices\nNext:\tcall back\r\nOwner: 王芳";
    const result = await mcp.call(LOG_INTERACTION, {
      ...interaction,
      summary,
      outcome: "call back\nnext week",
    });
    expect(result.isError, textOf(result)).toBeFalsy();
    const out = logInteractionOutput.parse(result.structuredContent);
    const row = await mcp.store.db.get<{ summary: string; outcome: string }>(
      "SELECT summary, outcome FROM interactions WHERE id = ?",
      [out.interaction.id],
    );
    expect(row).toEqual({ summary, outcome: "call back\nnext week" });
  });

  it("take the edges of the rules: zones of +14:00 and -12:00, the first day of the window, scores 0 and 10", async () => {
    const east = await mcp.call(LOG_INTERACTION, {
      ...interaction,
      occurred_at: "2026-06-30T10:00:00+14:00",
    });
    expect(logInteractionOutput.parse(east.structuredContent).interaction.occurred_at).toBe(
      "2026-06-29T20:00:00Z",
    );
    const west = await mcp.call(LOG_INTERACTION, {
      ...interaction,
      occurred_at: "2026-06-29T10:00:00-12:00",
    });
    expect(logInteractionOutput.parse(west.structuredContent).interaction.occurred_at).toBe(
      "2026-06-29T22:00:00Z",
    );
    const first = await mcp.call(LOG_INTERACTION, { ...interaction, occurred_at: "1900-01-01" });
    expect(logInteractionOutput.parse(first.structuredContent).interaction.occurred_at).toBe(
      "1900-01-01T00:00:00Z",
    );
    for (const score of [SCORE_RANGE.min, SCORE_RANGE.max]) {
      const result = await mcp.call(RECORD_FEEDBACK, { ...feedback, source: "nps", score });
      expect(result.isError, textOf(result)).toBeFalsy();
      expect(recordFeedbackOutput.parse(result.structuredContent).feedback.score).toBe(score);
    }
  });

  it("quote the shared limits in their input descriptions", async () => {
    const { tools } = await mcp.client.listTools();
    const properties = (name: string) =>
      tools.find((tool) => tool.name === name)!.inputSchema.properties as Record<
        string,
        { description?: string }
      >;
    expect(properties(LOG_INTERACTION).summary.description).toContain(
      `1-${MAX_LENGTH.toolSummary} characters`,
    );
    expect(properties(LOG_INTERACTION).occurred_at.description).toContain("between -14:00 and +14:00");
    expect(properties(RECORD_FEEDBACK).text.description).toContain(
      `up to ${MAX_LENGTH.toolFeedbackText} characters`,
    );
  });
});
