import { Client } from "@modelcontextprotocol/sdk/client/index.js";
import { InMemoryTransport } from "@modelcontextprotocol/sdk/inMemory.js";
import {
  CreateMessageRequestSchema,
  type CallToolResult,
  type CreateMessageRequest,
  type CreateMessageResult,
  type JSONRPCMessage,
} from "@modelcontextprotocol/sdk/types.js";
import { expect } from "vitest";
import {
  DRAFT_FOLLOW_UP,
  draftFollowUpOutput,
  type DraftFollowUpResult,
} from "../../../mcp-server/contract/draftFollowUp.js";
import {
  SUMMARISE_FEEDBACK,
  summariseFeedbackOutput,
  type SummariseFeedbackResult,
} from "../../../mcp-server/contract/summariseFeedback.js";
import type { LlmConfig, OpenAiEndpointConfig } from "../../../mcp-server/llm/config.js";
import { createServer } from "../../../mcp-server/server/createServer.js";
import type { ServerDeps } from "../../../mcp-server/server/deps.js";
import type { FakeOpenAi, RecordedRequest } from "../../helpers/fakeOpenAi.js";
import { DEMO_AS_OF, textOf } from "../../helpers/mcpClient.js";

export type SamplingHandler = (
  request: CreateMessageRequest,
) => CreateMessageResult | Promise<CreateMessageResult>;

/** One MCP client session on a server over `deps`; `received` is every message the client got. */
export interface Session {
  client: Client;
  received: JSONRPCMessage[];
  call(name: string, args?: Record<string, unknown>): Promise<CallToolResult>;
  draft(args: Record<string, unknown>): Promise<DraftFollowUpResult>;
  summary(args?: Record<string, unknown>): Promise<SummariseFeedbackResult>;
  close(): Promise<void>;
}

/**
 * Connects a new SDK client to a new server over the same deps (and store). With `sampling`, the
 * client declares the sampling capability and answers `sampling/createMessage` with it.
 */
export async function connectSession(
  deps: ServerDeps,
  options: { sampling?: SamplingHandler; name?: string } = {},
): Promise<Session> {
  const server = createServer(deps);
  const client = new Client(
    { name: options.name ?? "crm-llm-test", version: "1.0.0" },
    { capabilities: options.sampling ? { sampling: {} } : {} },
  );
  if (options.sampling) {
    const handler = options.sampling;
    client.setRequestHandler(CreateMessageRequestSchema, (request) => handler(request));
  }
  const [clientTransport, serverTransport] = InMemoryTransport.createLinkedPair();
  await Promise.all([server.connect(serverTransport), client.connect(clientTransport)]);
  const received: JSONRPCMessage[] = [];
  const deliver = clientTransport.onmessage!;
  clientTransport.onmessage = (message, extra) => {
    received.push(message);
    deliver(message, extra);
  };
  const call = (name: string, args: Record<string, unknown> = {}) =>
    client.callTool({ name, arguments: args }) as Promise<CallToolResult>;
  return {
    client,
    received,
    call,
    async draft(args) {
      const result = await call(DRAFT_FOLLOW_UP, { as_of: DEMO_AS_OF, ...args });
      expect(result.isError, textOf(result)).toBeFalsy();
      return draftFollowUpOutput.parse(result.structuredContent);
    },
    async summary(args = {}) {
      const result = await call(SUMMARISE_FEEDBACK, { as_of: DEMO_AS_OF, ...args });
      expect(result.isError, textOf(result)).toBeFalsy();
      return summariseFeedbackOutput.parse(result.structuredContent);
    },
    async close() {
      await client.close();
      await server.close();
    },
  };
}

/** An LLM configuration pointing at the fake endpoint, with short test timeouts. */
export function fakeEndpoint(fake: FakeOpenAi, overrides: Partial<OpenAiEndpointConfig> = {}): LlmConfig {
  return {
    openai: {
      baseURL: fake.baseUrl,
      model: "fake-model",
      apiKey: "test-key",
      timeoutMs: 5_000,
      maxRetries: 0,
      ...overrides,
    },
  };
}

/** The system prompt and the messages after it, as the fake received them. */
export function promptOf(request: RecordedRequest): { system: string; user: string; all: string } {
  const messages = request.body.messages;
  const text = (content: unknown) => (typeof content === "string" ? content : JSON.stringify(content));
  const system = messages
    .filter((message) => message.role === "system")
    .map((m) => text(m.content))
    .join("\n");
  const user = messages
    .filter((message) => message.role === "user")
    .map((m) => text(m.content))
    .join("\n");
  return { system, user, all: JSON.stringify(request.body) };
}
