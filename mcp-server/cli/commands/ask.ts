import type { Command } from "commander";
import { asOfDay, resolveAsOf } from "../../asOf.js";
import {
  askEndpoint,
  askInProcess,
  DEFAULT_MAX_STEPS,
  MIN_ASK_TIMEOUT_MS,
  type AskResult,
  type AskToolCall,
} from "../../assistant/ask.js";
import { commandDeps, commandLlmConfig } from "../../assistant/commandSupport.js";
import { AssistantError } from "../../assistant/endpointErrors.js";
import { addLlmOptions, HOW_TO_CONFIGURE } from "../../assistant/llmConfig.js";
import { LLM_ENV, type LlmFlags } from "../../llm/config.js";
import type { CliContext } from "../context.js";
import { UserError } from "../errors.js";
import { parseAsOfOption, parsePositiveInteger } from "../options.js";
import { printJson } from "../output.js";

interface AskCommandOptions extends LlmFlags {
  owner?: string;
  maxSteps: number;
  timeout?: number;
  redact?: boolean;
  asOf?: Date;
  json?: boolean;
}

/** Most steps a question may take: each is a paid model request with the whole conversation. */
const MAX_STEPS_LIMIT = 20;

function describeCall(call: AskToolCall): string {
  const args = typeof call.arguments === "string" ? call.arguments : JSON.stringify(call.arguments);
  const shown = args.length > 160 ? `${args.slice(0, 159)}…` : args;
  return `${call.name} ${shown}  ${call.ok ? "ok" : `error: ${call.error}`}`;
}

/** The answer, then the tool calls behind it, so the reader can check where the numbers came from. */
export function formatAsk(result: AskResult): string {
  const lines: string[] = [];
  if (result.answer === null) {
    lines.push(
      `(no answer: the model was still calling tools after ${result.steps} steps; raise --max-steps or ask a narrower question)`,
    );
  } else {
    lines.push(result.answer.trim() || "(the model returned an empty answer)");
  }
  lines.push("");
  if (result.toolCalls.length === 0) lines.push("Tool calls: none (the answer does not come from your data)");
  else {
    lines.push(`Tool calls (${result.toolCalls.length}):`);
    result.toolCalls.forEach((call, index) => lines.push(`  ${index + 1}. ${describeCall(call)}`));
  }
  lines.push(`(${result.model} at ${result.endpoint}, ${result.steps} step${result.steps === 1 ? "" : "s"})`);
  return lines.join("\n");
}

export function registerAskCommand(program: Command, context: CliContext): void {
  addLlmOptions(
    program
      .command("ask")
      .description(
        "ask a question about your customers: an OpenAI-compatible model answers by calling the CRM tools (read-only) in this process",
      )
      .argument("<question>", "the question, in English or Chinese (quote it)")
      .option("--owner <name>", 'the account manager asking, so "my customers" means theirs')
      .option(
        "--max-steps <number>",
        `most model requests for the question (1-${MAX_STEPS_LIMIT}); the last one must answer`,
        parsePositiveInteger("--max-steps"),
        DEFAULT_MAX_STEPS,
      )
      .option(
        "--timeout <seconds>",
        `how long one model request may take (default: ${MIN_ASK_TIMEOUT_MS / 1000}, or $${LLM_ENV.timeoutMs} when longer)`,
        parsePositiveInteger("--timeout"),
      )
      .option("--redact", "mask emails and phone numbers in the tool results the model reads")
      .option("--as-of <date>", "treat this day as today (YYYY-MM-DD)", parseAsOfOption)
      .option("--json", "print the answer and the tool calls as JSON")
      .addHelpText(
        "after",
        `
Examples:
  crm ask "which of my customers should I call this week?" --owner "Wang Lei"
  crm ask "本季度客户反馈的主要问题是什么？"
  crm ask "who are my most valuable customers?" --llm-base-url http://127.0.0.1:11434/v1 --llm-model qwen2.5:7b

Model configuration:
${HOW_TO_CONFIGURE}`,
      ),
  ).action(async (question: string, options: AskCommandOptions) => {
    if (!question.trim())
      throw new UserError('the question is empty; write it in quotes: crm ask "who should I call?"');
    if (options.maxSteps > MAX_STEPS_LIMIT) {
      throw new UserError(`--max-steps must be at most ${MAX_STEPS_LIMIT}`);
    }
    const llm = commandLlmConfig(options);
    if (!llm.openai) {
      const keyOnly = [
        options.llmApiKey,
        process.env[LLM_ENV.apiKey],
        process.env[LLM_ENV.fallbackApiKey],
      ].some((value) => value?.trim());
      throw new UserError(
        `crm ask needs a chat model, and none is configured${keyOnly ? ` (an API key is set, but no model: set ${LLM_ENV.model} or --llm-model)` : ""}.\n${HOW_TO_CONFIGURE}`,
      );
    }
    const store = await context.openStore();
    const asOf = options.asOf;
    const deps = commandDeps(store, { llm, redact: options.redact, now: asOf ? () => asOf : undefined });
    // Progress goes to stderr on a terminal only: each step can take seconds, and stdout stays the answer.
    const progress = process.stderr.isTTY && !options.json;
    let result: AskResult;
    try {
      const endpoint = askEndpoint(llm.openai, options.timeout ? options.timeout * 1000 : undefined);
      result = await askInProcess(deps, endpoint, {
        question,
        owner: options.owner ?? null,
        maxSteps: options.maxSteps,
        today: asOfDay(asOf ?? resolveAsOf()),
        onToolCall: progress
          ? (call) => process.stderr.write(`  ${call.ok ? "✓" : "✗"} ${call.name}\n`)
          : undefined,
      });
    } catch (error) {
      if (error instanceof AssistantError) throw new UserError(error.message);
      throw error;
    }
    if (options.json) return printJson(result);
    process.stdout.write(`${formatAsk(result)}\n`);
  });
}
