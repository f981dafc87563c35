import { createServer, type IncomingMessage, type Server, type ServerResponse } from "node:http";
import type { AddressInfo } from "node:net";

/** A chat-completions request as the fake server received it. */
export interface RecordedRequest {
  path: string;
  headers: IncomingMessage["headers"];
  body: {
    model: string;
    messages: { role: string; content: unknown; tool_calls?: unknown; tool_call_id?: string }[];
    tools?: unknown[];
    [key: string]: unknown;
  };
}

/** What the fake answers to one request: a reply, a tool call, an HTTP error, or a stall. */
export type FakeReply =
  | { content: string }
  | { toolCalls: { name: string; arguments: Record<string, unknown> }[] }
  | { status: number; error?: string }
  | { hang: true };

export interface FakeOpenAi {
  /** Base URL to give the `openai` client, e.g. http://127.0.0.1:PORT/v1 */
  baseUrl: string;
  requests: RecordedRequest[];
  close(): Promise<void>;
}

export interface FakeOpenAiOptions {
  /**
   * Route requests whose path ends with /chat/completions before a query string too, as Azure
   * OpenAI's deployment API sends them (`.../chat/completions?api-version=...`). The recorded
   * path keeps the query. Default false.
   */
  acceptQuery?: boolean;
}

/**
 * A local OpenAI-compatible chat-completions server on 127.0.0.1 for tests: real HTTP, so the
 * real `openai` client is exercised. `reply` decides each answer from the request and its index.
 */
export async function startFakeOpenAi(
  reply: (request: RecordedRequest, index: number) => FakeReply,
  options: FakeOpenAiOptions = {},
): Promise<FakeOpenAi> {
  const requests: RecordedRequest[] = [];
  const open = new Set<ServerResponse>();
  const server: Server = createServer((req, res) => {
    const chunks: Buffer[] = [];
    req.on("data", (chunk: Buffer) => chunks.push(chunk));
    req.on("end", () => {
      const route = options.acceptQuery ? req.url?.split("?")[0] : req.url;
      if (req.method !== "POST" || !req.url || !route?.endsWith("/chat/completions")) {
        res.writeHead(404, { "content-type": "application/json" });
        res.end(JSON.stringify({ error: { message: `no route ${req.method} ${req.url}` } }));
        return;
      }
      const recorded: RecordedRequest = {
        path: req.url,
        headers: req.headers,
        body: JSON.parse(Buffer.concat(chunks).toString("utf8")),
      };
      requests.push(recorded);
      const answer = reply(recorded, requests.length - 1);
      if ("hang" in answer) {
        open.add(res);
        return;
      }
      if ("status" in answer) {
        res.writeHead(answer.status, { "content-type": "application/json" });
        res.end(JSON.stringify({ error: { message: answer.error ?? "fake failure", type: "server_error" } }));
        return;
      }
      const message =
        "content" in answer
          ? { role: "assistant", content: answer.content }
          : {
              role: "assistant",
              content: null,
              tool_calls: answer.toolCalls.map((call, index) => ({
                id: `call_${requests.length}_${index}`,
                type: "function",
                function: { name: call.name, arguments: JSON.stringify(call.arguments) },
              })),
            };
      res.writeHead(200, { "content-type": "application/json" });
      res.end(
        JSON.stringify({
          id: `chatcmpl-${requests.length}`,
          object: "chat.completion",
          created: 1_700_000_000,
          model: recorded.body.model,
          choices: [{ index: 0, message, finish_reason: "content" in answer ? "stop" : "tool_calls" }],
          usage: { prompt_tokens: 1, completion_tokens: 1, total_tokens: 2 },
        }),
      );
    });
  });
  await new Promise<void>((resolve) => server.listen(0, "127.0.0.1", resolve));
  const { port } = server.address() as AddressInfo;
  return {
    baseUrl: `http://127.0.0.1:${port}/v1`,
    requests,
    async close() {
      for (const res of open) res.destroy();
      server.closeAllConnections();
      await new Promise<void>((resolve) => server.close(() => resolve()));
    },
  };
}
