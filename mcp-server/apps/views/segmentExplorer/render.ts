import { RFM_SEGMENT_GRID, RFM_SEGMENTS } from "../../../../core/rfm.js";
import { VALUE_QUADRANTS, type ValueQuadrant } from "../../../../core/valueTiers.js";
import type { SegmentCustomersResult, SegmentMembers } from "../../../contract/segmentCustomers.js";
import { bar, escapeHtml, numberCell, numberSpan } from "../shared/html.js";
import { formatMoney, formatPercent, pick, type Lang } from "../shared/i18n.js";

type Segment = SegmentCustomersResult["segments"][number];

/** The segmentations the explorer can switch between (segment_customers' `by`). */
export const SEGMENTATIONS = ["rfm", "value_matrix", "abc", "lifecycle"] as const;

/**
 * The segmentations whose segments list all their customers, a page at a time, through
 * segment_customers' members_of (the contract's `memberListings`; k-means clusters show samples).
 */
export const LISTABLE: ReadonlySet<string> = new Set(["rfm", "lifecycle", "abc", "value_matrix"]);

export interface ExplorerState {
  selected: string | null;
  /** The selected segment's page being read or shown (`page` is the one asked for). */
  members: { loading: boolean; page: number; result?: SegmentMembers; error?: string } | null;
}

export function emptyExplorerState(): ExplorerState {
  return { selected: null, members: null };
}

const PHRASES = {
  en: {
    title: "Segments",
    summary: (customers: string, clv: string) => `${customers} customers, total 12-month CLV ${clv}.`,
    unsegmented: (count: string) => `${count} not segmented:`,
    by: {
      rfm: "RFM",
      value_matrix: "Value matrix",
      abc: "ABC tiers",
      lifecycle: "Lifecycle",
      kmeans: "k-means",
    } as Record<string, string>,
    gridCaption:
      "RFM grid: recency score across (5 = most recent), frequency-and-spend score down (5 = highest); each cell shows its customers and share of CLV",
    recency: "R",
    fm: "FM",
    quadrantCaption: "Value matrix: profitability down, loyalty across",
    highProfit: "High profit",
    lowProfit: "Low profit",
    shortTerm: "Short-term",
    longTerm: "Long-term",
    tierCaption: "ABC tiers: share of customers and share of CLV",
    segment: "Segment",
    customers: "Customers",
    customerShare: "Share of customers",
    clv: "CLV",
    clvShare: "Share of CLV",
    revenueShare: "Share of revenue",
    averageClv: "Average CLV",
    select: "List customers",
    members: (label: string) => `Customers in ${label}`,
    samples: "Highest CLV",
    ranked: (total: string) => `All ${total} customers, highest CLV first`,
    pages: "Pages",
    pageOf: (page: string, pages: string) => `Page ${page} of ${pages}`,
    previous: "Previous",
    next: "Next",
    loading: "Loading…",
    name: "Customer",
    risk: "Churn probability",
    valueAtRisk: "Value at risk",
    revenue: "Revenue",
    orders: "Orders",
    riskScore: "Risk score",
  },
  zh: {
    title: "客户细分",
    summary: (customers: string, clv: string) => `共${customers}位客户，12个月终身价值合计${clv}。`,
    unsegmented: (count: string) => `${count}位未细分：`,
    by: {
      rfm: "RFM",
      value_matrix: "价值矩阵",
      abc: "ABC分级",
      lifecycle: "生命周期",
      kmeans: "k均值聚类",
    } as Record<string, string>,
    gridCaption:
      "RFM网格：横向为最近购买评分（5 = 最近），纵向为频率与消费评分（5 = 最高）；每格显示该格的客户数与终身价值占比",
    recency: "R",
    fm: "FM",
    quadrantCaption: "价值矩阵：纵向为盈利能力，横向为忠诚度",
    highProfit: "高利润",
    lowProfit: "低利润",
    shortTerm: "短期",
    longTerm: "长期",
    tierCaption: "ABC分级：客户占比与终身价值占比",
    segment: "细分",
    customers: "客户数",
    customerShare: "客户占比",
    clv: "终身价值",
    clvShare: "终身价值占比",
    revenueShare: "收入占比",
    averageClv: "平均终身价值",
    select: "查看客户",
    members: (label: string) => `${label}的客户`,
    samples: "终身价值最高",
    ranked: (total: string) => `全部${total}位客户，按终身价值从高到低`,
    pages: "分页",
    pageOf: (page: string, pages: string) => `第${page}页，共${pages}页`,
    previous: "上一页",
    next: "下一页",
    loading: "加载中…",
    name: "客户",
    risk: "流失概率",
    valueAtRisk: "风险价值",
    revenue: "收入",
    orders: "订单",
    riskScore: "风险分",
  },
};

/** A cell's tint: the segment's share of CLV, so where the value sits stands out. */
function heat(share: number): string {
  const percent = Math.round(Math.max(0, Math.min(1, share)) * 85) + 5;
  return `background: color-mix(in srgb, var(--info) ${percent}%, transparent)`;
}

function segmentButton(segment: Segment, lang: Lang, label = pick(segment.label, lang)): string {
  return `<button type="button" class="segment" data-action="segment" data-segment="${escapeHtml(segment.key)}">${escapeHtml(label)}</button>`;
}

/**
 * The 5 × 5 RFM grid: each cell its own customers and CLV share (`rfm_grid`), tinted by that
 * share. A result without the per-cell figures (from an older server) writes a segment's numbers
 * in the first cell it covers, reading order.
 */
function rfmGrid(result: SegmentCustomersResult, lang: Lang): string {
  const t = PHRASES[lang];
  const byKey = new Map(result.segments.map((segment) => [segment.key, segment]));
  const cellsByPlace = result.rfm_grid
    ? new Map(result.rfm_grid.map((cell) => [`${cell.r}/${cell.fm}`, cell]))
    : undefined;
  const numbered = new Set<string>();
  const rows: string[] = [];
  for (let fm = 5; fm >= 1; fm--) {
    const cells: string[] = [`<th scope="row">${t.fm} ${fm}</th>`];
    for (let r = 1; r <= 5; r++) {
      const key = RFM_SEGMENT_GRID[r - 1][fm - 1];
      const segment = byKey.get(key);
      let share: number;
      let numbers = "";
      if (cellsByPlace) {
        // An empty cell is absent from the result: it says so rather than drawing a number.
        const cell = cellsByPlace.get(`${r}/${fm}`);
        share = cell?.clv_share ?? 0;
        numbers = cell
          ? `<div class="cell-numbers">${numberSpan(cell.customers, String(cell.customers), "count")} · ${numberSpan(cell.clv_share, formatPercent(cell.clv_share, lang), "share")}</div>`
          : `<div class="cell-numbers">–</div>`;
      } else {
        share = segment?.clv_share ?? 0;
        const first = !numbered.has(key);
        numbered.add(key);
        if (segment && first)
          numbers = `<div class="cell-numbers">${numberSpan(segment.count, String(segment.count), "count")} · ${numberSpan(segment.clv_share, formatPercent(segment.clv_share, lang), "share")}</div>`;
      }
      cells.push(
        `<td class="cell" data-segment="${escapeHtml(key)}" data-r="${r}" data-fm="${fm}" style="${heat(share)}">` +
          (segment ? segmentButton(segment, lang) : escapeHtml(pick(RFM_SEGMENTS[key].label, lang))) +
          numbers +
          `</td>`,
      );
    }
    rows.push(`<tr>${cells.join("")}</tr>`);
  }
  const header = `<tr><td></td>${[1, 2, 3, 4, 5].map((r) => `<th scope="col">${t.recency} ${r}</th>`).join("")}</tr>`;
  return `<table class="rfm-grid"><caption>${escapeHtml(t.gridCaption)}</caption><thead>${header}</thead><tbody>${rows.join("")}</tbody></table>`;
}

/** The Reinartz-Kumar value matrix: profit (rows) × loyalty (columns). */
function quadrants(result: SegmentCustomersResult, lang: Lang): string {
  const t = PHRASES[lang];
  const byKey = new Map(result.segments.map((segment) => [segment.key, segment]));
  const cell = (profit: "high" | "low", loyalty: "short-term" | "long-term") => {
    const key = (Object.keys(VALUE_QUADRANTS) as ValueQuadrant[]).find(
      (candidate) =>
        VALUE_QUADRANTS[candidate].profit === profit && VALUE_QUADRANTS[candidate].loyalty === loyalty,
    ) as ValueQuadrant;
    const segment = byKey.get(key);
    return (
      `<td class="cell" data-segment="${key}" style="${heat(segment?.clv_share ?? 0)}">` +
      (segment
        ? `${segmentButton(segment, lang)}<div class="cell-numbers">${numberSpan(segment.count, String(segment.count), "count")} · ${numberSpan(segment.clv_share, formatPercent(segment.clv_share, lang), "share")}</div>`
        : escapeHtml(pick(VALUE_QUADRANTS[key].label, lang))) +
      `</td>`
    );
  };
  return (
    `<table class="quadrants"><caption>${t.quadrantCaption}</caption>` +
    `<thead><tr><td></td><th scope="col">${t.shortTerm}</th><th scope="col">${t.longTerm}</th></tr></thead><tbody>` +
    `<tr><th scope="row">${t.highProfit}</th>${cell("high", "short-term")}${cell("high", "long-term")}</tr>` +
    `<tr><th scope="row">${t.lowProfit}</th>${cell("low", "short-term")}${cell("low", "long-term")}</tr>` +
    `</tbody></table>`
  );
}

/** ABC tiers as paired bars: how few customers hold how much of the value. */
function tiers(result: SegmentCustomersResult, lang: Lang): string {
  const t = PHRASES[lang];
  return (
    `<table class="tiers"><caption>${t.tierCaption}</caption><thead><tr><th scope="col">${t.segment}</th><th scope="col">${t.customerShare}</th><th scope="col">${t.clvShare}</th></tr></thead><tbody>` +
    result.segments
      .map(
        (segment) =>
          `<tr data-segment="${escapeHtml(segment.key)}"><th scope="row">${segmentButton(segment, lang)}</th>` +
          `<td>${bar(segment.customer_share, "bar neutral")}${numberSpan(segment.customer_share, formatPercent(segment.customer_share, lang))}</td>` +
          `<td>${bar(segment.clv_share, "bar value")}${numberSpan(segment.clv_share, formatPercent(segment.clv_share, lang))}</td></tr>`,
      )
      .join("") +
    `</tbody></table>`
  );
}

function segmentTable(result: SegmentCustomersResult, state: ExplorerState, lang: Lang): string {
  const t = PHRASES[lang];
  return (
    `<table class="segments"><thead><tr><th scope="col">${t.segment}</th><th scope="col" class="num">${t.customers}</th>` +
    `<th scope="col" class="num">${t.customerShare}</th><th scope="col" class="num">${t.clv}</th><th scope="col">${t.clvShare}</th>` +
    `<th scope="col" class="num">${t.revenueShare}</th><th scope="col" class="num">${t.averageClv}</th></tr></thead><tbody>` +
    result.segments
      .map(
        (segment) =>
          `<tr data-segment="${escapeHtml(segment.key)}"${segment.key === state.selected ? ' class="selected" aria-selected="true"' : ""}>` +
          `<th scope="row">${segmentButton(segment, lang)}</th>` +
          numberCell(segment.count, String(segment.count)) +
          numberCell(segment.customer_share, formatPercent(segment.customer_share, lang, 1)) +
          numberCell(segment.clv, formatMoney(segment.clv, lang)) +
          `<td>${bar(segment.clv_share, "bar value")}${numberSpan(segment.clv_share, formatPercent(segment.clv_share, lang, 1))}</td>` +
          numberCell(segment.revenue_share, formatPercent(segment.revenue_share, lang, 1)) +
          numberCell(
            segment.average_clv,
            segment.average_clv === null ? "–" : formatMoney(segment.average_clv, lang),
          ) +
          `</tr>`,
      )
      .join("") +
    `</tbody></table>`
  );
}

/** Previous / next page buttons around "page p of n" (disabled at the ends and while a page loads). */
function pager(list: SegmentMembers, loading: boolean, lang: Lang): string {
  const t = PHRASES[lang];
  const button = (page: number, direction: "previous" | "next", enabled: boolean) =>
    `<button type="button" data-action="page" data-direction="${direction}" data-page="${page}"${enabled && !loading ? "" : " disabled"}>${t[direction]}</button>`;
  return (
    `<nav class="pager" aria-label="${t.pages}">` +
    button(list.page - 1, "previous", list.page > 1) +
    ` <span>${t.pageOf(numberSpan(list.page, String(list.page)), numberSpan(list.pages, String(list.pages)))}</span> ` +
    button(list.page + 1, "next", list.page < list.pages) +
    `</nav>`
  );
}

function membersPanel(result: SegmentCustomersResult, state: ExplorerState, lang: Lang): string {
  const t = PHRASES[lang];
  const segment = result.segments.find((candidate) => candidate.key === state.selected);
  if (!segment) return "";
  const out = [
    `<section class="panel members" data-segment="${escapeHtml(segment.key)}"><h2>${escapeHtml(t.members(pick(segment.label, lang)))}</h2>`,
  ];
  out.push(
    `<p class="muted">${escapeHtml(pick(segment.description, lang))} ${escapeHtml(pick(segment.recommended_action, lang))}</p>`,
  );
  const members = state.members;
  if (members?.loading) out.push(`<p class="muted" role="status">${t.loading}</p>`);
  if (members?.error) out.push(`<p class="error" role="alert">${escapeHtml(members.error)}</p>`);
  if (members?.result) {
    const list = members.result;
    out.push(
      `<table class="member-list" data-page="${list.page}"><caption>${t.ranked(numberSpan(list.total, String(list.total)))}</caption><thead><tr><th scope="col">${t.name}</th><th scope="col" class="num">${t.clv}</th><th scope="col" class="num">${t.risk}</th><th scope="col" class="num">${t.valueAtRisk}</th><th scope="col" class="num">${t.orders}</th></tr></thead><tbody>` +
        list.customers
          .map(
            (row) =>
              `<tr data-customer="${escapeHtml(row.customer.customer_id)}"><td>${escapeHtml(row.customer.name)} <span class="muted">${escapeHtml(row.customer.customer_id)}</span></td>` +
              numberCell(row.clv, formatMoney(row.clv, lang)) +
              numberCell(
                row.churn_probability,
                row.churn_probability === null ? "–" : formatPercent(row.churn_probability, lang),
              ) +
              numberCell(row.value_at_risk, formatMoney(row.value_at_risk, lang)) +
              numberCell(row.orders, String(row.orders)) +
              `</tr>`,
          )
          .join("") +
        `</tbody></table>` +
        pager(list, members.loading, lang),
    );
  } else if (!members?.loading) {
    out.push(
      `<table class="samples"><caption>${t.samples}</caption><thead><tr><th scope="col">${t.name}</th><th scope="col" class="num">${t.clv}</th><th scope="col" class="num">${t.revenue}</th><th scope="col" class="num">${t.orders}</th><th scope="col" class="num">${t.riskScore}</th></tr></thead><tbody>` +
        segment.samples
          .map(
            (sample) =>
              `<tr data-customer="${escapeHtml(sample.customer.customer_id)}"><td>${escapeHtml(sample.customer.name)} <span class="muted">${escapeHtml(sample.customer.customer_id)}</span></td>` +
              numberCell(sample.clv, formatMoney(sample.clv, lang)) +
              numberCell(sample.revenue, formatMoney(sample.revenue, lang)) +
              numberCell(sample.orders, String(sample.orders)) +
              numberCell(sample.risk_score, sample.risk_score === null ? "–" : String(sample.risk_score)) +
              `</tr>`,
          )
          .join("") +
        `</tbody></table>`,
    );
  }
  out.push(`</section>`);
  return out.join("\n");
}

/** The segment explorer for whichever segmentation segment_customers was asked for. */
export function renderSegmentExplorer(
  result: SegmentCustomersResult,
  state: ExplorerState,
  lang: Lang,
): string {
  const t = PHRASES[lang];
  const out: string[] = [`<h1>${t.title}: ${escapeHtml(t.by[result.by] ?? result.by)}</h1>`];
  out.push(
    `<p class="muted">${t.summary(numberSpan(result.customers, String(result.customers)), numberSpan(result.total_clv, formatMoney(result.total_clv, lang)))}` +
      (result.unsegmented && result.unsegmented.count > 0
        ? ` ${t.unsegmented(numberSpan(result.unsegmented.count, String(result.unsegmented.count)))} ${escapeHtml(pick(result.unsegmented.reason, lang))}`
        : "") +
      `</p>`,
  );
  for (const warning of result.scores.warnings) out.push(`<p class="warning">${escapeHtml(warning)}</p>`);
  out.push(
    `<div class="tabs" role="group">` +
      SEGMENTATIONS.map(
        (by) =>
          `<button type="button" data-action="by" data-by="${by}"${by === result.by ? ' aria-pressed="true"' : ' aria-pressed="false"'}>${escapeHtml(t.by[by])}</button>`,
      ).join(" ") +
      `</div>`,
  );
  if (result.by === "rfm") out.push(rfmGrid(result, lang));
  if (result.by === "value_matrix") out.push(quadrants(result, lang));
  if (result.by === "abc") out.push(tiers(result, lang));
  out.push(segmentTable(result, state, lang));
  out.push(membersPanel(result, state, lang));
  return out.join("\n");
}
