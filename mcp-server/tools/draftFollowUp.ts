import type { McpServer } from "@modelcontextprotocol/sdk/server/mcp.js";
import {
  CHANNEL_LIMITS,
  DRAFT_FOLLOW_UP,
  draftFollowUpInput,
  draftFollowUpOutput,
  type DraftFollowUpResult,
  type FollowUpChannel,
  type FollowUpGoal,
  type FollowUpTone,
} from "../contract/draftFollowUp.js";
import { buildFactsSheet, factsSheetMarkdown } from "../drafts/factsSheet.js";
import { defaultGoal, factWarnings, renderTemplate } from "../drafts/templates.js";
import { writeDraft } from "../llm/drafts.js";
import type { Prefer } from "../llm/models.js";
import { withSampling } from "../llm/sampling.js";
import type { ToolCallContext } from "../llm/writer.js";
import type { ServerDeps } from "../server/deps.js";
import { auditedWrite } from "../store/audit.js";
import { storedTime } from "../store/timestamps.js";
import type { CustomerRow } from "../store/rows.js";
import { requireWrites, scoresFor, toolResult } from "./support.js";

type Input = {
  customer_id: string;
  goal?: FollowUpGoal;
  channel?: FollowUpChannel;
  tone?: FollowUpTone;
  language?: "en" | "zh";
  notes?: string;
  save?: boolean;
  as_of?: string;
  prefer?: Prefer;
  redact?: boolean;
};

const DO_NOT_CONTACT = {
  en: "This customer is marked do-not-contact, so no draft was written. If the flag is wrong, clear it in the customer record (re-import the customer with do_not_contact = 0).",
  zh: "该客户已被标记为“请勿联系”，因此未生成草稿。如标记有误，请在客户资料中取消该标记（以 do_not_contact = 0 重新导入该客户）。",
};

/** Contact details the channel needs but the record lacks. */
function contactWarnings(customer: CustomerRow, channel: FollowUpChannel): string[] {
  if (channel === "email" && !customer.email) return ["no email address on file for this customer"];
  if ((channel === "sms" || channel === "call-script") && !customer.phone) {
    return ["no phone number on file for this customer"];
  }
  return [];
}

/**
 * Drafts a follow-up message for one customer from a facts sheet (cached scores and history),
 * and optionally saves it as a draft in `follow_ups`. The writer is the MCP client's model
 * (sampling, when `deps.sampling` offers it), the OpenAI-compatible endpoint in `deps.llm`, or the
 * deterministic templates, in that order (`input.prefer` picks one); a model's draft is checked
 * against the facts sheet and replaced by the template when it fails twice. Do-not-contact
 * customers get no draft, and no model is asked.
 *
 * @param call the MCP request this runs for (sampling requests are tied to it; cancelling it
 *   aborts them); omitted outside an MCP session
 */
export async function draftFollowUp(
  deps: ServerDeps,
  input: Input,
  call: ToolCallContext = {},
): Promise<DraftFollowUpResult> {
  // Refuse before doing anything, so a refused call has no effect at all.
  if (input.save) requireWrites(deps, "save=true stores the draft");
  const customer = await deps.store.requireCustomer(input.customer_id);
  const { asOf, set } = await scoresFor(deps, input.as_of);
  const language = input.language ?? customer.language;
  const notes = input.notes?.trim() ? input.notes.trim() : null;
  const facts = await buildFactsSheet(deps.store, set, customer, asOf, language, notes, deps.now());
  const goal = input.goal ?? defaultGoal(facts);
  const channel = input.channel ?? "email";
  const tone = input.tone ?? "warm";
  const limits = {
    body: CHANNEL_LIMITS[channel].body[language],
    subject: CHANNEL_LIMITS[channel].subject,
  };
  const base = { facts, language, channel, goal, tone, limits };

  if (facts.do_not_contact) {
    const reason = DO_NOT_CONTACT[language];
    return {
      ...base,
      generator: "template",
      grounding: null,
      drafted: false,
      reason,
      subject: null,
      body: null,
      warnings: input.save ? ["nothing was saved: there is no draft"] : [],
      saved: null,
    };
  }

  const request = { goal, channel, tone, language };
  const template = renderTemplate(facts, request);
  const draft = await writeDraft(deps, {
    facts,
    request,
    limits,
    template,
    prefer: input.prefer ?? "auto",
    redact: deps.redact || input.redact === true,
    call,
  });
  const byTemplate = draft.generator === "template";
  const warnings = [
    ...draft.warnings,
    ...factWarnings(facts, goal, byTemplate),
    ...contactWarnings(customer, channel),
    ...(byTemplate ? template.warnings : []),
  ];
  let saved: DraftFollowUpResult["saved"] = null;
  if (input.save) {
    const at = storedTime(deps.now());
    // A saved draft changes nothing the scores read, so the data version (and the score cache)
    // stays as it is.
    const { result, auditId } = await auditedWrite(
      deps.store,
      { at, actor: deps.actor, action: DRAFT_FOLLOW_UP, customerId: customer.id, details: input },
      { changesScores: false },
      () =>
        deps.store.db.run(
          "INSERT INTO follow_ups (customer_id, created_at, channel, goal, language, subject, body, generator, status) VALUES (?, ?, ?, ?, ?, ?, ?, ?, 'draft')",
          [customer.id, at, channel, goal, language, draft.subject, draft.body, draft.generator],
        ),
    );
    saved = { follow_up_id: result.lastID, status: "draft", audit_id: auditId };
  }
  return {
    ...base,
    generator: draft.generator,
    grounding: draft.grounding,
    drafted: true,
    reason: null,
    subject: draft.subject,
    body: draft.body,
    warnings,
    saved,
  };
}

function toMarkdown(result: DraftFollowUpResult): string {
  const who = `${result.facts.customer.name} (${result.facts.customer.customer_id})`;
  const lines: string[] = [];
  if (!result.drafted) {
    lines.push(`**No draft for ${who}.** ${result.reason}`);
  } else {
    lines.push(
      `**Draft ${result.channel} to ${who}**: goal ${result.goal}, tone ${result.tone}, language ${result.language}, generator ${result.generator}${result.saved ? `; saved as follow-up #${result.saved.follow_up_id} (status draft)` : ""}.`,
      "",
    );
    if (result.subject) lines.push(`Subject: ${result.subject}`, "");
    lines.push("```text", result.body ?? "", "```");
    if (result.grounding) {
      // The problems themselves are in the warnings below.
      const { passed, attempts } = result.grounding;
      lines.push(
        "",
        passed
          ? `Fact check: passed${attempts > 1 ? " on the second attempt" : ""}: every number and date is in the facts sheet or your notes, and any offer is in your notes.`
          : "Fact check: the language model's draft failed twice; this is the template draft instead.",
      );
    }
  }
  if (result.warnings.length > 0)
    lines.push("", "Warnings:", ...result.warnings.map((warning) => `- ${warning}`));
  lines.push("", "Facts sheet (the only source of the draft):", "", factsSheetMarkdown(result.facts));
  return lines.join("\n");
}

export function registerDraftFollowUp(server: McpServer, deps: ServerDeps): void {
  server.registerTool(
    DRAFT_FOLLOW_UP,
    {
      title: "Draft a follow-up",
      description:
        "Writes a ready-to-edit follow-up for one customer (email, SMS, WeChat or call script; English or Chinese; warm, formal or brief) for a goal: " +
        "retention, win-back, thank-you, upsell, feedback-response or renewal (default: from the lifecycle stage). Returns the facts sheet it was written from " +
        "(lifecycle stage, risk reasons, CLV, last purchase and usual rhythm, recent orders, recent feedback quoted as customer data, do-not-contact) and a " +
        "draft that states only those facts. The writer (field generator) is your own model via sampling when this client offers it, else the server's " +
        "OpenAI-compatible endpoint if configured, else a deterministic template; a model's draft is fact-checked (no numbers, dates, discounts or promises " +
        "beyond the facts and your notes; right language; channel length) and replaced by the template when it fails twice. Do-not-contact customers get no draft. " +
        (deps.allowWrites
          ? "save=true also stores it as a draft follow-up (audited)."
          : "save=true is disabled on this server (started without --allow-writes)."),
      inputSchema: draftFollowUpInput,
      outputSchema: draftFollowUpOutput,
      // Not read-only: save=true writes a follow-up and an audit entry; each save adds a new row.
      annotations: {
        readOnlyHint: false,
        destructiveHint: false,
        idempotentHint: false,
        // A configured endpoint is a service outside this machine's store.
        openWorldHint: Boolean(deps.llm?.openai),
      },
    },
    async (input, extra) => {
      const result = await draftFollowUp(withSampling(deps, server.server), input, {
        relatedRequestId: extra.requestId,
        signal: extra.signal,
      });
      return toolResult(deps, result, toMarkdown(result));
    },
  );
}
