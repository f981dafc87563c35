/**
 * Masks emails and phone numbers (`--redact`), keeping enough to recognise them: an email's first
 * character and domain (w***@example.com), a phone's last two digits (+***59). Fields named email
 * or phone are masked whole whatever they hold; free text is scanned.
 *
 * Emails: a local part of any letters, digits and marks in any script (王芳, josé.martínez) and
 * the usual symbols, an @ (or its full-width form), and a domain of labels in any script, with any
 * TLD or none (a quote cut short, "wang@examp…", is still masked).
 *
 * Phones are found on a copy of the text whose full-width and other non-ASCII digits, plus signs,
 * brackets, dashes and spaces are folded to ASCII one character for one, so positions carry over:
 * - with separators (spaces, dots, dashes, slashes, brackets): 7 to 15 digits (17 after an 00
 *   prefix) in groups of at most 8 digits (11 after + or 00): +44 20 7946 0959, 0044 20 7946 0959,
 *   07700 900123, 02-9876-5432, 555 1234, 8 (495) 123-45-67, (555) 123-4567, 555.123.4567;
 * - without: an E.164 number (+ and 7 to 15 digits), an 00 prefix and 10 to 17 digits, a trunk
 *   prefix and 10 or 11 digits (07700900123), a Chinese mobile (13800138000, １３８００１３８０００),
 *   or 7 to 15 digits after a word like "phone", "call", 电话 or 手机.
 * Left alone: dates and times (2026-06-30, 30/06/2026, 2025-2026), amounts (1,234.50, 4 210.50,
 * $1234567, 500元), percentages (73%), IP addresses, digits glued to letters (C00042, v2.3.4567890;
 * but Tel555 1234 is a phone), and digit runs with no phone shape and no phone word before them
 * (order 20260630123, 5551234567 on its own), which is the price of not masking every order
 * number and amount.
 */

const PII_KEYS = new Set(["email", "phone"]);

const LOCAL_CHAR = "[\\p{L}\\p{N}\\p{M}._%+\\-!#$&*=?^~']";
const DOMAIN_LABEL = "[\\p{L}\\p{N}\\p{M}](?:[\\p{L}\\p{N}\\p{M}\\-]*[\\p{L}\\p{N}\\p{M}])?";
/** Label separators: the ASCII dot and the ones IDNA accepts (full-width, ideographic, half-width). */
const DOT = "[.．。｡]";
const EMAIL = new RegExp(`(${LOCAL_CHAR}+)[@＠﹫](${DOMAIN_LABEL}(?:${DOT}${DOMAIN_LABEL})*)`, "gu");

/** Zero of each decimal digit block folded to ASCII. */
const DIGIT_ZEROS = [0x0660, 0x06f0, 0x07c0, 0x0966, 0x09e6, 0x0a66, 0x0ae6, 0x0e50, 0x1040, 0xff10];
const FOLDED: Record<string, string> = {
  "＋": "+",
  "﹢": "+",
  "（": "(",
  "）": ")",
  "［": "(",
  "］": ")",
  "－": "-",
  "‐": "-",
  "‑": "-",
  "‒": "-",
  "–": "-",
  "—": "-",
  "−": "-",
  "．": ".",
  "／": "/",
  "\u00a0": " ",
  "\u2007": " ",
  "\u202f": " ",
  "\u3000": " ",
  "\u2009": " ",
  "\u200a": " ",
};

/** `text` with digits and phone punctuation in ASCII, one UTF-16 unit for one. */
function foldForPhones(text: string): string {
  let result = "";
  for (let index = 0; index < text.length; index++) {
    const char = text[index];
    const code = char.charCodeAt(0);
    const zero = DIGIT_ZEROS.find((start) => code >= start && code <= start + 9);
    result += zero !== undefined ? String(code - zero) : (FOLDED[char] ?? char);
  }
  return result;
}

function validDay(year: number, month: number, day: number): boolean {
  return year >= 1000 && year <= 2999 && month >= 1 && month <= 12 && day >= 1 && day <= 31;
}

/**
 * Dates, times and year ranges: blanked (to "x") before phones are looked for. One that follows a
 * digit and a separator is part of a longer number ("02-2019-2023" is a phone, not a year range).
 */
const NOT_AFTER_NUMBER = "(?<![\\d.][ \\-/.]?)";
const DATES: { pattern: RegExp; valid(match: RegExpExecArray): boolean }[] = [
  {
    // 2026-06-30, 2026/6/30, 2026.06.30, with an optional time and zone
    pattern: new RegExp(
      `${NOT_AFTER_NUMBER}(\\d{4})[-/.](\\d{1,2})[-/.](\\d{1,2})(?:[T ]\\d{1,2}:\\d{2}(?::\\d{2}(?:\\.\\d+)?)?(?:Z|[+-]\\d{2}:?\\d{2})?)?(?!\\d)`,
      "g",
    ),
    valid: (m) => validDay(Number(m[1]), Number(m[2]), Number(m[3])),
  },
  {
    // 30/06/2026, 06/30/2026, 30.06.2026
    pattern: new RegExp(`${NOT_AFTER_NUMBER}(\\d{1,2})[-/.](\\d{1,2})[-/.](\\d{4})(?!\\d)`, "g"),
    valid: (m) =>
      validDay(Number(m[3]), Number(m[2]), Number(m[1])) ||
      validDay(Number(m[3]), Number(m[1]), Number(m[2])),
  },
  {
    // 2025-2026, 2025 - 2026, 2025/26
    pattern: new RegExp(
      `${NOT_AFTER_NUMBER}((?:19|20)\\d{2}) ?[-/] ?((?:19|20)?\\d{2})(?![ \\-/.]?\\d)`,
      "g",
    ),
    valid: (m) => {
      const from = Number(m[1]);
      const to = m[2].length === 2 ? Math.floor(from / 100) * 100 + Number(m[2]) : Number(m[2]);
      return to > from && to - from <= 10;
    },
  },
  { pattern: new RegExp(`${NOT_AFTER_NUMBER}\\d{1,2}:\\d{2}(?::\\d{2})?(?!\\d)`, "g"), valid: () => true },
];

/** Two passes: a date right after a blanked one ("2026-06-01 2026-06-30") is seen on the second. */
function blankDates(folded: string): string {
  let result = folded;
  for (let pass = 0; pass < 2; pass++) {
    for (const { pattern, valid } of DATES) {
      result = result.replace(pattern, (...args) => {
        const match = args.slice(0, -2) as unknown as RegExpExecArray;
        return valid(match) ? "x".repeat(match[0].length) : match[0];
      });
    }
  }
  return result;
}

/**
 * Digit groups joined by one separator each: a space, dot, dash or slash (a dash may have spaces
 * around it), or brackets around a group, "8 (495) 123", "+44 (0)20".
 */
const SEPARATOR = "(?: ?- ?| ?\\( ?|\\) ?(?:- ?)?\\(?|[ ./]\\(?)";
const PHONE_CANDIDATE = new RegExp(
  `(?<![0-9_@.,+\\-/\\\\$€£¥￥₹])(?:\\+ ?|\\(\\+?|\\+\\()?\\d+(?:${SEPARATOR}\\d+)*`,
  "g",
);

/** Words that make a bare run of digits a phone number: "call 5551234567", 电话13800138000. */
const PHONE_WORD =
  /(?:\b(?:tel|tele|telephone|phone|phones|ph|mobile|mob|cell|cellphone|call|ring|text|sms|whatsapp|wechat|viber|signal|fax|dial|contact|reach)\b|电话|手机|致电|联系|微信|座机|传真|拨打|来电|热线)[^\d\n]{0,12}$/i;

/** A phone word written against the number: "Tel555 1234", "Mob07700900123". */
const GLUED_PHONE_WORD = /(?:^|[^A-Za-z])(?:tel|tele|phone|ph|mob|mobile|cell|fax|call|whatsapp)$/i;
const AFTER_NOT_PHONE =
  /^\s?(?:%|‰|percent\b|per cent\b|元|块|美元|円|€|£|x\b|times\b|days?\b|天|个|件|次|orders?\b|customers?\b|items?\b|units?\b|pcs\b|kg\b|km\b|g\b|ml\b|mm\b|cm\b)/i;
const BEFORE_NOT_PHONE = /(?:[$€£¥￥₹]|\b(?:usd|eur|gbp|cny|rmb|jpy|hkd|aud|cad|chf|inr))\s?$/i;

/** A decimal (1234.50, 4 210.50: one dot and one or two digits after it) or an IPv4 address. */
function isAmountOrAddress(run: string): boolean {
  const dots = run.split(".").length - 1;
  return (dots === 1 && /\.\d{1,2}(?:$| )/.test(run)) || /^\d{1,3}(?:\.\d{1,3}){3}$/.test(run);
}

/** Whether the candidate at `index` in `folded` is a phone number (see the file's opening comment). */
function isPhone(candidate: string, folded: string, index: number): boolean {
  const digits = candidate.replace(/\D/g, "");
  const plus = /^(?:\+|\(\+)/.test(candidate);
  const international = plus || digits.startsWith("00");
  if (digits.length < 7 || digits.length > (digits.startsWith("00") ? 17 : 15)) return false;
  const before = folded.slice(Math.max(0, index - 40), index);
  const after = folded.slice(index + candidate.length, index + candidate.length + 12);
  if (BEFORE_NOT_PHONE.test(before) || AFTER_NOT_PHONE.test(after)) return false;
  // Digits glued to letters are an id (C00042, ORD20260630123), unless the letters say phone.
  if (/[A-Za-z]$/.test(before) && !GLUED_PHONE_WORD.test(before)) return false;
  const groups = candidate.split(/\D+/).filter(Boolean);
  if (groups.length === 1) {
    if (plus) return true;
    if (digits.startsWith("00")) return digits.length >= 10;
    if (/^0[1-9]\d{8,9}$/.test(digits)) return true;
    if (/^1[3-9]\d{9}$/.test(digits)) return true;
    return PHONE_WORD.test(before);
  }
  if (isAmountOrAddress(candidate)) return false;
  const longest = Math.max(...groups.map((group) => group.length));
  if (longest > (international ? 11 : 8)) return false;
  return groups.length <= 7;
}

/**
 * The phones in a run of digit groups: the whole run, or else the longest first groups that make
 * one and then the rest, so "13800138000 13900139000" is two phones, not one 22-digit number.
 */
function phonesIn(run: string, scanned: string, index: number): { start: number; end: number }[] {
  const found: { start: number; end: number }[] = [];
  // Nothing inside an amount or an address is a phone either.
  if (isAmountOrAddress(run)) return found;
  let start = 0;
  // Digits glued to letters are an id, and so is what the id's dots run on to (v2.3.4567890); a
  // phone after an id and a space or bracket is looked for ("C00014) - 835 2622").
  const before = scanned.slice(Math.max(0, index - 40), index);
  if (/[A-Za-z]$/.test(before) && !GLUED_PHONE_WORD.test(before)) {
    const id = /^[\d.]+/.exec(run)?.[0] ?? "";
    start = id.length + (/^[^\d+(]*/.exec(run.slice(id.length))?.[0].length ?? 0);
  }
  while (start < run.length) {
    const rest = run.slice(start);
    // Where each digit group ends, longest prefix first.
    const ends = [...rest.matchAll(/\d+/g)].map((group) => (group.index ?? 0) + group[0].length).reverse();
    const end = ends.find((at) => isPhone(rest.slice(0, at), scanned, index + start));
    const next = end ?? ends[ends.length - 1];
    if (end !== undefined) found.push({ start: index + start, end: index + start + end });
    // Go on after the groups taken (or after the first group when none made a phone).
    const skip = /^[^\d+(]*/.exec(run.slice(start + next))?.[0].length ?? 0;
    start += next + skip;
  }
  return found;
}

function maskPhone(text: string): string {
  const digits = foldForPhones(text).replace(/\D/g, "");
  const plus = /^\s*[+＋﹢]/.test(text) || /^\s*[(（][+＋]/.test(text);
  return `${plus ? "+" : ""}***${digits.length >= 4 ? digits.slice(-2) : ""}`;
}

function maskEmail(local: string, domain: string): string {
  const first = Array.from(local)[0] ?? "";
  return `${first}***@${domain}`;
}

/** Masks the phone numbers in `text`. */
function redactPhones(text: string): string {
  const folded = foldForPhones(text);
  const scanned = blankDates(folded);
  const spans: { start: number; end: number }[] = [];
  for (const match of scanned.matchAll(PHONE_CANDIDATE))
    spans.push(...phonesIn(match[0], scanned, match.index ?? 0));
  let result = "";
  let at = 0;
  for (const { start, end } of spans) {
    result += text.slice(at, start) + maskPhone(text.slice(start, end));
    at = end;
  }
  return result + text.slice(at);
}

/** Masks every email address and phone number in free text. */
export function redactText(text: string): string {
  const withoutEmails = text.replace(EMAIL, (_match, local: string, domain: string) =>
    maskEmail(local, domain),
  );
  return redactPhones(withoutEmails);
}

/** A value of a field named email or phone, masked whole whatever its format. */
function redactField(key: string, value: string): string {
  if (value.trim() === "") return value;
  if (key === "email") {
    // Masked as text, so a field holding two addresses has both masked; anything else is hidden.
    const masked = redactText(value);
    return masked === value ? "***" : masked;
  }
  return maskPhone(value);
}

/** Applies redaction to every string inside a JSON-like value. */
export function redactValue<T>(value: T, key?: string): T {
  if (typeof value === "string") {
    if (key && PII_KEYS.has(key)) return redactField(key, value) as T;
    return redactText(value) as T;
  }
  if (Array.isArray(value)) return value.map((item) => redactValue(item)) as T;
  if (value && typeof value === "object") {
    return Object.fromEntries(
      Object.entries(value).map(([name, item]) => [name, redactValue(item, name)]),
    ) as T;
  }
  return value;
}
