/**
 * Chooses the writers for one call and runs them in order, falling back from one to the next:
 * the MCP client's model (sampling), the OpenAI-compatible endpoint, and finally the caller's
 * deterministic text. Failures become readable warnings, never errors.
 *
 * Every answer passes a check (grounding); a failing answer is sent back once with the reasons,
 * and a second failure ends with the deterministic text. A model that cannot answer at all
 * (unreachable, timed out, HTTP error, declined) hands over to the next writer instead.
 */
import type { RequestId } from "@modelcontextprotocol/sdk/types.js";
import { redactText } from "../context/redact.js";
import type { LlmConfig } from "./config.js";
import type { GroundingResult } from "./grounding.js";
import {
  ModelError,
  cleanAnswer,
  type ChatMessage,
  type GeneratorName,
  type Prefer,
  type TextModel,
} from "./models.js";
import { openAiModel } from "./openai.js";
import { retryMessage, type Prompt } from "./prompts.js";
import { samplingModel, type SamplingAccess } from "./sampling.js";

/** The MCP request a tool call came in, when there is one. */
export interface ToolCallContext {
  relatedRequestId?: RequestId;
  signal?: AbortSignal;
}

/** What a writer needs from the server's dependencies. */
export interface WriterDeps {
  llm?: LlmConfig;
  sampling?: SamplingAccess;
}

export interface WriterPlan {
  models: TextModel[];
  /** Why an asked-for writer is not in the list. */
  warnings: string[];
}

const TEMPLATE_LABEL = "the deterministic template";

const NO_ENDPOINT =
  "no OpenAI-compatible endpoint is configured (set CRM_LLM_MODEL and CRM_LLM_BASE_URL, or start the server with --llm-model and --llm-base-url)";

/** The writers to try, in order, for `prefer`; the template always comes last and is not listed. */
export function planWriters(deps: WriterDeps, prefer: Prefer, call: ToolCallContext = {}): WriterPlan {
  const warnings: string[] = [];
  const sampling =
    deps.sampling && deps.sampling.available()
      ? samplingModel(deps.sampling, {
          timeoutMs: deps.llm?.samplingTimeoutMs,
          relatedRequestId: call.relatedRequestId,
        })
      : null;
  const openai = deps.llm?.openai ? openAiModel(deps.llm.openai) : null;
  const models: TextModel[] = [];
  switch (prefer) {
    case "template":
      break;
    case "auto":
      if (sampling) models.push(sampling);
      if (openai) models.push(openai);
      break;
    case "sampling":
      if (sampling) models.push(sampling);
      else if (!deps.sampling) {
        warnings.push(
          "sampling was asked for, but this call does not come through an MCP client session, so there is no client model to ask",
        );
      } else {
        const name = deps.sampling.clientName();
        warnings.push(
          `sampling was asked for, but the connected MCP client${name ? ` (${name})` : ""} does not offer it (it did not declare the sampling capability)`,
        );
      }
      if (openai) models.push(openai);
      break;
    case "openai":
      if (openai) models.push(openai);
      else warnings.push(`the OpenAI-compatible endpoint was asked for, but ${NO_ENDPOINT}`);
      break;
  }
  if (warnings.length > 0) {
    const next = models[0]?.label ?? TEMPLATE_LABEL;
    warnings[warnings.length - 1] += `; falling back to ${next}`;
  }
  return { models, warnings };
}

export interface GroundingReport {
  /** True when the language model's text passed (possibly after one retry) and was used. */
  passed: boolean;
  /** Answers the model gave: 1, or 2 after a retry. */
  attempts: number;
  /** What the check found in the rejected answers. */
  problems: string[];
}

export interface WriteJob<T> {
  prompt: Prompt;
  /** Turns the model's answer into the value to check. */
  parse(answer: string): T;
  check(value: T): GroundingResult;
  /** Mask emails and phone numbers in everything sent. */
  redact: boolean;
  /** "draft" or "summary", for warnings. */
  what: string;
  signal?: AbortSignal;
}

export type WriteOutcome<T> =
  | {
      value: T;
      generator: Exclude<GeneratorName, "template">;
      grounding: GroundingReport;
      warnings: string[];
    }
  | { value: null; generator: "template"; grounding: GroundingReport | null; warnings: string[] };

function capitalise(text: string): string {
  return text.charAt(0).toUpperCase() + text.slice(1);
}

function listed(problems: readonly string[]): string {
  return problems.join("; ");
}

/**
 * Runs the plan: each model in turn until one answers; its answer is checked, retried once with
 * the problems, and used when it passes. `value: null` means: use the deterministic text.
 */
export async function writeWithFallback<T>(plan: WriterPlan, job: WriteJob<T>): Promise<WriteOutcome<T>> {
  const warnings = [...plan.warnings];
  const send = (text: string) => (job.redact ? redactText(text) : text);
  const system = send(job.prompt.system);
  for (const [index, model] of plan.models.entries()) {
    const next = plan.models[index + 1]?.label ?? TEMPLATE_LABEL;
    const messages: ChatMessage[] = [{ role: "user", content: send(job.prompt.user) }];
    const problems: string[] = [];
    for (let attempt = 1; attempt <= 2; attempt++) {
      let answer: string;
      try {
        answer = await model.complete({
          system,
          messages,
          maxTokens: job.prompt.maxTokens,
          signal: job.signal,
        });
      } catch (error) {
        if (!(error instanceof ModelError)) throw error;
        if (attempt === 1) {
          warnings.push(`${capitalise(model.label)} ${error.reason}; falling back to ${next}`);
          break;
        }
        warnings.push(
          `${capitalise(model.label)}'s ${job.what} failed the fact check (${listed(problems)}) and the retry ${error.reason}, so ${TEMPLATE_LABEL} was used instead`,
        );
        return {
          value: null,
          generator: "template",
          grounding: { passed: false, attempts: 1, problems },
          warnings,
        };
      }
      const value = job.parse(cleanAnswer(answer));
      const result = job.check(value);
      if (result.passed) {
        if (attempt === 2) {
          warnings.push(
            `${capitalise(model.label)}'s first ${job.what} failed the fact check (${listed(problems)}); it was rewritten and the rewrite passed`,
          );
        }
        return {
          value,
          generator: model.generator,
          grounding: { passed: true, attempts: attempt, problems },
          warnings,
        };
      }
      problems.push(...result.problems);
      if (attempt === 2) {
        warnings.push(
          `${capitalise(model.label)}'s ${job.what} failed the fact check twice (${listed(result.problems)}), so ${TEMPLATE_LABEL} was used instead`,
        );
        return {
          value: null,
          generator: "template",
          grounding: { passed: false, attempts: 2, problems },
          warnings,
        };
      }
      messages.push(
        { role: "assistant", content: send(answer) },
        {
          role: "user",
          content: send(retryMessage(result.problems, job.what === "summary" ? "summary" : "message")),
        },
      );
    }
  }
  return { value: null, generator: "template", grounding: null, warnings };
}
