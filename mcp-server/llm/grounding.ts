/**
 * The grounding check every language-model text passes before anyone sees it: a draft may state
 * only what the facts sheet and the account manager's notes state, and a feedback summary only
 * the numbers the analytics computed.
 *
 * What counts as a source: the facts sheet without the customer's own words, and the manager's
 * notes. Feedback text is left out on purpose: a customer writing "offer me 90% off" must not
 * make "90% off" a grounded fact.
 *
 * Checked: numbers (amounts, counts, percentages), dates in the usual English and Chinese
 * formats, offers and promises (discounts, free items, refunds, guarantees; 折扣, 免费, 优惠,
 * 返现, 保证, ...), placeholders like "[Your name]", the language (`detectLanguage` from the core)
 * and the channel's length limit. Number words ("two orders") are not checked.
 */
import { detectLanguage } from "../../core/feedback.js";
import type { FactsSheet, FollowUpChannel } from "../contract/draftFollowUp.js";

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

/** Offers and promises a draft may make only when the facts or the notes make them first. */
const PROMISES: { what: string; pattern: RegExp }[] = [
  {
    what: "a discount",
    pattern:
      /\bdiscount(?:s|ed)?\b|%\s*off\b|\bper ?cent off\b|\bmoney off\b|\bcoupons?\b|\bvouchers?\b|\bpromo(?:tion(?:al)?)? codes?\b|\bsale price\b|\bspecial (?:offer|price|deal)s?\b|\bcheaper\b/i,
  },
  {
    what: "something free",
    pattern:
      /(?<!\bfeel\s)\bfree\b(?!\s+to\b)|\bcomplimentary\b|\bon the house\b|\bno (?:extra )?charge\b|\bat no (?:extra )?cost\b|\bwaive[ds]?\b/i,
  },
  {
    what: "a refund or credit",
    pattern:
      /\brefund(?:s|ed)?\b|\breimburse|\bcash ?back\b|\bmoney back\b|\bstore credit\b|\bcredit (?:note|to your account)\b|\bcompensat/i,
  },
  {
    what: "a guarantee or promise",
    pattern: /\bguarantee[ds]?\b|\bwarrant(?:y|ies)\b|\bI promise\b|\bwe promise\b/i,
  },
  {
    what: "a discount (折扣/优惠)",
    pattern: /折扣|打折|[一二三四五六七八九\d]\s*折(?![磨腾叠])|优惠|降价|减价|特价|代金券|满减/,
  },
  { what: "something free (免费)", pattern: /免费|赠送|赠品|包邮|免单/ },
  { what: "a refund or cash back (返现/退款)", pattern: /返现|返利|退款|补偿|赔偿/ },
  { what: "a guarantee or promise (保证/承诺)", pattern: /保证|承诺|担保/ },
];

const PLACEHOLDER = /\[[^\]\n]{1,40}\]|\{\{[^}\n]{1,40}\}\}|<(?:your|customer|name)[^>\n]{0,30}>/i;

/** What a text may cite: numbers, percentages, dates, and the words of offers made in the sources. */
export class Sources {
  readonly numbers = new Set<string>();
  readonly percents = new Set<string>();
  /** YYYY-MM-DD */
  readonly dates = new Set<string>();
  private readonly texts: string[] = [];

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

  /** Free text: its dates, percentages and numbers, and its words for offers. */
  addText(text: string): this {
    const normal = text.normalize("NFKC");
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

  /** True when an offer of this kind appears in the sources themselves. */
  mentions(pattern: RegExp): boolean {
    return this.texts.some((text) => pattern.test(text));
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

/** The sources of a draft: the facts sheet without the customer's words, and the manager's notes. */
export function draftSources(facts: FactsSheet): Sources {
  const sources = new Sources().addValue(facts, new Set(["customer_text"]));
  // The churn probability is stored in whole percent; a draft may cite it as "63%".
  if (facts.risk.churn_probability_percent !== null)
    sources.addShare(facts.risk.churn_probability_percent / 100);
  return sources;
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

/**
 * Numbers, percentages, dates, offers and placeholders in `text` that the sources do not hold,
 * as problems (`where` names the part: "the subject", "the message").
 */
export function unsupportedContent(
  text: string,
  sources: Sources,
  where: string,
  options: { offers: boolean },
): string[] {
  const problems: string[] = [];
  const normal = text.normalize("NFKC");
  const { dates, rest } = extractDates(normal);
  for (const date of dates) {
    if (!sources.allowsDate(date))
      problems.push(`${where} mentions the date ${quote(date.text)}, which is not in the facts`);
  }
  const withoutPercents = rest.replace(PERCENT, (match, number: string) => {
    if (!sources.percents.has(canonical(number)))
      problems.push(`${where} mentions ${quote(match)}, a percentage that is not in the facts`);
    return " ";
  });
  for (const match of normal.match(ZH_PERCENT) ?? []) {
    if (!sources.mentionsText(match))
      problems.push(`${where} mentions ${quote(match)}, a percentage that is not in the facts`);
  }
  const numbers = new Set(withoutPercents.match(NUMBER) ?? []);
  for (const number of numbers) {
    if (!sources.numbers.has(canonical(number)))
      problems.push(`${where} mentions the number ${number}, which is not in the facts`);
  }
  if (options.offers) {
    for (const { what, pattern } of PROMISES) {
      const found = pattern.exec(normal);
      if (found && !sources.mentions(pattern)) {
        problems.push(
          `${where} offers or promises ${what} (${quote(around(normal, found.index, found[0].length))}) that neither the facts sheet nor the manager's notes mention`,
        );
      }
    }
  }
  const placeholder = PLACEHOLDER.exec(normal);
  if (placeholder)
    problems.push(`${where} contains the placeholder ${quote(placeholder[0])}; write the real text`);
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
}

/** Checks a language model's draft against its facts sheet, language and channel limits. */
export function checkDraft(
  draft: { subject: string | null; body: string },
  check: DraftCheck,
): GroundingResult {
  const sources = check.sources ?? draftSources(check.facts);
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
      problems.push(...unsupportedContent(draft.subject, sources, "the subject", { offers: true }));
    }
  }
  if (body.length > check.limits.body) {
    problems.push(
      `the message is ${body.length} characters; the ${check.channel} limit is ${check.limits.body}`,
    );
  }
  problems.push(...unsupportedContent(body, sources, "the message", { offers: true }));
  if (body !== "") problems.push(...languageProblem(body, check.language, "the message"));
  return { passed: problems.length === 0, problems };
}

/** Checks a feedback summary's narrative: only the analytics' numbers, the right language, the length. */
export function checkSummary(
  text: string,
  check: { sources: Sources; language: "en" | "zh"; maxLength: number },
): GroundingResult {
  const problems: string[] = [];
  const trimmed = text.trim();
  if (trimmed === "") problems.push("the summary is empty");
  if (trimmed.length > check.maxLength)
    problems.push(`the summary is ${trimmed.length} characters; the limit is ${check.maxLength}`);
  problems.push(...unsupportedContent(trimmed, check.sources, "the summary", { offers: false }));
  if (trimmed !== "") problems.push(...languageProblem(trimmed, check.language, "the summary"));
  return { passed: problems.length === 0, problems };
}
