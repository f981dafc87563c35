import { Client } from "@modelcontextprotocol/sdk/client/index.js";
import { StreamableHTTPClientTransport } from "@modelcontextprotocol/sdk/client/streamableHttp.js";
import {
  CreateMessageRequestSchema,
  type CreateMessageRequest,
  type CreateMessageResult,
} from "@modelcontextprotocol/sdk/types.js";
import { afterAll, afterEach, beforeAll, describe, expect, it } from "vitest";
import { factsForPrompt } from "../../../mcp-server/llm/prompts.js";
import { startHttpServer } from "../../../mcp-server/server/http.js";
import { startFakeOpenAi, type FakeOpenAi } from "../../helpers/fakeOpenAi.js";
import { createMcpHarness, type McpHarness } from "../../helpers/mcpClient.js";
import { connectSession, fakeEndpoint, type Session } from "./llmHarness.js";

const GOOD_EMAIL = [
  "Subject: Checking in, Sophia",
  "",
  "Hi Sophia,",
  "",
  "I hope all is well at Northwind Supplies. I wanted to see how things are going since your last order on 10 May 2026.",
  "",
  "Would you have time for a quick call?",
  "",
  "Warm regards,",
  "Ben Okafor",
].join("\n");

function answer(text: string): CreateMessageResult {
  return { role: "assistant", model: "client-model", content: { type: "text", text }, stopReason: "endTurn" };
}

let mcp: McpHarness;
let fake: FakeOpenAi;
const sessions: Session[] = [];

beforeAll(async () => {
  mcp = await createMcpHarness();
  fake = await startFakeOpenAi(() => ({ content: GOOD_EMAIL.replace("quick call", "short call") }));
});
afterAll(async () => {
  await fake.close();
  await mcp.close();
});
afterEach(async () => {
  for (const session of sessions.splice(0)) await session.close();
  fake.requests.length = 0;
});

async function session(...args: Parameters<typeof connectSession>): Promise<Session> {
  const opened = await connectSession(...args);
  sessions.push(opened);
  return opened;
}

const retention = { customer_id: "C00005", goal: "retention", channel: "email" } as const;

describe("draft_follow_up through MCP sampling", () => {
  it("asks the client's model when the client declares sampling, with the facts sheet, a system prompt and maxTokens", async () => {
    const seen: CreateMessageRequest[] = [];
    const client = await session(mcp.deps, {
      name: "sampling-client",
      sampling: (request) => {
        seen.push(request);
        return answer(GOOD_EMAIL);
      },
    });
    const result = await client.draft(retention);
    expect(result.generator).toBe("sampling");
    expect(result.grounding).toEqual({ passed: true, attempts: 1, problems: [] });
    expect(result.subject).toBe("Checking in, Sophia");
    expect(result.body).toContain("since your last order on 10 May 2026");

    expect(seen).toHaveLength(1);
    const params = seen[0].params;
    expect(params.maxTokens).toBeGreaterThan(0);
    expect(params.includeContext).toBe("none");
    expect(params.systemPrompt).toMatch(/quoted customer content/);
    expect(params.messages).toHaveLength(1);
    const content = params.messages[0].content as { type: string; text: string };
    expect(content.type).toBe("text");
    expect(content.text).toContain(factsForPrompt(result.facts));
    expect(content.text).toContain("Last purchase: 2026-05-10 (51 days ago)");
  });

  it("prefers the client's model over a configured endpoint, and falls back to the endpoint when the client fails", async () => {
    let calls = 0;
    const both = await session(
      { ...mcp.deps, llm: fakeEndpoint(fake) },
      {
        sampling: () => {
          calls++;
          return answer(GOOD_EMAIL);
        },
      },
    );
    expect((await both.draft(retention)).generator).toBe("sampling");
    expect(fake.requests).toHaveLength(0);

    const forced = await both.draft({ ...retention, prefer: "openai" });
    expect(forced.generator).toBe("openai");
    expect(calls).toBe(1);

    const declining = await session(
      { ...mcp.deps, llm: fakeEndpoint(fake) },
      {
        name: "declining-client",
        sampling: () => {
          throw new Error("the user declined the sampling request");
        },
      },
    );
    const result = await declining.draft(retention);
    expect(result.generator).toBe("openai");
    expect(result.warnings[0]).toMatch(
      /^The MCP client's model \(declining-client\) declined or failed the request \(.*the user declined the sampling request\); falling back to the OpenAI-compatible endpoint http:\/\/127\.0\.0\.1:\d+\/v1 \(model fake-model\)$/,
    );
  });

  it("grounds the client's model too: a discount is retried through sampling, then replaced by the template", async () => {
    const seen: CreateMessageRequest[] = [];
    const client = await session(mcp.deps, {
      sampling: (request) => {
        seen.push(request);
        return answer(GOOD_EMAIL.replace("Would you", "Enjoy a free delivery on us. Would you"));
      },
    });
    const result = await client.draft(retention);
    expect(result.generator).toBe("template");
    expect(result.body).not.toMatch(/free/i);
    expect(result.grounding).toMatchObject({ passed: false, attempts: 2 });
    expect(seen).toHaveLength(2);
    expect(seen[1].params.messages.map((message) => message.role)).toEqual(["user", "assistant", "user"]);
    expect((seen[1].params.messages[2].content as { text: string }).text).toMatch(/something free/);
  });

  it("never asks a client without the sampling capability", async () => {
    const plain = await session({ ...mcp.deps, llm: fakeEndpoint(fake) });
    const viaEndpoint = await plain.draft(retention);
    expect(viaEndpoint.generator).toBe("openai");
    const bare = await session(mcp.deps);
    const viaTemplate = await bare.draft(retention);
    expect(viaTemplate.generator).toBe("template");
    expect(viaTemplate.warnings).toEqual([]);
    const forced = await bare.draft({ ...retention, prefer: "sampling" });
    expect(forced.generator).toBe("template");
    expect(forced.warnings[0]).toBe(
      "sampling was asked for, but the connected MCP client (crm-llm-test) does not offer it (it did not declare the sampling capability); falling back to the deterministic template",
    );
    for (const client of [plain, bare]) {
      const requests = client.received.filter((message) => "method" in message);
      expect(requests.map((message) => ("method" in message ? message.method : ""))).not.toContain(
        "sampling/createMessage",
      );
    }
  });

  it("writes the feedback summary with the client's model", async () => {
    const reference = await (await session(mcp.deps)).summary();
    const narrative = `Over the last ${reference.period.days} days customers left ${reference.responses} pieces of feedback, and ${reference.open_complaints.count} complaints are still open.`;
    const seen: CreateMessageRequest[] = [];
    const client = await session(mcp.deps, {
      sampling: (request) => {
        seen.push(request);
        return answer(narrative);
      },
    });
    const result = await client.summary();
    expect(result.generator).toBe("sampling");
    expect(result.summary.text).toBe(narrative);
    expect((seen[0].params.messages[0].content as { text: string }).text).toContain(
      `Feedback items: ${reference.responses}`,
    );
  });
});

describe("sampling over Streamable HTTP", () => {
  it("reaches a client that answers sampling, with the request tied to the tool call", async () => {
    const { startHttpServer } = await import("../../../mcp-server/server/http.js");
    const { StreamableHTTPClientTransport } =
      await import("@modelcontextprotocol/sdk/client/streamableHttp.js");
    const { Client } = await import("@modelcontextprotocol/sdk/client/index.js");
    const { CreateMessageRequestSchema } = await import("@modelcontextprotocol/sdk/types.js");
    const handle = await startHttpServer(mcp.deps, {
      host: "127.0.0.1",
      port: 0,
      auth: false,
      log: () => {},
    });
    const client = new Client({ name: "http-sampler", version: "1.0.0" }, { capabilities: { sampling: {} } });
    let asked = 0;
    client.setRequestHandler(CreateMessageRequestSchema, () => {
      asked++;
      return answer(GOOD_EMAIL);
    });
    try {
      await client.connect(new StreamableHTTPClientTransport(new URL(handle.url)));
      const result = await client.callTool({
        name: "draft_follow_up",
        arguments: { ...retention, as_of: "2026-06-30" },
      });
      expect(result.isError).toBeFalsy();
      expect(result.structuredContent).toMatchObject({
        generator: "sampling",
        subject: "Checking in, Sophia",
      });
      expect(asked).toBe(1);
    } finally {
      await client.close();
      await handle.close();
    }
  });
});
