import OpenAI from "openai";
import { afterEach, describe, expect, it } from "vitest";
import {
  estimateTokens,
  fromOpenAiMessage,
  modelInformation,
  ROLE,
  toOpenAiMessages,
  toOpenAiTools,
} from "../../extension/llm/openaiMessages.js";
import { startFakeOpenAi, type FakeOpenAi } from "../helpers/fakeOpenAi.js";

const text = (value: string) => ({ value });

describe("VS Code messages to OpenAI messages", () => {
  it("keeps user and assistant text in order", () => {
    expect(
      toOpenAiMessages([
        { role: ROLE.user, content: [text("Who is "), text("at risk?")] },
        { role: ROLE.assistant, content: [text("Noah White.")] },
      ]),
    ).toEqual([
      { role: "user", content: "Who is at risk?" },
      { role: "assistant", content: "Noah White." },
    ]);
  });

  it("turns tool calls into assistant tool_calls and tool results into tool messages right after them", () => {
    const messages = toOpenAiMessages([
      { role: ROLE.user, content: [text("Top 3?")] },
      {
        role: ROLE.assistant,
        content: [{ callId: "call_1", name: "find_at_risk_customers", input: { limit: 3 } }],
      },
      {
        role: ROLE.user,
        content: [{ callId: "call_1", content: [text('{"customers":[]}')] }, text("Thanks")],
      },
    ]);
    expect(messages).toEqual([
      { role: "user", content: "Top 3?" },
      {
        role: "assistant",
        content: null,
        tool_calls: [
          {
            id: "call_1",
            type: "function",
            function: { name: "find_at_risk_customers", arguments: '{"limit":3}' },
          },
        ],
      },
      { role: "tool", tool_call_id: "call_1", content: '{"customers":[]}' },
      { role: "user", content: "Thanks" },
    ]);
  });

  it("describes tools as OpenAI functions, with an empty object schema when none is given", () => {
    expect(toOpenAiTools(undefined)).toBeUndefined();
    expect(toOpenAiTools([{ name: "a", description: "does a" }])).toEqual([
      {
        type: "function",
        function: { name: "a", description: "does a", parameters: { type: "object", properties: {} } },
      },
    ]);
  });

  it("reads text and tool calls from a completion, and names bad tool arguments", () => {
    expect(
      fromOpenAiMessage({
        content: "Checking.",
        tool_calls: [{ id: "c1", function: { name: "get_customer", arguments: '{"customer_id":"C1"}' } }],
      }),
    ).toEqual([
      { kind: "text", value: "Checking." },
      { kind: "toolCall", callId: "c1", name: "get_customer", input: { customer_id: "C1" } },
    ]);
    expect(() =>
      fromOpenAiMessage({ tool_calls: [{ id: "c", function: { name: "x", arguments: "{" } }] }),
    ).toThrow(/x with arguments that are not JSON/);
  });

  it("lists one model per setting, with the endpoint's host as detail", () => {
    const info = modelInformation({
      baseUrl: "http://127.0.0.1:11434/v1",
      model: "llama3.1",
      maxInputTokens: 8000,
    });
    expect(info).toMatchObject({
      id: "llama3.1",
      name: "llama3.1",
      detail: "127.0.0.1:11434",
      maxInputTokens: 8000,
    });
    expect(info.capabilities.toolCalling).toBe(true);
    expect(estimateTokens("12345678")).toBe(2);
  });
});

describe("the conversion with the real openai client and a local OpenAI-compatible server", () => {
  let fake: FakeOpenAi | undefined;
  afterEach(async () => {
    await fake?.close();
  });

  it("sends converted messages and tools, and reads back a tool call and then text", async () => {
    fake = await startFakeOpenAi((_request, index) =>
      index === 0
        ? { toolCalls: [{ name: "find_at_risk_customers", arguments: { limit: 2 } }] }
        : { content: "Call Noah White first." },
    );
    const client = new OpenAI({ baseURL: fake.baseUrl, apiKey: "test-key", maxRetries: 0 });
    const history = [{ role: ROLE.user, content: [text("Who should I call?")] }];
    const first = await client.chat.completions.create({
      model: "m",
      messages: toOpenAiMessages(history) as OpenAI.Chat.ChatCompletionMessageParam[],
      tools: toOpenAiTools([
        { name: "find_at_risk_customers", description: "at risk" },
      ]) as OpenAI.Chat.ChatCompletionTool[],
    });
    const [call] = fromOpenAiMessage(first.choices[0]!.message);
    expect(call).toMatchObject({ kind: "toolCall", name: "find_at_risk_customers", input: { limit: 2 } });
    if (call?.kind !== "toolCall") throw new Error("expected a tool call");
    const second = await client.chat.completions.create({
      model: "m",
      messages: toOpenAiMessages([
        ...history,
        { role: ROLE.assistant, content: [{ callId: call.callId, name: call.name, input: call.input }] },
        {
          role: ROLE.user,
          content: [{ callId: call.callId, content: [text("Noah White, value at risk 868.30")] }],
        },
      ]) as OpenAI.Chat.ChatCompletionMessageParam[],
    });
    expect(fromOpenAiMessage(second.choices[0]!.message)).toEqual([
      { kind: "text", value: "Call Noah White first." },
    ]);
    expect(fake.requests[0]!.headers.authorization).toBe("Bearer test-key");
    expect(fake.requests[0]!.body.tools).toHaveLength(1);
    expect(fake.requests[1]!.body.messages.at(-1)).toEqual({
      role: "tool",
      tool_call_id: call.callId,
      content: "Noah White, value at risk 868.30",
    });
  });
});
