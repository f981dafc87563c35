import { type Command, InvalidArgumentError, Option } from "commander";
import { asOfDay, resolveAsOf } from "../../asOf.js";
import {
  checkPrefer,
  commandDeps,
  commandLlmConfig,
  preferOption,
  toolInput,
  type CliPrefer,
} from "../../assistant/commandSupport.js";
import { addLlmOptions } from "../../assistant/llmConfig.js";
import { rfmSegmentNames } from "../../contract/common.js";
import { summariseFeedbackInput, type SummariseFeedbackResult } from "../../contract/summariseFeedback.js";
import type { LlmFlags } from "../../llm/config.js";
import { summariseFeedback } from "../../tools/summariseFeedback.js";
import type { CliContext } from "../context.js";
import { UserError } from "../errors.js";
import { parseAsOfOption } from "../options.js";
import { formatCount, formatPercent, formatTable, printJson } from "../output.js";

interface SummaryOptions extends LlmFlags {
  customer?: string;
  owner?: string;
  segment?: (typeof rfmSegmentNames)[number];
  from?: string;
  to?: string;
  lang?: "en" | "zh";
  prefer: CliPrefer;
  asOf?: Date;
  json?: boolean;
}

/** Commander parser for a real calendar day written YYYY-MM-DD. */
function parseDay(flag: string): (value: string) => string {
  return (value) => {
    const text = value.trim();
    const ms = Date.parse(`${text}T00:00:00Z`);
    if (
      !/^\d{4}-\d{2}-\d{2}$/.test(text) ||
      Number.isNaN(ms) ||
      new Date(ms).toISOString().slice(0, 10) !== text
    ) {
      throw new InvalidArgumentError(`${flag} must be a real date written YYYY-MM-DD, e.g. 2026-04-01`);
    }
    return text;
  };
}

function signed(value: number): string {
  const rounded = Math.round(value);
  return rounded > 0 ? `+${rounded}` : String(rounded);
}

/** One line of quoted customer text, cut to fit a terminal line. */
function quoteLine(text: string): string {
  const flat = text.replace(/\s+/g, " ").trim();
  return flat.length > 110 ? `${flat.slice(0, 109)}…` : flat;
}

const LABELS = {
  en: {
    header: (r: SummariseFeedbackResult) =>
      `Feedback ${r.period.from} to ${r.period.to} (${r.period.days} days, as of ${r.as_of}): ${formatCount(r.responses)} items from ${formatCount(r.filters.customers_in_scope)} customers in scope`,
    nps: (score: string, n: number, p: number, pa: number, d: number) =>
      `NPS        ${score} from ${formatCount(n)} answers (${p} promoters, ${pa} passives, ${d} detractors)`,
    npsTrend: (delta: string) => `, ${delta} on the previous period`,
    noNps: "NPS        no answers in the period",
    csat: (share: string, n: number) => `CSAT       ${share} satisfied from ${formatCount(n)} ratings`,
    sentiment: (positive: string, neutral: string, negative: string, n: number) =>
      `Sentiment  ${positive} positive, ${neutral} neutral, ${negative} negative of ${formatCount(n)} with text`,
    open: (n: number) => `Complaints ${formatCount(n)} open`,
    writer: (generator: string, check: string) => `(summary written by ${generator}${check})`,
    checkPassed: "; numbers checked against the analytics",
    checkFailed: (problems: string) =>
      `; the model's text failed the number check (${problems}), so this is the template text`,
    warnings: "Warnings:",
    columns: ["theme", "items", "share", "top terms"],
    quotes: "Quotes (customer text):",
    complaints: "Newest open complaints (customer text):",
    sentimentWord: { positive: "positive", neutral: "neutral", negative: "negative" },
  },
  zh: {
    header: (r: SummariseFeedbackResult) =>
      `反馈 ${r.period.from} 至 ${r.period.to}（${r.period.days}天，截至${r.as_of}）：范围内${formatCount(r.filters.customers_in_scope)}位客户，共${formatCount(r.responses)}条`,
    nps: (score: string, n: number, p: number, pa: number, d: number) =>
      `NPS   ${score}，${formatCount(n)}份回答（推荐者${p}、中立者${pa}、贬损者${d}）`,
    npsTrend: (delta: string) => `，较上一周期${delta}`,
    noNps: "NPS   本期没有回答",
    csat: (share: string, n: number) => `CSAT  满意${share}，${formatCount(n)}个评分`,
    sentiment: (positive: string, neutral: string, negative: string, n: number) =>
      `情感  正面${positive}、中性${neutral}、负面${negative}（${formatCount(n)}条有文字）`,
    open: (n: number) => `投诉  ${formatCount(n)}个未解决`,
    writer: (generator: string, check: string) => `（摘要由 ${generator} 撰写${check}）`,
    checkPassed: "；数字已与分析结果核对",
    checkFailed: (problems: string) => `；模型的文字未通过数字核对（${problems}），以下为模板文字`,
    warnings: "提示：",
    columns: ["主题", "条数", "占比", "高频词"],
    quotes: "代表性引述（客户原话）：",
    complaints: "最新未解决投诉（客户原话）：",
    sentimentWord: { positive: "正面", neutral: "中性", negative: "负面" },
  },
} as const;

/** The summary as a person reads it: the sentence, then the numbers behind it, compactly. */
export function formatFeedbackSummary(result: SummariseFeedbackResult): string {
  const language = result.summary.language;
  const label = LABELS[language];
  const { nps, csat, sentiment, trend } = result;
  const check = result.grounding
    ? result.grounding.passed
      ? label.checkPassed
      : label.checkFailed(result.grounding.problems.join("; "))
    : "";
  const lines = [label.header(result), "", result.summary.text, label.writer(result.generator, check), ""];
  lines.push(
    nps
      ? label.nps(signed(nps.score), nps.responses, nps.promoters, nps.passives, nps.detractors) +
          (trend.nps_delta === null ? "" : label.npsTrend(signed(trend.nps_delta)))
      : label.noNps,
  );
  if (csat) lines.push(label.csat(formatPercent(csat.score / 100), csat.responses));
  if (sentiment.total > 0) {
    lines.push(
      label.sentiment(
        formatPercent(sentiment.positive_share, 0),
        formatPercent(sentiment.neutral / sentiment.total, 0),
        formatPercent(sentiment.negative_share, 0),
        sentiment.total,
      ),
    );
  }
  lines.push(label.open(result.open_complaints.count));
  if (result.themes.length > 0) {
    const [theme, items, share, terms] = label.columns;
    lines.push(
      "",
      formatTable(result.themes, [
        { header: theme, value: (row) => row.label[language] },
        { header: items, value: (row) => row.count, align: "right" },
        { header: share, value: (row) => formatPercent(row.share, 0), align: "right" },
        { header: "+", value: (row) => row.sentiment.positive, align: "right" },
        { header: "=", value: (row) => row.sentiment.neutral, align: "right" },
        { header: "-", value: (row) => row.sentiment.negative, align: "right" },
        {
          header: terms,
          value: (row) =>
            row.top_terms
              .slice(0, 4)
              .map((term) => term.term)
              .join(", "),
          maxWidth: 36,
        },
      ]),
    );
  }
  const quotes = [...result.quotes.negative, ...result.quotes.positive];
  if (quotes.length > 0) {
    lines.push("", label.quotes);
    for (const quote of quotes) {
      lines.push(
        `  ${label.sentimentWord[quote.sentiment]}  ${quote.customer_id} ${quote.date}  "${quoteLine(quote.text)}"`,
      );
    }
  }
  if (result.open_complaints.newest.length > 0) {
    lines.push("", label.complaints);
    for (const item of result.open_complaints.newest) {
      lines.push(
        `  ${item.customer.customer_id} ${item.customer.name}, ${item.date}  "${quoteLine(item.quote.text)}"`,
      );
    }
  }
  return lines.join("\n");
}

export function registerFeedbackCommand(program: Command, context: CliContext): void {
  const feedback = program.command("feedback").description("what customers are saying");

  addLlmOptions(
    feedback
      .command("summary")
      .description(
        "summarise feedback for a period: NPS, CSAT, sentiment, themes, quotes and open complaints, with a summary in English or Chinese",
      )
      .option("--customer <id>", "only this customer's feedback")
      .option("--owner <name>", "only this account manager's customers")
      .addOption(
        new Option("--segment <segment>", "only customers in this RFM segment").choices(rfmSegmentNames),
      )
      .option("--from <date>", "first day (YYYY-MM-DD; default 90 days before --to)", parseDay("--from"))
      .option("--to <date>", "last day (YYYY-MM-DD; default the as-of day)", parseDay("--to"))
      .addOption(
        new Option("--lang <language>", "language of the summary").choices(["en", "zh"]).default("en"),
      )
      .addOption(preferOption("summary text"))
      .option("--as-of <date>", "ignore anything after this day (YYYY-MM-DD; default today)", parseAsOfOption)
      .option("--json", "print the full result as JSON")
      .addHelpText(
        "after",
        `
Examples:
  crm feedback summary                              the last 90 days, the whole book
  crm feedback summary --owner "Wang Lei" --lang zh
  crm feedback summary --segment at-risk --from 2026-01-01 --to 2026-03-31`,
      ),
  ).action(async (options: SummaryOptions) => {
    const llm = commandLlmConfig(options);
    checkPrefer(options.prefer, llm);
    const asOf = asOfDay(options.asOf ?? resolveAsOf());
    // The tool checks these too, but its messages speak of inputs, not flags.
    if (options.to && options.to > asOf) {
      throw new UserError(
        `--to ${options.to} is after the as-of day ${asOf}; give an earlier --to or a later --as-of`,
      );
    }
    const to = options.to ?? asOf;
    if (options.from && options.from > to) {
      throw new UserError(
        `--from ${options.from} is after ${options.to ? "--to " : "the as-of day "}${to}; swap them`,
      );
    }
    const input = toolInput(
      summariseFeedbackInput,
      {
        customer_id: options.customer,
        owner: options.owner,
        segment: options.segment,
        from: options.from,
        to: options.to,
        language: options.lang,
        prefer: options.prefer,
        as_of: asOf,
      },
      { customer_id: "--customer", owner: "--owner", language: "--lang", prefer: "--prefer" },
    );
    const store = await context.openStore();
    const result = await summariseFeedback(commandDeps(store, { llm }), input);
    if (options.json) return printJson(result);
    process.stdout.write(`${formatFeedbackSummary(result)}\n`);
  });
}
