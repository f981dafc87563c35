import type { ServerStatusResult } from "../../../contract/serverStatus.js";
import type { BacktestResult } from "../../../scoring/backtest.js";
import type { CalibrationBin } from "../../../../core/evaluation.js";
import { escapeHtml, numberCell, numberSpan } from "../shared/html.js";
import { formatNumber, formatPercent, type Lang } from "../shared/i18n.js";
import { metricPanel, metricRow } from "../shared/metrics.js";

const PHRASES = {
  en: {
    title: "How far to trust the churn probabilities",
    noBacktest:
      "No backtest has run on this book yet. Run `crm backtest` to score the book as of a past day and compare with what customers did next; this view then shows the result.",
    aucCaption: (customers: string, asOf: string, horizon: string) =>
      `Backtest as of ${asOf}: ${customers} customers, ${horizon} days observed. AUC: the chance a customer who did not buy again ranks above one who did (0.5 = a coin, 1 = perfect).`,
    ranking: "Ranking",
    auc: "AUC",
    churnProbability: "Churn probability (the product)",
    recency: "Days since the last purchase (baseline)",
    lift: "Gain over the baseline",
    ece: "Expected calibration error",
    eceHelp: "average gap between the predicted probability and the observed rate; lower is better",
    ranAt: "Ran at",
    model: "The churn model in use",
    method: "Method",
    purchaseModel: "Purchase model",
    selection: "Why",
    examples: "Calibration examples",
    churnRate: "Churn rate in calibration",
    fittedAsOf: "Fitted as of",
    weights: "Calibrated weights",
    feature: "Signal",
    weight: "Weight",
    scores: "Latest scores",
    asOf: "As of",
    customers: "Customers",
    noModel: "No scores yet: call any scoring tool first.",
    reliabilityMissing:
      "The reliability diagram needs the backtest's calibration bins, which server_status does not return; `crm backtest` prints them.",
    reportCaption: (customers: string, asOf: string, holdoutEnd: string) =>
      `Backtest as of ${asOf}: ${customers} customers, what they did up to ${holdoutEnd}. AUC: the chance a customer who did not buy again ranks above one who did (0.5 = a coin, 1 = perfect).`,
    topDecileRate: "Churn rate in the top 10%",
    topDecileLift: "Lift in the top 10%",
    reliability: "Reliability",
    reliabilityCaption:
      "Each bin is a tenth of the customers by predicted churn probability; on the diagonal, predicted = observed",
    bin: "Bin",
    predicted: "Mean predicted",
    observed: "Observed churn rate",
  },
  zh: {
    title: "流失概率的可信程度",
    noBacktest:
      "本客户库尚未运行回测。运行 `crm backtest`，以过去某日为基准评分并与客户之后的实际行为比较；之后此视图会显示结果。",
    aucCaption: (customers: string, asOf: string, horizon: string) =>
      `以${asOf}为基准的回测：${customers}位客户，观察${horizon}天。AUC：未再购买的客户排在再次购买的客户之前的概率（0.5 = 随机，1 = 完美）。`,
    ranking: "排序依据",
    auc: "AUC",
    churnProbability: "流失概率（本产品）",
    recency: "距上次购买天数（基线）",
    lift: "相对基线的提升",
    ece: "期望校准误差",
    eceHelp: "预测概率与实际比例的平均差距，越低越好",
    ranAt: "运行时间",
    model: "当前使用的流失模型",
    method: "方法",
    purchaseModel: "购买模型",
    selection: "选择理由",
    examples: "校准样本数",
    churnRate: "校准样本流失率",
    fittedAsOf: "拟合基准日",
    weights: "校准权重",
    feature: "信号",
    weight: "权重",
    scores: "最新评分",
    asOf: "基准日",
    customers: "客户数",
    noModel: "尚无评分：请先调用任一评分工具。",
    reliabilityMissing:
      "可靠性图需要回测的校准分箱，server_status 不返回这些数据；`crm backtest` 会输出它们。",
    reportCaption: (customers: string, asOf: string, holdoutEnd: string) =>
      `以${asOf}为基准的回测：${customers}位客户，观察其至${holdoutEnd}的行为。AUC：未再购买的客户排在再次购买的客户之前的概率（0.5 = 随机，1 = 完美）。`,
    topDecileRate: "前10%的流失率",
    topDecileLift: "前10%的提升倍数",
    reliability: "可靠性",
    reliabilityCaption: "每个分箱为按预测流失概率排序的十分之一客户；对角线上预测 = 实际",
    bin: "分箱",
    predicted: "平均预测",
    observed: "实际流失率",
  },
};

/** A bar on the AUC scale that matters: 0.5 (no skill) to 1 (perfect). */
function aucBar(auc: number): string {
  const width = Math.max(0, Math.min(1, (auc - 0.5) / 0.5)) * 100;
  return `<span class="bar auc" aria-hidden="true"><span style="width:${width.toFixed(1)}%"></span></span>`;
}

/**
 * The backtest view. From server_status: the last backtest's AUC against the recency baseline,
 * its calibration error and the model in use. From a full backtest (`crm backtest --json`):
 * every ranking's figures and the reliability diagram.
 */
export function renderBacktest(data: ServerStatusResult | BacktestResult, lang: Lang): string {
  return isBacktestReport(data) ? renderBacktestReport(data, lang) : renderStatus(data, lang);
}

function renderStatus(status: ServerStatusResult, lang: Lang): string {
  const t = PHRASES[lang];
  const out: string[] = [`<h1>${t.title}</h1>`];
  const model = status.churn_model;
  const backtest = model?.last_backtest ?? null;
  if (!backtest) {
    out.push(`<p class="notice">${escapeHtml(t.noBacktest)}</p>`);
  } else {
    out.push(
      `<table class="auc"><caption>${t.aucCaption(numberSpan(backtest.customers, String(backtest.customers)), escapeHtml(backtest.as_of), numberSpan(backtest.horizon_days, String(backtest.horizon_days)))}</caption>` +
        `<thead><tr><th scope="col">${t.ranking}</th><th scope="col">${t.auc}</th></tr></thead><tbody>` +
        `<tr class="product"><th scope="row">${t.churnProbability}</th><td>${aucBar(backtest.auc)}${numberSpan(backtest.auc, formatNumber(backtest.auc, lang, 3))}</td></tr>` +
        `<tr class="baseline"><th scope="row">${t.recency}</th><td>${aucBar(backtest.recency_auc)}${numberSpan(backtest.recency_auc, formatNumber(backtest.recency_auc, lang, 3))}</td></tr>` +
        // Baselines beyond recency, when the server names them (older servers do not).
        (backtest.rankings ?? [])
          .filter(
            (ranking) => ranking.name !== "churn_probability" && ranking.name !== "days_since_last_purchase",
          )
          .map(
            (ranking) =>
              `<tr class="baseline" data-ranking="${escapeHtml(ranking.name)}"><th scope="row">${escapeHtml(ranking.label)}</th><td>${aucBar(ranking.auc)}${numberSpan(ranking.auc, formatNumber(ranking.auc, lang, 3))}</td></tr>`,
          )
          .join("") +
        `</tbody></table>`,
    );
    const gain = backtest.auc - backtest.recency_auc;
    out.push(
      `<p>${t.lift}: ${numberSpan(gain, `${gain >= 0 ? "+" : ""}${formatNumber(gain, lang, 3)}`)} · ` +
        `${t.ece}: ${numberSpan(backtest.expected_calibration_error, formatPercent(backtest.expected_calibration_error, lang, 1))} <span class="muted">(${t.eceHelp})</span> · ` +
        `<span class="muted">${t.ranAt} ${escapeHtml(backtest.ran_at)}</span></p>`,
    );
    // Servers before the bins were part of server_status answer without them.
    const bins = (backtest.calibration_bins ?? []).map((bin) => ({
      customers: bin.customers,
      meanPredicted: bin.mean_predicted,
      observedRate: bin.observed_rate,
    }));
    out.push(
      bins.length > 0
        ? reliabilityPanel(bins, lang)
        : `<p class="muted">${escapeHtml(t.reliabilityMissing)}</p>`,
    );
  }
  if (!model) {
    out.push(`<p class="muted">${t.noModel}</p>`);
    return out.join("\n");
  }
  out.push(`<div class="grid">`);
  const calibration = model.calibration;
  out.push(
    `<section class="panel model"><h2>${t.model}</h2><dl>` +
      `<dt>${t.method}</dt><dd>${escapeHtml(model.method)}</dd>` +
      `<dt>${t.purchaseModel}</dt><dd>${escapeHtml(model.purchase_model?.label ?? "–")}</dd>` +
      `<dt>${t.selection}</dt><dd>${escapeHtml(model.selection)}</dd>` +
      `<dt>${t.fittedAsOf}</dt><dd>${escapeHtml(model.fitted_as_of ?? "–")}</dd></dl>` +
      (calibration
        ? `<table><tbody>${metricRow(t.examples, calibration.examples, "count", lang)}${metricRow(t.churnRate, calibration.churn_rate, "share", lang)}</tbody></table>`
        : "") +
      `</section>`,
  );
  if (calibration) {
    const largest = Math.max(...calibration.weights.map((entry) => Math.abs(entry.weight)), 1e-9);
    out.push(
      `<section class="panel weights"><h2>${t.weights}</h2><table><thead><tr><th scope="col">${t.feature}</th><th scope="col" class="num">${t.weight}</th><th scope="col"><span class="sr-only">${t.weight}</span></th></tr></thead><tbody>` +
        calibration.weights
          .map((entry) => {
            const width = (Math.abs(entry.weight) / largest) * 50;
            const side = entry.weight >= 0 ? `left:50%` : `right:50%`;
            return (
              `<tr><th scope="row">${escapeHtml(entry.feature)}</th>${numberCell(entry.weight, formatNumber(entry.weight, lang, 3))}` +
              `<td><span class="signed" aria-hidden="true"><span class="${entry.weight >= 0 ? "up" : "down"}" style="${side};width:${width.toFixed(1)}%"></span></span></td></tr>`
            );
          })
          .join("") +
        `</tbody></table></section>`,
    );
  }
  const latest = status.latest_scores;
  if (latest) {
    out.push(
      metricPanel("scores", t.scores, [
        `<tr><th scope="row">${t.asOf}</th><td class="num">${escapeHtml(latest.as_of)}</td></tr>`,
        metricRow(t.customers, latest.customers, "count", lang),
      ]),
    );
    for (const warning of latest.warnings) out.push(`<p class="warning">${escapeHtml(warning)}</p>`);
  }
  out.push(`</div>`);
  return out.join("\n");
}

/** Whether the data is a full backtest (`crm backtest --json`) rather than server_status. */
export function isBacktestReport(data: ServerStatusResult | BacktestResult): data is BacktestResult {
  const report = data as Partial<BacktestResult>;
  return Array.isArray(report.rankings) && Array.isArray(report.calibration?.bins);
}

/** The reliability diagram: observed against predicted per bin, the diagonal for perfect calibration. */
export function reliabilitySvg(bins: readonly CalibrationBin[]): string {
  const size = 220;
  const pad = 24;
  const across = (share: number) => pad + share * (size - 2 * pad);
  const down = (share: number) => size - across(share);
  const points = bins
    .map(
      (bin) =>
        `<circle cx="${across(bin.meanPredicted).toFixed(1)}" cy="${down(bin.observedRate).toFixed(1)}" r="3" data-value="${bin.observedRate}"></circle>`,
    )
    .join("");
  const path = bins
    .map((bin) => `${across(bin.meanPredicted).toFixed(1)},${down(bin.observedRate).toFixed(1)}`)
    .join(" ");
  return (
    `<svg class="reliability" viewBox="0 0 ${size} ${size}" aria-hidden="true" focusable="false">` +
    `<rect class="frame" x="${pad}" y="${pad}" width="${size - 2 * pad}" height="${size - 2 * pad}"></rect>` +
    `<line class="diagonal" x1="${across(0)}" y1="${down(0)}" x2="${across(1)}" y2="${down(1)}"></line>` +
    `<polyline class="curve" points="${path}"></polyline>${points}` +
    `<text x="${pad}" y="${size - 6}">0</text><text x="${size - pad}" y="${size - 6}" text-anchor="end">1</text>` +
    `<text x="4" y="${pad + 4}">1</text></svg>`
  );
}

/** A full backtest: every ranking's AUC and top-decile figures, and the reliability diagram. */
function renderBacktestReport(report: BacktestResult, lang: Lang): string {
  const t = PHRASES[lang];
  const out: string[] = [`<h1>${t.title}</h1>`];
  for (const warning of report.warnings) out.push(`<p class="warning">${escapeHtml(warning)}</p>`);
  const caption = t.reportCaption(
    numberSpan(report.customers, String(report.customers)),
    escapeHtml(report.asOf),
    escapeHtml(report.holdoutEnd),
  );
  out.push(
    `<table class="auc"><caption>${caption}</caption>` +
      `<thead><tr><th scope="col">${t.ranking}</th><th scope="col">${t.auc}</th><th scope="col" class="num">${t.topDecileRate}</th><th scope="col" class="num">${t.topDecileLift}</th></tr></thead><tbody>` +
      report.rankings
        .map(
          (ranking) =>
            `<tr class="${ranking.name === "churn_probability" ? "product" : "baseline"}" data-ranking="${escapeHtml(ranking.name)}"><th scope="row">${escapeHtml(ranking.label)}</th>` +
            `<td>${aucBar(ranking.auc)}${numberSpan(ranking.auc, formatNumber(ranking.auc, lang, 3))}</td>` +
            numberCell(ranking.topDecileRate, formatPercent(ranking.topDecileRate, lang)) +
            numberCell(ranking.topDecileLift, `${formatNumber(ranking.topDecileLift, lang, 2)}×`) +
            `</tr>`,
        )
        .join("") +
      `</tbody></table>`,
  );
  const calibration = report.calibration;
  out.push(
    `<section class="panel reliability-panel"><h2>${t.reliability}</h2>` +
      `<p>${t.ece}: ${numberSpan(calibration.expectedCalibrationError, formatPercent(calibration.expectedCalibrationError, lang, 1))} <span class="muted">(${t.eceHelp})</span></p>` +
      reliabilityBody(calibration.bins, lang) +
      `</section>`,
  );
  for (const note of report.notes) out.push(`<p class="muted">${escapeHtml(note)}</p>`);
  return out.join("\n");
}

/** The reliability diagram and the table of its bins. */
function reliabilityBody(bins: readonly CalibrationBin[], lang: Lang): string {
  const t = PHRASES[lang];
  return (
    reliabilitySvg(bins) +
    `<table class="bins"><caption>${escapeHtml(t.reliabilityCaption)}</caption><thead><tr><th scope="col">${t.bin}</th><th scope="col" class="num">${t.customers}</th><th scope="col" class="num">${t.predicted}</th><th scope="col" class="num">${t.observed}</th></tr></thead><tbody>` +
    bins
      .map(
        (bin, index) =>
          `<tr data-bin="${index + 1}"><th scope="row">${index + 1}</th>${numberCell(bin.customers, String(bin.customers))}` +
          `${numberCell(bin.meanPredicted, formatPercent(bin.meanPredicted, lang, 1))}${numberCell(bin.observedRate, formatPercent(bin.observedRate, lang, 1))}</tr>`,
      )
      .join("") +
    `</tbody></table>`
  );
}

/** server_status's last backtest bins as a panel of their own. */
function reliabilityPanel(bins: readonly CalibrationBin[], lang: Lang): string {
  const t = PHRASES[lang];
  return `<section class="panel reliability-panel"><h2>${t.reliability}</h2>${reliabilityBody(bins, lang)}</section>`;
}
