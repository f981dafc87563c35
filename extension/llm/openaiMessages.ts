/**
 * Conversion between VS Code's language-model messages and OpenAI chat-completions messages.
 * Plain data in and out (VS Code's part classes are recognised by shape), so it is tested
 * without VS Code.
 */

/** `vscode.LanguageModelChatMessageRole` values. */
export const ROLE = { user: 1, assistant: 2 } as const;

/** `vscode.LanguageModelChatToolMode` values. */
export const TOOL_MODE = { auto: 1, required: 2 } as const;

export interface TextPartLike {
  value: string;
}
export interface ToolCallPartLike {
  callId: string;
  name: string;
  input: object;
}
export interface ToolResultPartLike {
  callId: string;
  content: readonly unknown[];
}

export interface RequestMessageLike {
  role: number;
  content: readonly unknown[];
  name?: string | undefined;
}

export interface ToolLike {
  name: string;
  description: string;
  inputSchema?: object | undefined;
}

export type OpenAiMessage =
  | { role: "system"; content: string }
  | { role: "user"; content: string; name?: string }
  | {
      role: "assistant";
      content: string | null;
      tool_calls?: { id: string; type: "function"; function: { name: string; arguments: string } }[];
    }
  | { role: "tool"; tool_call_id: string; content: string };

export interface OpenAiTool {
  type: "function";
  function: { name: string; description: string; parameters: object };
}

export function isTextPart(part: unknown): part is TextPartLike {
  return typeof part === "object" && part !== null && typeof (part as TextPartLike).value === "string";
}

export function isToolCallPart(part: unknown): part is ToolCallPartLike {
  return (
    typeof part === "object" &&
    part !== null &&
    typeof (part as ToolCallPartLike).callId === "string" &&
    typeof (part as ToolCallPartLike).name === "string" &&
    "input" in part
  );
}

export function isToolResultPart(part: unknown): part is ToolResultPartLike {
  return (
    typeof part === "object" &&
    part !== null &&
    typeof (part as ToolResultPartLike).callId === "string" &&
    Array.isArray((part as ToolResultPartLike).content)
  );
}

/** The text of a tool result's parts (text parts joined; anything else as JSON). */
export function toolResultText(content: readonly unknown[]): string {
  return content.map((part) => (isTextPart(part) ? part.value : JSON.stringify(part))).join("\n");
}

/**
 * VS Code messages → OpenAI messages. Tool results (which VS Code carries in user messages)
 * become `tool` messages placed right after the assistant's tool calls, as OpenAI requires.
 */
export function toOpenAiMessages(messages: readonly RequestMessageLike[]): OpenAiMessage[] {
  const converted: OpenAiMessage[] = [];
  for (const message of messages) {
    const text = message.content
      .filter(isTextPart)
      .map((part) => part.value)
      .join("");
    if (message.role === ROLE.assistant) {
      const calls = message.content.filter(isToolCallPart);
      converted.push({
        role: "assistant",
        content: text === "" && calls.length > 0 ? null : text,
        ...(calls.length > 0
          ? {
              tool_calls: calls.map((call) => ({
                id: call.callId,
                type: "function" as const,
                function: { name: call.name, arguments: JSON.stringify(call.input ?? {}) },
              })),
            }
          : {}),
      });
      continue;
    }
    for (const result of message.content.filter(isToolResultPart)) {
      converted.push({ role: "tool", tool_call_id: result.callId, content: toolResultText(result.content) });
    }
    if (text !== "") {
      converted.push({ role: "user", content: text, ...(message.name ? { name: message.name } : {}) });
    }
  }
  return converted;
}

/** VS Code tools → OpenAI function tools. */
export function toOpenAiTools(tools: readonly ToolLike[] | undefined): OpenAiTool[] | undefined {
  if (!tools || tools.length === 0) return undefined;
  return tools.map((tool) => ({
    type: "function",
    function: {
      name: tool.name,
      description: tool.description,
      parameters: tool.inputSchema ?? { type: "object", properties: {} },
    },
  }));
}

/** The response parts of one OpenAI completion message, in order: text, then tool calls. */
export type ResponsePart =
  { kind: "text"; value: string } | { kind: "toolCall"; callId: string; name: string; input: object };

export function fromOpenAiMessage(message: {
  content?: string | null;
  tool_calls?:
    readonly { id: string; type?: string; function?: { name: string; arguments: string } }[] | null;
}): ResponsePart[] {
  const parts: ResponsePart[] = [];
  if (message.content) parts.push({ kind: "text", value: message.content });
  for (const call of message.tool_calls ?? []) {
    if (!call.function) continue;
    let input: object = {};
    try {
      const parsed: unknown = JSON.parse(call.function.arguments || "{}");
      if (typeof parsed === "object" && parsed !== null) input = parsed;
    } catch {
      throw new Error(
        `the model called ${call.function.name} with arguments that are not JSON: ${call.function.arguments.slice(0, 200)}`,
      );
    }
    parts.push({ kind: "toolCall", callId: call.id, name: call.function.name, input });
  }
  return parts;
}

/** A rough token count (about four characters a token), for VS Code's context budgeting. */
export function estimateTokens(text: string): number {
  return Math.ceil(text.length / 4);
}

/** The model VS Code lists for the settings: one model per endpoint and name. */
export function modelInformation(settings: { baseUrl: string; model: string; maxInputTokens: number }) {
  let host = settings.baseUrl;
  try {
    host = new URL(settings.baseUrl).host;
  } catch {
    // shown as given
  }
  return {
    id: settings.model,
    name: settings.model,
    family: settings.model,
    version: "1",
    detail: host,
    tooltip: `${settings.model} at ${settings.baseUrl} (CRM Assistant, OpenAI-compatible)`,
    maxInputTokens: settings.maxInputTokens,
    maxOutputTokens: 4096,
    capabilities: { toolCalling: true, imageInput: false },
    // Newer VS Code versions list only user-selectable models in the chat's model picker.
    isUserSelectable: true,
  };
}
