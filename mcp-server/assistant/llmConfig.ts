/**
 * The `--llm-*` flags of `crm draft`, `crm feedback summary` and `crm ask`, and the message that
 * says how to configure a model. The configuration itself (flags over environment, what counts
 * as configured) is `resolveLlmConfig` in `../llm/config.ts`, shared with the MCP server.
 */
import { type Command, InvalidArgumentError } from "commander";
import { LLM_ENV } from "../llm/config.js";

/** How to configure a model: the lines every "no model" message ends with. */
export const HOW_TO_CONFIGURE = [
  "Point CRM Assistant at any OpenAI-compatible chat-completions endpoint with environment variables or the matching flags:",
  `  ${LLM_ENV.model.padEnd(17)} --llm-model     the model (required; for Azure OpenAI, the deployment name)`,
  `  ${LLM_ENV.baseUrl.padEnd(17)} --llm-base-url  the endpoint (default: OpenAI, https://api.openai.com/v1)`,
  `  ${LLM_ENV.apiKey.padEnd(17)} --llm-api-key   the API key (default: $${LLM_ENV.fallbackApiKey}; local servers need none)`,
  "Examples:",
  `  OpenAI:  export ${LLM_ENV.model}=gpt-4o-mini ${LLM_ENV.apiKey}=sk-...`,
  `  Ollama:  export ${LLM_ENV.baseUrl}=http://127.0.0.1:11434/v1 ${LLM_ENV.model}=qwen2.5:7b`,
  '  once:    crm ask "..." --llm-base-url http://127.0.0.1:11434/v1 --llm-model qwen2.5:7b',
].join("\n");

function parseBaseUrl(value: string): string {
  let url: URL | null = null;
  try {
    url = new URL(value);
  } catch {
    // reported below
  }
  if (!url || (url.protocol !== "http:" && url.protocol !== "https:")) {
    throw new InvalidArgumentError(
      `"${value}" is not an http(s) URL; write it with the scheme and the API path, e.g. http://127.0.0.1:11434/v1`,
    );
  }
  return value;
}

/** Adds `--llm-base-url`, `--llm-model` and `--llm-api-key` to a command. */
export function addLlmOptions(command: Command): Command {
  return command
    .option(
      "--llm-base-url <url>",
      `OpenAI-compatible endpoint, e.g. http://127.0.0.1:11434/v1 for Ollama (default: $${LLM_ENV.baseUrl}, else OpenAI)`,
      parseBaseUrl,
    )
    .option("--llm-model <name>", `model name; no model, no LLM (default: $${LLM_ENV.model})`)
    .option(
      "--llm-api-key <key>",
      `API key (default: $${LLM_ENV.apiKey}, else $${LLM_ENV.fallbackApiKey}); prefer the environment, flags show in the process list`,
    );
}
