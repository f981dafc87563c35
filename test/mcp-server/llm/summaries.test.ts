import { afterAll, afterEach, beforeAll, describe, expect, it } from "vitest";
import type { SummariseFeedbackResult } from "../../../mcp-server/contract/summariseFeedback.js";
import { analyticsForPrompt } from "../../../mcp-server/llm/summaries.js";
import { summariseFeedback } from "../../../mcp-server/tools/summariseFeedback.js";
import { startFakeOpenAi, type FakeOpenAi, type FakeReply } from "../../helpers/fakeOpenAi.js";
import { createMcpHarness, DEMO_AS_OF, textOf, type McpHarness } from "../../helpers/mcpClient.js";
import { connectSession, fakeEndpoint, promptOf, type Session } from "./llmHarness.js";

let mcp: McpHarness;
let reference: SummariseFeedbackResult;
let referenceZh: SummariseFeedbackResult;
const opened: { fake: FakeOpenAi; session: Session }[] = [];

beforeAll(async () => {
  mcp = await createMcpHarness();
  reference = await summariseFeedback(mcp.deps, { as_of: DEMO_AS_OF });
  referenceZh = await summariseFeedback(mcp.deps, { as_of: DEMO_AS_OF, language: "zh" });
});
afterAll(() => mcp.close());
afterEach(async () => {
  for (const { fake, session } of opened.splice(0)) {
    await session.close();
    await fake.close();
  }
});

async function withFake(reply: (index: number) => FakeReply) {
  const fake = await startFakeOpenAi((_request, index) => reply(index));
  const session = await connectSession({ ...mcp.deps, llm: fakeEndpoint(fake) });
  opened.push({ fake, session });
  return { fake, session };
}

/** A narrative citing only the analytics' own numbers. */
function goodNarrative(result: SummariseFeedbackResult): string {
  const top = result.themes[0];
  return (
    `Between ${result.period.from} and ${result.period.to} customers left ${result.responses} pieces of feedback. ` +
    `NPS stands at ${Math.round(result.nps!.score)} from ${result.nps!.responses} answers. ` +
    `${top.label.en} is the most mentioned theme with ${top.count} items, and ${result.open_complaints.count} complaints are still open.`
  );
}

describe("summarise_feedback narrative from a language model", () => {
  it("uses a narrative whose every number is in the analytics, and keeps the analytics unchanged", async () => {
    const narrative = goodNarrative(reference);
    const { fake, session } = await withFake(() => ({ content: narrative }));
    const result = await session.summary();
    expect(result.generator).toBe("openai");
    expect(result.summary).toEqual({ language: "en", text: narrative });
    expect(result.grounding).toEqual({ passed: true, attempts: 1, problems: [] });
    expect(result.warnings).toEqual([]);
    const writerFields = { summary: null, generator: null, grounding: null, warnings: null };
    expect({ ...result, ...writerFields }).toEqual({ ...reference, ...writerFields });
    const prompt = promptOf(fake.requests[0]);
    expect(prompt.user).toContain(analyticsForPrompt(reference, "en"));
    expect(prompt.user).toContain(reference.summary.text);
    expect(prompt.system).toMatch(/Use only the numbers in the ANALYTICS/);

    const call = await session.call("summarise_feedback", { as_of: DEMO_AS_OF });
    expect(textOf(call)).toContain(narrative);
    expect(textOf(call)).toContain(
      "_Summary written by the OpenAI-compatible endpoint; every number checked against the analytics._",
    );
  });

  it("replaces a narrative citing a count that does not exist with the deterministic text, with a warning", async () => {
    const invented = goodNarrative(reference).replace(
      `left ${reference.responses} pieces`,
      `left ${reference.responses + 17} pieces`,
    );
    const { fake, session } = await withFake(() => ({ content: invented }));
    const result = await session.summary();
    expect(fake.requests).toHaveLength(2);
    expect(result.generator).toBe("template");
    expect(result.summary.text).toBe(reference.summary.text);
    expect(result.grounding).toMatchObject({ passed: false, attempts: 2 });
    expect(result.grounding!.problems).toContain(
      `the summary mentions the number ${reference.responses + 17}, which is not in the facts`,
    );
    expect(result.warnings).toEqual([
      expect.stringMatching(
        /'s summary failed the fact check twice \(.*\), so the deterministic template was used instead$/,
      ),
    ]);
    expect(promptOf(fake.requests[1]).user).toMatch(/That summary was rejected by our fact check/);
  });

  it("checks the language: a Chinese narrative for language zh passes, an English one does not", async () => {
    const chinese = `${referenceZh.period.from}至${referenceZh.period.to}共收到${referenceZh.responses}条反馈，目前有${referenceZh.open_complaints.count}个投诉尚未解决。`;
    const good = await withFake(() => ({ content: chinese }));
    const result = await good.session.summary({ language: "zh" });
    expect(result.generator).toBe("openai");
    expect(result.summary).toEqual({ language: "zh", text: chinese });

    const bad = await withFake(() => ({ content: goodNarrative(referenceZh) }));
    const rejected = await bad.session.summary({ language: "zh" });
    expect(rejected.generator).toBe("template");
    expect(rejected.summary.text).toBe(referenceZh.summary.text);
    expect(rejected.grounding!.problems).toContain(
      "the summary is written in English, but it must be in Chinese",
    );
  });

  it("falls back to the deterministic text when the endpoint fails", async () => {
    const { session } = await withFake(() => ({ status: 503, error: "overloaded" }));
    const result = await session.summary();
    expect(result.generator).toBe("template");
    expect(result.summary.text).toBe(reference.summary.text);
    expect(result.grounding).toBeNull();
    expect(result.warnings).toEqual([
      expect.stringMatching(/answered HTTP 503 \(overloaded\); falling back to the deterministic template$/),
    ]);
  });
});
