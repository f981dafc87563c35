import { escapeHtml, numberCell } from "./html.js";
import { formatMoney, formatNumber, formatPercent, type Lang } from "./i18n.js";

/** How a figure is written: money, a share in [0, 1], a count, an index or hours. */
export type MetricKind = "money" | "share" | "count" | "index" | "hours" | "ratio";

export function formatMetric(value: number | null | undefined, kind: MetricKind, lang: Lang): string {
  if (value === null || value === undefined || !Number.isFinite(value)) return "–";
  switch (kind) {
    case "money":
      return formatMoney(value, lang);
    case "share":
      return formatPercent(value, lang, 1);
    case "count":
      return formatNumber(value, lang, 0);
    case "index":
      return formatNumber(value, lang, 1);
    case "hours":
      return `${formatNumber(value, lang, 1)} h`;
    case "ratio":
      return formatNumber(value, lang, 3);
  }
}

/** A `<tr>` of a two-column figures table: the label as a row header, the number marked. */
export function metricRow(
  label: string,
  value: number | null | undefined,
  kind: MetricKind,
  lang: Lang,
): string {
  return `<tr><th scope="row">${escapeHtml(label)}</th>${numberCell(value ?? null, formatMetric(value, kind, lang))}</tr>`;
}

/** A titled panel holding a figures table. */
export function metricPanel(className: string, title: string, rows: string[]): string {
  return `<section class="panel ${className}"><h2>${escapeHtml(title)}</h2><table><caption class="sr-only">${escapeHtml(title)}</caption><tbody>${rows.join("")}</tbody></table></section>`;
}
