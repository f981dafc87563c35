import { userInfo } from "node:os";
import { Command, InvalidArgumentError, Option } from "commander";
import { LLM_ENV, resolveLlmConfig, type LlmConfig } from "../llm/config.js";
import { DEFAULT_MAX_SESSIONS, DEFAULT_SESSION_IDLE_MS } from "./httpLimits.js";

/** Options shared by `crm serve` and the bundled `dist/server.js`. */
export interface ServeOptions {
  db: string;
  http: boolean;
  port: number;
  host: string;
  token?: string;
  newToken?: boolean;
  auth: boolean;
  maxSessions: number;
  sessionIdleMinutes: number;
  allowWrites: boolean;
  redact: boolean;
  freshWaitMs: number;
  llmBaseUrl?: string;
  llmModel?: string;
  llmApiKey?: string;
}

function parseCount(flag: string): (value: string) => number {
  return (value) => {
    if (!/^\d{1,6}$/.test(value) || Number(value) < 1)
      throw new InvalidArgumentError(`${flag} must be a whole number of at least 1`);
    return Number(value);
  };
}

/** The HTTP options of the serve flags, as `serveHttp` takes them. */
export function httpOptionsFrom(
  options: Pick<
    ServeOptions,
    "port" | "host" | "token" | "newToken" | "auth" | "maxSessions" | "sessionIdleMinutes"
  >,
) {
  return {
    port: options.port,
    host: options.host,
    token: options.token,
    renewToken: Boolean(options.newToken),
    auth: options.auth,
    maxSessions: options.maxSessions,
    sessionIdleMs: options.sessionIdleMinutes * 60_000,
  };
}

function parsePort(value: string): number {
  if (!/^\d{1,5}$/.test(value) || Number(value) > 65535)
    throw new InvalidArgumentError("--port must be a whole number from 0 to 65535");
  return Number(value);
}

/** Adds the serve options to a command (so both entry points parse them identically). */
/** How long a tool call waits for scores being computed before answering from the previous set. */
export const DEFAULT_FRESH_WAIT_MS = 2000;

function parseMilliseconds(value: string): number {
  if (!/^\d{1,7}$/.test(value))
    throw new InvalidArgumentError("--fresh-wait-ms must be a whole number of milliseconds");
  return Number(value);
}

export function addServeOptions(command: Command): Command {
  return command
    .option(
      "--fresh-wait-ms <ms>",
      "how long a tool call waits for scores being computed (after an import, on a new day) before answering from the previous set, marked stale",
      parseMilliseconds,
      DEFAULT_FRESH_WAIT_MS,
    )
    .option("--http", "serve Streamable HTTP instead of stdio")
    .option("--port <number>", "HTTP port (0 picks a free one)", parsePort, 3333)
    .option(
      "--host <address>",
      "HTTP bind address (loopback by default; anything else exposes your customer data)",
      "127.0.0.1",
    )
    .addOption(
      new Option(
        "--token <token>",
        "bearer token HTTP clients must send (default: $CRM_TOKEN, else one generated and saved)",
      ).env("CRM_TOKEN"),
    )
    .option(
      "--new-token",
      "HTTP: replace the saved token with a new one and print it (the old one stops working)",
    )
    .option("--no-auth", "HTTP without a token (refused unless bound to loopback)")
    .option(
      "--max-sessions <number>",
      "HTTP: most open sessions; past it the longest-idle one is closed",
      parseCount("--max-sessions"),
      DEFAULT_MAX_SESSIONS,
    )
    .option(
      "--session-idle-minutes <number>",
      "HTTP: close sessions idle this long",
      parseCount("--session-idle-minutes"),
      DEFAULT_SESSION_IDLE_MS / 60_000,
    )
    .option("--allow-writes", "enable the write tools (log_interaction, record_feedback, saving drafts)")
    .option(
      "--redact",
      "mask emails and phone numbers in every output and in everything sent to a language model",
    )
    .option(
      "--llm-base-url <url>",
      `OpenAI-compatible endpoint for drafts and summaries, e.g. http://127.0.0.1:11434/v1 for Ollama (default: $${LLM_ENV.baseUrl}, else OpenAI)`,
    )
    .option(
      "--llm-model <name>",
      `model for drafts and summaries (for Azure OpenAI: the deployment); without one no endpoint is used (default: $${LLM_ENV.model})`,
    )
    .option(
      "--llm-api-key <key>",
      `API key of the endpoint (default: $${LLM_ENV.apiKey}, else $${LLM_ENV.fallbackApiKey}); prefer the environment, flags show in the process list`,
    );
}

/**
 * The language-model configuration the serve options and the environment give (flags first).
 * Throws `LlmConfigError` with what to change when it cannot work.
 */
export function llmFromOptions(
  options: Pick<ServeOptions, "llmBaseUrl" | "llmModel" | "llmApiKey">,
  env: NodeJS.ProcessEnv = process.env,
): LlmConfig {
  return resolveLlmConfig(
    { llmBaseUrl: options.llmBaseUrl, llmModel: options.llmModel, llmApiKey: options.llmApiKey },
    env,
  );
}

export function actorName(): string {
  try {
    return userInfo().username;
  } catch {
    return "unknown";
  }
}
