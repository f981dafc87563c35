import { describe, expect, it } from "vitest";
import type { ServerStatusResult } from "../../../../mcp-server/contract/serverStatus.js";
import type { BacktestResult } from "../../../../mcp-server/scoring/backtest.js";
import {
  isBacktestReport,
  reliabilitySvg,
  renderBacktest,
} from "../../../../mcp-server/apps/views/backtest/render.js";
import { dataValues, element, fixture, textOf } from "./htmlProbe.js";

/** server_status after `crm backtest` on the demo book (seed 42, 600 customers). */
const status = fixture<ServerStatusResult>("server-status-backtest");
/** `crm backtest --json` on the same book: every ranking and the calibration bins. */
const report = fixture<BacktestResult>("backtest-report");
/** server_status on a book no backtest has run on. */
const untested = fixture<ServerStatusResult>("server-status");

describe("the backtest view", () => {
  it("draws the AUC of the churn probability against the recency baseline, as server_status returned them", () => {
    const backtest = status.churn_model?.last_backtest;
    expect(backtest).toBeTruthy();
    const table = element(renderBacktest(status, "en"), "table", "class", "auc");
    expect(dataValues(element(table, "tr", "class", "product"))).toEqual([backtest?.auc]);
    expect(dataValues(element(table, "tr", "class", "baseline"))).toEqual([backtest?.recency_auc]);
    expect(renderBacktest(status, "en")).toContain(`data-value="${backtest?.expected_calibration_error}"`);
  });

  it("draws server_status's reliability diagram and every baseline when the last backtest carries them", () => {
    const last = status.churn_model!.last_backtest!;
    const withBins: ServerStatusResult = {
      ...status,
      churn_model: {
        ...status.churn_model!,
        last_backtest: {
          ...last,
          rankings: report.rankings.map((ranking) => ({
            name: ranking.name,
            label: ranking.label,
            auc: ranking.auc,
            top_decile_rate: ranking.topDecileRate,
            top_decile_lift: ranking.topDecileLift,
          })),
          calibration_bins: report.calibration.bins.map((bin) => ({
            customers: bin.customers,
            mean_predicted: bin.meanPredicted,
            observed_rate: bin.observedRate,
          })),
        },
      },
    };
    const html = renderBacktest(withBins, "en");
    const svg = html.slice(html.indexOf("<svg"), html.indexOf("</svg>"));
    expect(dataValues(svg)).toEqual(report.calibration.bins.map((bin) => bin.observedRate));
    const expected = report.rankings.find((ranking) => ranking.name === "expected_purchases")!;
    expect(dataValues(element(html, "tr", "data-ranking", "expected_purchases"))).toEqual([expected.auc]);
    expect(textOf(html)).not.toContain("does not return");
  });

  it("lists the calibrated weights behind the churn probability", () => {
    const weights = element(renderBacktest(status, "en"), "section", "class", "panel weights");
    expect(dataValues(weights)).toEqual(
      status.churn_model?.calibration?.weights.map((entry) => entry.weight),
    );
  });

  it("says how to get a backtest when none has run", () => {
    expect(untested.churn_model?.last_backtest).toBeNull();
    const html = renderBacktest(untested, "en");
    expect(textOf(html)).toContain("No backtest has run on this book yet. Run `crm backtest`");
    expect(html).not.toContain('class="auc"');
  });

  it("reads in Chinese", () => {
    expect(textOf(renderBacktest(status, "zh"))).toContain("流失概率的可信程度");
  });
});

describe("the backtest view of a full backtest", () => {
  it("draws every ranking's AUC, top-decile churn rate and lift", () => {
    expect(isBacktestReport(report)).toBe(true);
    expect(isBacktestReport(status)).toBe(false);
    const table = element(renderBacktest(report, "en"), "table", "class", "auc");
    for (const ranking of report.rankings) {
      const row = element(table, "tr", "data-ranking", ranking.name);
      expect(dataValues(row)).toEqual([ranking.auc, ranking.topDecileRate, ranking.topDecileLift]);
    }
  });

  it("draws the reliability diagram, one point per bin, over a table of the bins", () => {
    const bins = report.calibration.bins;
    expect(bins.length).toBe(10);
    expect(dataValues(reliabilitySvg(report.calibration.bins))).toEqual(bins.map((bin) => bin.observedRate));
    const html = renderBacktest(report, "en");
    const table = element(html, "table", "class", "bins");
    bins.forEach((bin, index) => {
      const row = element(table, "tr", "data-bin", String(index + 1));
      expect(dataValues(row)).toEqual([bin.customers, bin.meanPredicted, bin.observedRate]);
    });
    expect(html).toContain(`data-value="${report.calibration.expectedCalibrationError}"`);
    expect(html).toContain('class="diagonal"');
  });

  it("reads in Chinese", () => {
    expect(textOf(renderBacktest(report, "zh"))).toContain("可靠性");
  });
});
