import { LIFECYCLE_STAGE_KEYS, LIFECYCLE_STAGES } from "../../../../core/lifecycle.js";
import type { GetCustomerResult } from "../../../contract/getCustomer.js";
import { bar, escapeHtml, numberCell, numberSpan } from "../shared/html.js";
import { formatDay, formatMoney, formatNumber, formatPercent, pick, type Lang } from "../shared/i18n.js";

const PHRASES = {
  en: {
    owner: "Owner",
    contact: "Contact",
    channel: "Acquired via",
    customerSince: "Customer since",
    tags: "Tags",
    doNotContact: "Do not contact",
    kpis: "Key figures",
    churn: "Churn probability",
    horizon: (days: number) => `no purchase in the next ${days} days`,
    valueAtRisk: "Value at risk",
    clv: "CLV (12 months)",
    pAlive: "P(alive)",
    health: "Health index (CHI)",
    emotion: "Emotion index",
    ltv5: "LTV (5 years)",
    reasons: "Why this churn probability",
    reason: "Signal",
    points: "Points",
    timeline: "Purchase timeline",
    timelineCaption: (gap: string) =>
      `Latest orders; the shaded band is the typical gap (${gap} days) after the last purchase`,
    date: "Date",
    amount: "Amount",
    quantity: "Qty",
    typicalGap: "Typical gap (days)",
    daysSince: "Days since last purchase",
    clvBreakdown: "CLV breakdown",
    expectedPurchases: "Expected purchases",
    spendPerPurchase: "Expected spend per purchase",
    expectedRevenue: "Expected revenue",
    marginRate: "Margin rate",
    lifecycle: "Lifecycle",
    stageHistory: "Stage history",
    stageHistoryCaption: (fitted: string) =>
      `Stage and churn probability (%) at each month end, as today's rules read the customer's history up to that day only (models fitted as of ${fitted})`,
    month: "Month end",
    stage: "Stage",
    changes: "Changes",
    since: (date: string) => `from ${date}`,
    at: (date: string) => `at ${date}`,
    rfm: "RFM",
    abc: "ABC tier",
    quadrant: "Value quadrant",
    feedback: "Feedback",
    noFeedback: "No feedback yet.",
    tickets: "Open tickets",
    noTickets: "No open tickets.",
    ticket: "Ticket",
    subject: "Subject",
    opened: "Opened",
    status: "Status",
    overdue: "overdue",
    score: "Score",
    metric: "Measure",
    value: "Value",
  },
  zh: {
    owner: "负责人",
    contact: "联系方式",
    channel: "获客渠道",
    customerSince: "客户始于",
    tags: "标签",
    doNotContact: "请勿联系",
    kpis: "关键指标",
    churn: "流失概率",
    horizon: (days: number) => `未来${days}天内不再购买`,
    valueAtRisk: "风险价值",
    clv: "客户终身价值（12个月）",
    pAlive: "活跃概率",
    health: "健康指数（CHI）",
    emotion: "情感指数",
    ltv5: "终身价值（5年）",
    reasons: "流失概率的原因",
    reason: "信号",
    points: "百分点",
    timeline: "购买时间线",
    timelineCaption: (gap: string) => `最近的订单；阴影为上次购买后的典型间隔（${gap}天）`,
    date: "日期",
    amount: "金额",
    quantity: "数量",
    typicalGap: "典型间隔（天）",
    daysSince: "距上次购买天数",
    clvBreakdown: "终身价值构成",
    expectedPurchases: "预计购买次数",
    spendPerPurchase: "预计每次消费",
    expectedRevenue: "预计收入",
    marginRate: "利润率",
    lifecycle: "生命周期",
    stageHistory: "阶段轨迹",
    stageHistoryCaption: (fitted: string) =>
      `每个月末的阶段与流失概率（%）：按现行规则只读取该日及之前的客户记录（模型拟合于${fitted}）`,
    month: "月末",
    stage: "阶段",
    changes: "阶段变化",
    since: (date: string) => `自${date}起`,
    at: (date: string) => `${date}起`,
    rfm: "RFM",
    abc: "ABC等级",
    quadrant: "价值象限",
    feedback: "反馈",
    noFeedback: "暂无反馈。",
    tickets: "未关闭工单",
    noTickets: "没有未关闭的工单。",
    ticket: "工单",
    subject: "主题",
    opened: "创建于",
    status: "状态",
    overdue: "已超时",
    score: "评分",
    metric: "指标",
    value: "数值",
  },
};

const DAY_MS = 86_400_000;

/**
 * The purchase timeline as inline SVG: one bar per recent order (height = amount) on a day
 * axis, the typical gap after the last purchase as a shaded band, and the as-of day as a line.
 * The numbers are in the table that follows it; the SVG is hidden from screen readers.
 */
export function timelineSvg(card: GetCustomerResult): string {
  const orders = [...card.recent_transactions].sort((a, b) => a.occurred_at.localeCompare(b.occurred_at));
  const asOf = Date.parse(`${card.scores.as_of}T23:59:59Z`);
  if (orders.length === 0) return "";
  const gap = card.purchases.typical_gap_days;
  const last = card.purchases.last_purchase ? Date.parse(card.purchases.last_purchase) : asOf;
  const start = Date.parse(orders[0].occurred_at);
  const end = Math.max(asOf, gap ? last + gap * DAY_MS : asOf);
  const width = 560;
  const height = 140;
  const left = 8;
  const plot = width - 2 * left;
  const span = Math.max(end - start, DAY_MS);
  const x = (time: number) => left + ((time - start) / span) * plot;
  const maxAmount = Math.max(...orders.map((order) => order.amount), 1);
  const baseline = height - 20;
  const parts: string[] = [];
  if (gap) {
    const from = x(last);
    const to = x(last + gap * DAY_MS);
    parts.push(
      `<rect class="gap" x="${from.toFixed(1)}" y="10" width="${Math.max(to - from, 1).toFixed(1)}" height="${baseline - 10}" data-value="${gap}"></rect>`,
    );
  }
  for (const order of orders) {
    const h = (order.amount / maxAmount) * (baseline - 16);
    parts.push(
      `<rect class="order" x="${(x(Date.parse(order.occurred_at)) - 2).toFixed(1)}" y="${(baseline - h).toFixed(1)}" width="4" height="${h.toFixed(1)}" data-value="${order.amount}"></rect>`,
    );
  }
  parts.push(
    `<line class="as-of" x1="${x(asOf).toFixed(1)}" x2="${x(asOf).toFixed(1)}" y1="6" y2="${baseline}"></line>`,
  );
  parts.push(
    `<line class="axis" x1="${left}" x2="${width - left}" y1="${baseline}" y2="${baseline}"></line>`,
  );
  parts.push(`<text x="${left}" y="${height - 4}">${formatDay(orders[0].occurred_at)}</text>`);
  parts.push(
    `<text x="${width - left}" y="${height - 4}" text-anchor="end">${formatDay(new Date(end).toISOString())}</text>`,
  );
  return `<svg class="timeline" viewBox="0 0 ${width} ${height}" role="img" aria-hidden="true" focusable="false">${parts.join("")}</svg>`;
}

/**
 * The lifecycle track: one column per month end (then the as-of date), each cell tinted by the
 * stage the rules read that day, with the stage named for screen readers; then the changes in
 * words. A real table, so the track reads as month → stage without the colours.
 */
export function stageHistoryTrack(card: GetCustomerResult, lang: Lang): string {
  const history = card.stage_history;
  if (!history || history.points.length === 0) return "";
  const t = PHRASES[lang];
  const label = (stage: keyof typeof LIFECYCLE_STAGES) => pick(LIFECYCLE_STAGES[stage].label, lang);
  const header = history.points
    .map(
      (point) =>
        `<th scope="col" data-date="${escapeHtml(point.date)}"${point.at === "as_of" ? ' class="as-of"' : ""}>${escapeHtml(point.date.slice(2, 7))}</th>`,
    )
    .join("");
  const cells = history.points
    .map(
      (point) =>
        `<td class="stage-${escapeHtml(point.stage)}" data-stage="${escapeHtml(point.stage)}" data-date="${escapeHtml(point.date)}" title="${escapeHtml(`${point.date}: ${label(point.stage)}`)}"><span class="sr-only">${escapeHtml(label(point.stage))}</span></td>`,
    )
    .join("");
  const churn = history.points
    .map(
      (point) =>
        `<td>${numberSpan(point.churn_probability, point.churn_probability === null ? "–" : formatNumber(point.churn_probability * 100, lang, 0))}</td>`,
    )
    .join("");
  const changes = history.changes
    .map(
      (change) =>
        `<li class="stage-${escapeHtml(change.to)}" data-stage="${escapeHtml(change.to)}" data-date="${escapeHtml(change.date)}"><strong>${escapeHtml(label(change.to))}</strong> ${escapeHtml(change.from === null ? t.since(change.date) : t.at(change.date))}</li>`,
    )
    .join("");
  return (
    `<div class="stage-history"><h3>${t.stageHistory}</h3><div class="track-scroll"><table class="lifecycle-track">` +
    `<caption>${escapeHtml(t.stageHistoryCaption(history.models_fitted_as_of))}</caption>` +
    `<thead><tr><th scope="row">${t.month}</th>${header}</tr></thead>` +
    `<tbody><tr><th scope="row">${t.stage}</th>${cells}</tr>` +
    `<tr class="track-churn"><th scope="row">${t.churn}</th>${churn}</tr></tbody></table></div>` +
    `<ol class="stage-changes" aria-label="${escapeHtml(t.changes)}">${changes}</ol></div>`
  );
}

function kpiRow(label: string, value: number | null | undefined, text: string): string {
  return `<tr><th scope="row">${escapeHtml(label)}</th>${numberCell(value, text)}</tr>`;
}

/** The profile facts a call needs (how to reach them, where they came from), as a definition list. */
function contactLine(card: GetCustomerResult, t: (typeof PHRASES)[Lang]): string {
  const { profile } = card;
  const contact = [profile.email, profile.phone].filter((value): value is string => Boolean(value));
  const facts: [string, string][] = [];
  if (contact.length > 0) facts.push([t.contact, contact.map(escapeHtml).join(" · ")]);
  if (profile.acquisition_channel) facts.push([t.channel, escapeHtml(profile.acquisition_channel)]);
  facts.push([t.customerSince, escapeHtml((profile.acquired_at ?? profile.created_at).slice(0, 10))]);
  if (profile.tags.length > 0) facts.push([t.tags, profile.tags.map(escapeHtml).join(", ")]);
  return `<dl class="profile">${facts.map(([term, value]) => `<div><dt>${term}</dt><dd>${value}</dd></div>`).join("")}</dl>`;
}

/** The customer card: everything get_customer returned, drawn for a call's preparation. */
export function renderCustomerCard(card: GetCustomerResult, lang: Lang): string {
  const t = PHRASES[lang];
  const money = (value: number | null | undefined) =>
    value === null || value === undefined ? "–" : formatMoney(value, lang);
  const churn = card.risk.churn_probability;
  const out: string[] = [];
  out.push(`<article class="customer-card" data-customer-id="${escapeHtml(card.customer.customer_id)}">`);
  out.push(
    `<header><h1>${escapeHtml(card.customer.name)}${card.customer.company ? ` <span class="muted">· ${escapeHtml(card.customer.company)}</span>` : ""}</h1>` +
      `<p class="muted">${escapeHtml(card.customer.customer_id)} · ${t.owner}: ${escapeHtml(card.customer.owner ?? "–")} · ${escapeHtml(card.profile.country ?? "")}` +
      `${card.profile.do_not_contact ? ` · <strong class="warning">${t.doNotContact}</strong>` : ""}</p>` +
      contactLine(card, t) +
      `</header>`,
  );
  for (const warning of card.scores.warnings) out.push(`<p class="warning">${escapeHtml(warning)}</p>`);

  out.push(`<div class="grid">`);
  out.push(
    `<section class="panel kpis"><h2>${t.kpis}</h2><table><caption class="sr-only">${t.kpis}</caption><tbody>` +
      `<tr><th scope="row">${t.churn}<div class="muted">${escapeHtml(t.horizon(card.scores.horizon_days))}</div></th>` +
      `<td class="num">${churn === null ? "–" : `${bar(churn)}${numberSpan(churn, formatPercent(churn, lang))}`}` +
      ` <span class="level-${escapeHtml(card.risk.level ?? "")}">${escapeHtml(pick(card.risk.level_label, lang))}</span></td></tr>` +
      kpiRow(t.valueAtRisk, card.risk.value_at_risk, money(card.risk.value_at_risk)) +
      kpiRow(t.clv, card.value.clv, money(card.value.clv)) +
      kpiRow(
        t.pAlive,
        card.value.p_alive,
        card.value.p_alive === null ? "–" : formatPercent(card.value.p_alive, lang),
      ) +
      kpiRow(t.health, card.kpi.chi?.index, card.kpi.chi ? formatNumber(card.kpi.chi.index, lang, 0) : "–") +
      kpiRow(
        t.emotion,
        card.kpi.emotion.index,
        card.kpi.emotion.index === null ? "–" : formatNumber(card.kpi.emotion.index, lang, 0),
      ) +
      kpiRow(t.ltv5, card.kpi.ltv.five_years, money(card.kpi.ltv.five_years)) +
      `</tbody></table></section>`,
  );

  out.push(
    `<section class="panel reasons"><h2>${t.reasons}</h2><table><thead><tr><th scope="col">${t.reason}</th><th scope="col" class="num">${t.points}</th></tr></thead><tbody>` +
      card.risk.reasons
        .map(
          (reason) =>
            `<tr><td>${escapeHtml(reason[lang])}</td>${numberCell(reason.points, `${reason.points > 0 ? "+" : ""}${formatNumber(reason.points, lang, 0)}`)}</tr>`,
        )
        .join("") +
      `</tbody></table></section>`,
  );
  out.push(`</div>`);

  const gap = card.purchases.typical_gap_days;
  out.push(
    `<section class="panel timeline-panel"><h2>${t.timeline}</h2>${timelineSvg(card)}` +
      `<p class="muted">${t.typicalGap}: ${numberSpan(gap, gap === null ? "–" : formatNumber(gap, lang, 0))} · ${t.daysSince}: ${numberSpan(card.purchases.days_since_last_purchase, String(card.purchases.days_since_last_purchase ?? "–"))}</p>` +
      `<table class="orders"><caption>${escapeHtml(t.timelineCaption(gap === null ? "–" : String(gap)))}</caption><thead><tr><th scope="col">${t.date}</th><th scope="col" class="num">${t.amount}</th><th scope="col" class="num">${t.quantity}</th></tr></thead><tbody>` +
      card.recent_transactions
        .map(
          (order) =>
            `<tr><td>${formatDay(order.occurred_at)}</td>${numberCell(order.amount, money(order.amount))}${numberCell(order.quantity, String(order.quantity ?? "–"))}</tr>`,
        )
        .join("") +
      `</tbody></table></section>`,
  );

  const value = card.value;
  out.push(`<div class="grid">`);
  out.push(
    `<section class="panel clv"><h2>${t.clvBreakdown}</h2><table><thead><tr><th scope="col">${t.metric}</th><th scope="col" class="num">${t.value}</th></tr></thead><tbody>` +
      kpiRow(
        t.expectedPurchases,
        value.expected_purchases,
        value.expected_purchases === null ? "–" : formatNumber(value.expected_purchases, lang, 1),
      ) +
      kpiRow(
        t.spendPerPurchase,
        value.expected_spend_per_purchase,
        money(value.expected_spend_per_purchase),
      ) +
      kpiRow(t.expectedRevenue, value.expected_revenue, money(value.expected_revenue)) +
      kpiRow(
        t.marginRate,
        value.margin_rate,
        value.margin_rate === null ? "–" : formatPercent(value.margin_rate, lang),
      ) +
      kpiRow(t.pAlive, value.p_alive, value.p_alive === null ? "–" : formatPercent(value.p_alive, lang)) +
      kpiRow(t.clv, value.clv, money(value.clv)) +
      `</tbody></table></section>`,
  );
  const stage = card.lifecycle.stage;
  out.push(
    `<section class="panel lifecycle"><h2>${t.lifecycle}</h2><ol class="stage-track">` +
      LIFECYCLE_STAGE_KEYS.map(
        (key) =>
          `<li${key === stage ? ' class="current" aria-current="step"' : ""}>${escapeHtml(pick(LIFECYCLE_STAGES[key].label, lang))}</li>`,
      ).join("") +
      `</ol><ul>${card.lifecycle.reasons[lang].map((reason) => `<li>${escapeHtml(reason)}</li>`).join("")}</ul>` +
      `<p>${escapeHtml(pick(card.lifecycle.strategy, lang))}</p>` +
      stageHistoryTrack(card, lang) +
      (card.rfm
        ? `<p>${t.rfm}: <strong>${escapeHtml(pick(card.rfm.label, lang))}</strong> (R ${numberSpan(card.rfm.r, String(card.rfm.r))} F ${numberSpan(card.rfm.f, String(card.rfm.f))} M ${numberSpan(card.rfm.m, String(card.rfm.m))})</p>`
        : "") +
      (value.abc_label ? `<p>${t.abc}: ${escapeHtml(pick(value.abc_label, lang))}</p>` : "") +
      (value.value_quadrant_label
        ? `<p>${t.quadrant}: ${escapeHtml(pick(value.value_quadrant_label, lang))}</p>`
        : "") +
      `</section>`,
  );
  out.push(`</div>`);

  out.push(
    `<section class="panel feedback"><h2>${t.feedback}</h2>` +
      (card.recent_feedback.length === 0
        ? `<p class="muted">${t.noFeedback}</p>`
        : card.recent_feedback
            .map(
              (item) =>
                `<figure><blockquote lang="${escapeHtml(item.language ?? "")}">${escapeHtml(item.text ?? "")}</blockquote>` +
                `<figcaption class="muted">${escapeHtml(item.source)} · ${formatDay(item.occurred_at)}${item.score === null || item.score === undefined ? "" : ` · ${t.score} ${numberSpan(item.score, String(item.score))}`} · ${escapeHtml(item.status ?? "")}</figcaption></figure>`,
            )
            .join("")) +
      `</section>`,
  );
  out.push(
    `<section class="panel tickets"><h2>${t.tickets}</h2>` +
      (card.open_tickets.length === 0
        ? `<p class="muted">${t.noTickets}</p>`
        : `<table><thead><tr><th scope="col">${t.ticket}</th><th scope="col">${t.subject}</th><th scope="col">${t.opened}</th><th scope="col">${t.status}</th></tr></thead><tbody>` +
          card.open_tickets
            .map(
              (ticket) =>
                `<tr><td>${escapeHtml(ticket.ticket_id)}</td><td>${escapeHtml(ticket.subject)}</td><td>${formatDay(ticket.opened_at)}</td>` +
                `<td>${escapeHtml(ticket.status)}${ticket.overdue ? ` <strong class="warning">${t.overdue}</strong>` : ""}</td></tr>`,
            )
            .join("") +
          `</tbody></table>`) +
      `</section>`,
  );
  out.push(`</article>`);
  return out.join("\n");
}
