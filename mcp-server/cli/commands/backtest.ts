import type { Command } from "commander";
import type { BacktestResult } from "../../scoring/backtest.js";
import { BacktestError, MAX_HORIZON_DAYS, runBacktest } from "../../scoring/backtestStore.js";
import type { CliContext } from "../context.js";
import { UserError } from "../errors.js";
import { parseAsOfOption, parsePositiveInteger } from "../options.js";
import { formatCount, formatPercent, formatTable, printJson } from "../output.js";

const CHART_WIDTH = 40;

/** One bin as a bar: '#' up to the observed rate, '|' at the mean prediction. */
function reliabilityBar(predicted: number, observed: number): string {
  const cells: string[] = Array.from({ length: CHART_WIDTH }, (_, i) =>
    i < Math.round(observed * CHART_WIDTH) ? "#" : ".",
  );
  cells[Math.min(CHART_WIDTH - 1, Math.max(0, Math.round(predicted * CHART_WIDTH) - 1))] = "|";
  return `[${cells.join("")}]`;
}

/** The backtest as a report for people. */
export function formatBacktest(result: BacktestResult): string {
  const lines = [
    `Backtest of the churn probability: scored as of ${result.asOf}, holdout to ${result.holdoutEnd} (${result.horizonDays} days` +
      `${result.holdoutDaysObserved < result.horizonDays ? `, ${result.holdoutDaysObserved} observed` : ""})`,
    `Customers evaluated: ${formatCount(result.customers)} (bought on or before ${result.asOf}); no purchase in the holdout: ${formatPercent(result.churnRate)}`,
    `Method: ${result.method}${result.model ? ` on ${result.model}` : ""}`,
    ...result.notes.map((note) => `  note: ${note}`),
    ...result.warnings.map((warning) => `  warning: ${warning}`),
    "",
    formatTable(result.rankings, [
      { header: "ranking for 'no purchase in the holdout'", value: (row) => row.label, maxWidth: 48 },
      { header: "AUC", value: (row) => row.auc.toFixed(4), align: "right" },
      {
        header: "top 10% no-purchase rate",
        value: (row) => formatPercent(row.topDecileRate),
        align: "right",
      },
      { header: "lift", value: (row) => row.topDecileLift.toFixed(2), align: "right" },
    ]),
    "",
    `Calibration (ten equal-count bins): expected calibration error ${(100 * result.calibration.expectedCalibrationError).toFixed(1)} points; ` +
      `mean predicted ${formatPercent(result.calibration.meanPredicted)}, observed ${formatPercent(result.calibration.observedRate)}`,
    formatTable(result.calibration.bins, [
      { header: "customers", value: (bin) => formatCount(bin.customers), align: "right" },
      { header: "predicted", value: (bin) => formatPercent(bin.meanPredicted), align: "right" },
      { header: "observed", value: (bin) => formatPercent(bin.observedRate), align: "right" },
      {
        header: "# observed, | predicted",
        value: (bin) => reliabilityBar(bin.meanPredicted, bin.observedRate),
        maxWidth: CHART_WIDTH + 2,
      },
    ]),
    "",
    `Value: Spearman correlation of 12-month CLV with holdout spend ${result.value.clvSpendSpearman.toFixed(3)}; ` +
      `the top 20% by CLV brought ${formatPercent(result.value.topFifthByClv)} of holdout revenue (top 20% by past spend: ${formatPercent(result.value.topFifthByPastSpend)})`,
  ];
  return lines.join("\n");
}

export function registerBacktestCommand(program: Command, context: CliContext): void {
  program
    .command("backtest")
    .description(
      "check the churn probabilities against what customers actually did: score the book as of a past day, then compare with the following days",
    )
    .option(
      "--as-of <date>",
      "the split: score as of the end of this day (YYYY-MM-DD; default: the newest purchase minus the horizon)",
      parseAsOfOption,
    )
    .option(
      "--horizon <days>",
      `days after the split to observe, 1-${MAX_HORIZON_DAYS} (default 90)`,
      parsePositiveInteger("--horizon"),
      90,
    )
    .option("--json", "print JSON")
    .action(async (options) => {
      const store = await context.openStore();
      let result: BacktestResult;
      try {
        result = await runBacktest(store, {
          asOf: options.asOf,
          horizonDays: options.horizon,
          now: new Date(),
        });
      } catch (error) {
        if (error instanceof BacktestError) throw new UserError(error.message);
        throw error;
      }
      if (options.json) printJson(result);
      else process.stdout.write(`${formatBacktest(result)}\n`);
    });
}
