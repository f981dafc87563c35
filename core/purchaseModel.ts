/**
 * The three customer-base models behind one interface, so scoring, CLV and the backtest can fit
 * whichever suits a book and ask the same questions of it: is the customer still active, how many
 * purchases next, how likely none at all.
 *
 * - BG/NBD (Fader, Hardie and Lee 2005): dropout only after a repeat purchase, so every one-time
 *   buyer is alive; fast and robust, the reference model.
 * - MBG/NBD (Batislam, Denizel and Filiztekin 2007): dropout also possible at the first purchase,
 *   so one-time buyers fade with time away.
 * - Pareto/NBD (Schmittlein, Morrison and Colombo 1987): dropout at any moment.
 */

import {
  betaGeometricExpected,
  bgNbdConditionalExpected,
  bgNbdPAlive,
  bgNbdPNoPurchase,
  fitBetaGeometricSteps,
  type BgNbdParams,
} from "./bgNbd.js";
import { mbgNbdConditionalExpected, mbgNbdPAlive, mbgNbdPNoPurchase } from "./mbgNbd.js";
import {
  fitParetoNbdSteps,
  paretoNbdConditionalExpected,
  paretoNbdExpectedIfAlive,
  paretoNbdNoPurchaseIfAlive,
  paretoNbdPAlive,
  paretoNbdPNoPurchase,
  type ParetoNbdParams,
} from "./paretoNbd.js";
import type { ModelFitQuality } from "./modelFit.js";
import { runSteps, type Steps } from "./optimize.js";
import type { PurchaseRow } from "./purchaseRows.js";
import type { Bilingual } from "./i18n.js";

/** Model keys. */
export type PurchaseModelKind = "bg-nbd" | "mbg-nbd" | "pareto-nbd";

/** A purchase model with its parameters (fitted or given). */
export type PurchaseModel =
  | { kind: "bg-nbd"; params: BgNbdParams }
  | { kind: "mbg-nbd"; params: BgNbdParams }
  | { kind: "pareto-nbd"; params: ParetoNbdParams };

/** A fitted purchase model with the fit's quality. */
export type PurchaseModelFit = PurchaseModel & ModelFitQuality;

/** Names and sources, for reports. */
export const PURCHASE_MODELS: Readonly<
  Record<PurchaseModelKind, { label: string; source: string; about: Bilingual }>
> = {
  "bg-nbd": {
    label: "BG/NBD",
    source: "Fader, Hardie and Lee (2005), Marketing Science 24(2)",
    about: {
      en: "dropout only after a repeat purchase (one-time buyers count as active)",
      zh: "仅在复购后可能流失（只买过一次的客户视为活跃）",
    },
  },
  "mbg-nbd": {
    label: "MBG/NBD",
    source: "Batislam, Denizel and Filiztekin (2007), IJRM 24(3)",
    about: {
      en: "dropout possible after every purchase, including the first",
      zh: "每次购买后（包括首次）都可能流失",
    },
  },
  "pareto-nbd": {
    label: "Pareto/NBD",
    source: "Schmittlein, Morrison and Colombo (1987), Management Science 33(1)",
    about: { en: "dropout possible at any moment", zh: "任何时刻都可能流失" },
  },
};

/** Model keys in the order they are tried. */
export const PURCHASE_MODEL_KINDS = Object.keys(PURCHASE_MODELS) as PurchaseModelKind[];

/** Fits one model to customers' (x, tx, T). */
export function fitPurchaseModel(kind: PurchaseModelKind, rows: readonly PurchaseRow[]): PurchaseModelFit {
  return runSteps(fitPurchaseModelSteps(kind, rows));
}

/** {@link fitPurchaseModel}, yielding after each evaluation of the likelihood (see `Steps`). */
export function* fitPurchaseModelSteps(
  kind: PurchaseModelKind,
  rows: readonly PurchaseRow[],
): Steps<PurchaseModelFit> {
  if (kind === "pareto-nbd") {
    const { r, alpha, s, beta, ...quality } = yield* fitParetoNbdSteps(rows);
    return { kind, params: { r, alpha, s, beta }, ...quality };
  }
  const modified = kind === "mbg-nbd";
  const { r, alpha, a, b, ...quality } = yield* fitBetaGeometricSteps(
    rows,
    {},
    modified,
    modified ? "fitMbgNbd" : "fitBgNbd",
  );
  return { kind, params: { r, alpha, a, b }, ...quality };
}

/** Reads a bare BG/NBD parameter set (the older API) as a model. */
export function asPurchaseModel(model: PurchaseModel | BgNbdParams): PurchaseModel {
  return "kind" in model ? model : { kind: "bg-nbd", params: model };
}

/** P(alive | x, tx, T). */
export function modelPAlive(model: PurchaseModel, x: number, tx: number, T: number): number {
  switch (model.kind) {
    case "bg-nbd":
      return bgNbdPAlive(model.params, x, tx, T);
    case "mbg-nbd":
      return mbgNbdPAlive(model.params, x, tx, T);
    case "pareto-nbd":
      return paretoNbdPAlive(model.params, x, tx, T);
  }
}

/** Expected purchases in the next t given (x, tx, T). */
export function modelConditionalExpected(
  model: PurchaseModel,
  t: number,
  x: number,
  tx: number,
  T: number,
): number {
  switch (model.kind) {
    case "bg-nbd":
      return bgNbdConditionalExpected(model.params, t, x, tx, T);
    case "mbg-nbd":
      return mbgNbdConditionalExpected(model.params, t, x, tx, T);
    case "pareto-nbd":
      return paretoNbdConditionalExpected(model.params, t, x, tx, T);
  }
}

/** P(no purchase in the next t | x, tx, T). */
export function modelPNoPurchase(model: PurchaseModel, t: number, x: number, tx: number, T: number): number {
  switch (model.kind) {
    case "bg-nbd":
      return bgNbdPNoPurchase(model.params, t, x, tx, T);
    case "mbg-nbd":
      return mbgNbdPNoPurchase(model.params, t, x, tx, T);
    case "pareto-nbd":
      return paretoNbdPNoPurchase(model.params, t, x, tx, T);
  }
}

/**
 * Expected purchases in the next t for a customer who is active now, after x repeat purchases
 * with age T; unchecked (callers validated x and T). Depends on (x, T) only, which lets CLV share
 * the horizon sums between customers.
 */
export function modelExpectedIfAlive(model: PurchaseModel, t: number, x: number, T: number): number {
  switch (model.kind) {
    case "bg-nbd": {
      const { r, alpha, a, b } = model.params;
      return betaGeometricExpected(r + x, alpha + T, a, b + x, t);
    }
    case "mbg-nbd": {
      const { r, alpha, a, b } = model.params;
      return betaGeometricExpected(r + x, alpha + T, a, b + x + 1, t);
    }
    case "pareto-nbd":
      return paretoNbdExpectedIfAlive(model.params, t, x, T);
  }
}

/** P(no purchase in the next t | active now, x, T); unchecked. */
export function modelNoPurchaseIfAlive(model: PurchaseModel, t: number, x: number, T: number): number {
  switch (model.kind) {
    case "bg-nbd":
    case "mbg-nbd": {
      const { r, alpha } = model.params;
      return Math.exp(-(r + x) * Math.log1p(t / (alpha + T)));
    }
    case "pareto-nbd":
      return paretoNbdNoPurchaseIfAlive(model.params, t, x, T);
  }
}

/** The parameters as one line, e.g. "r 0.243, alpha 4.41, a 0.793, b 2.43". */
export function describeParams(model: PurchaseModel): string {
  return Object.entries(model.params)
    .map(([name, value]) => `${name} ${Number(value).toPrecision(3)}`)
    .join(", ");
}
