/**
 * Voice of the customer: NPS, CSAT, sentiment mix, themes and representative quotes from
 * feedback in English and Chinese.
 *
 * - NPS (Reichheld, "The One Number You Need to Grow", HBR 2003): answers 0-10 to "how likely
 *   are you to recommend us"; promoters 9-10, passives 7-8, detractors 0-6;
 *   NPS = % promoters - % detractors, from -100 to +100.
 * - CSAT: share of satisfied answers (4 or 5) on a 1-5 satisfaction scale, as a percentage.
 * - Sentiment and tokenisation: `sentiment.ts`; theme keywords and stop words: `themes.ts`.
 */

import type { Bilingual } from "./i18n.js";
import {
  detectLanguage,
  isContrastWord,
  isIntensifier,
  isNegator,
  isSentimentWord,
  normaliseValence,
  sentenceValence,
  sentimentLabel,
  sentimentOf,
  splitSentences,
  tokenValence,
  type FeedbackLanguage,
  type SentimentLabel,
  type TextToken,
} from "./sentiment.js";
import {
  CHINESE_STOP_WORDS,
  CHINESE_THEME_WORDS,
  ENGLISH_STOP_WORDS,
  THEME_KEYS,
  THEMES,
  themesMentioned,
  type ThemeKey,
} from "./themes.js";

export { detectLanguage, sentimentOf };
export type { FeedbackLanguage, SentimentLabel };

/** Which scale a feedback score is on. */
export type ScoreType = "nps" | "csat";

/** One piece of feedback. */
export interface FeedbackItem {
  id?: string;
  text: string;
  /** A survey answer: 0-10 for NPS, 1-5 for CSAT. */
  score?: number | null;
  /**
   * The scale of `score`. When absent: "nps" if `source` contains "nps" (any case), otherwise
   * "csat" (surveys, reviews and tickets usually rate 1-5).
   */
  scoreType?: ScoreType;
  /** Where the feedback came from (survey, nps, review, ticket, complaint, ...). */
  source?: string;
  /** Detected from the text when absent. */
  language?: FeedbackLanguage;
  timestamp?: Date;
}

/** Result of `npsScore`. */
export interface NpsResult {
  /** % promoters - % detractors, -100..100; null without responses. */
  score: number | null;
  promoters: number;
  passives: number;
  detractors: number;
  responses: number;
}

/** Result of `csatScore`. */
export interface CsatResult {
  /** Percentage of answers that are 4 or 5, 0..100; null without responses. */
  score: number | null;
  satisfied: number;
  responses: number;
}

/** A quoted piece of feedback. */
export interface Quote {
  id?: string;
  /** Position of the item in the input. */
  index: number;
  /** The feedback text, shortened to the quote length with an ellipsis when longer. */
  text: string;
  /** Sentiment score of the quote: the whole item's, or for theme quotes the theme's part of it. */
  score: number;
  label: SentimentLabel;
  language: FeedbackLanguage;
  source?: string;
  timestamp?: Date;
}

/** Counts per sentiment label. */
export interface SentimentMix {
  positive: number;
  neutral: number;
  negative: number;
  total: number;
  /** Mean sentiment score, 0 without items. */
  averageScore: number;
}

/** What the feedback says about one theme. */
export interface ThemeSummary {
  theme: ThemeKey;
  label: Bilingual;
  /** Number of items mentioning the theme. */
  count: number;
  /** count / number of items. */
  share: number;
  /** Sentiment of what the items say about this theme (the clauses that mention it). */
  sentiment: SentimentMix;
  /** Most frequent words in those clauses, counted once per item. */
  topTerms: { term: string; count: number }[];
  /** Most frequent two-word phrases in those clauses, counted once per item. */
  topPhrases: { phrase: string; count: number }[];
  quotes: Quote[];
}

/** Per-item result. */
export interface FeedbackItemAnalysis {
  id?: string;
  index: number;
  language: FeedbackLanguage;
  score: number;
  label: SentimentLabel;
  themes: { theme: ThemeKey; score: number; label: SentimentLabel }[];
}

/** Result of `analyseFeedback`. */
export interface FeedbackAnalysis {
  /** Number of items analysed. */
  responses: number;
  /** Null when no item has an NPS score. */
  nps: NpsResult | null;
  /** Null when no item has a CSAT score. */
  csat: CsatResult | null;
  sentimentMix: SentimentMix;
  /** Themes mentioned at least once, most mentioned first. */
  themes: ThemeSummary[];
  /** The strongest positive and negative items overall. */
  quotes: { positive: Quote[]; negative: Quote[] };
  items: FeedbackItemAnalysis[];
}

/** Options of `analyseFeedback`. */
export interface AnalyseFeedbackOptions {
  /** Quotes per theme and per side overall; default 3. */
  maxQuotes?: number;
  /** Terms per theme; default 8. */
  maxTerms?: number;
  /** Phrases per theme; default 5. */
  maxPhrases?: number;
  /** Longest quote in characters before it is shortened; default 240. */
  quoteLength?: number;
}

function checkScore(score: number, type: ScoreType, where: string): void {
  const [low, high] = type === "nps" ? [0, 10] : [1, 5];
  if (typeof score !== "number" || !Number.isFinite(score) || score < low || score > high) {
    const hint =
      type === "nps"
        ? "NPS answers run from 0 to 10"
        : 'CSAT answers run from 1 to 5; for 0-10 "would you recommend" scores set scoreType: "nps" or a source containing "nps"';
    throw new RangeError(
      `${where} has score ${String(score)} outside the ${type.toUpperCase()} scale; ${hint}`,
    );
  }
}

/**
 * Net Promoter Score of 0-10 answers: % promoters (9-10) minus % detractors (0-6).
 * Five promoters, three passives and two detractors give 50% - 20% = 30.
 */
export function npsScore(scores: readonly number[]): NpsResult {
  scores.forEach((score, index) => checkScore(score, "nps", `npsScore: scores[${index}]`));
  const promoters = scores.filter((score) => score >= 9).length;
  const detractors = scores.filter((score) => score <= 6).length;
  const responses = scores.length;
  return {
    score: responses > 0 ? (100 * (promoters - detractors)) / responses : null,
    promoters,
    passives: responses - promoters - detractors,
    detractors,
    responses,
  };
}

/** Customer satisfaction: the percentage of 1-5 answers that are 4 or 5. */
export function csatScore(scores: readonly number[]): CsatResult {
  scores.forEach((score, index) => checkScore(score, "csat", `csatScore: scores[${index}]`));
  const satisfied = scores.filter((score) => score >= 4).length;
  return {
    score: scores.length > 0 ? (100 * satisfied) / scores.length : null,
    satisfied,
    responses: scores.length,
  };
}

function scoreTypeOf(item: FeedbackItem): ScoreType {
  if (item.scoreType !== undefined) return item.scoreType;
  return /nps/i.test(item.source ?? "") ? "nps" : "csat";
}

function checkItems(items: readonly FeedbackItem[]): void {
  items.forEach((item, index) => {
    const where = `analyseFeedback: items[${index}]${item.id === undefined ? "" : ` (id ${item.id})`}`;
    if (typeof item.text !== "string")
      throw new TypeError(`${where} needs text as a string (use "" for score-only answers)`);
    if (item.scoreType !== undefined && item.scoreType !== "nps" && item.scoreType !== "csat") {
      throw new RangeError(`${where} has scoreType ${String(item.scoreType)}; use "nps" or "csat"`);
    }
    if (item.language !== undefined && item.language !== "en" && item.language !== "zh") {
      throw new RangeError(`${where} has language ${String(item.language)}; use "en", "zh" or leave it out`);
    }
    if (
      item.timestamp !== undefined &&
      (!(item.timestamp instanceof Date) || Number.isNaN(item.timestamp.getTime()))
    ) {
      throw new TypeError(`${where} has an invalid timestamp; pass a valid Date or leave it out`);
    }
    if (item.score !== undefined && item.score !== null) checkScore(item.score, scoreTypeOf(item), where);
  });
}

const CHINESE_THEME_WORD_SET = new Set(CHINESE_THEME_WORDS);

/** Words worth counting: not stop words, degree words, contrast words, numbers or stray letters. */
function isContentToken(token: TextToken): boolean {
  if (token.isBreak || isIntensifier(token) || isNegator(token) || isContrastWord(token)) return false;
  if (token.han) {
    if (CHINESE_STOP_WORDS.has(token.text)) return false;
    // Single characters are mostly grammar; keep the ones that carry meaning here (贵, 慢).
    return token.text.length > 1 || isSentimentWord(token) || CHINESE_THEME_WORD_SET.has(token.text);
  }
  return !ENGLISH_STOP_WORDS.has(token.text) && token.text.length > 1 && !/^\d+$/.test(token.text);
}

/** Conjunctions end a phrase: "late and the package" must not yield "late package". */
const CONJUNCTIONS = new Set([
  "and",
  "or",
  "plus",
  "also",
  "和",
  "与",
  "及",
  "以及",
  "还有",
  "并且",
  "而且",
  "同时",
  "或者",
]);

/**
 * Two-word phrases of a clause: neighbours once stop words and degree words are dropped
 * ("delivery was very slow" -> "delivery slow"); negators stay so "not good" survives.
 */
function phrasesOf(clause: readonly TextToken[]): string[] {
  const phrases: string[] = [];
  let previous: TextToken | undefined;
  for (const token of clause) {
    if (CONJUNCTIONS.has(token.text)) {
      previous = undefined;
      continue;
    }
    if (!isNegator(token) && !isContentToken(token)) continue;
    if (previous !== undefined && !isNegator(token)) {
      phrases.push(previous.han && token.han ? previous.text + token.text : `${previous.text} ${token.text}`);
    }
    previous = token;
  }
  return phrases;
}

/** Splits a sentence's tokens into clauses at commas and contrast words. */
function clausesOf(tokens: readonly TextToken[]): TextToken[][] {
  const clauses: TextToken[][] = [[]];
  for (const token of tokens) {
    if (token.isBreak || isContrastWord(token)) clauses.push([]);
    else clauses[clauses.length - 1].push(token);
  }
  return clauses.filter((clause) => clause.length > 0);
}

interface ThemeMention {
  valence: number;
  terms: Set<string>;
  phrases: Set<string>;
}

interface AnalysedItem {
  item: FeedbackItem;
  index: number;
  language: FeedbackLanguage;
  score: number;
  label: SentimentLabel;
  themes: Map<ThemeKey, ThemeMention>;
}

function analyseItem(item: FeedbackItem, index: number): AnalysedItem {
  const themes = new Map<ThemeKey, ThemeMention>();
  let itemValence = 0;
  for (const sentence of splitSentences(item.text)) {
    const { tokens, valence: sentenceTotal } = sentenceValence(sentence);
    itemValence += sentenceTotal;
    const mentionedHere = new Map<ThemeKey, { valence: number; matched: boolean }>();
    for (const clause of clausesOf(tokens)) {
      const clauseText = clause.map((token) => token.text).join("");
      const found = themesMentioned(clauseText, clause);
      if (found.length === 0) continue;
      const { matches, valence } = tokenValence(clause);
      for (const theme of found) {
        const mention = themes.get(theme) ?? {
          valence: 0,
          terms: new Set<string>(),
          phrases: new Set<string>(),
        };
        for (const token of clause) if (isContentToken(token)) mention.terms.add(token.text);
        for (const phrase of phrasesOf(clause)) mention.phrases.add(phrase);
        themes.set(theme, mention);
        const here = mentionedHere.get(theme) ?? { valence: 0, matched: false };
        here.valence += valence;
        here.matched ||= matches.length > 0;
        mentionedHere.set(theme, here);
      }
    }
    // A clause that names a theme without judging it ("the delivery, which I paid extra for,
    // was late") takes the judgement of its whole sentence, unless the sentence turns on a "but"
    // and so judges two things at once.
    const turns = tokens.some(isContrastWord);
    for (const [theme, here] of mentionedHere) {
      themes.get(theme)!.valence += here.matched ? here.valence : turns ? 0 : sentenceTotal;
    }
  }
  const score = normaliseValence(itemValence);
  return {
    item,
    index,
    language: item.language ?? detectLanguage(item.text),
    score,
    label: sentimentLabel(score),
    themes,
  };
}

function shorten(text: string, maxLength: number): string {
  const characters = Array.from(text.trim().replace(/\s+/g, " "));
  return characters.length <= maxLength
    ? characters.join("")
    : `${characters.slice(0, maxLength - 1).join("")}…`;
}

function quoteOf(analysed: AnalysedItem, score: number, quoteLength: number): Quote {
  const { item } = analysed;
  const quote: Quote = {
    index: analysed.index,
    text: shorten(item.text, quoteLength),
    score,
    label: sentimentLabel(score),
    language: analysed.language,
  };
  if (item.id !== undefined) quote.id = item.id;
  if (item.source !== undefined) quote.source = item.source;
  if (item.timestamp !== undefined) quote.timestamp = item.timestamp;
  return quote;
}

/**
 * Orders quote candidates: strongest sentiment first, then the shorter text (easier to read),
 * then the earlier timestamp (undated last), then input order, so the choice is deterministic.
 */
function byQuoteStrength(strength: (candidate: AnalysedItem) => number) {
  return (a: AnalysedItem, b: AnalysedItem): number => {
    const stronger = strength(b) - strength(a);
    if (stronger !== 0) return stronger;
    const shorter = Array.from(a.item.text.trim()).length - Array.from(b.item.text.trim()).length;
    if (shorter !== 0) return shorter;
    const timeA = a.item.timestamp?.getTime() ?? Infinity;
    const timeB = b.item.timestamp?.getTime() ?? Infinity;
    if (timeA !== timeB) return timeA < timeB ? -1 : 1;
    return a.index - b.index;
  };
}

function mixOf(scores: readonly number[]): SentimentMix {
  const labels = scores.map(sentimentLabel);
  return {
    positive: labels.filter((label) => label === "positive").length,
    neutral: labels.filter((label) => label === "neutral").length,
    negative: labels.filter((label) => label === "negative").length,
    total: scores.length,
    averageScore: scores.length > 0 ? scores.reduce((sum, score) => sum + score, 0) / scores.length : 0,
  };
}

/** Most frequent entries, ties in code-unit order so the result does not depend on locale. */
function topCounts(sets: readonly Set<string>[], limit: number): [string, number][] {
  const counts = new Map<string, number>();
  for (const set of sets) for (const entry of set) counts.set(entry, (counts.get(entry) ?? 0) + 1);
  return [...counts].sort((a, b) => b[1] - a[1] || (a[0] < b[0] ? -1 : a[0] > b[0] ? 1 : 0)).slice(0, limit);
}

/**
 * Summarises a batch of feedback: NPS and CSAT from the scored items, the sentiment mix, what
 * each theme's mentions say (count, sentiment, top terms and phrases, quotes) and the strongest
 * positive and negative quotes overall.
 */
export function analyseFeedback(
  items: readonly FeedbackItem[],
  options: AnalyseFeedbackOptions = {},
): FeedbackAnalysis {
  const { maxQuotes = 3, maxTerms = 8, maxPhrases = 5, quoteLength = 240 } = options;
  for (const [name, value] of Object.entries({ maxQuotes, maxTerms, maxPhrases, quoteLength })) {
    if (!Number.isInteger(value) || value < (name === "quoteLength" ? 2 : 0)) {
      throw new RangeError(
        `analyseFeedback: ${name} must be a whole number >= ${name === "quoteLength" ? 2 : 0}, got ${value}`,
      );
    }
  }
  checkItems(items);

  const scored = items.filter((item) => item.score !== undefined && item.score !== null);
  const npsAnswers = scored.filter((item) => scoreTypeOf(item) === "nps").map((item) => item.score as number);
  const csatAnswers = scored
    .filter((item) => scoreTypeOf(item) === "csat")
    .map((item) => item.score as number);

  // Items without text (score-only answers) count for NPS/CSAT but not for sentiment and themes.
  const analysed = items
    .map((item, index) => ({ item, index }))
    .filter(({ item }) => item.text.trim().length > 0)
    .map(({ item, index }) => analyseItem(item, index));

  const themes: ThemeSummary[] = THEME_KEYS.map((theme) => {
    const mentioning = analysed.filter((entry) => entry.themes.has(theme));
    const themeScore = (entry: AnalysedItem): number => normaliseValence(entry.themes.get(theme)!.valence);
    const quotes = [...mentioning]
      .sort(byQuoteStrength((entry) => Math.abs(themeScore(entry))))
      .slice(0, maxQuotes)
      .map((entry) => quoteOf(entry, themeScore(entry), quoteLength));
    return {
      theme,
      label: THEMES[theme].label,
      count: mentioning.length,
      share: analysed.length > 0 ? mentioning.length / analysed.length : 0,
      sentiment: mixOf(mentioning.map(themeScore)),
      topTerms: topCounts(
        mentioning.map((entry) => entry.themes.get(theme)!.terms),
        maxTerms,
      ).map(([term, count]) => ({ term, count })),
      topPhrases: topCounts(
        mentioning.map((entry) => entry.themes.get(theme)!.phrases),
        maxPhrases,
      ).map(([phrase, count]) => ({ phrase, count })),
      quotes,
    };
  })
    .filter((summary) => summary.count > 0)
    .sort((a, b) => b.count - a.count || THEME_KEYS.indexOf(a.theme) - THEME_KEYS.indexOf(b.theme));

  const positive = analysed
    .filter((entry) => entry.label === "positive")
    .sort(byQuoteStrength((entry) => entry.score))
    .slice(0, maxQuotes)
    .map((entry) => quoteOf(entry, entry.score, quoteLength));
  const negative = analysed
    .filter((entry) => entry.label === "negative")
    .sort(byQuoteStrength((entry) => -entry.score))
    .slice(0, maxQuotes)
    .map((entry) => quoteOf(entry, entry.score, quoteLength));

  return {
    responses: items.length,
    nps: npsAnswers.length > 0 ? npsScore(npsAnswers) : null,
    csat: csatAnswers.length > 0 ? csatScore(csatAnswers) : null,
    sentimentMix: mixOf(analysed.map((entry) => entry.score)),
    themes,
    quotes: { positive, negative },
    items: analysed.map((entry) => {
      const result: FeedbackItemAnalysis = {
        index: entry.index,
        language: entry.language,
        score: entry.score,
        label: entry.label,
        themes: [...entry.themes]
          .sort((a, b) => THEME_KEYS.indexOf(a[0]) - THEME_KEYS.indexOf(b[0]))
          .map(([theme, mention]) => {
            const score = normaliseValence(mention.valence);
            return { theme, score, label: sentimentLabel(score) };
          }),
      };
      if (entry.item.id !== undefined) result.id = entry.item.id;
      return result;
    }),
  };
}
