import { createHash } from "node:crypto";
import type { CallToolResult } from "@modelcontextprotocol/sdk/types.js";
import { resolveAsOf } from "../asOf.js";
import type { z } from "zod";
import { PAGE, type churnModelOutput } from "../contract/common.js";
import { ensureScores, type ScoreSet } from "../scoring/scoreCache.js";
import { redactText, redactValue } from "../context/redact.js";
import type { ServerDeps } from "../server/deps.js";
import { displayName, type CustomerRow } from "../store/rows.js";
import { PURCHASE_MODELS, type PurchaseModelFit } from "../../core/purchaseModel.js";
import type { StoredBacktest } from "../scoring/backtestStore.js";
import type { BookModels } from "../scoring/scoreCustomers.js";

/** The as-of moment a tool call means: the end of `as_of`, or of today by the server's clock. */
export function toolAsOf(deps: ServerDeps, asOf: string | undefined): Date {
  return resolveAsOf(asOf, deps.now());
}

/** Cached scores for the call's as-of date (computed once if not cached yet). */
export async function scoresFor(
  deps: ServerDeps,
  asOf: string | undefined,
): Promise<{ asOf: Date; set: ScoreSet }> {
  const moment = toolAsOf(deps, asOf);
  return {
    asOf: moment,
    set: await ensureScores(deps.store, moment, deps.now, undefined, {
      freshWaitMs: deps.freshWaitMs,
      computingWaitMs: deps.computingWaitMs,
    }),
  };
}

/** A tool result: the structured content and the same facts as markdown, redacted if asked. */
export function toolResult<T extends Record<string, unknown>>(
  deps: ServerDeps,
  structured: T,
  markdown: string,
): CallToolResult {
  const content = deps.redact ? redactValue(structured) : structured;
  // Warnings about the scores (a stale as-of date, customers left unscored) lead the text, so a
  // chat answer built on it cannot miss them.
  const scores = structured.scores as { warnings?: unknown } | undefined;
  const warnings = Array.isArray(scores?.warnings) ? (scores.warnings as string[]) : [];
  const text = [
    ...warnings.map((warning) => `> **Warning:** ${warning}`),
    ...(warnings.length ? [""] : []),
    markdown,
  ].join("\n");
  return {
    structuredContent: content,
    content: [{ type: "text", text: deps.redact ? redactText(text) : text }],
  };
}

/** The customer reference every tool returns. */
export function customerRef(customer: CustomerRow) {
  return {
    customer_id: customer.external_id,
    store_id: customer.id,
    name: displayName(customer),
    company: customer.company,
    owner: customer.owner,
    language: customer.language,
  };
}

/** Thrown for a cursor that does not belong to this query. */
export class CursorError extends Error {}

function filterKey(filters: unknown): string {
  return createHash("sha256").update(JSON.stringify(filters)).digest("base64url").slice(0, 10);
}

/**
 * Cursors are opaque to clients but carry the offset and a fingerprint of the filters, so a
 * cursor from one query cannot silently page through another.
 */
export function encodeCursor(offset: number, filters: unknown): string {
  return Buffer.from(`${offset}:${filterKey(filters)}`).toString("base64url");
}

/** No listing pages past this offset: a cursor beyond it is forged. */
const MAX_CURSOR_OFFSET = 100_000_000;

export function decodeCursor(cursor: string | undefined, filters: unknown): number {
  if (cursor === undefined) return 0;
  const text = Buffer.from(cursor, "base64url").toString();
  const match = /^(\d{1,9}):([\w-]{10})$/.exec(text);
  if (!match || match[2] !== filterKey(filters) || Number(match[1]) > MAX_CURSOR_OFFSET) {
    throw new CursorError(
      "this cursor does not belong to this query; repeat the call without cursor to start from the first page",
    );
  }
  return Number(match[1]);
}

/** Page bounds for a call: offset from the cursor, limit from the input or the default. */
export function page(
  limit: number | undefined,
  cursor: string | undefined,
  filters: unknown,
): { offset: number; limit: number } {
  return { offset: decodeCursor(cursor, filters), limit: limit ?? PAGE.default };
}

export function nextCursor(offset: number, shown: number, total: number, filters: unknown): string | null {
  return offset + shown < total ? encodeCursor(offset + shown, filters) : null;
}

export { formatMoney as money, formatPercent as percent } from "../format.js";

/** Escapes text for a markdown table cell. */
export function cell(text: string | null | undefined): string {
  return (text ?? "").replace(/\|/g, "\\|").replace(/\n/g, " ");
}

/** The score set a result was read from, as tools report it. */
export function scoreSetInfo(set: ScoreSet): {
  as_of: string;
  computed_at: string;
  model_version: string;
  horizon_days: number;
  stale: boolean;
  warnings: string[];
} {
  const asked = set.staleFor;
  const stale = !asked
    ? []
    : asked.asOf === set.asOf
      ? [
          `These scores were computed before the latest changes to the data (version ${set.dataVersion}, now ${asked.dataVersion}); scores on the current data are being computed and will answer the next calls once ready.`,
        ]
      : [
          `These scores are as of ${set.asOf.slice(0, 10)}, not ${asked.asOf.slice(0, 10)}: the scores as of ${asked.asOf.slice(0, 10)} are being computed and will answer the next calls once ready.`,
        ];
  return {
    as_of: set.asOf.slice(0, 10),
    computed_at: set.computedAt,
    model_version: set.modelVersion,
    horizon_days: set.horizonDays,
    stale: set.staleFor !== undefined,
    warnings: [...stale, ...(set.models.warnings ?? [])],
  };
}

/** A customer's tags: the stored JSON array, or none when it cannot be read. */
export function parseTags(tags: string): string[] {
  try {
    const parsed: unknown = JSON.parse(tags);
    return Array.isArray(parsed) ? parsed.filter((tag): tag is string => typeof tag === "string") : [];
  } catch {
    return [];
  }
}

/** part / whole, or 0 when the whole is not positive (an empty or loss-making population). */
export function shareOf(part: number, whole: number): number {
  return whole > 0 ? part / whole : 0;
}

/** Shown when a write is asked of a server started without `--allow-writes`. */
export const WRITES_DISABLED =
  "writes are disabled; restart the server with --allow-writes (crm serve --allow-writes)";

/** Throws the actionable "writes are disabled" error unless the server allows writes. */
export function requireWrites(deps: ServerDeps, what: string): void {
  if (!deps.allowWrites) throw new Error(`${what}: ${WRITES_DISABLED}`);
}

/** Rounds for display in results: full float noise helps nobody reading a score. */
export function round(value: number, digits: number): number {
  const factor = 10 ** digits;
  return Math.round(value * factor) / factor;
}

/** A fitted purchase model as tools report it. */
export function purchaseModelInfo(fit: PurchaseModelFit) {
  return {
    kind: fit.kind,
    label: PURCHASE_MODELS[fit.kind].label,
    params: { ...fit.params } as Record<string, number>,
    log_likelihood: fit.logLikelihood,
    converged: fit.converged,
    degenerate: fit.diagnostics.degenerate,
    problems: fit.diagnostics.problems,
    iterations: fit.iterations,
    customers_fitted: fit.customers,
  };
}

/** How a score set's churn probabilities were made, with the latest backtest, as tools report it. */
export function churnModelInfo(models: BookModels, backtest: StoredBacktest | null) {
  const churn = models.churn;
  const product = backtest?.result.rankings.find((ranking) => ranking.name === "churn_probability");
  const recency = backtest?.result.rankings.find((ranking) => ranking.name === "days_since_last_purchase");
  return {
    horizon_days: churn.horizonDays,
    method: churn.method,
    purchase_model: churn.purchaseModel && purchaseModelInfo(churn.purchaseModel),
    selection: churn.selection,
    calibration: churn.calibration && {
      inner_horizon_days: churn.calibration.innerHorizonDays,
      origins: churn.calibration.origins,
      examples: churn.calibration.examples,
      churn_rate: churn.calibration.churnRate,
      weights: churn.calibration.weights.map((w) => ({ feature: w.key, weight: w.weight })),
    },
    notes: models.fit?.reused ? [models.notes[0], ...churn.notes] : churn.notes,
    fitted_as_of: models.fit?.asOf ?? null,
    fits_reused: models.fit?.reused ?? false,
    last_backtest:
      backtest && product && recency
        ? {
            ran_at: backtest.ranAt,
            as_of: backtest.result.asOf,
            horizon_days: backtest.result.horizonDays,
            customers: backtest.result.customers,
            auc: product.auc,
            recency_auc: recency.auc,
            expected_calibration_error: backtest.result.calibration.expectedCalibrationError,
            rankings: backtest.result.rankings.map((ranking) => ({
              name: ranking.name,
              label: ranking.label,
              auc: ranking.auc,
              top_decile_rate: ranking.topDecileRate,
              top_decile_lift: ranking.topDecileLift,
            })),
            calibration_bins: backtest.result.calibration.bins.map((bin) => ({
              customers: bin.customers,
              mean_predicted: bin.meanPredicted,
              observed_rate: bin.observedRate,
            })),
          }
        : null,
  };
}

/** One line on how far to trust the churn probabilities, for markdown answers. */
export function trustLine(info: z.infer<typeof churnModelOutput>): string {
  const model = info.purchase_model
    ? `${info.purchase_model.label}${info.purchase_model.degenerate ? " (degenerate fit)" : ""}`
    : "no purchase model";
  const method =
    info.method === "calibrated-logistic" || info.method === "calibrated-dropout-mixture"
      ? `calibrated on ${info.calibration?.examples ?? 0} past outcomes`
      : info.method === "model"
        ? "the model's own probability, not calibrated"
        : "a rule of thumb (too few customers for a model)";
  const backtest = info.last_backtest
    ? `last backtest (as of ${info.last_backtest.as_of}, ${info.last_backtest.horizon_days} days): AUC ${info.last_backtest.auc.toFixed(3)} vs ${info.last_backtest.recency_auc.toFixed(3)} for recency alone, calibration error ${(100 * info.last_backtest.expected_calibration_error).toFixed(1)} points`
    : "no backtest yet (run `crm backtest` to measure it on this book)";
  return `Churn probability (${info.horizon_days} days): ${model}, ${method}; ${backtest}.`;
}
