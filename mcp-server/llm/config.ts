/**
 * Which language models the assistant may ask to write, and how long it waits for them.
 *
 * Two optional writers sit in front of the deterministic templates:
 * - the connected MCP client's own model, through `sampling/createMessage` (no configuration:
 *   used when the client declares the sampling capability);
 * - an OpenAI-compatible chat-completions endpoint (OpenAI, Azure OpenAI, Ollama, vLLM, LM Studio,
 *   llama.cpp), configured here from flags or the environment.
 *
 * Nothing is sent to an endpoint unless a model is named (`CRM_LLM_MODEL` / `--llm-model`): an
 * `OPENAI_API_KEY` that happens to be in the environment does not, on its own, send customer data
 * anywhere.
 */

/** An OpenAI-compatible chat-completions endpoint. */
export interface OpenAiEndpointConfig {
  /**
   * Base URL of the API, e.g. `https://api.openai.com/v1` (the default), `http://127.0.0.1:11434/v1`
   * (Ollama) or, with `azureApiVersion`, the Azure resource `https://NAME.openai.azure.com`.
   */
  baseURL: string;
  /** The model name; for Azure OpenAI, the deployment name. */
  model: string;
  /** Sent as a bearer token (Azure: the `api-key` header). Local servers usually need none. */
  apiKey?: string;
  /** Set for Azure OpenAI's deployment API: the `api-version` query parameter (e.g. 2024-10-21). */
  azureApiVersion?: string;
  /** Per request, in milliseconds (default `DEFAULT_TIMEOUT_MS`). */
  timeoutMs?: number;
  /** Retries after a timeout, connection error, 408, 409, 429 or 5xx (default `DEFAULT_MAX_RETRIES`). */
  maxRetries?: number;
}

/** The language models the tools may use; absent or empty: sampling (when offered) and templates. */
export interface LlmConfig {
  openai?: OpenAiEndpointConfig;
  /** How long to wait for the MCP client's model, per request (default `DEFAULT_SAMPLING_TIMEOUT_MS`). */
  samplingTimeoutMs?: number;
}

export const DEFAULT_OPENAI_BASE_URL = "https://api.openai.com/v1";
/**
 * 20 s per request: a draft is a few hundred tokens, which a hosted model writes in a few
 * seconds and a local 7-8B model in well under 20 s; a request still open after that is stuck,
 * and the template is a better answer than a long wait.
 */
export const DEFAULT_TIMEOUT_MS = 20_000;
/** One retry: enough for a dropped connection or a 429/5xx blip, bounded at about 2 x 20 s. */
export const DEFAULT_MAX_RETRIES = 1;
/**
 * 45 s for the client's model: the client may ask the user to approve the request first, and the
 * whole tool call has to finish inside the client's own request timeout (60 s in the SDK).
 */
export const DEFAULT_SAMPLING_TIMEOUT_MS = 45_000;

/** The environment variables the configuration reads. */
export const LLM_ENV = {
  baseUrl: "CRM_LLM_BASE_URL",
  model: "CRM_LLM_MODEL",
  apiKey: "CRM_LLM_API_KEY",
  fallbackApiKey: "OPENAI_API_KEY",
  azureApiVersion: "CRM_LLM_AZURE_API_VERSION",
  timeoutMs: "CRM_LLM_TIMEOUT_MS",
} as const;

/** A configuration that cannot work, with what to change. */
export class LlmConfigError extends Error {
  override name = "LlmConfigError";
}

/** What the CLI flags give (each overrides its environment variable). */
export interface LlmFlags {
  llmBaseUrl?: string;
  llmModel?: string;
  llmApiKey?: string;
}

function clean(value: string | undefined): string | undefined {
  const trimmed = value?.trim();
  return trimmed ? trimmed : undefined;
}

/**
 * The configuration from CLI flags, then the environment (`CRM_LLM_*`, `OPENAI_API_KEY`).
 * Throws `LlmConfigError` for a configuration that cannot work (a base URL without a model, a
 * malformed URL or timeout).
 */
export function resolveLlmConfig(flags: LlmFlags = {}, env: NodeJS.ProcessEnv = process.env): LlmConfig {
  const baseUrl = clean(flags.llmBaseUrl) ?? clean(env[LLM_ENV.baseUrl]);
  const model = clean(flags.llmModel) ?? clean(env[LLM_ENV.model]);
  const apiKey = clean(flags.llmApiKey) ?? clean(env[LLM_ENV.apiKey]) ?? clean(env[LLM_ENV.fallbackApiKey]);
  const azureApiVersion = clean(env[LLM_ENV.azureApiVersion]);
  const timeoutText = clean(env[LLM_ENV.timeoutMs]);
  if (!model) {
    if (baseUrl) {
      throw new LlmConfigError(
        `${LLM_ENV.baseUrl} (or --llm-base-url) is set to ${baseUrl} but no model is named; set ${LLM_ENV.model} or --llm-model ` +
          "(e.g. llama3.1 for Ollama, gpt-4o-mini for OpenAI, the deployment name for Azure OpenAI)",
      );
    }
    return {};
  }
  if (baseUrl && !/^https?:\/\/[^\s/]+/i.test(baseUrl)) {
    throw new LlmConfigError(
      `the LLM base URL "${baseUrl}" is not an http(s) URL; write it like http://127.0.0.1:11434/v1 (Ollama) or https://api.openai.com/v1`,
    );
  }
  if (azureApiVersion && !baseUrl) {
    throw new LlmConfigError(
      `${LLM_ENV.azureApiVersion} is set, so the endpoint is Azure OpenAI: set ${LLM_ENV.baseUrl} to the resource, e.g. https://NAME.openai.azure.com`,
    );
  }
  let timeoutMs = DEFAULT_TIMEOUT_MS;
  if (timeoutText !== undefined) {
    timeoutMs = Number(timeoutText);
    if (!Number.isInteger(timeoutMs) || timeoutMs <= 0) {
      throw new LlmConfigError(
        `${LLM_ENV.timeoutMs} must be a whole number of milliseconds, e.g. 20000; got "${timeoutText}"`,
      );
    }
  }
  return {
    openai: {
      baseURL: baseUrl ?? DEFAULT_OPENAI_BASE_URL,
      model,
      ...(apiKey ? { apiKey } : {}),
      ...(azureApiVersion ? { azureApiVersion } : {}),
      timeoutMs,
      maxRetries: DEFAULT_MAX_RETRIES,
    },
  };
}

/** Where the endpoint is and which model, for logs and warnings (never the key). */
export function describeEndpoint(config: OpenAiEndpointConfig): string {
  const kind = config.azureApiVersion ? "Azure OpenAI endpoint" : "OpenAI-compatible endpoint";
  return `the ${kind} ${config.baseURL} (model ${config.model})`;
}

/** One line for the server's start-up log. */
export function describeLlmConfig(config: LlmConfig | undefined): string {
  const endpoint = config?.openai
    ? `${describeEndpoint(config.openai).replace(/^the /, "")}, timeout ${Math.round((config.openai.timeoutMs ?? DEFAULT_TIMEOUT_MS) / 1000)} s`
    : "no OpenAI-compatible endpoint (set CRM_LLM_MODEL and CRM_LLM_BASE_URL to add one)";
  return `writers: the client's model when it offers sampling, ${endpoint}, then the templates`;
}
