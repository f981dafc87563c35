import type { CallToolResult, Tool } from "@modelcontextprotocol/sdk/types.js";
import type { ChatCompletionFunctionTool } from "openai/resources/chat/completions";

/** Characters of one tool result the model sees by default (about 2,000 tokens). */
export const DEFAULT_TOOL_RESULT_CHARS = 8_000;

/**
 * An MCP tool as an OpenAI function definition. The input schema is already JSON Schema (the
 * SDK converts the zod shapes); only the `$schema` marker goes, since some OpenAI-compatible
 * servers reject keys they do not know at the top of `parameters`. `strict` stays off: strict
 * mode would need every property required, and most tool inputs are optional filters.
 */
export function toFunctionTool(tool: Tool): ChatCompletionFunctionTool {
  const { $schema: _schema, ...schema } = tool.inputSchema as Record<string, unknown>;
  const parameters = { ...schema, type: "object", properties: schema.properties ?? {} };
  const description = tool.description ?? tool.title ?? tool.name;
  return { type: "function", function: { name: tool.name, description, parameters } };
}

/**
 * Cuts text to at most `max` characters at a line break where there is one, and says what was
 * left out and how to get less, so the model neither mistakes a cut table for the whole nor
 * repeats the same call.
 */
export function truncateForModel(text: string, max: number): string {
  if (text.length <= max) return text;
  const notice = (dropped: number) =>
    `\n[truncated: ${dropped.toLocaleString("en-US")} of ${text.length.toLocaleString("en-US")} characters left out; ask for fewer rows (limit) or narrower filters to see the rest]`;
  const budget = Math.max(0, max - notice(text.length).length);
  let cut = text.lastIndexOf("\n", budget);
  if (cut < budget / 2) cut = budget;
  return text.slice(0, cut) + notice(text.length - cut);
}

/**
 * What the model reads back from a tool call: the result's text (the tools write markdown with
 * the same facts as their structured content, in far fewer tokens), else the structured
 * content as JSON, truncated to `max` characters.
 */
export function toolResultForModel(result: CallToolResult, max: number): string {
  const text = result.content
    .filter((block) => block.type === "text")
    .map((block) => block.text)
    .join("\n\n");
  const body = text || (result.structuredContent ? JSON.stringify(result.structuredContent) : "(no content)");
  return truncateForModel(body, max);
}
