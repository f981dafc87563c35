import type { KpiReport, KpiSummary } from "../../../contract/kpi.js";
import type { PortfolioOverviewResult } from "../../../contract/portfolioOverview.js";
import { bar, escapeHtml, numberCell, numberSpan } from "../shared/html.js";
import { formatPercent, pick, type Lang } from "../shared/i18n.js";
import { formatMetric, metricPanel, metricRow } from "../shared/metrics.js";

const PHRASES = {
  en: {
    title: "Portfolio health",
    scope: (asOf: string, owner: string | null, from: string, to: string) =>
      `${owner ? `${owner}'s customers` : "The whole book"} as of ${asOf}; service, emotion and activation over ${from} to ${to}`,
    health: "Customer health index (CHI)",
    index: "Index (0-100)",
    frequency: "Frequency",
    value: "Value",
    retention: "Retention",
    healthy: "Healthy",
    watch: "Watch",
    atRisk: "At risk",
    emotion: "Emotion index",
    nps: "NPS",
    npsResponses: "NPS answers",
    promoters: "Promoters",
    detractors: "Detractors",
    reviews: "Reviews",
    reviewBalance: "Review balance",
    service: "Service",
    tickets: "Tickets",
    firstResponseMedian: "First response, median",
    firstResponseP90: "First response, 90th percentile",
    resolutionRate: "Resolution rate",
    resolutionMedian: "Resolution, median",
    breaching: "Tickets breaching the SLA",
    ltv: "Lifetime value",
    ltv12: "LTV 12 months",
    ltv5: "LTV 5 years",
    multiple: "5-year multiple",
    activation: (days: number) => `Activation (first ${days} days)`,
    newCustomers: "New customers",
    eligible: "Eligible",
    activated: "Activated",
    rate: "Rate",
    book: "The book",
    customers: "Customers",
    active: "Active customers",
    repeatRate: "Repeat rate",
    retentionRate: "Retention rate",
    churnRate: "Churn rate",
    revenue12: "Revenue, last 12 months",
    top10: "Revenue share of the top 10%",
    totalClv: "Total CLV (12 months)",
    valueAtRisk: "Value at risk",
    expectedChurners: "Expected churners",
    stages: "Lifecycle stages",
    riskLevels: "Churn risk levels",
    stage: "Stage",
    level: "Level",
    share: "Share",
    notInTool:
      "The monthly cohort retention table and the indices month by month are in the KPI report (crm kpi); this tool reports the current period.",
    cohorts: "Cohort retention",
    cohortCaption:
      "Share of each month's new customers buying again k months after their first purchase (month 0 = the first purchase); activation = bought again within their first 30 days",
    cohort: "Cohort",
    monthK: (k: number) => `M${k}`,
    overTime: "The indices month by month",
    month: "Month",
    chiShort: "CHI",
    eiShort: "Emotion",
    responseShort: "First response (h)",
    resolutionShort: "Resolved",
    activationShort: "Activation",
    notes: "Notes",
  },
  zh: {
    title: "客户组合健康度",
    scope: (asOf: string, owner: string | null, from: string, to: string) =>
      `${owner ? `${owner}的客户` : "全部客户"}，截至${asOf}；服务、情感与激活统计${from}至${to}`,
    health: "客户健康指数（CHI）",
    index: "指数（0-100）",
    frequency: "频率",
    value: "价值",
    retention: "留存",
    healthy: "健康",
    watch: "需关注",
    atRisk: "有风险",
    emotion: "情感指数",
    nps: "NPS",
    npsResponses: "NPS答复",
    promoters: "推荐者",
    detractors: "贬损者",
    reviews: "评价",
    reviewBalance: "评价净值",
    service: "服务",
    tickets: "工单",
    firstResponseMedian: "首次响应中位数",
    firstResponseP90: "首次响应90分位",
    resolutionRate: "解决率",
    resolutionMedian: "解决时长中位数",
    breaching: "超出SLA的工单",
    ltv: "终身价值",
    ltv12: "12个月终身价值",
    ltv5: "5年终身价值",
    multiple: "5年倍数",
    activation: (days: number) => `激活（前${days}天）`,
    newCustomers: "新客户",
    eligible: "可统计",
    activated: "已激活",
    rate: "激活率",
    book: "客户总览",
    customers: "客户数",
    active: "活跃客户",
    repeatRate: "复购率",
    retentionRate: "留存率",
    churnRate: "流失率",
    revenue12: "近12个月收入",
    top10: "前10%客户收入占比",
    totalClv: "终身价值合计（12个月）",
    valueAtRisk: "风险价值",
    expectedChurners: "预计流失客户数",
    stages: "生命周期阶段",
    riskLevels: "流失风险等级",
    stage: "阶段",
    level: "等级",
    share: "占比",
    notInTool: "按月的同期群留存表和各指数的逐月数据见KPI报告（crm kpi）；本工具报告当前周期。",
    cohorts: "同期群留存",
    cohortCaption:
      "每月新客户在首次购买后第k个月再次购买的比例（第0月 = 首次购买）；激活 = 首购后30天内再次购买",
    cohort: "同期群",
    monthK: (k: number) => `第${k}月`,
    overTime: "各指数逐月变化",
    month: "月份",
    chiShort: "健康指数",
    eiShort: "情感指数",
    responseShort: "首次响应（小时）",
    resolutionShort: "解决率",
    activationShort: "激活率",
    notes: "说明",
  },
};

function distribution(
  title: string,
  column: string,
  rows: { label: string; count: number }[],
  total: number,
  lang: Lang,
  className: string,
): string {
  const t = PHRASES[lang];
  return (
    `<section class="panel ${className}"><h2>${escapeHtml(title)}</h2><table><thead><tr><th scope="col">${escapeHtml(column)}</th><th scope="col" class="num">${t.customers}</th><th scope="col">${t.share}</th></tr></thead><tbody>` +
    rows
      .map((row) => {
        const share = total > 0 ? row.count / total : 0;
        return `<tr><th scope="row">${escapeHtml(row.label)}</th>${numberCell(row.count, String(row.count))}<td>${bar(share, "bar value")}${numberSpan(share, formatPercent(share, lang))}</td></tr>`;
      })
      .join("") +
    `</tbody></table></section>`
  );
}

/** The five relationship-index panels of a KPI summary (portfolio_overview's kpi, or the report). */
function kpiPanels(kpi: KpiSummary, lang: Lang): string[] {
  const t = PHRASES[lang];
  const out: string[] = [];
  const chi = kpi.chi;
  const components = chi.components;
  out.push(
    `<section class="panel chi"><h2>${t.health}</h2>` +
      `<p class="gauge">${numberSpan(chi.index, formatMetric(chi.index, "index", lang), "big")}${bar((chi.index ?? 0) / 100, "bar value wide")}</p>` +
      `<table><caption class="sr-only">${t.health}</caption><tbody>` +
      metricRow(t.frequency, components?.frequency, "index", lang) +
      metricRow(t.value, components?.value, "index", lang) +
      metricRow(t.retention, components?.retention, "index", lang) +
      metricRow(t.healthy, chi.bands.healthy, "count", lang) +
      metricRow(t.watch, chi.bands.watch, "count", lang) +
      metricRow(t.atRisk, chi.bands.at_risk, "count", lang) +
      `</tbody></table></section>`,
  );
  const emotion = kpi.emotion;
  out.push(
    `<section class="panel emotion"><h2>${t.emotion}</h2>` +
      `<p class="gauge">${numberSpan(emotion.index, formatMetric(emotion.index, "index", lang), "big")}${bar((emotion.index ?? 0) / 100, "bar value wide")}</p>` +
      `<table><caption class="sr-only">${t.emotion}</caption><tbody>` +
      metricRow(t.nps, emotion.nps, "index", lang) +
      metricRow(t.npsResponses, emotion.nps_responses, "count", lang) +
      metricRow(t.promoters, emotion.promoters, "count", lang) +
      metricRow(t.detractors, emotion.detractors, "count", lang) +
      metricRow(t.reviews, emotion.reviews, "count", lang) +
      metricRow(t.reviewBalance, emotion.review_balance, "share", lang) +
      `</tbody></table></section>`,
  );
  const service = kpi.service;
  out.push(
    metricPanel("service", t.service, [
      metricRow(t.tickets, service.tickets, "count", lang),
      metricRow(t.firstResponseMedian, service.first_response_hours.median, "hours", lang),
      metricRow(t.firstResponseP90, service.first_response_hours.p90, "hours", lang),
      metricRow(t.resolutionRate, service.resolution_rate, "share", lang),
      metricRow(t.resolutionMedian, service.resolution_hours_median, "hours", lang),
      metricRow(t.breaching, service.breaching.any, "count", lang),
    ]),
  );
  out.push(
    metricPanel("ltv", t.ltv, [
      metricRow(t.ltv12, kpi.ltv.twelve_months, "money", lang),
      metricRow(t.ltv5, kpi.ltv.five_years, "money", lang),
      metricRow(t.multiple, kpi.ltv.five_year_multiple, "index", lang),
    ]),
  );
  const activation = kpi.activation;
  out.push(
    metricPanel("activation", t.activation(activation.window_days), [
      metricRow(t.newCustomers, activation.new_customers, "count", lang),
      metricRow(t.eligible, activation.eligible, "count", lang),
      metricRow(t.activated, activation.activated, "count", lang),
      metricRow(t.rate, activation.rate, "share", lang),
    ]),
  );
  return out;
}

/** A cell of the cohort heatmap: tinted by the share, the share written and marked. */
function heatCell(share: number | null, lang: Lang): string {
  if (share === null) return `<td class="num empty"></td>`;
  const percent = Math.round(Math.max(0, Math.min(1, share)) * 85) + 5;
  return `<td class="num heat" style="background: color-mix(in srgb, var(--info) ${percent}%, transparent)">${numberSpan(share, formatPercent(share, lang))}</td>`;
}

/** The monthly cohorts' retention as a heatmap table (rows: cohorts; columns: months since). */
function cohortHeatmap(report: KpiReport, lang: Lang): string {
  const t = PHRASES[lang];
  const width = Math.max(0, ...report.cohorts.map((cohort) => cohort.retention.length));
  const months = Array.from({ length: width }, (_, k) => k);
  return (
    `<section class="panel cohorts"><h2>${t.cohorts}</h2><table class="cohort-heatmap"><caption>${escapeHtml(t.cohortCaption)}</caption>` +
    `<thead><tr><th scope="col">${t.cohort}</th><th scope="col" class="num">${t.customers}</th><th scope="col" class="num">${t.activationShort}</th>` +
    months.map((k) => `<th scope="col" class="num">${escapeHtml(t.monthK(k))}</th>`).join("") +
    `</tr></thead><tbody>` +
    report.cohorts
      .map(
        (cohort) =>
          `<tr data-cohort="${escapeHtml(cohort.cohort)}"><th scope="row">${escapeHtml(cohort.cohort)}</th>` +
          numberCell(cohort.customers, String(cohort.customers)) +
          numberCell(cohort.activation_rate, formatMetric(cohort.activation_rate, "share", lang)) +
          months.map((k) => heatCell(cohort.retention[k] ?? null, lang)).join("") +
          `</tr>`,
      )
      .join("") +
    `</tbody></table></section>`
  );
}

/**
 * The indices over the report's months: a line chart (CHI and the emotion index on 0-100,
 * hidden from screen readers) over the table that holds every number.
 */
function indicesOverTime(report: KpiReport, lang: Lang): string {
  const t = PHRASES[lang];
  const months = report.months;
  const width = 560;
  const height = 120;
  const x = (index: number) => 24 + (index / Math.max(months.length - 1, 1)) * (width - 40);
  const y = (value: number) => 8 + (1 - value / 100) * (height - 24);
  const line = (values: (number | null)[], className: string) => {
    const points = values
      .map((value, index) => (value === null ? null : `${x(index).toFixed(1)},${y(value).toFixed(1)}`))
      .filter((point): point is string => point !== null);
    const dots = values
      .map((value, index) =>
        value === null
          ? ""
          : `<circle class="${className}" cx="${x(index).toFixed(1)}" cy="${y(value).toFixed(1)}" r="2.5" data-value="${value}"></circle>`,
      )
      .join("");
    return `<polyline class="${className}" points="${points.join(" ")}"></polyline>${dots}`;
  };
  const svg =
    `<svg class="series" viewBox="0 0 ${width} ${height}" aria-hidden="true" focusable="false">` +
    `<line class="axis" x1="24" x2="${width - 16}" y1="${y(0)}" y2="${y(0)}"></line>` +
    `<text x="0" y="${y(100) + 4}">100</text><text x="8" y="${y(0) + 4}">0</text>` +
    line(
      months.map((month) => month.chi?.index ?? null),
      "chi",
    ) +
    line(
      months.map((month) => month.emotion.index),
      "ei",
    ) +
    (months.length > 0
      ? `<text x="24" y="${height - 2}">${escapeHtml(months[0].month)}</text><text x="${width - 16}" y="${height - 2}" text-anchor="end">${escapeHtml(months[months.length - 1].month)}</text>`
      : "") +
    `</svg>`;
  const legend = `<p class="legend"><span class="key chi"></span>${t.chiShort} <span class="key ei"></span>${t.eiShort}</p>`;
  const table =
    `<table class="months"><thead><tr><th scope="col">${t.month}</th><th scope="col" class="num">${t.chiShort}</th><th scope="col" class="num">${t.eiShort}</th>` +
    `<th scope="col" class="num">${t.responseShort}</th><th scope="col" class="num">${t.resolutionShort}</th><th scope="col" class="num">${t.activationShort}</th></tr></thead><tbody>` +
    months
      .map(
        (month) =>
          `<tr data-month="${escapeHtml(month.month)}"><th scope="row">${escapeHtml(month.month)}</th>` +
          numberCell(month.chi?.index ?? null, formatMetric(month.chi?.index, "index", lang)) +
          numberCell(month.emotion.index, formatMetric(month.emotion.index, "index", lang)) +
          numberCell(
            month.service.first_response_median_hours,
            formatMetric(month.service.first_response_median_hours, "index", lang),
          ) +
          numberCell(
            month.service.resolution_rate,
            formatMetric(month.service.resolution_rate, "share", lang),
          ) +
          numberCell(month.activation.rate, formatMetric(month.activation.rate, "share", lang)) +
          `</tr>`,
      )
      .join("") +
    `</tbody></table>`;
  return `<section class="panel over-time"><h2>${t.overTime}</h2>${svg}${legend}${table}</section>`;
}

/** Whether the data is the KPI report (`crm kpi --json`: monthly series and cohorts). */
export function isKpiReport(data: PortfolioOverviewResult | KpiReport): data is KpiReport {
  return Array.isArray((data as KpiReport).months) && Array.isArray((data as KpiReport).cohorts);
}

/**
 * The portfolio view. From portfolio_overview: the relationship indices and the book's shape.
 * From the KPI report (the same indices with monthly series and cohorts, as `crm kpi --json`
 * prints it): the indices, the cohort retention heatmap and the indices month by month.
 */
export function renderCohortsKpis(data: PortfolioOverviewResult | KpiReport, lang: Lang): string {
  const t = PHRASES[lang];
  const report = isKpiReport(data) ? data : null;
  const overview = isKpiReport(data) ? null : data;
  const kpi: KpiSummary = report ?? (overview as PortfolioOverviewResult).kpi;
  const out: string[] = [`<h1>${t.title}</h1>`];
  out.push(
    `<p class="muted">${escapeHtml(t.scope(kpi.as_of, kpi.owner, kpi.period.from, kpi.period.to))}</p>`,
  );
  for (const warning of overview?.scores.warnings ?? [])
    out.push(`<p class="warning">${escapeHtml(warning)}</p>`);
  out.push(`<div class="grid">`, ...kpiPanels(kpi, lang));
  if (overview) {
    out.push(
      metricPanel("book", t.book, [
        metricRow(t.customers, overview.customers, "count", lang),
        metricRow(t.active, overview.active_customers, "count", lang),
        metricRow(t.repeatRate, overview.repeat_rate, "share", lang),
        metricRow(t.retentionRate, overview.retention.retention_rate, "share", lang),
        metricRow(t.churnRate, overview.retention.churn_rate, "share", lang),
        metricRow(t.revenue12, overview.revenue_last_12_months, "money", lang),
        metricRow(t.top10, overview.revenue_concentration.top_10_percent_share, "share", lang),
        metricRow(t.totalClv, overview.total_clv, "money", lang),
        metricRow(t.valueAtRisk, overview.total_value_at_risk, "money", lang),
        metricRow(t.expectedChurners, overview.expected_churners, "index", lang),
      ]),
    );
  }
  out.push(`</div>`);
  if (overview) {
    out.push(`<div class="grid">`);
    out.push(
      distribution(
        t.stages,
        t.stage,
        overview.lifecycle_stages.map((row) => ({ label: pick(row.label, lang), count: row.customers })),
        overview.customers,
        lang,
        "stages",
      ),
    );
    out.push(
      distribution(
        t.riskLevels,
        t.level,
        overview.risk_levels.map((row) => ({ label: pick(row.label, lang), count: row.customers })),
        overview.customers,
        lang,
        "risk-levels",
      ),
    );
    out.push(`</div>`);
    out.push(`<p class="muted">${escapeHtml(t.notInTool)}</p>`);
  }
  if (report) {
    out.push(cohortHeatmap(report, lang));
    out.push(indicesOverTime(report, lang));
    if (report.notes.length > 0) {
      out.push(
        `<section class="notes"><h2>${t.notes}</h2><ul>${report.notes.map((note) => `<li>${escapeHtml(note)}</li>`).join("")}</ul></section>`,
      );
    }
  }
  return out.join("\n");
}
