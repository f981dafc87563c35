import { LIFECYCLE_STAGE_KEYS, LIFECYCLE_STAGES } from "../../../../core/lifecycle.js";
import { RFM_SEGMENT_KEYS, RFM_SEGMENTS } from "../../../../core/rfm.js";
import type { DraftFollowUpResult } from "../../../contract/draftFollowUp.js";
import type { FindAtRiskCustomersResult } from "../../../contract/findAtRiskCustomers.js";
import type { GetCustomerResult } from "../../../contract/getCustomer.js";
import { renderCustomerCard } from "../customerCard/render.js";
import { bar, escapeHtml, numberCell, numberSpan } from "../shared/html.js";
import { formatDay, formatMoney, formatPercent, pick, type Lang } from "../shared/i18n.js";

type AtRiskRow = FindAtRiskCustomersResult["customers"][number];

/** What the reader has chosen on the board; the data itself is the tool's result. */
export interface BoardState {
  filters: { owner: string; stage: string; segment: string };
  /** Owners seen in any list the board has shown, so choosing one does not hide the others. */
  knownOwners: string[];
  /** The list is being fetched again for new filters (over the whole book), or that failed. */
  refresh: { loading: boolean; error?: string } | null;
  /** The customer whose card is open in place of the list. */
  card: { customerId: string; loading: boolean; result?: GetCustomerResult; error?: string } | null;
  /** The follow-up being drafted, and what saving it answered. */
  draft: {
    customerId: string;
    loading: boolean;
    result?: DraftFollowUpResult;
    error?: string;
    saveMessage?: { ok: boolean; text: string };
  } | null;
}

export function emptyBoardState(): BoardState {
  return {
    filters: { owner: "", stage: "", segment: "" },
    knownOwners: [],
    refresh: null,
    card: null,
    draft: null,
  };
}

const PHRASES = {
  en: {
    title: "Customers at risk",
    summary: (shown: string, total: string, asOf: string, horizon: string) =>
      `${shown} shown of ${total} at risk as of ${asOf} (churn = no purchase in the next ${horizon} days)`,
    lost: (count: string) => `${count} more are already lost (win-back).`,
    owner: "Owner",
    stage: "Stage",
    segment: "Segment",
    all: "All",
    rank: "#",
    customer: "Customer",
    churn: "Churn probability",
    valueAtRisk: "Value at risk",
    reasons: "Top reasons",
    actions: "Actions",
    open: "Open card",
    draft: "Draft follow-up",
    back: "Back to the list",
    loading: "Loading…",
    noneMatch: "No customer on this page matches the filters.",
    draftTitle: (name: string) => `Follow-up draft for ${name}`,
    subject: "Subject",
    generator: "Written by",
    factCheck: "Fact check",
    checkPassed: (attempts: number) => `passed (${attempts} attempt${attempts === 1 ? "" : "s"})`,
    checkFailed: "the model's text failed the check and was replaced by the template",
    templateOnly: "deterministic template built from the facts sheet (no model text to check)",
    notDrafted: "No draft",
    save: "Save as draft",
    close: "Close",
    saved: (id: number) => `Saved as draft #${id}.`,
    levels: { low: "low", medium: "medium", high: "high", critical: "critical" },
    winBack: "win-back (already lost)",
    lastPurchase: "last purchase",
  },
  zh: {
    title: "有流失风险的客户",
    summary: (shown: string, total: string, asOf: string, horizon: string) =>
      `截至${asOf}共有${total}位风险客户，当前显示${shown}位（流失 = 未来${horizon}天内不再购买）`,
    lost: (count: string) => `另有${count}位已流失（待挽回）。`,
    owner: "负责人",
    stage: "阶段",
    segment: "细分",
    all: "全部",
    rank: "#",
    customer: "客户",
    churn: "流失概率",
    valueAtRisk: "风险价值",
    reasons: "主要原因",
    actions: "操作",
    open: "查看客户",
    draft: "起草跟进",
    back: "返回列表",
    loading: "加载中…",
    noneMatch: "本页没有符合筛选条件的客户。",
    draftTitle: (name: string) => `给${name}的跟进草稿`,
    subject: "主题",
    generator: "撰写方",
    factCheck: "事实核查",
    checkPassed: (attempts: number) => `通过（尝试${attempts}次）`,
    checkFailed: "模型文本未通过核查，已改用模板",
    templateOnly: "根据事实表生成的确定性模板（无需核查模型文本）",
    notDrafted: "未生成草稿",
    save: "保存为草稿",
    close: "关闭",
    saved: (id: number) => `已保存为草稿 #${id}。`,
    levels: { low: "低", medium: "中", high: "高", critical: "极高" },
    winBack: "待挽回（已流失）",
    lastPurchase: "最近购买",
  },
};

/** The rows that pass the chosen filters (done on the rows the tool returned). */
export function filterRows(rows: readonly AtRiskRow[], filters: BoardState["filters"]): AtRiskRow[] {
  return rows.filter(
    (row) =>
      (!filters.owner || row.customer.owner === filters.owner) &&
      (!filters.stage || row.lifecycle_stage === filters.stage) &&
      (!filters.segment || row.rfm_segment === filters.segment),
  );
}

function select(
  name: keyof BoardState["filters"],
  label: string,
  all: string,
  options: [value: string, label: string][],
  chosen: string,
): string {
  return (
    `<label>${escapeHtml(label)} <select data-filter="${name}"><option value="">${escapeHtml(all)}</option>` +
    options
      .map(
        ([value, text]) =>
          `<option value="${escapeHtml(value)}"${value === chosen ? " selected" : ""}>${escapeHtml(text)}</option>`,
      )
      .join("") +
    `</select></label>`
  );
}

/** The owners a filter offers: those seen so far and those on screen, sorted. */
export function ownerOptions(result: FindAtRiskCustomersResult, state: BoardState): string[] {
  const owners = new Set(state.knownOwners);
  for (const row of result.customers) if (row.customer.owner) owners.add(row.customer.owner);
  return [...owners].sort((a, b) => a.localeCompare(b));
}

function draftPanel(state: NonNullable<BoardState["draft"]>, rows: readonly AtRiskRow[], lang: Lang): string {
  const t = PHRASES[lang];
  const row = rows.find((candidate) => candidate.customer.customer_id === state.customerId);
  const name = row?.customer.name ?? state.customerId;
  const out = [
    `<section class="panel draft" aria-label="${escapeHtml(t.draftTitle(name))}"><h2>${escapeHtml(t.draftTitle(name))}</h2>`,
  ];
  if (state.loading) out.push(`<p class="muted">${t.loading}</p>`);
  if (state.error) out.push(`<p class="error" role="alert">${escapeHtml(state.error)}</p>`);
  const draft = state.result;
  if (draft) {
    if (!draft.drafted) {
      out.push(`<p class="warning">${t.notDrafted}: ${escapeHtml(draft.reason ?? "")}</p>`);
    } else {
      if (draft.subject) out.push(`<p><strong>${t.subject}:</strong> ${escapeHtml(draft.subject)}</p>`);
      out.push(
        `<pre class="draft-body" lang="${escapeHtml(draft.language)}">${escapeHtml(draft.body ?? "")}</pre>`,
      );
      out.push(
        `<p class="muted">${t.generator}: ${escapeHtml(draft.generator)} · ${escapeHtml(draft.channel)} · ${escapeHtml(draft.goal)}</p>`,
      );
      const check = draft.grounding;
      out.push(
        `<p class="fact-check"><strong>${t.factCheck}:</strong> ` +
          (check === null
            ? escapeHtml(t.templateOnly)
            : check.passed
              ? escapeHtml(t.checkPassed(check.attempts))
              : escapeHtml(t.checkFailed)) +
          `</p>`,
      );
      if (check && check.problems.length > 0) {
        out.push(
          `<ul class="problems">${check.problems.map((problem) => `<li>${escapeHtml(problem)}</li>`).join("")}</ul>`,
        );
      }
      for (const warning of draft.warnings) out.push(`<p class="warning">${escapeHtml(warning)}</p>`);
      out.push(
        `<button type="button" data-action="save" data-customer="${escapeHtml(state.customerId)}">${t.save}</button> `,
      );
    }
  }
  if (state.saveMessage) {
    out.push(
      `<p class="${state.saveMessage.ok ? "saved" : "error"}" role="status">${escapeHtml(state.saveMessage.text)}</p>`,
    );
  }
  out.push(`<button type="button" data-action="close-draft">${t.close}</button></section>`);
  return out.join("\n");
}

/** The message shown after saving a draft: its id, or the server's refusal as it said it. */
export function saveMessage(
  result: DraftFollowUpResult | null,
  error: string | null,
  lang: Lang,
): { ok: boolean; text: string } {
  if (error !== null) return { ok: false, text: error };
  if (result?.saved) return { ok: true, text: PHRASES[lang].saved(result.saved.follow_up_id) };
  return { ok: false, text: PHRASES[lang].notDrafted };
}

/** The at-risk board: filters, the ranked table, and in place of it the card of a chosen customer. */
export function renderAtRiskBoard(result: FindAtRiskCustomersResult, state: BoardState, lang: Lang): string {
  const t = PHRASES[lang];
  const out: string[] = [];
  if (state.card) {
    out.push(`<nav><button type="button" data-action="back">← ${t.back}</button></nav>`);
    if (state.card.loading) out.push(`<p class="muted">${t.loading}</p>`);
    if (state.card.error) out.push(`<p class="error" role="alert">${escapeHtml(state.card.error)}</p>`);
    if (state.card.result) {
      out.push(renderCustomerCard(state.card.result, lang));
      out.push(
        `<p><button type="button" data-action="draft" data-customer="${escapeHtml(state.card.customerId)}">${t.draft}</button></p>`,
      );
    }
    if (state.draft) out.push(draftPanel(state.draft, result.customers, lang));
    return out.join("\n");
  }
  const rows = filterRows(result.customers, state.filters);
  out.push(`<h1>${t.title}</h1>`);
  out.push(
    // The phrases get numbers already marked up (numberSpan) and escaped text, so they are not escaped again.
    `<p class="muted">${t.summary(
      numberSpan(rows.length, String(rows.length)),
      numberSpan(result.total, String(result.total)),
      escapeHtml(result.scores.as_of),
      numberSpan(result.scores.horizon_days, String(result.scores.horizon_days)),
    )}` +
      (result.lost_customers > 0
        ? ` ${t.lost(numberSpan(result.lost_customers, String(result.lost_customers)))}`
        : "") +
      `</p>`,
  );
  for (const warning of result.scores.warnings) out.push(`<p class="warning">${escapeHtml(warning)}</p>`);
  out.push(
    `<div class="filters" role="group">` +
      select(
        "owner",
        t.owner,
        t.all,
        ownerOptions(result, state).map((owner) => [owner, owner]),
        state.filters.owner,
      ) +
      select(
        "stage",
        t.stage,
        t.all,
        LIFECYCLE_STAGE_KEYS.map((key) => [key, pick(LIFECYCLE_STAGES[key].label, lang)]),
        state.filters.stage,
      ) +
      select(
        "segment",
        t.segment,
        t.all,
        RFM_SEGMENT_KEYS.map((key) => [key, pick(RFM_SEGMENTS[key].label, lang)]),
        state.filters.segment,
      ) +
      `</div>`,
  );
  if (state.refresh?.loading) out.push(`<p class="muted" role="status">${t.loading}</p>`);
  if (state.refresh?.error) out.push(`<p class="error" role="alert">${escapeHtml(state.refresh.error)}</p>`);
  if (rows.length === 0) out.push(`<p class="muted">${t.noneMatch}</p>`);
  else {
    out.push(
      `<table class="board"><caption class="sr-only">${t.title}</caption><thead><tr>` +
        `<th scope="col" class="num">${t.rank}</th><th scope="col">${t.customer}</th><th scope="col">${t.churn}</th>` +
        `<th scope="col" class="num">${t.valueAtRisk}</th><th scope="col">${t.reasons}</th><th scope="col">${t.stage}</th>` +
        `<th scope="col">${t.owner}</th><th scope="col">${t.actions}</th></tr></thead><tbody>`,
    );
    for (const row of rows) {
      const id = escapeHtml(row.customer.customer_id);
      out.push(
        `<tr data-customer="${id}">` +
          numberCell(row.rank, String(row.rank)) +
          `<td><button type="button" class="link" data-action="open" data-customer="${id}">${escapeHtml(row.customer.name)}</button>` +
          `<div class="muted">${escapeHtml(row.customer.company ?? "")} · ${id}${row.list === "win-back" ? ` · ${t.winBack}` : ""}</div></td>` +
          `<td class="probability">${bar(row.churn_probability)}${numberSpan(row.churn_probability, formatPercent(row.churn_probability, lang))}` +
          ` <span class="level-${row.risk_level}">${escapeHtml(t.levels[row.risk_level])}</span></td>` +
          numberCell(row.value_at_risk, formatMoney(row.value_at_risk, lang)) +
          `<td><ul class="reasons">${row.top_reasons.map((reason) => `<li data-points="${reason.points}">${escapeHtml(reason[lang])}</li>`).join("")}</ul></td>` +
          `<td>${escapeHtml(pick(row.lifecycle_label, lang))}<div class="muted">${t.lastPurchase} ${formatDay(row.last_purchase)}</div></td>` +
          `<td>${escapeHtml(row.customer.owner ?? "–")}</td>` +
          `<td><button type="button" data-action="draft" data-customer="${id}">${t.draft}</button></td>` +
          `</tr>`,
      );
    }
    out.push(`</tbody></table>`);
  }
  if (state.draft) out.push(draftPanel(state.draft, result.customers, lang));
  return out.join("\n");
}
