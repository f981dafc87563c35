/** The two languages the views read in; the book's customers and feedback are in these too. */
export type Lang = "en" | "zh";

/** Text kept in both languages by the tools (labels, reasons, next actions). */
export interface Bilingual {
  en: string;
  zh: string;
}

/**
 * The language to read in: the host's locale when it gives one ("zh-CN" → Chinese, anything
 * else → English), else the language of the data on screen (a Chinese customer's card).
 */
export function chooseLanguage(hostLocale: string | undefined, dataLanguage?: string | null): Lang {
  if (hostLocale) return hostLocale.toLowerCase().startsWith("zh") ? "zh" : "en";
  return dataLanguage === "zh" ? "zh" : "en";
}

/** Picks one language of a bilingual text. */
export function pick(text: Bilingual | null | undefined, lang: Lang): string {
  return text ? text[lang] : "";
}

const LOCALES: Record<Lang, string> = { en: "en-GB", zh: "zh-CN" };

/** A money amount, rounded to whole units (the book has no currency column). */
export function formatMoney(value: number, lang: Lang): string {
  return new Intl.NumberFormat(LOCALES[lang], { maximumFractionDigits: 0 }).format(value);
}

/** A number with at most `digits` decimals. */
export function formatNumber(value: number, lang: Lang, digits = 1): string {
  return new Intl.NumberFormat(LOCALES[lang], { maximumFractionDigits: digits }).format(value);
}

/** A probability or share in [0, 1] as a percentage. */
export function formatPercent(share: number, lang: Lang, digits = 0): string {
  return new Intl.NumberFormat(LOCALES[lang], {
    style: "percent",
    maximumFractionDigits: digits,
    minimumFractionDigits: digits,
  }).format(share);
}

/** An ISO date or timestamp as a calendar day (YYYY-MM-DD reads the same in both languages). */
export function formatDay(iso: string | null | undefined): string {
  return iso ? iso.slice(0, 10) : "–";
}
