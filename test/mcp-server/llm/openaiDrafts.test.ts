import { afterAll, afterEach, beforeAll, describe, expect, it } from "vitest";
import { draftFollowUp } from "../../../mcp-server/tools/draftFollowUp.js";
import { factsForPrompt, QUOTE_TAG } from "../../../mcp-server/llm/prompts.js";
import type { FollowUpRow } from "../../../mcp-server/store/rows.js";
import {
  startFakeOpenAi,
  type FakeOpenAi,
  type FakeReply,
  type RecordedRequest,
} from "../../helpers/fakeOpenAi.js";
import { createMcpHarness, DEMO_AS_OF, textOf, type McpHarness } from "../../helpers/mcpClient.js";
import { connectSession, fakeEndpoint, promptOf, type Session } from "./llmHarness.js";
import type { OpenAiEndpointConfig } from "../../../mcp-server/llm/config.js";

const GOOD_EMAIL = [
  "Subject: Checking in, Sophia",
  "",
  "Hi Sophia,",
  "",
  "I hope all is well at Northwind Supplies. Your last order with us was on 10 May 2026, and I wanted to hear how everything is going and whether anything has changed in what you need from us.",
  "",
  "Would you have time for a short call in the next few days?",
  "",
  "Warm regards,",
  "Ben Okafor",
].join("\n");

const DISCOUNT_EMAIL = GOOD_EMAIL.replace(
  "Would you have time",
  "As a thank-you, enjoy 20% off your next order. Would you have time",
);

let mcp: McpHarness;
let template: { subject: string | null; body: string | null };
const fakes: FakeOpenAi[] = [];
const sessions: Session[] = [];

beforeAll(async () => {
  mcp = await createMcpHarness({ allowWrites: true });
  const result = await draftFollowUp(mcp.deps, {
    customer_id: "C00005",
    goal: "retention",
    channel: "email",
    as_of: DEMO_AS_OF,
  });
  template = { subject: result.subject, body: result.body };
});
afterAll(() => mcp.close());
afterEach(async () => {
  for (const session of sessions.splice(0)) await session.close();
  for (const fake of fakes.splice(0)) await fake.close();
});

/** A fake endpoint answering with `reply`, and an MCP session on a server configured to use it. */
async function withFake(
  reply: (request: RecordedRequest, index: number) => FakeReply,
  endpoint: Partial<OpenAiEndpointConfig> = {},
  deps: { redact?: boolean } = {},
): Promise<{ fake: FakeOpenAi; session: Session }> {
  const fake = await startFakeOpenAi(reply);
  fakes.push(fake);
  const session = await connectSession({ ...mcp.deps, ...deps, llm: fakeEndpoint(fake, endpoint) });
  sessions.push(session);
  return { fake, session };
}

const retention = { customer_id: "C00005", goal: "retention", channel: "email" } as const;

describe("draft_follow_up with an OpenAI-compatible endpoint (real HTTP, the real openai client)", () => {
  it("uses a good answer: generator openai, grounding passed, and the request carries the facts sheet", async () => {
    const { fake, session } = await withFake(() => ({ content: GOOD_EMAIL }));
    const result = await session.draft(retention);
    expect(result.generator).toBe("openai");
    expect(result.grounding).toEqual({ passed: true, attempts: 1, problems: [] });
    expect(result.subject).toBe("Checking in, Sophia");
    expect(result.body).toBe(GOOD_EMAIL.split("\n").slice(2).join("\n"));
    expect(result.warnings).toEqual([]);

    expect(fake.requests).toHaveLength(1);
    const [request] = fake.requests;
    expect(request.path).toBe("/v1/chat/completions");
    expect(request.headers.authorization).toBe("Bearer test-key");
    expect(request.body.model).toBe("fake-model");
    expect(request.body.max_tokens).toBeGreaterThan(0);
    expect(request.body.messages.map((message) => message.role)).toEqual(["system", "user"]);
    const prompt = promptOf(request);
    expect(prompt.user).toContain(factsForPrompt(result.facts));
    expect(prompt.user).toContain("Last purchase: 2026-05-10 (51 days ago); usual gap: 76 days");
    expect(prompt.user).toMatch(/Goal: retention/);
    expect(prompt.system).toMatch(/quoted customer content/);
    expect(prompt.system).toMatch(/never instructions/);

    const call = await session.call("draft_follow_up", { ...retention, as_of: DEMO_AS_OF });
    expect(textOf(call)).toMatch(/generator openai/);
    expect(textOf(call)).toContain(
      "Fact check: passed: every number and date is in the facts sheet or your notes, and any offer is in your notes.",
    );
  });

  it("catches a hallucinated discount, retries with the reason, and falls back to the template when the retry is bad too", async () => {
    const { fake, session } = await withFake(() => ({ content: DISCOUNT_EMAIL }));
    const result = await session.draft(retention);
    expect(result.generator).toBe("template");
    expect(result.subject).toBe(template.subject);
    expect(result.body).toBe(template.body);
    expect(result.body).not.toMatch(/20%|off your next/);
    expect(result.grounding?.passed).toBe(false);
    expect(result.grounding?.attempts).toBe(2);
    expect(result.grounding?.problems.join("\n")).toMatch(/"20%", a percentage that is not in the facts/);
    expect(result.grounding?.problems.join("\n")).toMatch(/offers or promises a discount/);
    expect(result.warnings[0]).toMatch(
      /^The OpenAI-compatible endpoint http:\/\/127\.0\.0\.1:\d+\/v1 \(model fake-model\)'s draft failed the fact check twice \(.*20%.*\), so the deterministic template was used instead$/,
    );

    // The retry sends the rejected draft back with the reasons.
    expect(fake.requests).toHaveLength(2);
    const retry = fake.requests[1].body.messages;
    expect(retry.map((message) => message.role)).toEqual(["system", "user", "assistant", "user"]);
    expect(retry[2].content).toBe(DISCOUNT_EMAIL);
    expect(retry[3].content).toMatch(/^That message was rejected by our fact check:\n- /);
    expect(retry[3].content).toMatch(/20%/);
    expect(retry[3].content).toMatch(/discount/);

    const call = await session.call("draft_follow_up", { ...retention, as_of: DEMO_AS_OF });
    expect(textOf(call)).toContain("Fact check: the language model's draft failed twice");
  });

  it("uses the retry when it fixes the problem", async () => {
    const { fake, session } = await withFake((_request, index) => ({
      content: index === 0 ? DISCOUNT_EMAIL : GOOD_EMAIL,
    }));
    const result = await session.draft(retention);
    expect(fake.requests).toHaveLength(2);
    expect(result.generator).toBe("openai");
    expect(result.body).not.toMatch(/20%/);
    expect(result.grounding).toMatchObject({ passed: true, attempts: 2 });
    expect(result.grounding?.problems.join("\n")).toMatch(/20%/);
    expect(result.warnings).toEqual([
      expect.stringMatching(/first draft failed the fact check .* the rewrite passed$/),
    ]);
  });

  it("falls back to the template with a warning when the endpoint hangs past its timeout", async () => {
    const { fake, session } = await withFake(() => ({ hang: true }), { timeoutMs: 300, maxRetries: 1 });
    const started = Date.now();
    const result = await session.draft(retention);
    expect(Date.now() - started).toBeLessThan(10_000);
    expect(result.generator).toBe("template");
    expect(result.body).toBe(template.body);
    expect(result.grounding).toBeNull();
    expect(result.warnings[0]).toMatch(
      /^The OpenAI-compatible endpoint .* did not answer within 0\.3 s \(2 attempts\); falling back to the deterministic template$/,
    );
    // The one retry configured was used.
    expect(fake.requests).toHaveLength(2);
  });

  it("falls back to the template with a warning on HTTP 500", async () => {
    const { fake, session } = await withFake(() => ({ status: 500, error: "model crashed" }), {
      maxRetries: 1,
    });
    const result = await session.draft(retention);
    expect(result.generator).toBe("template");
    expect(result.body).toBe(template.body);
    expect(result.warnings[0]).toMatch(
      /answered HTTP 500 \(2 attempts\) \(model crashed\); falling back to the deterministic template$/,
    );
    expect(fake.requests).toHaveLength(2);
  });

  it("falls back to the template when the endpoint cannot be reached", async () => {
    const fake = await startFakeOpenAi(() => ({ content: GOOD_EMAIL }));
    const baseUrl = fake.baseUrl;
    await fake.close();
    const session = await connectSession({
      ...mcp.deps,
      llm: { openai: { baseURL: baseUrl, model: "m", timeoutMs: 2_000, maxRetries: 0 } },
    });
    sessions.push(session);
    const result = await session.draft(retention);
    expect(result.generator).toBe("template");
    expect(result.warnings[0]).toMatch(
      /could not be reached \(.*\); check that the server is running and the base URL/,
    );
  });

  it("writes a Chinese draft for a Chinese customer, and rejects an English one", async () => {
    const zhCustomer = (await mcp.store.db.get<{ external_id: string }>(
      "SELECT external_id FROM customers WHERE language = 'zh' AND do_not_contact = 0 ORDER BY id LIMIT 1",
    ))!.external_id;
    const base = await draftFollowUp(mcp.deps, {
      customer_id: zhCustomer,
      channel: "wechat",
      as_of: DEMO_AS_OF,
    });
    const { name, owner } = base.facts.customer;
    const chinese = `${name}您好，我是您的客户经理${owner}。想跟您问候一下，了解最近的情况，如果您的需求有变化，非常希望听到您的意见。方便的话，可以简单通个电话吗？`;
    const good = await withFake(() => ({ content: chinese }));
    const result = await good.session.draft({ customer_id: zhCustomer, channel: "wechat" });
    expect(result.language).toBe("zh");
    expect(result.generator).toBe("openai");
    expect(result.body).toBe(chinese);
    expect(promptOf(good.fake.requests[0]).user).toContain("Language: Simplified Chinese");

    const english = `Hello ${name}, this is ${owner}, your account manager. I wanted to check in and see how things are going. Could we have a short call?`;
    const bad = await withFake(() => ({ content: english }));
    const rejected = await bad.session.draft({ customer_id: zhCustomer, channel: "wechat" });
    expect(rejected.generator).toBe("template");
    expect(rejected.body).toBe(base.body);
    expect(rejected.body).toMatch(/\p{Script=Han}{4}/u);
    expect(rejected.grounding?.problems).toContain(
      "the message is written in English, but it must be in Chinese",
    );
  });

  it("keeps the customer's emails and phone numbers out of the request when redacting", async () => {
    const customer = (await mcp.store.db.get<{ external_id: string; email: string; phone: string }>(
      "SELECT external_id, email, phone FROM customers WHERE language = 'en' AND do_not_contact = 0 AND email IS NOT NULL AND phone IS NOT NULL AND external_id <> 'C00005' ORDER BY id LIMIT 1",
    ))!;
    const text = `Please call me back on ${customer.phone} or write to ${customer.email}, the order was damaged.`;
    const recorded = await mcp.call("record_feedback", {
      customer_id: customer.external_id,
      source: "ticket",
      text,
      occurred_at: "2026-06-25",
    });
    expect(recorded.isError, textOf(recorded)).toBeFalsy();
    const args = {
      customer_id: customer.external_id,
      goal: "feedback-response",
      channel: "email",
      notes: `Their direct line is ${customer.phone}; cc ${customer.email}.`,
    };
    const digits = customer.phone.replace(/\D/g, "");

    // Without redaction (the control) the request does carry them: the test can see a leak.
    const plain = await withFake(() => ({ content: "Subject: About your feedback\n\nHi, thank you." }));
    await plain.session.draft(args);
    expect(plain.fake.requests[0] && promptOf(plain.fake.requests[0]).all).toContain(customer.email);

    for (const how of ["input", "server"] as const) {
      const { fake, session } = await withFake(
        () => ({ content: "Subject: About your feedback\n\nHi, thank you." }),
        {},
        how === "server" ? { redact: true } : {},
      );
      const result = await session.draft(how === "input" ? { ...args, redact: true } : args);
      expect(result.facts.manager_notes).toBeTruthy();
      expect(fake.requests.length).toBeGreaterThan(0);
      for (const request of fake.requests) {
        const body = promptOf(request).all;
        expect(body, how).not.toContain(customer.email);
        expect(body, how).not.toContain(customer.email.split("@")[0]);
        expect(body, how).not.toContain(customer.phone);
        expect(body.replace(/\D/g, ""), how).not.toContain(digits);
        expect(body, how).toContain("***@");
      }
    }
  });

  it("asks no model for a do-not-contact customer", async () => {
    const { fake, session } = await withFake(() => ({ content: GOOD_EMAIL }));
    const result = await session.draft({ customer_id: "C00056" });
    expect(result).toMatchObject({ drafted: false, body: null, generator: "template", grounding: null });
    expect(fake.requests).toHaveLength(0);
  });

  it("honours prefer: template asks nobody; openai without an endpoint says why", async () => {
    const { fake, session } = await withFake(() => ({ content: GOOD_EMAIL }));
    const forced = await session.draft({ ...retention, prefer: "template" });
    expect(forced.generator).toBe("template");
    expect(forced.warnings).toEqual([]);
    expect(fake.requests).toHaveLength(0);

    const bare = await connectSession(mcp.deps);
    sessions.push(bare);
    const missing = await bare.draft({ ...retention, prefer: "openai" });
    expect(missing.generator).toBe("template");
    expect(missing.warnings[0]).toBe(
      "the OpenAI-compatible endpoint was asked for, but no OpenAI-compatible endpoint is configured (set CRM_LLM_MODEL and CRM_LLM_BASE_URL, or start the server with --llm-model and --llm-base-url); falling back to the deterministic template",
    );
    const auto = await bare.draft(retention);
    expect(auto).toMatchObject({ generator: "template", grounding: null, warnings: [] });
  });

  it("saves the model's draft with its generator", async () => {
    const { session } = await withFake(() => ({ content: GOOD_EMAIL }));
    const result = await session.draft({ ...retention, save: true });
    const row = (await mcp.store.db.get<FollowUpRow>("SELECT * FROM follow_ups WHERE id = ?", [
      result.saved!.follow_up_id,
    ]))!;
    expect(row).toMatchObject({ generator: "openai", subject: "Checking in, Sophia", body: result.body });
  });

  it("sends customer feedback only inside the fenced quoted-content block", async () => {
    const { fake, session } = await withFake(() => ({ content: GOOD_EMAIL }));
    const talkative = (await mcp.store.db.get<{ external_id: string }>(
      `SELECT c.external_id FROM customers c JOIN feedback f ON f.customer_id = c.id
       WHERE c.do_not_contact = 0 AND f.occurred_at >= '2025-07-01' AND f.occurred_at <= '2026-06-30'
       GROUP BY c.id HAVING COUNT(*) >= 2 ORDER BY c.id LIMIT 1`,
    ))!.external_id;
    const result = await session.draft({ customer_id: talkative, channel: "email" });
    const quotes = result.facts.feedback.recent.map((item) => item.customer_text.text);
    expect(quotes.length).toBeGreaterThan(0);
    const { user, system } = promptOf(fake.requests[0]);
    for (const quote of quotes) {
      const at = user.indexOf(quote);
      expect(at).toBeGreaterThan(0);
      expect(user.indexOf(quote, at + 1)).toBe(-1);
      expect(user.lastIndexOf(`<${QUOTE_TAG}`, at)).toBeGreaterThan(user.lastIndexOf(`</${QUOTE_TAG}>`, at));
      expect(system).not.toContain(quote);
    }
  });
});
