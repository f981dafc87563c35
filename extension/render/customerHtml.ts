import type { GetCustomerResult } from "../../mcp-server/contract/getCustomer.js";
import { interactionChannels } from "../../mcp-server/contract/logInteraction.js";
import { escapeHtml, formatCount, formatDay, formatMoney, formatShare, riskBadge } from "./format.js";

/** Messages the customer view posts to the extension. */
export type CustomerViewMessage =
  | { type: "draftFollowUp" }
  | { type: "refresh" }
  | { type: "logInteraction"; channel: string; summary: string; outcome: string };

/** Checks a message from the webview (it is untrusted input). */
export function parseCustomerViewMessage(message: unknown): CustomerViewMessage | undefined {
  if (typeof message !== "object" || message === null) return undefined;
  const { type } = message as { type?: unknown };
  if (type === "draftFollowUp" || type === "refresh") return { type };
  if (type === "logInteraction") {
    const { channel, summary, outcome } = message as Record<string, unknown>;
    if (typeof channel !== "string" || !(interactionChannels as readonly string[]).includes(channel)) {
      return undefined;
    }
    if (typeof summary !== "string" || summary.trim() === "") return undefined;
    return {
      type,
      channel,
      summary: summary.trim(),
      outcome: typeof outcome === "string" ? outcome.trim() : "",
    };
  }
  return undefined;
}

/** The Content-Security-Policy of the customer view: nothing remote, only our nonce'd style and script. */
export function customerViewCsp(nonce: string, cspSource: string): string {
  return [
    "default-src 'none'",
    `img-src ${cspSource} data:`,
    `style-src 'nonce-${nonce}'`,
    `script-src 'nonce-${nonce}'`,
    "font-src 'none'",
    "connect-src 'none'",
    "form-action 'none'",
    "frame-src 'none'",
  ].join("; ");
}

export interface TimelinePoint {
  day: string;
  amount: number;
}

/**
 * The purchase timeline as inline SVG: one stem per purchase, its height the amount, on a time
 * axis from the first shown purchase to the as-of day. Colours come from the theme via CSS.
 */
export function timelineSvg(
  points: readonly TimelinePoint[],
  asOf: string,
  width = 560,
  height = 160,
): string {
  if (points.length === 0) return `<p class="muted">No purchases yet.</p>`;
  const margin = { left: 56, right: 12, top: 10, bottom: 24 };
  const days = (day: string) => Date.parse(`${day.slice(0, 10)}T00:00:00Z`) / 86_400_000;
  const sorted = [...points].sort((a, b) => a.day.localeCompare(b.day));
  const start = days(sorted[0]!.day);
  const end = Math.max(days(asOf), days(sorted[sorted.length - 1]!.day), start + 1);
  const top = Math.max(...sorted.map((point) => Math.abs(point.amount)), 1);
  const plotWidth = width - margin.left - margin.right;
  const plotHeight = height - margin.top - margin.bottom;
  const x = (day: string) => margin.left + ((days(day) - start) / (end - start)) * plotWidth;
  const y = (amount: number) => margin.top + plotHeight - (Math.max(amount, 0) / top) * plotHeight;
  const base = margin.top + plotHeight;
  const stems = sorted
    .map((point) => {
      const cx = x(point.day).toFixed(1);
      const cy = y(point.amount).toFixed(1);
      const title = `<title>${escapeHtml(formatDay(point.day))}: ${escapeHtml(formatMoney(point.amount))}</title>`;
      return `<line class="stem" x1="${cx}" y1="${base}" x2="${cx}" y2="${cy}"/><circle class="${point.amount < 0 ? "dot refund" : "dot"}" cx="${cx}" cy="${cy}" r="4">${title}</circle>`;
    })
    .join("");
  const label = (text: string, lx: number, ly: number, anchor: string) =>
    `<text class="axis-label" x="${lx.toFixed(1)}" y="${ly.toFixed(1)}" text-anchor="${anchor}">${escapeHtml(text)}</text>`;
  return [
    `<svg class="timeline" role="img" aria-label="Purchase timeline" viewBox="0 0 ${width} ${height}" width="100%" preserveAspectRatio="xMidYMid meet">`,
    `<line class="axis" x1="${margin.left}" y1="${base}" x2="${width - margin.right}" y2="${base}"/>`,
    `<line class="axis" x1="${margin.left}" y1="${margin.top}" x2="${margin.left}" y2="${base}"/>`,
    label(formatMoney(top), margin.left - 6, margin.top + 8, "end"),
    label("0", margin.left - 6, base, "end"),
    label(formatDay(sorted[0]!.day), margin.left, height - 6, "start"),
    label(asOf, width - margin.right, height - 6, "end"),
    stems,
    `</svg>`,
  ].join("");
}

function row(label: string, value: string): string {
  return `<tr><th>${escapeHtml(label)}</th><td>${value}</td></tr>`;
}

const STYLE = `
body { font-family: var(--vscode-font-family); font-size: var(--vscode-font-size); color: var(--vscode-foreground); background: var(--vscode-editor-background); padding: 0 16px 16px; }
h1 { font-size: 1.5em; margin: 12px 0 2px; }
h2 { font-size: 1.1em; margin: 18px 0 6px; border-bottom: 1px solid var(--vscode-panel-border); padding-bottom: 3px; }
.muted { color: var(--vscode-descriptionForeground); }
.cards { display: flex; flex-wrap: wrap; gap: 8px; margin-top: 10px; }
.card { border: 1px solid var(--vscode-panel-border); border-radius: 4px; padding: 6px 10px; min-width: 120px; background: var(--vscode-sideBar-background); }
.card .value { font-size: 1.3em; font-weight: 600; }
.card .label { color: var(--vscode-descriptionForeground); font-size: 0.9em; }
.risk-critical .value, .risk-high .value { color: var(--vscode-errorForeground); }
.risk-medium .value { color: var(--vscode-editorWarning-foreground); }
.risk-low .value { color: var(--vscode-testing-iconPassed); }
table { border-collapse: collapse; }
th { text-align: left; font-weight: normal; color: var(--vscode-descriptionForeground); padding: 2px 12px 2px 0; vertical-align: top; }
td { padding: 2px 12px 2px 0; }
td.number { text-align: right; font-variant-numeric: tabular-nums; }
ul { padding-left: 18px; margin: 4px 0; }
blockquote { margin: 6px 0; padding: 4px 10px; border-left: 3px solid var(--vscode-textBlockQuote-border); background: var(--vscode-textBlockQuote-background); }
.actions { display: flex; gap: 8px; flex-wrap: wrap; margin: 12px 0; }
button { background: var(--vscode-button-background); color: var(--vscode-button-foreground); border: none; padding: 5px 12px; cursor: pointer; border-radius: 2px; }
button:hover { background: var(--vscode-button-hoverBackground); }
button.secondary { background: var(--vscode-button-secondaryBackground); color: var(--vscode-button-secondaryForeground); }
input, select { background: var(--vscode-input-background); color: var(--vscode-input-foreground); border: 1px solid var(--vscode-input-border, transparent); padding: 3px 6px; }
form { display: flex; gap: 6px; flex-wrap: wrap; align-items: center; }
form input[name=summary] { flex: 1 1 240px; }
.timeline .axis { stroke: var(--vscode-panel-border); stroke-width: 1; }
.timeline .stem { stroke: var(--vscode-charts-blue); stroke-width: 2; }
.timeline .dot { fill: var(--vscode-charts-blue); }
.timeline .dot.refund { fill: var(--vscode-charts-red); }
.timeline .axis-label { fill: var(--vscode-descriptionForeground); font-size: 10px; }
.warning { color: var(--vscode-editorWarning-foreground); }
`;

const SCRIPT = `
const vscode = acquireVsCodeApi();
for (const button of document.querySelectorAll("button[data-action]")) {
  button.addEventListener("click", () => vscode.postMessage({ type: button.dataset.action }));
}
const form = document.getElementById("log-interaction");
if (form) {
  form.addEventListener("submit", (event) => {
    event.preventDefault();
    const data = new FormData(form);
    vscode.postMessage({ type: "logInteraction", channel: data.get("channel"), summary: data.get("summary"), outcome: data.get("outcome") });
    form.reset();
  });
}
`;

export interface CustomerViewOptions {
  nonce: string;
  cspSource: string;
  allowWrites: boolean;
}

/** The customer view's whole HTML: every value from the store is escaped; no remote content. */
export function customerHtml(result: GetCustomerResult, options: CustomerViewOptions): string {
  const { customer, profile, purchases, risk, value, lifecycle, rfm } = result;
  const e = escapeHtml;
  const card = (label: string, text: string, extra = "") =>
    `<div class="card ${extra}"><div class="value">${text}</div><div class="label">${e(label)}</div></div>`;
  const headline = [customer.company, customer.owner ? `owner ${customer.owner}` : null, profile.country]
    .filter((part): part is string => Boolean(part))
    .map(e)
    .join(" · ");
  // Each reason ends with the points it adds to (or takes from) the churn probability.
  const reasons = risk.reasons.map((reason) => `<li>${e(reason.en)}</li>`).join("");
  const churn =
    risk.churn_probability === null
      ? "–"
      : `${riskBadge(risk.level)} ${e(formatShare(risk.churn_probability))}`;
  const transactions = result.recent_transactions
    .map(
      (item) =>
        `<tr><td>${e(formatDay(item.occurred_at))}</td><td class="number">${e(formatMoney(item.amount))}</td><td class="number">${item.quantity ?? ""}</td><td>${e(item.channel ?? "")}</td></tr>`,
    )
    .join("");
  const feedback = result.recent_feedback
    .map(
      (item) =>
        `<blockquote><div>“${e(item.text)}”</div><div class="muted">${e(formatDay(item.occurred_at))} · ${e(item.source)}${item.score === null ? "" : ` · score ${item.score}`} · ${e(item.status)}</div></blockquote>`,
    )
    .join("");
  const interactions = result.recent_interactions
    .slice(0, 5)
    .map(
      (item) =>
        `<li>${e(formatDay(item.occurred_at))} ${e(item.channel)} (${e(item.direction)}): ${e(item.summary)}${item.outcome ? ` → ${e(item.outcome)}` : ""}</li>`,
    )
    .join("");
  const logForm = options.allowWrites
    ? `<h2>Log an interaction</h2><form id="log-interaction"><select name="channel">${interactionChannels
        .map((channel) => `<option value="${e(channel)}">${e(channel)}</option>`)
        .join(
          "",
        )}</select><input name="summary" placeholder="What was discussed" required maxlength="2000"><input name="outcome" placeholder="Outcome (optional)" maxlength="200"><button type="submit">Log interaction</button></form>`
    : "";
  const points = result.recent_transactions.map((item) => ({ day: item.occurred_at, amount: item.amount }));
  const shown =
    result.history_counts.transactions > points.length
      ? `the latest ${points.length} of ${formatCount(result.history_counts.transactions)} purchases`
      : `${points.length} purchases`;
  return `<!DOCTYPE html>
<html lang="en">
<head>
<meta charset="UTF-8">
<meta http-equiv="Content-Security-Policy" content="${e(customerViewCsp(options.nonce, options.cspSource))}">
<meta name="viewport" content="width=device-width, initial-scale=1.0">
<title>${e(customer.name)}</title>
<style nonce="${e(options.nonce)}">${STYLE}</style>
</head>
<body>
<h1>${e(customer.name)} <span class="muted">${e(customer.customer_id)}</span></h1>
<div class="muted">${headline}</div>
${profile.do_not_contact ? `<p class="warning">Do not contact: the customer asked not to be contacted.</p>` : ""}
<div class="actions">
<button data-action="draftFollowUp">Draft follow-up</button>
<button class="secondary" data-action="refresh">Refresh</button>
</div>
<div class="cards">
${card("lifecycle stage", e(lifecycle.label.en))}
${card(`churn probability (${result.scores.horizon_days} days)`, churn, `risk-${e(risk.level)}`)}
${card("value at risk", e(formatMoney(risk.value_at_risk)))}
${card(`${value.horizon_months}-month CLV`, e(formatMoney(value.clv)))}
${card("P(alive)", e(formatShare(value.p_alive)))}
${card("RFM", rfm ? `${e(rfm.code)} ${e(rfm.label.en)}` : "–")}
</div>
<h2>Lifecycle: ${e(lifecycle.label.en)}</h2>
<ul>${lifecycle.reasons.en.map((reason) => `<li>${e(reason)}</li>`).join("")}</ul>
<p>${e(lifecycle.strategy.en)}</p>
<h2>Why this churn probability</h2>
${risk.not_scored ? `<p class="warning">Not scored: ${e(risk.not_scored)}</p>` : ""}
${reasons ? `<ul>${reasons}</ul>` : `<p class="muted">No purchase yet, so no churn probability.</p>`}
<h2>Customer lifetime value</h2>
<table>
${row("expected purchases", e(value.expected_purchases === null ? "–" : value.expected_purchases.toFixed(2)))}
${row("× spend per purchase", e(formatMoney(value.expected_spend_per_purchase)))}
${row("= expected revenue", e(formatMoney(value.expected_revenue)))}
${row("× margin", e(formatShare(value.margin_rate, 1)))}
${row("discounted CLV", `<strong>${e(formatMoney(value.clv))}</strong>`)}
${row("ABC tier", e(value.abc_label?.en ?? "–"))}
${row("value quadrant", e(value.value_quadrant_label?.en ?? "–"))}
</table>
<h2>Purchases</h2>
<table>
${row("orders", e(formatCount(purchases.orders)))}
${row("revenue", e(formatMoney(purchases.revenue)))}
${row("average order", e(formatMoney(purchases.average_order_value)))}
${row("first / last", `${e(formatDay(purchases.first_purchase))} / ${e(formatDay(purchases.last_purchase))}`)}
${row("usual gap", purchases.typical_gap_days === null ? "–" : `${formatCount(purchases.typical_gap_days)} days`)}
</table>
<p class="muted">Timeline: ${e(shown)}</p>
${timelineSvg(points, result.scores.as_of)}
${transactions ? `<table><tr><th>date</th><th>amount</th><th>qty</th><th>channel</th></tr>${transactions}</table>` : ""}
<h2>Feedback</h2>
<p class="muted">Latest NPS ${result.latest_nps ?? "–"} · ${result.open_complaints} open complaints</p>
${feedback || `<p class="muted">No feedback.</p>`}
<h2>Interactions</h2>
${interactions ? `<ul>${interactions}</ul>` : `<p class="muted">None recorded.</p>`}
${logForm}
<h2>Profile</h2>
<table>
${row("email", e(profile.email ?? "–"))}
${row("phone", e(profile.phone ?? "–"))}
${row("channel", e(profile.acquisition_channel ?? "–"))}
${row("tags", e(profile.tags.join(", ") || "–"))}
</table>
<p class="muted">Scores as of ${e(result.scores.as_of)} (model ${e(result.scores.model_version)}).</p>
<script nonce="${e(options.nonce)}">${SCRIPT}</script>
</body>
</html>`;
}
