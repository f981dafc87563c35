/**
 * The connected MCP client's own model, reached with `sampling/createMessage`: no key and no
 * configuration on our side; the client (VS Code, for one) picks the model and may ask the user
 * to approve the request. Used only when the client declares the `sampling` capability.
 */
import type { Server } from "@modelcontextprotocol/sdk/server/index.js";
import type { RequestOptions } from "@modelcontextprotocol/sdk/shared/protocol.js";
import {
  ErrorCode,
  McpError,
  type CreateMessageRequestParamsBase,
  type CreateMessageResult,
  type RequestId,
} from "@modelcontextprotocol/sdk/types.js";
import { DEFAULT_SAMPLING_TIMEOUT_MS } from "./config.js";
import { ModelError, seconds, type CompletionRequest, type TextModel } from "./models.js";

/** How tools reach the client of their MCP session (see `ServerDeps.sampling`). */
export interface SamplingAccess {
  /** True when the connected client declared the sampling capability. */
  available(): boolean;
  /** The client's name as it introduced itself, for messages. */
  clientName(): string | undefined;
  createMessage(
    params: CreateMessageRequestParamsBase,
    options?: RequestOptions,
  ): Promise<CreateMessageResult>;
}

/** Sampling through an SDK server connected to a client. */
export function samplingAccess(server: Server): SamplingAccess {
  return {
    available: () => Boolean(server.getClientCapabilities()?.sampling),
    clientName: () => server.getClientVersion()?.name,
    createMessage: (params, options) => server.createMessage(params, options),
  };
}

/**
 * `deps` with `sampling` reaching the client connected to `server`, unless it already has one.
 * Copied by property descriptor, not spread, so accessors (the HTTP session's `actor`) stay live.
 */
export function withSampling<T extends { sampling?: SamplingAccess }>(deps: T, server: Server): T {
  if (deps.sampling) return deps;
  return Object.defineProperties(
    {},
    {
      ...Object.getOwnPropertyDescriptors(deps),
      sampling: { value: samplingAccess(server), enumerable: true },
    },
  ) as T;
}

export interface SamplingCall {
  timeoutMs?: number;
  /**
   * The tool call this request belongs to: over Streamable HTTP the request then travels on that
   * call's response stream, which every client listens to.
   */
  relatedRequestId?: RequestId;
}

function describeSamplingFailure(error: unknown, timeoutMs: number): string {
  if (error instanceof McpError) {
    if (error.code === ErrorCode.RequestTimeout) return `did not answer within ${seconds(timeoutMs)}`;
    if (error.code === ErrorCode.ConnectionClosed) return "disconnected before answering";
    return `declined or failed the request (${error.message.replace(/^MCP error -?\d+:\s*/, "")})`;
  }
  if (error instanceof Error && error.name === "AbortError")
    return "was not waited for: the tool call was cancelled";
  return `failed (${error instanceof Error ? error.message : String(error)})`;
}

/** The client's model as a writer for drafts and summaries. */
export function samplingModel(access: SamplingAccess, call: SamplingCall = {}): TextModel {
  const timeoutMs = call.timeoutMs ?? DEFAULT_SAMPLING_TIMEOUT_MS;
  const name = access.clientName();
  return {
    generator: "sampling",
    label: `the MCP client's model${name ? ` (${name})` : ""}`,
    async complete(request: CompletionRequest): Promise<string> {
      let result: CreateMessageResult;
      try {
        result = await access.createMessage(
          {
            systemPrompt: request.system,
            messages: request.messages.map((message) => ({
              role: message.role,
              content: { type: "text", text: message.content },
            })),
            maxTokens: request.maxTokens,
            // The prompt carries every fact the model may use; nothing from other servers.
            includeContext: "none",
            modelPreferences: { intelligencePriority: 0.6, speedPriority: 0.4, costPriority: 0.3 },
          },
          { timeout: timeoutMs, signal: request.signal, relatedRequestId: call.relatedRequestId },
        );
      } catch (error) {
        throw new ModelError(describeSamplingFailure(error, timeoutMs));
      }
      const blocks: unknown[] = Array.isArray(result.content) ? result.content : [result.content];
      const text = blocks
        .filter(
          (block): block is { type: "text"; text: string } =>
            typeof block === "object" && block !== null && (block as { type?: unknown }).type === "text",
        )
        .map((block) => block.text)
        .join("\n");
      if (text.trim() === "") throw new ModelError("answered without any text");
      if (result.stopReason === "maxTokens") {
        throw new ModelError(`stopped at the ${request.maxTokens}-token limit before finishing`);
      }
      return text;
    },
  };
}
