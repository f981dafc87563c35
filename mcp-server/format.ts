/**
 * Number formats shared by tool results and the terminal. The formatters are built once:
 * `toLocaleString` with options builds a new ICU formatter on every call, which cost a few
 * milliseconds per tool result.
 */
const MONEY = new Intl.NumberFormat("en-US", { minimumFractionDigits: 2, maximumFractionDigits: 2 });
const COUNT = new Intl.NumberFormat("en-US");

/** 1234.5 → "1,234.50" */
export function formatMoney(value: number): string {
  return MONEY.format(value);
}

/** 1234 → "1,234" */
export function formatCount(value: number): string {
  return COUNT.format(value);
}

/** 0.1234 → "12.3%" */
export function formatPercent(share: number, digits = 1): string {
  return `${(share * 100).toFixed(digits)}%`;
}
