/**
 * Shared helpers for the bilingual (English and Simplified Chinese) text the core returns.
 *
 * Every label, strategy and reason the scoring modules produce comes in both languages so the
 * MCP server, CLI and extension can show whichever the user reads without a second lookup.
 */

/** A piece of text in English and Simplified Chinese. */
export interface Bilingual {
  en: string;
  zh: string;
}

/** Rounds to a whole number for display, keeping -0 out of the text. */
export function formatWhole(value: number): string {
  const rounded = Math.round(value);
  return String(rounded === 0 ? 0 : rounded);
}

/** Formats a share in [0, 1] as a whole percentage, e.g. 0.734 -> "73%". */
export function formatPercent(share: number): string {
  return `${formatWhole(share * 100)}%`;
}

/** Formats a number with at most one decimal, dropping a trailing ".0" (4.47 -> "4.5", 3 -> "3"). */
export function formatOneDecimal(value: number): string {
  const rounded = Math.round(value * 10) / 10;
  return String(rounded === 0 ? 0 : rounded);
}
