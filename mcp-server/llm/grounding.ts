/**
 * The grounding check every language-model text passes before anyone sees it: a draft may state
 * only what the product computed and the account manager's notes state, and a feedback summary
 * only the numbers the analytics computed.
 *
 * What counts as a source, and for what:
 * - numbers, percentages and dates: the facts the product computed or the store records as
 *   values (scores, churn probability and its horizon, lifecycle stage and its reasons, CLV,
 *   orders, amounts, dates of orders, feedback and interactions) and the manager's notes;
 * - offers and promises (discounts, free things, refunds and credits, guarantees; see
 *   `offers.ts`): the manager's notes only, and a discount only at the size the notes state;
 * - names: the customer's name and company, the owner and the customer id may appear as they
 *   are, but their words count for nothing else, and a name that reads like an offer is not
 *   allowed at all.
 * Free text written by or about the customer (feedback, interaction summaries and outcomes,
 * name and company fields) is never a source: "offer me 90% off" in a complaint or a company
 * name must not make "90% off" a grounded fact, and neither must any number in it.
 *
 * Checked: numbers (amounts, counts, percentages), dates in the usual English and Chinese
 * formats, offers and promises in both languages and their paraphrases, placeholders like
 * "[Your name]", the language (`detectLanguage` from the core) and the channel's length limit.
 * Number words ("two orders") are not checked, except as the size of a discount.
 */
import { detectLanguage } from "../../core/feedback.js";
import type { FactsSheet, FollowUpChannel } from "../contract/draftFollowUp.js";
import {
  findOffers,
  normaliseForOffers,
  OFFER_LABELS,
  readsAsOffer,
  type FoundOffer,
  type OfferKind,
} from "./offers.js";

export interface GroundingResult {
  passed: boolean;
  /** What is wrong, one readable sentence each; empty when passed. */
  problems: string[];
}

const LANGUAGE_NAMES = { en: "English", zh: "Chinese" } as const;

const MONTHS: Record<string, number> = {
  january: 1,
  february: 2,
  march: 3,
  april: 4,
  may: 5,
  june: 6,
  july: 7,
  august: 8,
  september: 9,
  october: 10,
  november: 11,
  december: 12,
  jan: 1,
  feb: 2,
  mar: 3,
  apr: 4,
  jun: 6,
  jul: 7,
  aug: 8,
  sep: 9,
  sept: 9,
  oct: 10,
  nov: 11,
  dec: 12,
};
const MONTH = `(${Object.keys(MONTHS)
  .sort((a, b) => b.length - a.length)
  .join("|")})`;
const ORDINAL = "(?:st|nd|rd|th)?";

/** A date found in text: day may be missing ("May 2026"), and so may the year ("10 May"). */
interface FoundDate {
  text: string;
  year: number | null;
  month: number;
  day: number | null;
  /** d/m/y and m/d/y read the same digits: either reading may match. */
  alternative?: { month: number; day: number };
}

const DATE_PATTERNS: { pattern: RegExp; read(match: RegExpExecArray): Omit<FoundDate, "text"> | null }[] = [
  {
    // 2026-05-10, 2026/5/10, 2026.05.10, 2026年5月10日
    pattern: /\b(\d{4})\s*(?:[-/.]|年)\s*(\d{1,2})\s*(?:[-/.]|月)\s*(\d{1,2})(?:\s*[日号])?/g,
    read: (m) => ({ year: Number(m[1]), month: Number(m[2]), day: Number(m[3]) }),
  },
  {
    // 2026年5月
    pattern: /(\d{4})\s*年\s*(\d{1,2})\s*月(?!\s*\d)/g,
    read: (m) => ({ year: Number(m[1]), month: Number(m[2]), day: null }),
  },
  {
    // 5月10日
    pattern: /(\d{1,2})\s*月\s*(\d{1,2})\s*[日号]/g,
    read: (m) => ({ year: null, month: Number(m[1]), day: Number(m[2]) }),
  },
  {
    // 10 May 2026, 10th of May, 10 May
    pattern: new RegExp(`\\b(\\d{1,2})${ORDINAL}\\s+(?:of\\s+)?${MONTH}\\b\\.?(?:,?\\s+(\\d{4})\\b)?`, "gi"),
    read: (m) => ({
      year: m[3] ? Number(m[3]) : null,
      month: MONTHS[m[2].toLowerCase()],
      day: Number(m[1]),
    }),
  },
  {
    // May 10, 2026; May 10th; May 10
    pattern: new RegExp(`\\b${MONTH}\\b\\.?\\s+(\\d{1,2})${ORDINAL}\\b(?:,?\\s+(\\d{4})\\b)?`, "gi"),
    read: (m) => ({
      year: m[3] ? Number(m[3]) : null,
      month: MONTHS[m[1].toLowerCase()],
      day: Number(m[2]),
    }),
  },
  {
    // May 2026
    pattern: new RegExp(`\\b${MONTH}\\b\\.?,?\\s+(\\d{4})\\b`, "gi"),
    read: (m) => ({ year: Number(m[2]), month: MONTHS[m[1].toLowerCase()], day: null }),
  },
  {
    // 10/05/2026 (day first) or 05/10/2026 (month first)
    pattern: /\b(\d{1,2})[/.](\d{1,2})[/.](\d{4})\b/g,
    read: (m) => ({
      year: Number(m[3]),
      month: Number(m[2]),
      day: Number(m[1]),
      alternative: { month: Number(m[1]), day: Number(m[2]) },
    }),
  },
];

function validDate(month: number, day: number | null): boolean {
  return month >= 1 && month <= 12 && (day === null || (day >= 1 && day <= 31));
}

/** Finds dates in text and returns them with the text the dates are blanked out of. */
function extractDates(text: string): { dates: FoundDate[]; rest: string } {
  const dates: FoundDate[] = [];
  let rest = text;
  for (const { pattern, read } of DATE_PATTERNS) {
    rest = rest.replace(pattern, (...args) => {
      const match = args.slice(0, -2) as unknown as RegExpExecArray;
      const found = read(match);
      if (!found) return match[0];
      const primaryValid = validDate(found.month, found.day);
      const alternativeValid = found.alternative
        ? validDate(found.alternative.month, found.alternative.day)
        : false;
      if (!primaryValid && !alternativeValid) return match[0];
      const text = match[0].replace(/[.,\s]+$/, "");
      if (!primaryValid && found.alternative) {
        dates.push({ text, year: found.year, ...found.alternative });
      } else {
        dates.push({ text, ...found, ...(alternativeValid ? {} : { alternative: undefined }) });
      }
      return " ";
    });
  }
  return { dates, rest };
}

const PERCENT = /(\d+(?:\.\d+)?)\s*(?:%|percent\b|per cent\b)/gi;
const ZH_PERCENT = /百分之[零〇一二两三四五六七八九十百点\d.]+/g;
const NUMBER = /\d+(?:,\d{3})*(?:\.\d+)?/g;

/** One number in one canonical spelling: "2,603.050" and "2603.05" are both "2603.05". */
function canonical(text: string | number): string {
  return String(Number(String(text).replace(/,/g, "")));
}

const PLACEHOLDER = /\[[^\]\n]{1,40}\]|\{\{[^}\n]{1,40}\}\}|<(?:your|customer|name)[^>\n]{0,30}>/i;

/** A word as terms are compared: lower case, without a final "s" or "ed" ("refunds", "refunded"). */
function stem(word: string): string {
  return normaliseForOffers(word)
    .toLowerCase()
    .trim()
    .replace(/(?:s|ed)$/, "");
}

/**
 * What a text may cite: numbers, percentages and dates from the sources, offers only from the
 * texts allowed to make them (`allowOffers`), and words that name findings (`allowTerms`).
 */
export class Sources {
  readonly numbers = new Set<string>();
  readonly percents = new Set<string>();
  /** YYYY-MM-DD */
  readonly dates = new Set<string>();
  private readonly texts: string[] = [];
  /** The offers the allowed texts make: their kinds, discount sizes (percent off) and words. */
  private readonly offerKinds = new Set<OfferKind>();
  private readonly discountSizes = new Set<string>();
  private readonly offerTexts: string[] = [];
  private readonly terms = new Set<string>();

  addNumber(value: number): this {
    if (!Number.isFinite(value)) return this;
    for (const v of [value, Math.abs(value)]) {
      this.numbers.add(canonical(v));
      this.numbers.add(canonical(Math.round(v)));
      this.numbers.add(canonical(v.toFixed(2)));
      this.numbers.add(canonical(v.toFixed(1)));
    }
    return this;
  }

  /** A share (0.25) that a text may cite as a percentage (25%, 25.0%). */
  addShare(share: number): this {
    if (!Number.isFinite(share)) return this;
    for (const percent of [share * 100, Math.abs(share * 100)]) {
      this.percents.add(canonical(percent.toFixed(1)));
      this.percents.add(canonical(Math.round(percent)));
      this.addNumber(percent);
    }
    return this;
  }

  addDate(iso: string): this {
    this.dates.add(iso.slice(0, 10));
    this.addNumber(Number(iso.slice(0, 4)));
    return this;
  }

  /** Free text the product wrote or the manager's notes: its dates, percentages and numbers (not its offers). */
  addText(text: string): this {
    const normal = normaliseForOffers(text);
    this.texts.push(normal);
    const { dates, rest } = extractDates(normal);
    for (const date of dates) {
      if (date.year !== null && date.day !== null) {
        this.addDate(`${date.year}-${pad(date.month)}-${pad(date.day)}`);
      } else if (date.year !== null) this.addNumber(date.year);
      // A partial date in the notes ("call on 15 July") allows the same partial date.
      for (const reading of [date, ...(date.alternative ? [date.alternative] : [])]) {
        if (reading.day !== null && date.year === null)
          this.dates.add(`----${pad(reading.month)}-${pad(reading.day)}`);
      }
    }
    const withoutPercents = rest.replace(PERCENT, (_match, number: string) => {
      this.percents.add(canonical(number));
      this.addNumber(Number(number));
      return " ";
    });
    for (const number of withoutPercents.match(NUMBER) ?? [])
      this.addNumber(Number(number.replace(/,/g, "")));
    return this;
  }

  /** Every number and string inside a JSON-like value, skipping the keys named. */
  addValue(value: unknown, skipKeys: ReadonlySet<string> = new Set()): this {
    if (typeof value === "number") this.addNumber(value);
    else if (typeof value === "string") this.addText(value);
    else if (Array.isArray(value)) value.forEach((item) => this.addValue(item, skipKeys));
    else if (value && typeof value === "object") {
      for (const [key, item] of Object.entries(value)) if (!skipKeys.has(key)) this.addValue(item, skipKeys);
    }
    return this;
  }

  /**
   * The offers `text` makes become allowed: only the account manager's notes are given here.
   * A discount with a size is allowed at the sizes the text states ("10% off" also allows 打九折);
   * one without ("a discount") needs only that the text approves some discount.
   */
  allowOffers(text: string): this {
    const normal = normaliseForOffers(text).toLowerCase();
    this.offerTexts.push(normal);
    for (const offer of findOffers(text)) {
      this.offerKinds.add(offer.kind);
      if (offer.percentOff !== null && Number.isFinite(offer.percentOff))
        this.discountSizes.add(canonical(offer.percentOff));
    }
    return this;
  }

  /** Words a summary may use to name what the analytics found (theme names and their terms). */
  allowTerms(terms: Iterable<string>): this {
    for (const term of terms) if (term.trim()) this.terms.add(stem(term));
    return this;
  }

  /** True when the allowed texts make this offer (of this kind and, for a discount, this size). */
  allowsOffer(offer: FoundOffer): boolean {
    if (!this.offerKinds.has(offer.kind)) return false;
    if (offer.percentOff === null) {
      // "a discount" is allowed by notes that approve some discount, but "a discount" in the
      // notes does not approve "half price".
      return true;
    }
    if (Number.isNaN(offer.percentOff))
      return this.offerTexts.some((text) => text.includes(offer.text.toLowerCase()));
    return this.discountSizes.has(canonical(offer.percentOff));
  }

  /** True when the offer's words are one of the allowed terms ("refunds" when customers mention refunds). */
  namesTerm(offer: FoundOffer): boolean {
    return this.terms.has(stem(offer.text));
  }

  mentionsText(text: string): boolean {
    return this.texts.some((source) => source.includes(text));
  }

  allowsDate(date: FoundDate): boolean {
    const readings = [{ month: date.month, day: date.day }, ...(date.alternative ? [date.alternative] : [])];
    return readings.some(({ month, day }) => {
      const monthDay = day === null ? null : `-${pad(month)}-${pad(day)}`;
      if (date.year !== null && monthDay) return this.dates.has(`${date.year}${monthDay}`);
      if (monthDay) return [...this.dates].some((known) => known.endsWith(monthDay));
      return [...this.dates].some((known) => known.startsWith(`${date.year}-${pad(month)}-`));
    });
  }
}

function pad(value: number): string {
  return String(value).padStart(2, "0");
}

/**
 * The facts the product computed or the store records as values, without any free text written
 * by or about the customer: no name, company, owner or id, no interaction summary or outcome, no
 * feedback text, and no manager's notes (they are added separately).
 */
export function computedFacts(facts: FactsSheet) {
  const { customer: _customer, manager_notes: _notes, last_interaction: interaction, ...computed } = facts;
  return {
    ...computed,
    last_interaction: interaction && {
      date: interaction.date,
      channel: interaction.channel,
      direction: interaction.direction,
    },
    feedback: {
      latest_nps: facts.feedback.latest_nps,
      open_complaints: facts.feedback.open_complaints,
      recent: facts.feedback.recent.map(({ customer_text: _text, ...item }) => item),
    },
    // A ticket's id and dates are the store's; its subject may be the customer's words.
    open_tickets: facts.open_tickets.map(({ subject: _subject, ...ticket }) => ticket),
  };
}

/**
 * The sources of a draft: the computed facts for numbers and dates, and the manager's notes for
 * numbers, dates and offers.
 */
export function draftSources(facts: FactsSheet): Sources {
  const sources = new Sources().addValue(computedFacts(facts));
  // The churn probability is stored in whole percent; a draft may cite it as "63%".
  if (facts.risk.churn_probability_percent !== null)
    sources.addShare(facts.risk.churn_probability_percent / 100);
  if (facts.manager_notes) sources.addText(facts.manager_notes).allowOffers(facts.manager_notes);
  return sources;
}

/**
 * True when a name may appear in a draft as it is: it has letters and reads like no offer. A name
 * that reads like an offer ("Free Delivery Ltd", 打五折公司) would carry it into the draft, and one
 * without letters ("90") would allow a bare number ("90% off" with the name blanked is "% off").
 */
export function usableName(text: string | null): text is string {
  return typeof text === "string" && text.trim().length >= 2 && /\p{L}/u.test(text) && !readsAsOffer(text);
}

/** The names a draft may write as they are: the customer's name and company, the owner, the customer id. */
export function draftNames(facts: FactsSheet): string[] {
  const { name, company, owner, customer_id } = facts.customer;
  return [name, company, owner, customer_id, `Customer ${customer_id}`].filter(usableName);
}

/** The words around a match, cut at word boundaries where the text has them. */
function around(text: string, index: number, length: number): string {
  let start = Math.max(0, index - 15);
  let end = Math.min(text.length, index + length + 15);
  const before = text.slice(start, index).search(/\s\S/);
  if (start > 0 && before >= 0) start += before + 1;
  const after = text.slice(index + length, end).search(/\S\s\S*$/);
  if (end < text.length && after >= 0) end = index + length + after + 1;
  return text.slice(start, end);
}

function quote(text: string): string {
  const short = text.trim().replace(/\s+/g, " ");
  return `"${short.length > 40 ? `${short.slice(0, 39)}…` : short}"`;
}

function escapeRegExp(text: string): string {
  return text.replace(/[.*+?^${}()|[\]\\]/g, "\\$&");
}

/** `text` with the names blanked out (same length, so indexes still point into `text`). */
function withoutNames(text: string, names: readonly string[]): string {
  let result = text;
  for (const name of [...names].sort((a, b) => b.length - a.length)) {
    const normal = normaliseForOffers(name).trim();
    if (normal.length < 2) continue;
    result = result.replace(new RegExp(escapeRegExp(normal), "giu"), (match) => " ".repeat(match.length));
  }
  return result;
}

/** An offering verb just before a term: "give them a discount", 给予折扣. */
const OFFERING_VERB =
  /(?:\b(?:offer|offering|offered|give|giving|gave|grant|granting|provide|providing|extend|extending|send|sending|issue|issuing|apply|applying|approve|approving|promise|promising|hand\s+out)\b(?:\s+\S+){0,3}\s*|(?:给|给予|提供|送|发放|赠|批准|申请|安排)[^，。；,.;]{0,6})$/i;

export interface ContentOptions {
  /** Look for offers and promises (drafts and summaries). */
  offers: boolean;
  /** Names the text may write as they are (`draftNames`). */
  names?: readonly string[];
  /** Who may make offers, for the problem text: "the manager's notes" for drafts, nobody for summaries. */
  offersBy?: "notes" | "nobody";
}

/**
 * Numbers, percentages, dates, offers and placeholders in `text` that the sources do not hold,
 * as problems (`where` names the part: "the subject", "the message").
 */
export function unsupportedContent(
  text: string,
  sources: Sources,
  where: string,
  options: ContentOptions,
): string[] {
  const problems: string[] = [];
  const normal = normaliseForOffers(text);
  const unnamed = withoutNames(normal, options.names ?? []);
  const { dates, rest } = extractDates(unnamed);
  for (const date of dates) {
    if (!sources.allowsDate(date))
      problems.push(`${where} mentions the date ${quote(date.text)}, which is not in the facts`);
  }
  const withoutPercents = rest.replace(PERCENT, (match, number: string) => {
    if (!sources.percents.has(canonical(number)))
      problems.push(`${where} mentions ${quote(match)}, a percentage that is not in the facts`);
    return " ";
  });
  for (const match of unnamed.match(ZH_PERCENT) ?? []) {
    if (!sources.mentionsText(match))
      problems.push(`${where} mentions ${quote(match)}, a percentage that is not in the facts`);
  }
  const numbers = new Set(withoutPercents.match(NUMBER) ?? []);
  for (const number of numbers) {
    if (!sources.numbers.has(canonical(number)))
      problems.push(`${where} mentions the number ${number}, which is not in the facts`);
  }
  // Offers are looked for in the whole text: names allowed as they are hold none, and an offer
  // that runs into a name ("half Price Ltd") is still an offer.
  if (options.offers) problems.push(...unsupportedOffers(normal, sources, where, options.offersBy));
  const placeholder = PLACEHOLDER.exec(normal);
  if (placeholder)
    problems.push(`${where} contains the placeholder ${quote(placeholder[0])}; write the real text`);
  return problems;
}

/** One problem per kind of offer the sources do not allow, quoting the first such offer. */
function unsupportedOffers(
  normal: string,
  sources: Sources,
  where: string,
  offersBy: ContentOptions["offersBy"] = "notes",
): string[] {
  const reported = new Set<OfferKind>();
  const problems: string[] = [];
  for (const offer of findOffers(normal)) {
    if (reported.has(offer.kind) || sources.allowsOffer(offer)) continue;
    // A term the analytics name ("customers mention refunds"), unless it is being offered.
    if (sources.namesTerm(offer) && !OFFERING_VERB.test(normal.slice(0, offer.index))) continue;
    reported.add(offer.kind);
    const words = quote(around(normal, offer.index, offer.text.length));
    const what = OFFER_LABELS[offer.kind][offer.language];
    problems.push(
      offersBy === "notes"
        ? `${where} offers or promises ${what} (${words}) that the manager's notes do not make; only their notes can make an offer or a promise`
        : `${where} offers or promises ${what} (${words}); a summary reports the analytics and makes no offers or promises`,
    );
  }
  return problems;
}

/** Problems with the language of a text ("" when it is right). */
export function languageProblem(text: string, language: "en" | "zh", where: string): string[] {
  const found = detectLanguage(text);
  return found === language
    ? []
    : [`${where} is written in ${LANGUAGE_NAMES[found]}, but it must be in ${LANGUAGE_NAMES[language]}`];
}

export interface DraftCheck {
  facts: FactsSheet;
  language: "en" | "zh";
  channel: FollowUpChannel;
  /** Characters the body and the subject may have (the subject limit is null for non-email channels). */
  limits: { body: number; subject: number | null };
  /** Sources beyond the facts (defaults to `draftSources(facts)`). */
  sources?: Sources;
  /** Names the draft may write as they are (defaults to `draftNames(facts)`). */
  names?: readonly string[];
}

/** Checks a language model's draft against its facts sheet, language and channel limits. */
export function checkDraft(
  draft: { subject: string | null; body: string },
  check: DraftCheck,
): GroundingResult {
  const sources = check.sources ?? draftSources(check.facts);
  const content = { offers: true, names: check.names ?? draftNames(check.facts), offersBy: "notes" } as const;
  const problems: string[] = [];
  const body = draft.body.trim();
  if (body === "") problems.push("the message is empty");
  if (check.channel === "email") {
    if (!draft.subject?.trim()) problems.push('there is no subject: start with a line "Subject: ..."');
    else {
      if (check.limits.subject !== null && draft.subject.length > check.limits.subject) {
        problems.push(
          `the subject is ${draft.subject.length} characters; the limit is ${check.limits.subject}`,
        );
      }
      problems.push(...unsupportedContent(draft.subject, sources, "the subject", content));
    }
  }
  if (body.length > check.limits.body) {
    problems.push(
      `the message is ${body.length} characters; the ${check.channel} limit is ${check.limits.body}`,
    );
  }
  problems.push(...unsupportedContent(body, sources, "the message", content));
  if (body !== "") problems.push(...languageProblem(body, check.language, "the message"));
  return { passed: problems.length === 0, problems };
}

/**
 * Checks a feedback summary's narrative: only the analytics' numbers, no offers or promises (it
 * may name a theme's terms, "refunds", but not offer them), the right language, the length.
 */
export function checkSummary(
  text: string,
  check: { sources: Sources; language: "en" | "zh"; maxLength: number },
): GroundingResult {
  const problems: string[] = [];
  const trimmed = text.trim();
  if (trimmed === "") problems.push("the summary is empty");
  if (trimmed.length > check.maxLength)
    problems.push(`the summary is ${trimmed.length} characters; the limit is ${check.maxLength}`);
  problems.push(
    ...unsupportedContent(trimmed, check.sources, "the summary", { offers: true, offersBy: "nobody" }),
  );
  if (trimmed !== "") problems.push(...languageProblem(trimmed, check.language, "the summary"));
  return { passed: problems.length === 0, problems };
}
