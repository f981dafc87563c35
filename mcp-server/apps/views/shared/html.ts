/**
 * Building blocks of the views' HTML. Rendering functions return strings (no DOM), so vitest
 * checks them without a browser; every piece of text from the store goes through `escapeHtml`
 * (customer feedback and notes are untrusted text).
 */

/** Text safe to place in element content or a double-quoted attribute. */
export function escapeHtml(text: unknown): string {
  return String(text ?? "")
    .replace(/&/g, "&amp;")
    .replace(/</g, "&lt;")
    .replace(/>/g, "&gt;")
    .replace(/"/g, "&quot;")
    .replace(/'/g, "&#39;");
}

/**
 * A drawn number: its text as formatted for the reader, and the exact value in `data-value`
 * so a test (or a screen reader's table) can compare it with the tool's structuredContent.
 */
export function numberSpan(value: number | null | undefined, text: string, className = "num"): string {
  if (value === null || value === undefined || !Number.isFinite(value))
    return `<span class="${className} none">–</span>`;
  return `<span class="${className}" data-value="${value}">${escapeHtml(text)}</span>`;
}

/** A table cell holding a number (see `numberSpan`). */
export function numberCell(value: number | null | undefined, text: string): string {
  return `<td class="num">${numberSpan(value, text)}</td>`;
}

/** A horizontal bar for a share in [0, 1], hidden from screen readers (the number is beside it). */
export function bar(share: number, className = "bar"): string {
  const width = Math.max(0, Math.min(1, share)) * 100;
  return `<span class="${className}" aria-hidden="true"><span style="width:${width.toFixed(1)}%"></span></span>`;
}
