/**
 * The shape every language-model writer has, whatever is behind it (the MCP client's model or an
 * OpenAI-compatible endpoint), so the drafting and summary code can fall back from one to the next.
 */

/** Which writer produced a text. */
export const generatorNames = ["sampling", "openai", "template"] as const;
export type GeneratorName = (typeof generatorNames)[number];

/** What the caller may ask for: "auto" picks the first one available. */
export const preferOptions = ["auto", ...generatorNames] as const;
export type Prefer = (typeof preferOptions)[number];

export interface ChatMessage {
  role: "user" | "assistant";
  content: string;
}

export interface CompletionRequest {
  system: string;
  messages: ChatMessage[];
  maxTokens: number;
  /** Aborts the request when the tool call is cancelled. */
  signal?: AbortSignal;
}

/** A model that writes text; `complete` throws `ModelError` with a readable reason on failure. */
export interface TextModel {
  generator: Exclude<GeneratorName, "template">;
  /** Who it is, for warnings: "the MCP client's model (Visual Studio Code)". */
  label: string;
  complete(request: CompletionRequest): Promise<string>;
}

/** A model that could not answer; `reason` completes "<label> ...". */
export class ModelError extends Error {
  override name = "ModelError";
  constructor(readonly reason: string) {
    super(reason);
  }
}

/** Seconds for messages: 20000 -> "20 s", 300 -> "0.3 s". */
export function seconds(ms: number): string {
  return `${ms >= 1000 ? Math.round(ms / 1000) : Math.round(ms / 100) / 10} s`;
}

/**
 * The text of a model's answer, without what models like to wrap it in: a markdown code fence
 * around the whole answer, or a lead-in like "Here is the draft:".
 */
export function cleanAnswer(text: string): string {
  let result = text.replace(/\r\n/g, "\n").trim();
  // Some local models emit their reasoning before the answer.
  result = result.replace(/^<think>[\s\S]*?<\/think>\s*/i, "");
  const fenced = /^```[a-z]*\n([\s\S]*?)\n```$/i.exec(result);
  if (fenced) result = fenced[1].trim();
  result = result.replace(/^(here is|here's)[^\n]*:\s*\n+/i, "");
  return result.trim();
}
