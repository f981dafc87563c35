import { readFileSync } from "node:fs";
import { join } from "node:path";

/** A structuredContent taken from a real tool call on the demo book (seed 42, as of 2026-06-30). */
export function fixture<T>(name: string): T {
  return JSON.parse(readFileSync(join(import.meta.dirname, "..", "fixtures", `${name}.json`), "utf8")) as T;
}

/** The numbers a fragment of view HTML draws, read from its data-value attributes in order. */
export function dataValues(html: string): number[] {
  return [...html.matchAll(/data-value="([^"]*)"/g)].map((match) => Number(match[1]));
}

/**
 * The first `<tag …attribute="value"…>…</tag>` in html (no nesting of the same tag inside,
 * which holds for the table rows and sections the views draw).
 */
export function element(html: string, tag: string, attribute: string, value: string): string {
  const start = html.search(
    new RegExp(`<${tag}\\b[^>]*\\b${attribute}="${value.replace(/[.*+?^${}()|[\]\\]/g, "\\$&")}"`),
  );
  if (start < 0) throw new Error(`no <${tag} ${attribute}="${value}"> in the HTML`);
  const end = html.indexOf(`</${tag}>`, start);
  return html.slice(start, end + tag.length + 3);
}

/** The text of an HTML fragment, tags removed and entities for &, <, >, " and ' decoded. */
export function textOf(html: string): string {
  return html
    .replace(/<[^>]*>/g, " ")
    .replace(/&lt;/g, "<")
    .replace(/&gt;/g, ">")
    .replace(/&quot;/g, '"')
    .replace(/&#39;/g, "'")
    .replace(/&amp;/g, "&")
    .replace(/\s+/g, " ")
    .trim();
}
