/**
 * The limits every value must meet before it is stored, whether it arrives in an import file or
 * through a write tool. They live at the bottom of `mcp-server/` so the importer, the tools'
 * contract and the README quote the same numbers.
 *
 * Why limits at all: scoring sums and multiplies what the store holds. One amount of 1e308, or
 * a quantity × unit price that overflows, turns a whole book's fit into Infinity; a 0.7 MB
 * feedback text or a NUL byte in a name breaks what reads it later. The bounds are far beyond
 * any real order or note, so honest files never meet them.
 */

/** Largest absolute amount, margin, unit price and quantity × unit price (also an order's total). */
export const MAX_MONEY = 1_000_000_000;

/** Largest absolute quantity of one transaction row (negative quantities are returns). */
export const MAX_QUANTITY = 10_000_000;

/** Feedback scores are on the store's 0-10 scale (NPS answers 0-10, ratings 1-5). */
export const SCORE_RANGE = { min: 0, max: 10 } as const;

/** The first and last day a stored date may fall on (UTC, inclusive). */
export const DATE_WINDOW = { first: "1900-01-01", last: "2100-12-31" } as const;

/** Largest offset of a time zone from UTC in minutes (+14:00 is the furthest real zone). */
export const MAX_ZONE_OFFSET_MINUTES = 14 * 60;

/**
 * Longest text of one field, in characters (UTF-16 code units, as JavaScript counts them).
 * Notes and feedback imported from another system may be long; what a model writes through a
 * tool in one turn is shorter, so the tools keep tighter caps under the same ceiling.
 */
export const MAX_LENGTH = {
  /** Imported feedback texts and interaction summaries (notes). */
  longText: 20_000,
  /** `log_interaction` summaries. */
  toolSummary: 2_000,
  /** `record_feedback` texts. */
  toolFeedbackText: 5_000,
  /** External ids and customer keys; the same as the tools' `customer_id`, so every id can be named. */
  id: 100,
  /** Names, companies, owners, countries, channels, outcomes and other short words. */
  shortText: 200,
  /** An email address (RFC 5321's limit for a path). */
  email: 254,
  /** A phone number with its formatting. */
  phone: 50,
  /** A whole tags cell. */
  tags: 1_000,
  /**
   * One CSV record (all its fields), in bytes as the parser counts them: far above the largest
   * valid record, so a longer one is almost always a quote left open swallowing the file.
   */
  recordBytes: 1_000_000,
} as const;

const MONEY_FORMAT = new Intl.NumberFormat("en-US", { maximumFractionDigits: 0 });

/** 1e9 → "1,000,000,000", for messages that quote a limit. */
export function formatLimit(value: number): string {
  return MONEY_FORMAT.format(value);
}

/** The earliest and latest stored moment, as epoch milliseconds. */
export const DATE_WINDOW_MS = {
  first: Date.parse(`${DATE_WINDOW.first}T00:00:00Z`),
  last: Date.parse(`${DATE_WINDOW.last}T23:59:59Z`),
} as const;

/** Whether an instant (epoch milliseconds) falls inside `DATE_WINDOW`. */
export function inDateWindow(ms: number): boolean {
  return Number.isFinite(ms) && ms >= DATE_WINDOW_MS.first && ms <= DATE_WINDOW_MS.last;
}

/**
 * Control characters no stored text may hold: C0 controls, DEL and C1 controls. Tab, line feed
 * and carriage return are matched separately, because free-text fields may hold them.
 */
const CONTROL = /[\u0000-\u0008\u000b\u000c\u000e-\u001f\u007f-\u009f]/;
const LINE_BREAK_OR_TAB = /[\t\n\r]/;
/** Half of a UTF-16 pair without its other half: not a character, and SQLite would mangle it. */
const LONE_SURROGATE = /[\ud800-\udbff](?![\udc00-\udfff])|(?<![\ud800-\udbff])[\udc00-\udfff]/;

/**
 * Names the first character `text` must not hold, or returns null when it is clean. Free text
 * (`lineBreaks`) may hold tabs and line breaks; one-line fields (ids, emails, names) may not.
 */
export function forbiddenCharacter(text: string, lineBreaks: boolean): string | null {
  const match =
    CONTROL.exec(text) ?? LONE_SURROGATE.exec(text) ?? (lineBreaks ? null : LINE_BREAK_OR_TAB.exec(text));
  if (!match) return null;
  const code = match[0].charCodeAt(0);
  const name = code >= 0xd800 && code <= 0xdfff ? "half of a surrogate pair" : CONTROL_NAMES.get(code);
  return `U+${code.toString(16).toUpperCase().padStart(4, "0")}${name ? ` ${name}` : ""} at character ${match.index + 1}`;
}

const CONTROL_NAMES = new Map([
  [0x00, "NUL"],
  [0x09, "tab"],
  [0x0a, "line feed"],
  [0x0d, "carriage return"],
  [0x1b, "escape"],
  [0x7f, "DEL"],
]);

const range = (max: number) => `between -${formatLimit(max)} and ${formatLimit(max)}`;

/**
 * The rules as data, one line each, for the README, `--help` texts and UIs to show; built from
 * the constants above so the documentation cannot drift from what is enforced.
 */
export const INPUT_RULES: readonly { what: string; rule: string; only?: "import" | "tools" }[] = [
  { what: "amounts, margins, unit prices", rule: `finite, ${range(MAX_MONEY)}` },
  { what: "quantity × unit price, an order's summed lines", rule: range(MAX_MONEY) },
  { what: "quantities", rule: `${range(MAX_QUANTITY)} (negative for returns)` },
  {
    what: "feedback scores",
    rule: `${SCORE_RANGE.min} to ${SCORE_RANGE.max}; NPS answers whole numbers`,
  },
  {
    what: "dates",
    rule: `${DATE_WINDOW.first} to ${DATE_WINDOW.last} (UTC); zones from -14:00 to +14:00`,
  },
  {
    what: "feedback texts, interaction summaries",
    rule: `at most ${formatLimit(MAX_LENGTH.longText)} characters; tabs and line breaks allowed`,
    only: "import",
  },
  {
    what: "log_interaction summary / record_feedback text",
    rule: `at most ${formatLimit(MAX_LENGTH.toolSummary)} / ${formatLimit(MAX_LENGTH.toolFeedbackText)} characters; tabs and line breaks allowed`,
    only: "tools",
  },
  {
    what: "company, outcome",
    rule: `at most ${MAX_LENGTH.shortText} characters; tabs and line breaks allowed`,
  },
  {
    what: "ids and customer keys",
    rule: `at most ${MAX_LENGTH.id} characters, one line`,
    only: "import",
  },
  {
    what: "names, owners, countries, channels",
    rule: `at most ${MAX_LENGTH.shortText} characters, one line`,
    only: "import",
  },
  {
    what: "emails, phones, tags",
    rule: `at most ${MAX_LENGTH.email}, ${MAX_LENGTH.phone} and ${formatLimit(MAX_LENGTH.tags)} characters, one line`,
    only: "import",
  },
  {
    what: "all text",
    rule: "no control characters (NUL, escape, DEL, C1) and no broken surrogate pairs",
  },
  { what: "channel, direction, source, status", rule: "one of the listed words or their synonyms" },
];
