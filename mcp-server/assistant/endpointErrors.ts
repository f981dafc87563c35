import {
  APIConnectionError,
  APIConnectionTimeoutError,
  BadRequestError,
  OpenAIError,
  RateLimitError,
} from "openai";
import { describeEndpoint, LLM_ENV, type OpenAiEndpointConfig } from "../llm/config.js";
import { describeOpenAiFailure } from "../llm/openai.js";

/** A failure talking to the model endpoint, with a message that says what to check. */
export class AssistantError extends Error {
  constructor(message: string) {
    super(message);
    this.name = "AssistantError";
  }
}

/**
 * Turns an `openai` client error into an `AssistantError` (the same wording the draft writers
 * use, plus what matters for a tool-calling conversation); anything else is returned as is: a
 * bug, not a configuration problem.
 */
export function describeAskFailure(error: unknown, config: OpenAiEndpointConfig): unknown {
  if (!(error instanceof OpenAIError)) return error;
  const endpoint = describeEndpoint(config);
  let message = `${endpoint.charAt(0).toUpperCase()}${endpoint.slice(1)} ${describeOpenAiFailure(error, config)}`;
  if (error instanceof APIConnectionTimeoutError) {
    message += "; allow more time with --timeout, or try a smaller model";
  } else if (error instanceof APIConnectionError) {
    message += ` (${LLM_ENV.baseUrl} / --llm-base-url)`;
  } else if (error instanceof BadRequestError) {
    message += "; crm ask needs a model that supports tool calling (function calling): choose one that does";
  } else if (error instanceof RateLimitError) {
    message += "; wait a moment and try again, or check the account's quota";
  }
  return new AssistantError(message);
}
