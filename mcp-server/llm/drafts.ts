/**
 * A follow-up draft written by a language model from the facts sheet, grounded, or the template
 * draft when no model is available or none writes a draft that passes the check.
 */
import type { FactsSheet } from "../contract/draftFollowUp.js";
import { PHRASES, type DraftRequest, type TemplateDraft } from "../drafts/templates.js";
import { redactText } from "../context/redact.js";
import { checkDraft, draftNames, draftSources, usableName } from "./grounding.js";
import type { GeneratorName, Prefer } from "./models.js";
import { draftPrompt } from "./prompts.js";
import {
  planWriters,
  writeWithFallback,
  type GroundingReport,
  type ToolCallContext,
  type WriterDeps,
} from "./writer.js";

export interface WrittenDraft {
  generator: GeneratorName;
  subject: string | null;
  body: string;
  /** Null when no language model was asked. */
  grounding: GroundingReport | null;
  warnings: string[];
}

export interface DraftJob {
  facts: FactsSheet;
  request: DraftRequest;
  limits: { body: number; subject: number | null };
  /** The deterministic draft, used when no model's draft passes. */
  template: TemplateDraft;
  prefer: Prefer;
  redact: boolean;
  call?: ToolCallContext;
}

/** Splits "Subject: ...\n\nbody" (the email layout the prompt asks for). */
export function parseDraft(answer: string, email: boolean): { subject: string | null; body: string } {
  const match = /^\s*(?:\*\*)?(?:subject|主题|标题|邮件主题)(?:\*\*)?\s*[:：]\s*(.*)\n/i.exec(answer);
  if (!match) return { subject: null, body: answer.trim() };
  const subject = match[1].replace(/\*\*/g, "").trim();
  const body = answer.slice(match[0].length).trim();
  return { subject: email ? subject || null : null, body };
}

/** The SMS opt-out line, which the model leaves out and the draft gets appended. */
function optOut(request: DraftRequest): string | null {
  return request.channel === "sms" ? PHRASES[request.language].optOut : null;
}

function withOptOut(body: string, line: string | null, language: "en" | "zh"): string {
  if (!line) return body;
  return language === "en" ? `${body} ${line}` : `${body}${line}`;
}

/**
 * Writes the draft with the first writer that can (see `planWriters`), checking a model's draft
 * with `checkDraft` against the computed facts and the manager's notes (the only source of
 * offers), the language and the channel's limit.
 */
export async function writeDraft(deps: WriterDeps, job: DraftJob): Promise<WrittenDraft> {
  const { request, limits } = job;
  const line = optOut(request);
  const bodyLimit = line ? limits.body - line.length - (request.language === "en" ? 1 : 0) : limits.body;
  const plan = planWriters(deps, job.prefer, job.call);
  const sources = draftSources(job.facts);
  const names = draftNames(job.facts);
  // A model that saw masked contact details may repeat them as it saw them: in the notes (which
  // may then give a masked number's last digits) and in names.
  if (job.redact) {
    if (job.facts.manager_notes) sources.addText(redactText(job.facts.manager_notes));
    names.push(...names.map(redactText).filter(usableName));
  }
  const outcome = await writeWithFallback(plan, {
    prompt: draftPrompt(job.facts, { ...request, bodyLimit, subjectLimit: limits.subject }),
    parse: (answer) => {
      const draft = parseDraft(answer, request.channel === "email");
      // A model that adds the opt-out line anyway: take it off, it is appended below.
      return line ? { ...draft, body: draft.body.replace(line, "").trim() } : draft;
    },
    check: (draft) =>
      checkDraft(draft, {
        facts: job.facts,
        language: request.language,
        channel: request.channel,
        limits: { body: bodyLimit, subject: limits.subject },
        sources,
        names,
      }),
    redact: job.redact,
    what: "draft",
    signal: job.call?.signal,
  });
  if (outcome.value === null) {
    return {
      generator: "template",
      subject: job.template.subject,
      body: job.template.body,
      grounding: outcome.grounding,
      warnings: outcome.warnings,
    };
  }
  return {
    generator: outcome.generator,
    subject: outcome.value.subject,
    body: withOptOut(outcome.value.body, line, request.language),
    grounding: outcome.grounding,
    warnings: outcome.warnings,
  };
}
