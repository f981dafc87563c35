/**
 * The narrative of a feedback summary written by a language model from the computed analytics
 * (never from customer text), checked so it cites only numbers the analytics hold and makes no
 * offer or promise ("give them half price"), or the deterministic summary text when no model is
 * available or none writes one that passes.
 */
import { RFM_SEGMENTS } from "../../core/rfm.js";
import type { SummariseFeedbackResult } from "../contract/summariseFeedback.js";
import { checkSummary, Sources } from "./grounding.js";
import type { GeneratorName, Prefer } from "./models.js";
import { summaryPrompt } from "./prompts.js";
import {
  planWriters,
  writeWithFallback,
  type GroundingReport,
  type ToolCallContext,
  type WriterDeps,
} from "./writer.js";

/** The analytics a narrative is written from: the result without its text and writer fields. */
export type FeedbackAnalytics = Omit<
  SummariseFeedbackResult,
  "summary" | "generator" | "grounding" | "warnings"
>;

/** Longest narrative accepted, in characters: a paragraph, not a report. */
export const SUMMARY_MAX_LENGTH = 1200;

export interface WrittenSummary {
  generator: GeneratorName;
  text: string;
  grounding: GroundingReport | null;
  warnings: string[];
}

function percentText(share: number): string {
  return `${(share * 100).toFixed(1)}%`;
}

function signed(value: number): string {
  const rounded = Math.round(value);
  return rounded > 0 ? `+${rounded}` : String(rounded);
}

function points(delta: number): string {
  const value = (delta * 100).toFixed(1);
  return delta > 0 ? `+${value}` : value;
}

/**
 * The analytics as the model reads them: counts, scores, shares, theme names and their frequent
 * terms (words from the fixed theme lexicons). Quotes and complaint texts are left out.
 */
export function analyticsForPrompt(analytics: FeedbackAnalytics, language: "en" | "zh"): string {
  const { filters, period, trend, nps, csat, sentiment, themes, open_complaints: open } = analytics;
  const scope = [
    filters.customer ? `customer ${filters.customer.customer_id}` : null,
    filters.segment ? `RFM segment "${RFM_SEGMENTS[filters.segment].label[language]}"` : null,
    filters.owner ? `the customers of account manager ${filters.owner}` : null,
  ].filter(Boolean);
  const neutralShare = sentiment.total > 0 ? sentiment.neutral / sentiment.total : 0;
  const lines = [
    `Period: ${period.from} to ${period.to} (${period.days} days); previous period ${trend.previous_period.from} to ${trend.previous_period.to}.`,
    `Scope: ${scope.length > 0 ? scope.join(", ") : "the whole customer book"}; customers in scope: ${filters.customers_in_scope}.`,
    `Feedback items: ${analytics.responses} (previous period: ${trend.previous_responses}).`,
    nps
      ? `NPS: ${signed(nps.score)} from ${nps.responses} answers (promoters ${nps.promoters}, passives ${nps.passives}, detractors ${nps.detractors})` +
        (trend.previous_nps !== null ? `; previous period ${signed(trend.previous_nps)}` : "") +
        (trend.nps_delta !== null ? `; change ${signed(trend.nps_delta)} points.` : ".")
      : "NPS: no NPS answers in the period.",
    csat
      ? `CSAT: ${percentText(csat.score / 100)} satisfied (${csat.satisfied} of ${csat.responses} ratings).`
      : "CSAT: no ratings in the period.",
    sentiment.total > 0
      ? `Sentiment of the ${sentiment.total} items with text: positive ${sentiment.positive} (${percentText(sentiment.positive_share)}), neutral ${sentiment.neutral} (${percentText(neutralShare)}), negative ${sentiment.negative} (${percentText(sentiment.negative_share)})` +
        (trend.negative_share_delta !== null
          ? `; negative share change ${points(trend.negative_share_delta)} points, positive share change ${points(trend.positive_share_delta ?? 0)} points.`
          : ".")
      : "Sentiment: no feedback with text in the period.",
  ];
  if (themes.length > 0) {
    lines.push(
      "Themes (items mentioning it, share of items with text, positive / neutral / negative, frequent terms):",
    );
    for (const theme of themes) {
      const terms = theme.top_terms.slice(0, 4).map((term) => term.term);
      lines.push(
        `- ${theme.label[language]}: ${theme.count} items (${percentText(theme.share)}), ${theme.sentiment.positive} positive / ${theme.sentiment.neutral} neutral / ${theme.sentiment.negative} negative${terms.length > 0 ? `; terms: ${terms.join(", ")}` : ""}`,
      );
    }
  } else lines.push("Themes: none mentioned.");
  lines.push(`Open complaints: ${open.count}.`);
  return lines.join("\n");
}

/**
 * Every number a narrative may cite: the analytics' counts, scores, shares (as %) and deltas; and
 * the theme names and terms it may use (the fixed lexicons' words, "refunds" among them). Nothing
 * written by or about a customer: quotes, and the customer's name, company and id, are left out.
 */
export function summarySources(analytics: FeedbackAnalytics, reference: string): Sources {
  const sources = new Sources().addValue(
    analytics,
    // The CSAT definition's scale numbers are not findings.
    new Set(["quotes", "newest", "customer", "definition", "store_id"]),
  );
  sources.allowTerms(
    analytics.themes.flatMap((theme) => [
      theme.label.en,
      theme.label.zh,
      ...theme.top_terms.map((term) => term.term),
    ]),
  );
  const { sentiment, trend, csat, themes } = analytics;
  for (const share of [
    sentiment.positive_share,
    sentiment.negative_share,
    sentiment.total > 0 ? sentiment.neutral / sentiment.total : 0,
    trend.previous_sentiment.positive_share,
    trend.previous_sentiment.negative_share,
    trend.positive_share_delta ?? 0,
    trend.negative_share_delta ?? 0,
    ...themes.map((theme) => theme.share),
  ]) {
    sources.addShare(share);
  }
  if (csat) sources.addShare(csat.score / 100);
  return sources.addText(reference);
}

export interface SummaryJob {
  analytics: FeedbackAnalytics;
  /** The deterministic summary, used when no model's narrative passes. */
  reference: string;
  language: "en" | "zh";
  prefer: Prefer;
  redact: boolean;
  call?: ToolCallContext;
}

/** Writes the narrative with the first writer that can, or returns the deterministic text. */
export async function writeSummary(deps: WriterDeps, job: SummaryJob): Promise<WrittenSummary> {
  const sources = summarySources(job.analytics, job.reference);
  const outcome = await writeWithFallback(planWriters(deps, job.prefer, job.call), {
    prompt: summaryPrompt(
      analyticsForPrompt(job.analytics, job.language),
      job.reference,
      job.language,
      SUMMARY_MAX_LENGTH,
    ),
    parse: (answer) => answer.replace(/\s*\n\s*/g, " ").trim(),
    check: (text) => checkSummary(text, { sources, language: job.language, maxLength: SUMMARY_MAX_LENGTH }),
    // The prompt holds counts and theme names only; masking is kept on anyway when asked.
    redact: job.redact,
    what: "summary",
    signal: job.call?.signal,
  });
  return {
    generator: outcome.generator,
    text: outcome.value ?? job.reference,
    grounding: outcome.grounding,
    warnings: outcome.warnings,
  };
}
