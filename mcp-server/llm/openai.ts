/**
 * An OpenAI-compatible chat-completions endpoint as a `TextModel`, through the `openai` package:
 * OpenAI itself, Azure OpenAI (with `azureApiVersion`), and local servers that speak the same API
 * (Ollama, vLLM, LM Studio, llama.cpp's server).
 */
import OpenAI, {
  APIConnectionError,
  APIConnectionTimeoutError,
  APIError,
  APIUserAbortError,
  AzureOpenAI,
  BadRequestError,
} from "openai";
import type { ChatCompletionCreateParamsNonStreaming } from "openai/resources/chat/completions";
import {
  DEFAULT_MAX_RETRIES,
  DEFAULT_TIMEOUT_MS,
  describeEndpoint,
  type OpenAiEndpointConfig,
} from "./config.js";
import { ModelError, seconds, type CompletionRequest, type TextModel } from "./models.js";

/** Local servers accept any key, but the `openai` package refuses to start without one. */
const NO_KEY = "not-needed";

const clients = new WeakMap<OpenAiEndpointConfig, OpenAI>();
/** Endpoints that asked for `max_completion_tokens` instead of `max_tokens` (OpenAI's o-series). */
const wantsCompletionTokens = new WeakSet<OpenAiEndpointConfig>();

/**
 * The `openai` client for an endpoint, made once per configuration object. Every option is given
 * explicitly, so `OPENAI_BASE_URL` and friends in the environment cannot redirect it.
 */
export function openAiClient(config: OpenAiEndpointConfig): OpenAI {
  let client = clients.get(config);
  if (!client) {
    const common = {
      apiKey: config.apiKey ?? NO_KEY,
      timeout: config.timeoutMs ?? DEFAULT_TIMEOUT_MS,
      maxRetries: config.maxRetries ?? DEFAULT_MAX_RETRIES,
    };
    if (config.azureApiVersion) {
      // The resource URL (https://NAME.openai.azure.com) or its /openai path; the client adds
      // /deployments/<model> and ?api-version=... and sends the key as the api-key header.
      const resource = config.baseURL.replace(/\/+$/, "").replace(/\/openai$/, "");
      client = new AzureOpenAI({
        ...common,
        baseURL: `${resource}/openai`,
        apiVersion: config.azureApiVersion,
        deployment: config.model,
      });
    } else {
      client = new OpenAI({ ...common, baseURL: config.baseURL });
    }
    clients.set(config, client);
  }
  return client;
}

/** Why a request failed, completing "<endpoint> ...". */
export function describeOpenAiFailure(error: unknown, config: OpenAiEndpointConfig): string {
  const timeout = config.timeoutMs ?? DEFAULT_TIMEOUT_MS;
  const tries = (config.maxRetries ?? DEFAULT_MAX_RETRIES) + 1;
  const attempts = tries > 1 ? ` (${tries} attempts)` : "";
  if (error instanceof ModelError) return error.reason;
  if (error instanceof APIConnectionTimeoutError)
    return `did not answer within ${seconds(timeout)}${attempts}`;
  if (error instanceof APIUserAbortError) return "was not waited for: the tool call was cancelled";
  if (error instanceof APIConnectionError) {
    const cause = error.cause instanceof Error ? error.cause.message : error.message;
    return `could not be reached${attempts} (${cause}); check that the server is running and the base URL`;
  }
  if (error instanceof APIError && error.status !== undefined) {
    const detail = error.message.replace(/^\d{3}\s*/, "").slice(0, 200);
    if (error.status === 401) return "refused the API key (HTTP 401); check CRM_LLM_API_KEY or --llm-api-key";
    if (error.status === 403)
      return `refused the request (HTTP 403: ${detail}); check that the key may use this model`;
    if (error.status === 404) return `answered HTTP 404 (${detail}); check the base URL and the model name`;
    return `answered HTTP ${error.status}${error.status >= 500 ? attempts : ""} (${detail})`;
  }
  return `failed (${error instanceof Error ? error.message : String(error)})`;
}

/** The endpoint as a model for drafts and summaries. */
export function openAiModel(config: OpenAiEndpointConfig): TextModel {
  const label = describeEndpoint(config);
  return {
    generator: "openai",
    label,
    async complete(request: CompletionRequest): Promise<string> {
      const client = openAiClient(config);
      const body = (completionTokens: boolean): ChatCompletionCreateParamsNonStreaming => ({
        model: config.model,
        messages: [
          { role: "system", content: request.system },
          ...request.messages.map((message) => ({ role: message.role, content: message.content })),
        ],
        ...(completionTokens
          ? { max_completion_tokens: request.maxTokens }
          : { max_tokens: request.maxTokens }),
      });
      let completion;
      try {
        try {
          completion = await client.chat.completions.create(body(wantsCompletionTokens.has(config)), {
            signal: request.signal,
          });
        } catch (error) {
          // Newer OpenAI models reject max_tokens; most local servers only know max_tokens.
          if (
            error instanceof BadRequestError &&
            /max_completion_tokens/.test(error.message) &&
            !wantsCompletionTokens.has(config)
          ) {
            wantsCompletionTokens.add(config);
            completion = await client.chat.completions.create(body(true), { signal: request.signal });
          } else throw error;
        }
      } catch (error) {
        throw new ModelError(describeOpenAiFailure(error, config));
      }
      const choice = completion.choices?.[0];
      const text = choice?.message?.content;
      if (typeof text !== "string" || text.trim() === "") throw new ModelError("returned an empty answer");
      if (choice.finish_reason === "length") {
        throw new ModelError(`stopped at the ${request.maxTokens}-token limit before finishing`);
      }
      return text;
    },
  };
}
