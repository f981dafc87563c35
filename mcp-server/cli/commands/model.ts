import type { Command } from "commander";
import { fitBgNbd } from "../../../core/bgNbd.js";
import { fitPurchaseModel, PURCHASE_MODEL_KINDS, PURCHASE_MODELS } from "../../../core/purchaseModel.js";
import { fitGammaGamma } from "../../../core/gammaGamma.js";
import { summarizeCustomers } from "../../../core/summary.js";
import { resolveAsOf } from "../../asOf.js";
import { readSummaryFile, type SummaryRow } from "../../models/summaryFile.js";
import type { CliContext } from "../context.js";
import { UserError } from "../errors.js";
import { parseAsOfOption } from "../options.js";
import { printJson } from "../output.js";
import { storedTime } from "../../store/timestamps.js";

/**
 * Fits the purchase models (BG/NBD, MBG/NBD, Pareto/NBD) and Gamma-Gamma to summary rows and
 * reports parameters, log-likelihood, convergence and the fit diagnostics.
 */
export function fitModels(rows: readonly SummaryRow[]) {
  const purchaseRows = rows.map(({ x, tx, T }) => ({ x, tx, T }));
  const bgNbd = fitBgNbd(purchaseRows);
  const spendRows = rows
    .filter((row) => row.monetary !== null)
    .map((row) => ({ x: row.x, monetary: row.monetary! }));
  const returning = spendRows.filter((row) => row.x > 0 && row.monetary > 0).length;
  return {
    customers: rows.length,
    bgNbd: {
      r: bgNbd.r,
      alpha: bgNbd.alpha,
      a: bgNbd.a,
      b: bgNbd.b,
      logLikelihood: bgNbd.logLikelihood,
      converged: bgNbd.converged,
      iterations: bgNbd.iterations,
      customers: bgNbd.customers,
    },
    purchaseModels: PURCHASE_MODEL_KINDS.map((kind) => {
      const fit = fitPurchaseModel(kind, purchaseRows);
      return {
        model: PURCHASE_MODELS[kind].label,
        source: PURCHASE_MODELS[kind].source,
        params: fit.params,
        logLikelihood: fit.logLikelihood,
        converged: fit.converged,
        degenerate: fit.diagnostics.degenerate,
        problems: fit.diagnostics.problems,
        logStandardErrors: fit.diagnostics.logStandardErrors,
      };
    }),
    gammaGamma: returning >= 2 ? fitGammaGamma(spendRows) : null,
  };
}

export function registerModelCommand(program: Command, context: CliContext): void {
  const model = program.command("model").description("fit and inspect the customer-base models");
  model
    .command("fit")
    .description(
      "fit BG/NBD, MBG/NBD and Pareto/NBD (and Gamma-Gamma when spend is known) and print parameters, log-likelihood, convergence and fit diagnostics as JSON",
    )
    .option(
      "--summary <file>",
      "a customer-summary CSV (frequency/x, recency/t_x, T[, monetary/zbar]) instead of the store",
    )
    .option("--unit <unit>", "time unit: days or weeks (for --summary: the file's unit)", "weeks")
    .option(
      "--as-of <date>",
      "with the store: summarise purchases up to this day (default today)",
      parseAsOfOption,
    )
    .action(async (options: { summary?: string; unit: string; asOf?: Date }) => {
      if (options.unit !== "days" && options.unit !== "weeks")
        throw new UserError(`--unit ${options.unit}: use days or weeks`);
      const unit = options.unit;
      if (options.summary) {
        const rows = await readSummaryFile(options.summary);
        printJson({ source: options.summary, unit, ...fitModels(rows) });
        return;
      }
      const store = await context.openStore();
      const asOf = options.asOf ?? resolveAsOf();
      const transactions = await store.db.all<{ customer_id: number; occurred_at: string; amount: number }>(
        "SELECT customer_id, occurred_at, amount FROM transactions WHERE occurred_at <= ?",
        [storedTime(asOf)],
      );
      if (transactions.length === 0)
        throw new UserError(
          `the store ${store.path} has no transactions up to ${asOf.toISOString().slice(0, 10)}; import some first`,
        );
      const summaries = summarizeCustomers(
        transactions.map((row) => ({
          customerId: row.customer_id,
          timestamp: new Date(row.occurred_at),
          amount: row.amount,
        })),
        { asOf, unit },
      );
      const rows = [...summaries.values()].filter((summary) => summary.T > 0);
      printJson({ source: store.path, asOf: asOf.toISOString().slice(0, 10), unit, ...fitModels(rows) });
    });
}
