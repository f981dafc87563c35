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
 * Drafts a follow-up message for one customer from a facts sheet (cached scores and history)
 * with the deterministic templates, and optionally saves it as a draft in `follow_ups`.
 */
export async function draftFollowUp(deps: ServerDeps, input: Input): Promise<DraftFollowUpResult> {
  // Refuse before doing anything, so a refused call has no effect at all.
  if (input.save) requireWrites(deps, "save=true stores the draft");
  const customer = await deps.store.requireCustomer(input.customer_id);
  const { asOf, set } = await scoresFor(deps, input.as_of);
  const language = input.language ?? customer.language;
  const notes = input.notes?.trim() ? input.notes.trim() : null;
  const facts = await buildFactsSheet(deps.store, set, customer, asOf, language, notes);
  const goal = input.goal ?? defaultGoal(facts);
  const channel = input.channel ?? "email";
  const tone = input.tone ?? "warm";
  const limits = {
    body: CHANNEL_LIMITS[channel].body[language],
    subject: CHANNEL_LIMITS[channel].subject,
  };
  const base = { facts, language, channel, goal, tone, generator: "template" as const, limits };

  if (facts.do_not_contact) {
    const reason = DO_NOT_CONTACT[language];
    return {
      ...base,
      drafted: false,
      reason,
      subject: null,
      body: null,
      warnings: input.save ? ["nothing was saved: there is no draft"] : [],
      saved: null,
    };
  }

  const draft = renderTemplate(facts, { goal, channel, tone, language });
  const warnings = [...factWarnings(facts, goal), ...contactWarnings(customer, channel), ...draft.warnings];
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
          [customer.id, at, channel, goal, language, draft.subject, draft.body, "template"],
        ),
    );
    saved = { follow_up_id: result.lastID, status: "draft", audit_id: auditId };
  }
  return { ...base, drafted: true, reason: null, subject: draft.subject, body: draft.body, warnings, saved };
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
        "deterministic template draft that states only those facts: no invented numbers, discounts or promises. Do-not-contact customers get no draft. " +
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
        openWorldHint: false,
      },
    },
    async (input) => {
      const result = await draftFollowUp(deps, input);
      return toolResult(deps, result, toMarkdown(result));
    },
  );
}
