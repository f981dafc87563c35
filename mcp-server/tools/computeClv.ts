import type { McpServer } from "@modelcontextprotocol/sdk/server/mcp.js";
import { horizonSums } from "../../core/clvHorizon.js";
import { PURCHASE_MODELS } from "../../core/purchaseModel.js";
import {
  CLV_SELECTORS,
  COMPUTE_CLV,
  computeClvInput,
  computeClvOutput,
  type ComputeClvResult,
} from "../contract/computeClv.js";
import type { ScoreSet } from "../scoring/scoreCache.js";
import { SCORING_DEFAULTS } from "../scoring/settings.js";
import type { ServerDeps } from "../server/deps.js";
import { Memo } from "../store/memo.js";
import {
  clvPage,
  clvPairs,
  clvTotals,
  horizonTable,
  type ClvSelection,
  type ClvTotals,
  type ClvValuation,
} from "../store/scoreQueries.js";
import { UnknownCustomerError } from "../store/store.js";
import {
  cell,
  customerRef,
  money,
  nextCursor,
  page,
  percent,
  purchaseModelInfo,
  scoreSetInfo,
  scoresFor,
  toolResult,
} from "./support.js";

type Input = {
  customer_id?: string;
  customer_ids?: string[];
  segment?: string;
  lifecycle_stage?: string;
  horizon_months?: number;
  margin?: number;
  annual_discount_rate?: number;
  limit?: number;
  cursor?: string;
  as_of?: string;
};

/** Beyond this |correlation| the Gamma-Gamma independence assumption is doubtful. */
const SUSPECT_CORRELATION = 0.3;

export const CLV_FORMULA =
  "CLV = sum over months m = 1..H of margin × E[spend per purchase] × (E[purchases by month m] - E[purchases by month m-1]) / (1 + d)^m, " +
  "where d = (1 + annual discount rate)^(1/12) - 1 and a month is 365.25/12 days. E[purchases] is the purchase model's expectation " +
  "given the customer's repeat purchases x, recency tx and age T (BG/NBD: Fader, Hardie & Lee 2005, Marketing Science, eq. 10; " +
  "MBG/NBD: Batislam et al. 2007; Pareto/NBD: Schmittlein et al. 1987; the model is chosen per book by a backtest on its own history), " +
  "which already weighs in P(alive); E[spend per purchase] is the Gamma-Gamma expectation given x and the mean repeat spend " +
  "(Fader, Hardie & Lee 2005, JMR). Both models are fitted once per as-of date on the whole book and reused here.";

function selectorOf(input: Input): (typeof CLV_SELECTORS)[number] {
  const given = CLV_SELECTORS.filter((name) => input[name] !== undefined);
  if (given.length !== 1) {
    throw new Error(
      `give exactly one of customer_id, customer_ids, segment or lifecycle_stage to choose whom to value; got ${given.length === 0 ? "none" : given.join(" and ")}`,
    );
  }
  return given[0];
}

/** Whom to value, as the store's queries take it. */
async function selectionOf(
  deps: ServerDeps,
  by: (typeof CLV_SELECTORS)[number],
  input: Input,
): Promise<ClvSelection> {
  if (by === "segment") return { segment: input.segment! };
  if (by === "lifecycle_stage") return { lifecycleStage: input.lifecycle_stage! };
  const references = by === "customer_id" ? [input.customer_id!] : input.customer_ids!;
  const found = await Promise.all(references.map((reference) => deps.store.findCustomer(reference)));
  const missing = references.filter((_reference, index) => !found[index]);
  if (missing.length > 0) throw new UnknownCustomerError(missing.join(", "));
  return { ids: [...new Set(found.map((customer) => customer!.id))] };
}

/** Customers whose data records a margin up to as-of (the rest fall back to the default rate). */
async function customersWithMargins(deps: ServerDeps, set: ScoreSet, ids: number[]): Promise<Set<number>> {
  const rows = await deps.store.db.all<{ customer_id: number }>(
    `SELECT DISTINCT customer_id FROM transactions
     WHERE customer_id IN (SELECT value FROM json_each(?)) AND occurred_at <= ? AND margin IS NOT NULL AND amount > 0`,
    [JSON.stringify(ids), set.asOf],
  );
  return new Set(rows.map((row) => row.customer_id));
}

/**
 * Valuations and totals per score set (and its data version), selection and settings, so paging
 * through a segment computes its horizon sums and totals once.
 */
const valuations = new Memo<{ valuation: ClvValuation; totals: ClvTotals }>(8);

/**
 * Lifetime values from the cached purchase-model and Gamma-Gamma fits, nothing refitted. With the
 * settings the score set was computed with (12 months, each customer's margin, 10% a year) the
 * values are the set's own columns; with others, each customer's cached P(alive) and expected
 * spend per purchase times the horizon sums, computed once per distinct (x, T) of the selection
 * (`core/clvHorizon.ts`). Totals over the whole selection and the ranking are SQL; only the
 * requested page of customers is read.
 */
export async function computeClv(deps: ServerDeps, input: Input): Promise<ComputeClvResult> {
  const by = selectorOf(input);
  const { set } = await scoresFor(deps, input.as_of);
  const filters = { ...input, cursor: undefined, limit: undefined };
  const defaultLimit = by === "customer_ids" ? input.customer_ids!.length : undefined;
  const { offset, limit } = page(input.limit ?? defaultLimit, input.cursor, filters);
  const horizonMonths = input.horizon_months ?? SCORING_DEFAULTS.horizonMonths;
  const annualDiscountRate = input.annual_discount_rate ?? SCORING_DEFAULTS.annualDiscountRate;

  const selection = await selectionOf(deps, by, input);
  const { gammaGamma } = set.models;
  const purchaseModel = set.models.churn.purchaseModel;
  const fitted = purchaseModel !== null && gammaGamma !== null;
  const asScored =
    input.margin === undefined &&
    horizonMonths === SCORING_DEFAULTS.horizonMonths &&
    annualDiscountRate === SCORING_DEFAULTS.annualDiscountRate;
  // Keyed by the set's data version too: a carried write can move a customer into or out of a
  // segment or stage.
  const key = [
    set.id,
    set.computedAt,
    set.dataVersion,
    selection,
    horizonMonths,
    annualDiscountRate,
    input.margin ?? null,
  ];
  const { valuation, totals } = await valuations.remember(deps.store, key, async () => {
    let valuation: ClvValuation = { kind: "cached" };
    if (fitted && !asScored) {
      const pairs = await clvPairs(deps.store, set.id, selection);
      const sums = horizonSums(purchaseModel, pairs, {
        horizonMonths,
        annualDiscountRate,
        unit: set.models.unit,
      });
      valuation = {
        kind: "horizon",
        table: horizonTable(pairs.map((pair, index) => ({ ...pair, ...sums[index] }))),
        margin: input.margin,
      };
    }
    return { valuation, totals: await clvTotals(deps.store, set.id, selection, valuation, fitted) };
  });

  const pageRows = await clvPage(deps.store, set.id, selection, valuation, fitted, { offset, limit });
  const observed =
    input.margin === undefined
      ? await customersWithMargins(
          deps,
          set,
          pageRows.map((row) => row.customer_id),
        )
      : new Set<number>();
  const shown = pageRows.map((row, index) => {
    const modelled = row.clv !== null;
    const expectedPurchases = modelled ? row.expected_purchases : null;
    return {
      rank: offset + index + 1,
      customer: customerRef(row.customer),
      x: row.x,
      tx: row.tx,
      T: row.t,
      monetary: row.monetary,
      margin: input.margin ?? row.margin_rate,
      margin_source: (input.margin !== undefined
        ? "given"
        : observed.has(row.customer_id)
          ? "observed"
          : "default") as "given" | "observed" | "default",
      modelled,
      p_alive: modelled ? row.p_alive : null,
      expected_purchases: expectedPurchases,
      expected_spend_per_purchase: modelled ? row.expected_spend : null,
      expected_revenue:
        modelled && expectedPurchases !== null && row.expected_spend !== null
          ? expectedPurchases * row.expected_spend
          : null,
      clv: row.clv,
      note:
        row.orders === 0
          ? "no purchase up to as_of: the models value customers from their first purchase on"
          : fitted
            ? null
            : "the models are not fitted for this book (see models.notes)",
    };
  });
  const sum = (value: number) => (fitted ? value : null);
  return {
    selection: {
      by,
      value: by === "customer_ids" ? input.customer_ids!.join(", ") : String(input[by]),
    },
    settings: {
      horizon_months: horizonMonths,
      margin: input.margin ?? null,
      annual_discount_rate: annualDiscountRate,
      monthly_discount_rate: Math.pow(1 + annualDiscountRate, 1 / 12) - 1,
    },
    customers: shown,
    total: totals.customers,
    next_cursor: nextCursor(offset, shown.length, totals.customers, filters),
    totals: {
      customers: totals.customers,
      modelled_customers: totals.modelled,
      expected_purchases: sum(totals.expectedPurchases),
      expected_revenue: sum(totals.expectedRevenue),
      clv: sum(totals.clv),
      expected_active_customers: sum(totals.expectedActive),
    },
    models: modelsReport(set),
    formula: CLV_FORMULA,
    scores: scoreSetInfo(set),
  };
}

function modelsReport(set: ScoreSet): ComputeClvResult["models"] {
  const { gammaGamma } = set.models;
  const purchaseModel = set.models.churn.purchaseModel;
  const notes = [...set.models.notes];
  if (purchaseModel && !purchaseModel.converged)
    notes.push(
      `${PURCHASE_MODELS[purchaseModel.kind].label} fit did not converge to a sound estimate; treat values with care`,
    );
  if (gammaGamma && !gammaGamma.converged)
    notes.push("Gamma-Gamma optimiser did not report convergence; treat values with care");
  if (gammaGamma && Math.abs(gammaGamma.frequencyMonetaryCorrelation) > SUSPECT_CORRELATION) {
    notes.push(
      `Gamma-Gamma assumes spend does not depend on frequency, but their correlation is ${gammaGamma.frequencyMonetaryCorrelation.toFixed(2)}; spend estimates may be biased`,
    );
  }
  return {
    fitted: purchaseModel !== null && gammaGamma !== null,
    unit: set.models.unit,
    purchasing_customers: set.models.purchasingCustomers,
    returning_customers: set.models.returningCustomers,
    purchase_model: purchaseModel && purchaseModelInfo(purchaseModel),
    gamma_gamma: gammaGamma && {
      p: gammaGamma.p,
      q: gammaGamma.q,
      v: gammaGamma.v,
      log_likelihood: gammaGamma.logLikelihood,
      converged: gammaGamma.converged,
      iterations: gammaGamma.iterations,
      customers_fitted: gammaGamma.customers,
      frequency_monetary_correlation: gammaGamma.frequencyMonetaryCorrelation,
    },
    notes,
  };
}

function optionalMoney(value: number | null): string {
  return value === null ? "-" : money(value);
}

/** The valuation as markdown: settings, totals, the listed customers and the model behind them. */
export function clvMarkdown(result: ComputeClvResult): string {
  const { settings, totals, models } = result;
  const lines = [
    `**CLV for ${result.selection.by.replace("_", " ")} ${result.selection.value}** as of ${result.scores.as_of}: ` +
      `${settings.horizon_months} months ahead, margin ${settings.margin === null ? "each customer's own rate" : percent(settings.margin)}, ` +
      `discount ${percent(settings.annual_discount_rate)} a year.`,
  ];
  if (!models.fitted) {
    lines.push(
      "",
      `**No CLV: the models could not be fitted on this book.** ${models.notes.join("; ")}. Import more purchase history and try again.`,
    );
  }
  if (result.total > 1 || result.selection.by !== "customer_id") {
    lines.push(
      "",
      `Total over ${totals.customers} customers (${totals.modelled_customers} with purchases): CLV ${optionalMoney(totals.clv)}, ` +
        `expected revenue ${optionalMoney(totals.expected_revenue)} from ${totals.expected_purchases === null ? "-" : totals.expected_purchases.toFixed(1)} purchases; ` +
        `expected still active: ${totals.expected_active_customers === null ? "-" : totals.expected_active_customers.toFixed(1)}.`,
    );
  }
  if (result.customers.length > 0) {
    lines.push(
      "",
      "| # | customer | P(alive) | exp. purchases | spend/purchase | exp. revenue | margin | CLV |",
      "|---|---|---|---|---|---|---|---|",
      ...result.customers.map(
        (row) =>
          `| ${row.rank} | ${cell(row.customer.name)} (${row.customer.customer_id}) | ${row.p_alive === null ? "-" : row.p_alive.toFixed(2)} | ` +
          `${row.expected_purchases === null ? "-" : row.expected_purchases.toFixed(2)} | ${optionalMoney(row.expected_spend_per_purchase)} | ` +
          `${optionalMoney(row.expected_revenue)} | ${percent(row.margin)} (${row.margin_source}) | ${row.note ? cell(row.note) : optionalMoney(row.clv)} |`,
      ),
    );
  } else if (result.total === 0) {
    lines.push("", "No customers in this selection.");
  }
  if (result.next_cursor) lines.push("", `More: call again with cursor "${result.next_cursor}".`);
  if (models.purchase_model && models.gamma_gamma) {
    const model = models.purchase_model;
    const gg = models.gamma_gamma;
    const params = Object.entries(model.params)
      .map(([name, value]) => `${name}=${value.toPrecision(4)}`)
      .join(", ");
    lines.push(
      "",
      `Models (fitted once for ${result.scores.as_of}, in days): ${model.label} ${params} ` +
        `(log-likelihood ${model.log_likelihood.toFixed(1)}, ${model.converged ? "converged" : model.degenerate ? "DEGENERATE" : "NOT converged"}, ${model.customers_fitted} customers); ` +
        `Gamma-Gamma p=${gg.p.toPrecision(4)}, q=${gg.q.toPrecision(4)}, v=${gg.v.toPrecision(4)} (log-likelihood ${gg.log_likelihood.toFixed(1)}, ` +
        `${gg.converged ? "converged" : "NOT converged"}, ${gg.customers_fitted} customers, frequency-spend correlation ${gg.frequency_monetary_correlation.toFixed(2)}).`,
    );
    if (models.notes.length > 0) lines.push(`Notes: ${models.notes.join("; ")}.`);
  }
  lines.push("", `Formula: ${result.formula}`);
  return lines.join("\n");
}

export function registerComputeClv(server: McpServer, deps: ServerDeps): void {
  server.registerTool(
    COMPUTE_CLV,
    {
      title: "Compute customer lifetime value",
      description:
        "Customer lifetime value with its breakdown (P(alive), expected purchases, expected spend per purchase, expected " +
        "revenue, discounted profit) for one customer, a list of up to 100, an RFM segment or a lifecycle stage, with totals. " +
        "Choose the horizon (months), margin and discount rate to answer 'what is this segment worth over 3 years at a 25% margin?'. " +
        "Uses the purchase model (BG/NBD, MBG/NBD or Pareto/NBD, chosen per book) and Gamma-Gamma already fitted for the as-of date (parameters and fit quality are reported); " +
        "give exactly one of customer_id, customer_ids, segment, lifecycle_stage.",
      inputSchema: computeClvInput,
      outputSchema: computeClvOutput,
      annotations: { readOnlyHint: true, destructiveHint: false, idempotentHint: true, openWorldHint: false },
    },
    async (input) => {
      const result = await computeClv(deps, input);
      return toolResult(deps, result, clvMarkdown(result));
    },
  );
}
