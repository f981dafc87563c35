import { Client } from "@modelcontextprotocol/sdk/client/index.js";
import { InMemoryTransport } from "@modelcontextprotocol/sdk/inMemory.js";
import type { CallToolResult } from "@modelcontextprotocol/sdk/types.js";
import type OpenAI from "openai";
import type {
  ChatCompletionFunctionTool,
  ChatCompletionMessageParam,
  ChatCompletionMessageToolCall,
} from "openai/resources/chat/completions";
import { LOG_INTERACTION } from "../contract/logInteraction.js";
import { RECORD_FEEDBACK } from "../contract/recordFeedback.js";
import { createServer, SERVER_VERSION } from "../server/createServer.js";
import type { ServerDeps } from "../server/deps.js";
import type { OpenAiEndpointConfig } from "../llm/config.js";
import { openAiClient } from "../llm/openai.js";
import { describeAskFailure } from "./endpointErrors.js";
import { ANSWER_NOW, systemPrompt } from "./prompt.js";
import { DEFAULT_TOOL_RESULT_CHARS, toFunctionTool, toolResultForModel } from "./toolFunctions.js";

/** Model turns per question unless the caller says otherwise. */
export const DEFAULT_MAX_STEPS = 6;
/**
 * How long one model request may take at least. Longer than for drafts: every request carries
 * the tool list and the results so far, several thousand tokens that a local model on a laptop
 * can take a minute to read.
 */
export const MIN_ASK_TIMEOUT_MS = 120_000;

/**
 * Tools that only write. `crm ask` serves the tools read-only (allowWrites false), so these
 * would refuse every call; offering them would only spend the model's steps and tokens.
 */
const WRITE_ONLY_TOOLS: ReadonlySet<string> = new Set([LOG_INTERACTION, RECORD_FEEDBACK]);

/** One tool call the model made, as `crm ask` reports it. */
export interface AskToolCall {
  /** The model turn (1-based) that asked for it. */
  step: number;
  name: string;
  /** The parsed arguments, or the raw text when it was not a JSON object. */
  arguments: unknown;
  ok: boolean;
  /** What went wrong, for calls that failed (unknown tool, bad arguments, tool error). */
  error: string | null;
}

export interface AskResult {
  question: string;
  /** The model's answer; null when it was still calling tools at the step limit. */
  answer: string | null;
  finished: boolean;
  /** Model requests made. */
  steps: number;
  toolCalls: AskToolCall[];
  model: string;
  endpoint: string;
}

export interface AskOptions {
  question: string;
  /** The account manager asking: "my customers" are this owner's. */
  owner?: string | null;
  /** Most model requests (each may call tools); the last one is asked to answer. */
  maxSteps?: number;
  /** Today's date for the prompt, YYYY-MM-DD. */
  today: string;
  /** Characters of each tool result the model reads. */
  maxToolResultChars?: number;
  /** Called as each tool call finishes (for progress on a terminal). */
  onToolCall?: (call: AskToolCall) => void;
}

/** What the loop needs from the model endpoint and the MCP server. */
export interface AskSession {
  openai: OpenAI;
  model: string;
  endpoint: string;
  mcp: Client;
}

function parseArguments(
  raw: unknown,
): { ok: true; value: Record<string, unknown> } | { ok: false; error: string } {
  // Some OpenAI-compatible servers send the arguments as an object instead of JSON text.
  let value: unknown = raw;
  if (typeof raw === "string") {
    if (raw.trim() === "") return { ok: true, value: {} };
    try {
      value = JSON.parse(raw);
    } catch (error) {
      return { ok: false, error: `the arguments are not valid JSON (${(error as Error).message})` };
    }
  }
  if (value === null || value === undefined) return { ok: true, value: {} };
  if (typeof value !== "object" || Array.isArray(value)) {
    return { ok: false, error: "the arguments must be a JSON object of named parameters" };
  }
  return { ok: true, value: value as Record<string, unknown> };
}

function errorText(result: CallToolResult): string {
  const text = result.content
    .filter((block) => block.type === "text")
    .map((block) => block.text)
    .join(" ")
    .trim();
  return text || "the tool failed without a message";
}

/**
 * Runs one tool call for the model. Every failure (unknown tool, unreadable arguments, a tool
 * error, a protocol fault) goes back to the model as the tool's answer, so it can correct
 * itself; none of them ends the conversation.
 */
async function runToolCall(
  session: AskSession,
  offered: ReadonlySet<string>,
  call: ChatCompletionMessageToolCall,
  step: number,
  maxChars: number,
): Promise<{ record: AskToolCall; content: string }> {
  if (call.type !== "function") {
    const error = `only function tools exist here; call one of: ${[...offered].join(", ")}`;
    return {
      record: { step, name: call.custom.name, arguments: call.custom.input, ok: false, error },
      content: `Error: ${error}`,
    };
  }
  const name = call.function.name;
  const parsed = parseArguments(call.function.arguments as unknown);
  const fail = (error: string, args: unknown) => ({
    record: { step, name, arguments: args, ok: false, error },
    content: `Error: ${error}`,
  });
  if (!offered.has(name)) {
    return fail(
      `there is no tool named ${JSON.stringify(name)}; the tools are: ${[...offered].join(", ")}`,
      parsed.ok ? parsed.value : call.function.arguments,
    );
  }
  if (!parsed.ok) return fail(parsed.error, call.function.arguments);
  let result: CallToolResult;
  try {
    result = (await session.mcp.callTool({ name, arguments: parsed.value })) as CallToolResult;
  } catch (error) {
    return fail(error instanceof Error ? error.message : String(error), parsed.value);
  }
  if (result.isError) return fail(errorText(result), parsed.value);
  return {
    record: { step, name, arguments: parsed.value, ok: true, error: null },
    content: toolResultForModel(result, maxChars),
  };
}

/**
 * The `crm ask` conversation: the model sees the CRM tools as functions, the loop runs the
 * calls it asks for through the MCP client and feeds the results back, until the model answers
 * or `maxSteps` model requests have been made. The last request is made with tools switched
 * off (`tool_choice: "none"`) and a note to answer, so the user gets an answer from what was
 * gathered rather than nothing.
 */
export async function runAsk(session: AskSession, options: AskOptions): Promise<AskResult> {
  const maxSteps = Math.max(1, options.maxSteps ?? DEFAULT_MAX_STEPS);
  const maxChars = options.maxToolResultChars ?? DEFAULT_TOOL_RESULT_CHARS;
  const { tools: listed } = await session.mcp.listTools();
  const tools: ChatCompletionFunctionTool[] = listed
    .filter((tool) => !WRITE_ONLY_TOOLS.has(tool.name))
    .map(toFunctionTool);
  const offered = new Set(tools.map((tool) => tool.function.name));

  const messages: ChatCompletionMessageParam[] = [
    { role: "system", content: systemPrompt({ today: options.today, owner: options.owner ?? null }) },
    { role: "user", content: options.question },
  ];
  const toolCalls: AskToolCall[] = [];
  const result = (answer: string | null, steps: number): AskResult => ({
    question: options.question,
    answer,
    finished: answer !== null,
    steps,
    toolCalls,
    model: session.model,
    endpoint: session.endpoint,
  });

  for (let step = 1; step <= maxSteps; step++) {
    const last = step === maxSteps;
    if (last && step > 1) messages.push({ role: "system", content: ANSWER_NOW });
    const completion = await session.openai.chat.completions.create({
      model: session.model,
      messages,
      tools,
      tool_choice: last ? "none" : "auto",
    });
    const message = completion.choices[0]?.message;
    if (!message) return result("", step);
    const calls = message.tool_calls ?? [];
    if (calls.length === 0) return result(message.content ?? "", step);
    // A model that ignores tool_choice "none" on the last turn gets no more tool runs.
    if (last) return result(null, step);

    messages.push({ role: "assistant", content: message.content ?? null, tool_calls: calls });
    for (const call of calls) {
      const { record, content } = await runToolCall(session, offered, call, step, maxChars);
      toolCalls.push(record);
      options.onToolCall?.(record);
      messages.push({ role: "tool", tool_call_id: call.id, content });
    }
  }
  return result(null, maxSteps);
}

/**
 * Asks a question over the CRM tools in this process: an MCP server on `deps` (which should be
 * read-only) linked in memory to an SDK client, and the configured model. Endpoint failures
 * come back as `AssistantError`s with a message saying what to check.
 */
export async function askInProcess(
  deps: ServerDeps,
  endpoint: OpenAiEndpointConfig,
  options: AskOptions,
): Promise<AskResult> {
  const server = createServer(deps);
  const mcp = new Client({ name: "crm-ask", version: SERVER_VERSION });
  const [clientTransport, serverTransport] = InMemoryTransport.createLinkedPair();
  await Promise.all([server.connect(serverTransport), mcp.connect(clientTransport)]);
  try {
    return await runAsk(
      { openai: openAiClient(endpoint), model: endpoint.model, endpoint: endpoint.baseURL, mcp },
      options,
    );
  } catch (error) {
    throw describeAskFailure(error, endpoint);
  } finally {
    await mcp.close().catch(() => undefined);
    await server.close().catch(() => undefined);
  }
}

/**
 * The endpoint as `crm ask` uses it: the configured one with at least `MIN_ASK_TIMEOUT_MS` per
 * request, or exactly `timeoutMs` when the user gave one.
 */
export function askEndpoint(endpoint: OpenAiEndpointConfig, timeoutMs?: number): OpenAiEndpointConfig {
  return {
    ...endpoint,
    timeoutMs: timeoutMs ?? Math.max(endpoint.timeoutMs ?? 0, MIN_ASK_TIMEOUT_MS),
  };
}
