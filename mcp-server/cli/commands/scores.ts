import { createWriteStream, renameSync, rmSync } from "node:fs";
import { finished } from "node:stream/promises";
import type { Writable } from "node:stream";
import { stringify } from "csv-stringify";
import type { Command } from "commander";
import { PURCHASE_MODELS } from "../../../core/purchaseModel.js";
import { resolveAsOf } from "../../asOf.js";
import { MAX_HORIZON_DAYS } from "../../scoring/backtestStore.js";
import { ensureScores, rowToScore, type ScoreRow, type ScoreSet } from "../../scoring/scoreCache.js";
import type { Store } from "../../store/store.js";
import { displayName, type CustomerRow } from "../../store/rows.js";
import type { CliContext } from "../context.js";
import { UserError } from "../errors.js";
import { parseAsOfOption, parsePositiveInteger } from "../options.js";
import { formatCount } from "../output.js";
import { scoresTable } from "../../store/setTables.js";

/** Rows read per query: enough to keep SQLite busy, few enough to keep memory flat. */
const PAGE_ROWS = 5_000;

/** The exported columns, in file order. */
export const EXPORT_COLUMNS = [
  "customer_id",
  "name",
  "company",
  "owner",
  "as_of",
  "horizon_days",
  "churn_probability",
  "risk_score",
  "risk_level",
  "p_alive",
  "expected_purchases",
  "clv",
  "value_if_retained",
  "value_at_risk",
  "lifecycle_stage",
  "rfm_segment",
  "abc_tier",
  "orders",
  "revenue",
  "last_purchase",
  "days_since_last_purchase",
  "top_reason",
  "model",
  "not_scored",
] as const;

type ExportRow = Record<(typeof EXPORT_COLUMNS)[number], string | number | null>;

interface JoinedRow extends CustomerRow {
  churn_probability: number | null;
  risk_score: number;
  risk_level: string;
  p_alive: number | null;
  horizon_expected_purchases: number | null;
  clv: number;
  value_if_retained: number;
  value_at_risk: number;
  lifecycle_stage: string;
  rfm_segment: string | null;
  abc_tier: string | null;
  orders: number;
  revenue: number;
  last_purchase: string | null;
  days_since_last_purchase: number | null;
  score_problem: string | null;
  customer_id: number;
}

/** Every scored customer of a set in store-id order, a page at a time. */
export async function* scoredRows(store: Store, set: ScoreSet): AsyncGenerator<ExportRow> {
  const model = set.models.churn.purchaseModel;
  const modelName = model ? PURCHASE_MODELS[model.kind].label : set.models.churn.method;
  let after = 0;
  for (;;) {
    const rows = await store.db.all<JoinedRow>(
      `SELECT c.*, s.* FROM ${scoresTable(set.id, "s")} JOIN customers c ON c.id = s.customer_id
       WHERE s.customer_id > ? ORDER BY s.customer_id LIMIT ?`,
      [after, PAGE_ROWS],
    );
    for (const row of rows) {
      const reasons = rowToScore(set.id, row as unknown as ScoreRow).riskReasons;
      yield {
        customer_id: row.external_id,
        name: displayName(row),
        company: row.company,
        owner: row.owner,
        as_of: set.asOf.slice(0, 10),
        horizon_days: set.horizonDays,
        churn_probability: row.churn_probability,
        risk_score: row.churn_probability === null ? null : row.risk_score,
        risk_level: row.churn_probability === null ? null : row.risk_level,
        p_alive: row.p_alive,
        expected_purchases: row.horizon_expected_purchases,
        clv: row.clv,
        value_if_retained: row.value_if_retained,
        value_at_risk: row.value_at_risk,
        lifecycle_stage: row.lifecycle_stage,
        rfm_segment: row.rfm_segment,
        abc_tier: row.abc_tier,
        orders: row.orders,
        revenue: row.revenue,
        last_purchase: row.last_purchase?.slice(0, 10) ?? null,
        days_since_last_purchase: row.days_since_last_purchase,
        top_reason: reasons.find((reason) => reason.contribution > 0)?.en ?? null,
        model: row.churn_probability === null ? null : modelName,
        not_scored: row.score_problem,
      };
    }
    if (rows.length < PAGE_ROWS) return;
    after = rows[rows.length - 1].customer_id;
  }
}

async function write(out: Writable, chunk: string): Promise<void> {
  if (!out.write(chunk)) await new Promise<void>((resolve) => out.once("drain", resolve));
}

/** Streams the set to `out` as CSV (header first) or as one JSON array; returns the row count. */
export async function exportScores(
  store: Store,
  set: ScoreSet,
  format: "csv" | "json",
  out: Writable,
): Promise<number> {
  let count = 0;
  if (format === "json") {
    await write(out, "[");
    for await (const row of scoredRows(store, set)) {
      await write(out, `${count === 0 ? "\n" : ",\n"}${JSON.stringify(row)}`);
      count++;
    }
    await write(out, "\n]\n");
    return count;
  }
  const csv = stringify({ header: true, columns: [...EXPORT_COLUMNS] });
  csv.pipe(out, { end: false });
  for await (const row of scoredRows(store, set)) {
    if (!csv.write(row)) await new Promise<void>((resolve) => csv.once("drain", resolve));
    count++;
  }
  csv.end();
  await finished(csv);
  return count;
}

export function registerScoresCommand(program: Command, context: CliContext): void {
  const scores = program.command("scores").description("the scored book for spreadsheets and BI tools");
  scores
    .command("export")
    .description(
      "write every customer's scores to FILE (CSV or JSON), one row per customer; FILE - writes to stdout",
    )
    .argument("<file>", "where to write; the file is replaced only once the export is complete")
    .option("--as-of <date>", "score as of this day (YYYY-MM-DD; default today)", parseAsOfOption)
    .option(
      "--horizon <days>",
      `churn horizon in days, 1-${MAX_HORIZON_DAYS} (default 90)`,
      parsePositiveInteger("--horizon"),
      90,
    )
    .option("--format <format>", "csv or json (default: from the file name, else csv)")
    .action(async (file: string, options) => {
      const format = options.format ?? (file.toLowerCase().endsWith(".json") ? "json" : "csv");
      if (format !== "csv" && format !== "json") {
        throw new UserError(`--format must be csv or json, got "${options.format}"`);
      }
      if (options.horizon > MAX_HORIZON_DAYS) {
        throw new UserError(`--horizon must be at most ${MAX_HORIZON_DAYS} days, got ${options.horizon}`);
      }
      const store = await context.openStore();
      const set = await ensureScores(store, options.asOf ?? resolveAsOf(), () => new Date(), options.horizon);
      for (const warning of set.models.warnings) process.stderr.write(`warning: ${warning}\n`);
      if (file === "-") {
        await exportScores(store, set, format, process.stdout);
        return;
      }
      // Written beside the target and renamed at the end, so a failed export leaves no half file.
      const partial = `${file}.partial`;
      const out = createWriteStream(partial);
      try {
        await new Promise<void>((resolve, reject) => out.once("open", () => resolve()).once("error", reject));
        const count = await exportScores(store, set, format, out);
        out.end();
        await finished(out);
        renameSync(partial, file);
        process.stderr.write(
          `wrote ${formatCount(count)} customers to ${file} (scores as of ${set.asOf.slice(0, 10)}, churn horizon ${set.horizonDays} days)\n`,
        );
      } catch (error) {
        out.destroy();
        rmSync(partial, { force: true });
        const code = (error as NodeJS.ErrnoException).code;
        if (code === "ENOENT" || code === "EACCES" || code === "EISDIR") {
          throw new UserError(
            `cannot write ${file}: ${(error as Error).message}; check the folder exists and is writable`,
          );
        }
        throw error;
      }
    });
}
