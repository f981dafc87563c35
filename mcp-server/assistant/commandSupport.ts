/**
 * What `crm draft`, `crm feedback summary` and `crm ask` share: one way to build the tool
 * dependencies (so the three agree on the model configuration), and input checks against the
 * same zod shapes the MCP tools validate with.
 */
import { Option } from "commander";
import { z } from "zod";
import { UserError } from "../cli/errors.js";
import { LlmConfigError, resolveLlmConfig, type LlmConfig, type LlmFlags } from "../llm/config.js";
import type { ServerDeps } from "../server/deps.js";
import { actorName } from "../server/serveOptions.js";
import type { Store } from "../store/store.js";
import { HOW_TO_CONFIGURE } from "./llmConfig.js";

/** Who may write, on a terminal: no `sampling`, since there is no MCP client whose model could be asked. */
export const CLI_PREFER = ["auto", "openai", "template"] as const;
export type CliPrefer = (typeof CLI_PREFER)[number];

/** `--prefer auto|openai|template`, for the commands whose text a model may write. */
export function preferOption(what: string): Option {
  return new Option(
    "--prefer <writer>",
    `who writes the ${what}: auto (the configured model, else the template), openai or template`,
  )
    .choices(CLI_PREFER)
    .default("auto");
}

/**
 * `--prefer openai` with no endpoint configured is refused with the how-to: the tool would
 * quietly fall back to the template, which is not what someone who asked for a model wants.
 */
export function checkPrefer(prefer: CliPrefer, llm: LlmConfig): void {
  if (prefer === "openai" && !llm.openai) {
    throw new UserError(
      `--prefer openai needs a model endpoint, and none is configured.\n${HOW_TO_CONFIGURE}`,
    );
  }
}

export interface CommandDepsOptions {
  /** The model configuration from `commandLlmConfig`. */
  llm: LlmConfig;
  /** Mask emails and phone numbers in tool output and in everything sent to a model. */
  redact?: boolean;
  /** The clock; `crm ask --as-of` pins it so the tools' default as-of is that day. */
  now?: () => Date;
}

/**
 * The tool dependencies the commands run with: read-only, the model configuration, and no
 * sampling (there is no MCP client on a terminal).
 */
export function commandDeps(store: Store, options: CommandDepsOptions): ServerDeps {
  return {
    store,
    allowWrites: false,
    redact: options.redact === true,
    actor: actorName(),
    now: options.now ?? (() => new Date()),
    llm: options.llm,
  };
}

/** The model configuration from the `--llm-*` flags and the environment; a bad one is a user error. */
export function commandLlmConfig(flags: LlmFlags, env: NodeJS.ProcessEnv = process.env): LlmConfig {
  try {
    return resolveLlmConfig(flags, env);
  } catch (error) {
    if (error instanceof LlmConfigError) throw new UserError(error.message);
    throw error;
  }
}

/**
 * Checks a command's input against a tool's zod input shape, the checks the MCP server makes
 * before a tool runs (calling the tool function directly skips them). Problems are reported
 * under the command's own names (`flags` maps input keys to flags or arguments).
 */
export function toolInput<Shape extends z.ZodRawShape>(
  shape: Shape,
  input: Record<string, unknown>,
  flags: Partial<Record<keyof Shape, string>>,
): z.infer<z.ZodObject<Shape>> {
  const parsed = z.object(shape).safeParse(input);
  if (parsed.success) return parsed.data;
  const problems = parsed.error.issues.map((issue) => {
    const key = issue.path[0];
    const name = (typeof key === "string" && flags[key as keyof Shape]) || issue.path.join(".");
    return `${name}: ${issue.message}`;
  });
  throw new UserError(problems.join("; "));
}
