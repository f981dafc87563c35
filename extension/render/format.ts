/** Number and text formatting shared by the chat answers, the views and the customer view. */

const money = new Intl.NumberFormat("en-US", { minimumFractionDigits: 2, maximumFractionDigits: 2 });
const whole = new Intl.NumberFormat("en-US", { maximumFractionDigits: 0 });

/** An amount in the store's currency, with thousands separators and cents: 1,234.50. */
export function formatMoney(value: number | null | undefined): string {
  return value === null || value === undefined || !Number.isFinite(value) ? "–" : money.format(value);
}

/** A whole number with thousands separators. */
export function formatCount(value: number | null | undefined): string {
  return value === null || value === undefined || !Number.isFinite(value) ? "–" : whole.format(value);
}

/** A fraction in [0, 1] as a percentage: 0.684 → "68%". */
export function formatShare(value: number | null | undefined, digits = 0): string {
  return value === null || value === undefined || !Number.isFinite(value)
    ? "–"
    : `${(value * 100).toFixed(digits)}%`;
}

/** The day part of a stored timestamp: "2026-08-10T11:55:58Z" → "2026-08-10". */
export function formatDay(value: string | null | undefined): string {
  return value ? value.slice(0, 10) : "–";
}

/** A 0-100 risk score, rounded. */
export function formatScore(value: number): string {
  return Math.round(value).toString();
}

/** A signed number: +24, -3. */
export function formatSigned(value: number | null | undefined, digits = 0): string {
  if (value === null || value === undefined || !Number.isFinite(value)) return "–";
  const text = value.toFixed(digits);
  return value > 0 ? `+${text}` : text;
}

/** The badge shown next to a risk level. */
export const RISK_BADGES: Readonly<Record<string, string>> = {
  critical: "🔴",
  high: "🟠",
  medium: "🟡",
  low: "🟢",
};

export function riskBadge(level: string): string {
  return RISK_BADGES[level] ?? "⚪";
}

/** A customer's display name: the name, and the company when there is one. */
export function displayName(customer: { name: string; company: string | null }): string {
  return customer.company ? `${customer.name} (${customer.company})` : customer.name;
}

/** Escapes text for HTML element content and quoted attribute values. */
export function escapeHtml(text: string): string {
  return text
    .replace(/&/g, "&amp;")
    .replace(/</g, "&lt;")
    .replace(/>/g, "&gt;")
    .replace(/"/g, "&quot;")
    .replace(/'/g, "&#39;");
}

/**
 * Escapes text for inline Markdown, so a customer's words or name cannot add links, images,
 * HTML, code, emphasis or table cells to an answer. Only the characters that can start such
 * constructs inline are escaped (with `[` and `]` escaped, parentheses cannot form a link), so
 * dates and numbers stay readable in documents.
 */
export function escapeMarkdown(text: string): string {
  return text.replace(/[\\`*_[\]<>|~]/g, (character) => `\\${character}`).replace(/\r?\n/g, " ");
}
