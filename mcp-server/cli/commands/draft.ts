import { type Command, Option } from "commander";
import { asOfDay } from "../../asOf.js";
import {
  checkPrefer,
  commandDeps,
  commandLlmConfig,
  preferOption,
  toolInput,
  type CliPrefer,
} from "../../assistant/commandSupport.js";
import { addLlmOptions } from "../../assistant/llmConfig.js";
import {
  draftFollowUpInput,
  followUpChannels,
  followUpGoals,
  followUpTones,
  type DraftFollowUpResult,
} from "../../contract/draftFollowUp.js";
import type { LlmFlags } from "../../llm/config.js";
import { draftFollowUp } from "../../tools/draftFollowUp.js";
import type { CliContext } from "../context.js";
import { parseAsOfOption } from "../options.js";
import { printJson } from "../output.js";

interface DraftOptions extends LlmFlags {
  goal?: (typeof followUpGoals)[number];
  channel?: (typeof followUpChannels)[number];
  tone?: (typeof followUpTones)[number];
  lang?: "en" | "zh";
  notes?: string;
  prefer: CliPrefer;
  redact?: boolean;
  asOf?: Date;
  json?: boolean;
}

/** The draft as a person reads it: who and how, the message, then anything to check. */
export function formatDraft(result: DraftFollowUpResult): string {
  const who = `${result.facts.customer.name} (${result.facts.customer.customer_id})`;
  const lines: string[] = [];
  if (!result.drafted) {
    lines.push(`No draft for ${who}: ${result.reason}`);
  } else {
    lines.push(
      `Draft ${result.channel} to ${who}: goal ${result.goal}, tone ${result.tone}, language ${result.language}, written by ${result.generator}`,
      "",
    );
    if (result.subject) lines.push(`Subject: ${result.subject}`, "");
    lines.push(result.body ?? "");
    if (result.grounding) {
      const { passed, attempts, problems } = result.grounding;
      lines.push(
        "",
        passed
          ? `Fact check: passed${attempts > 1 ? ` on the second attempt (the first draft had: ${problems.join("; ")})` : ""}.`
          : `Fact check: the model's draft failed twice (${problems.join("; ")}), so this is the template draft.`,
      );
    }
  }
  if (result.warnings.length > 0) {
    lines.push("", "Warnings:", ...result.warnings.map((warning) => `  - ${warning}`));
  }
  if (result.drafted) lines.push("", "Nothing was sent: copy, edit and send it yourself.");
  return lines.join("\n");
}

export function registerDraftCommand(program: Command, context: CliContext): void {
  addLlmOptions(
    program
      .command("draft")
      .description(
        "draft a follow-up message for one customer from their facts sheet (by an LLM when one is configured, else by the built-in templates)",
      )
      .argument("<customer>", "the customer's id (external id or store id)")
      .addOption(
        new Option("--goal <goal>", "what the message is for (default: from the lifecycle stage)").choices(
          followUpGoals,
        ),
      )
      .addOption(
        new Option("--channel <channel>", "how it will be sent").choices(followUpChannels).default("email"),
      )
      .addOption(new Option("--tone <tone>", "how it sounds").choices(followUpTones).default("warm"))
      .addOption(
        new Option("--lang <language>", "en or zh (default: the customer's language)").choices(["en", "zh"]),
      )
      .option("--notes <text>", "your notes for the draft (up to 1,000 characters)")
      .addOption(preferOption("draft"))
      .option("--redact", "keep emails and phone numbers out of what is sent to the model")
      .option("--as-of <date>", "use the facts as of this day (YYYY-MM-DD; default today)", parseAsOfOption)
      .option("--json", "print the full result as JSON")
      .addHelpText(
        "after",
        `
Examples:
  crm draft C00042                                  email in the customer's language, goal from their stage
  crm draft C00042 --goal win-back --channel sms --lang zh
  crm draft C00042 --notes "met at the trade fair" --prefer template`,
      ),
  ).action(async (customer: string, options: DraftOptions) => {
    const llm = commandLlmConfig(options);
    checkPrefer(options.prefer, llm);
    const input = toolInput(
      draftFollowUpInput,
      {
        customer_id: customer,
        goal: options.goal,
        channel: options.channel,
        tone: options.tone,
        language: options.lang,
        notes: options.notes,
        prefer: options.prefer,
        redact: options.redact === true ? true : undefined,
        as_of: options.asOf ? asOfDay(options.asOf) : undefined,
      },
      { customer_id: "<customer>", notes: "--notes", language: "--lang", prefer: "--prefer" },
    );
    const store = await context.openStore();
    const result = await draftFollowUp(commandDeps(store, { llm }), input);
    if (options.json) return printJson(result);
    process.stdout.write(`${formatDraft(result)}\n`);
  });
}
