import {
  calibrationProblem,
  carryByConstantRate,
  fitChurnCalibration,
  heuristicChurnProbability,
  planCalibration,
  predictChurn,
  type CalibrationExample,
  type CalibrationWeight,
  type ChurnCalibration,
} from "../../core/churnCalibration.js";
import { churnFeatureValues, type ChurnSignals } from "../../core/churnFeatures.js";
import { auc } from "../../core/evaluation.js";
import {
  fitPurchaseModel,
  modelNoPurchaseIfAlive,
  modelPNoPurchase,
  PURCHASE_MODEL_KINDS,
  PURCHASE_MODELS,
  type PurchaseModelFit,
  type PurchaseModelKind,
} from "../../core/purchaseModel.js";
import { modelOnlyReason, riskReasons, type RiskReason } from "../../core/risk.js";
import { asOfDay } from "../asOf.js";
import { boughtBetween, customerState, daysBetween, type CustomerState } from "./customerState.js";
import type { CustomerRecord } from "./loadBook.js";

const DAY_MS = 86_400_000;
/** Fewer purchasing customers than this cannot support a purchase-model fit worth reporting. */
export const MIN_CUSTOMERS_TO_FIT = 20;
/** Gap assumed for one-time buyers when nobody in the book has bought twice. */
const DEFAULT_REFERENCE_GAP_DAYS = 90;

/** How one candidate purchase model did in the latest inner window. */
export interface CandidateReport {
  kind: PurchaseModelKind;
  label: string;
  /** AUC of its P(no purchase in h) for the inner window's labels; null when not evaluated. */
  innerAuc: number | null;
  /** Mean log loss of that probability; null when not evaluated. */
  innerLogLoss: number | null;
  logLikelihood: number | null;
  degenerate: boolean;
  problems: string[];
}

/** How churn probabilities are made for a score set: stored with it and shown by the tools. */
export interface ChurnModelReport {
  horizonDays: number;
  /** calibrated-logistic / calibrated-dropout-mixture: learnt on the book; model / heuristic: fallbacks. */
  method: "calibrated-logistic" | "calibrated-dropout-mixture" | "model" | "heuristic";
  /** The purchase model in use, fitted on everything up to the as-of date. */
  purchaseModel: PurchaseModelFit | null;
  candidates: CandidateReport[];
  /** Why this purchase model was chosen. */
  selection: string;
  calibration: {
    mode: ChurnCalibration["mode"];
    innerHorizonDays: number;
    /** The inner windows' origins (YYYY-MM-DD), latest first. */
    origins: string[];
    examples: number;
    churnRate: number;
    intercept: number;
    weights: CalibrationWeight[];
    logLoss: number;
    converged: boolean;
  } | null;
  /** What was done differently from the full recipe and why, in plain words. */
  notes: string[];
}

/** A customer's churn probability and everything said about it. */
export interface ChurnScore {
  churnProbability: number;
  /** The purchase model's own P(no purchase in H); null without a model. */
  modelNoPurchase: number | null;
  reasons: RiskReason[];
}

/** The book's median of customers' typical gaps, the reference gap for one-time buyers. */
export function referenceGapDays(states: readonly (CustomerState | null)[]): number {
  const gaps = states
    .map((state) => state?.activity.typicalGapDays ?? null)
    .filter((gap): gap is number => gap !== null)
    .sort((a, b) => a - b);
  if (gaps.length === 0) return DEFAULT_REFERENCE_GAP_DAYS;
  const middle = Math.floor(gaps.length / 2);
  return gaps.length % 2 ? gaps[middle] : (gaps[middle - 1] + gaps[middle]) / 2;
}

/** The churn signals of a customer state, with the model's P(no purchase) when there is one. */
export function churnSignals(
  state: CustomerState,
  cutoff: Date,
  referenceGap: number,
  modelNoPurchase: number | null,
): ChurnSignals {
  const activity = state.activity;
  return {
    x: state.x,
    tenureDays: state.T,
    daysSinceLastPurchase: activity.daysSinceLastPurchase ?? 0,
    typicalGapDays: activity.typicalGapDays,
    referenceGapDays: referenceGap,
    averageSpend: state.averageSpend,
    spendTrend: activity.spendTrend,
    latestNps: state.latestNps,
    feedbackCount: state.feedbackCount,
    negativeFeedbackCount: state.negativeFeedbackCount,
    openComplaints: state.openComplaints,
    daysSinceLastInteraction: state.lastInteraction ? daysBetween(state.lastInteraction, cutoff) : null,
    modelNoPurchase,
  };
}

function fitRows(states: readonly (CustomerState | null)[]) {
  return states.filter((state): state is CustomerState => state !== null && state.T > 0);
}

function tryFit(
  kind: PurchaseModelKind,
  states: readonly (CustomerState | null)[],
): PurchaseModelFit | string {
  const rows = fitRows(states);
  if (rows.length < MIN_CUSTOMERS_TO_FIT) {
    return `${rows.length} purchasing customers, at least ${MIN_CUSTOMERS_TO_FIT} needed`;
  }
  try {
    return fitPurchaseModel(
      kind,
      rows.map(({ x, tx, T }) => ({ x, tx, T })),
    );
  } catch (error) {
    return (error as Error).message;
  }
}

function logLoss(probabilities: readonly number[], labels: readonly number[]): number {
  let sum = 0;
  probabilities.forEach((p, i) => {
    const q = Math.min(1 - 1e-6, Math.max(1e-6, p));
    sum -= labels[i] ? Math.log(q) : Math.log(1 - q);
  });
  return sum / Math.max(1, probabilities.length);
}

/** One inner window: customers as of its origin, with the label of what they did next. */
interface Window {
  origin: Date;
  states: (CustomerState | null)[];
  labels: (0 | 1 | null)[];
}

function innerWindow(
  records: readonly CustomerRecord[],
  negatives: readonly boolean[][],
  origin: Date,
  innerDays: number,
): Window {
  const end = new Date(origin.getTime() + innerDays * DAY_MS);
  const states = records.map((record, i) => {
    try {
      return customerState(record, origin, negatives[i]);
    } catch {
      return null;
    }
  });
  const labels = states.map((state, i) =>
    state === null ? null : boughtBetween(records[i], origin, end) ? (0 as const) : (1 as const),
  );
  return { origin, states, labels };
}

/** Labelled examples of a window, with the model's probabilities at the inner horizon. */
function examplesOf(window: Window, model: PurchaseModelFit | null, innerDays: number): CalibrationExample[] {
  const reference = referenceGapDays(window.states);
  const examples: CalibrationExample[] = [];
  window.states.forEach((state, i) => {
    const label = window.labels[i];
    if (state === null || label === null) return;
    const noPurchase = model ? modelPNoPurchase(model, innerDays, state.x, state.tx, state.T) : null;
    examples.push({
      features: churnFeatureValues(churnSignals(state, window.origin, reference, noPurchase)),
      survivalIfAlive: model ? modelNoPurchaseIfAlive(model, innerDays, state.x, state.T) : 1,
      churned: label,
    });
  });
  return examples;
}

/**
 * Chooses the purchase model, fits it on everything up to `asOf`, calibrates churn probabilities
 * on inner windows of the book's own history (see `core/churnCalibration.ts`) and returns the
 * report with a function that scores a customer state as of `asOf`.
 *
 * Model choice: every candidate is fitted at the latest inner origin and judged by the log loss
 * of its P(no purchase in h) against what customers did in the window; degenerate fits are passed
 * over while a sound one exists. Without an inner window, by the likelihood at the as-of date.
 */
export function buildChurnModel(
  records: readonly CustomerRecord[],
  negatives: readonly boolean[][],
  asOf: Date,
  horizonDays: number,
  statesAtAsOf: readonly (CustomerState | null)[],
): { report: ChurnModelReport; score: (state: CustomerState) => ChurnScore } {
  const notes: string[] = [];
  const firstPurchase = Math.min(
    ...statesAtAsOf.map((state) => state?.activity.firstPurchase?.getTime() ?? Infinity),
  );
  const historyDays = Number.isFinite(firstPurchase) ? daysBetween(new Date(firstPurchase), asOf) : 0;
  const plan = planCalibration(historyDays, horizonDays);
  const candidates: CandidateReport[] = [];
  const fitsAtLatest = new Map<PurchaseModelKind, PurchaseModelFit>();
  let latest: Window | null = null;
  let chosenKind: PurchaseModelKind | null = null;
  let selection: string;

  const report = (kind: PurchaseModelKind, fit: PurchaseModelFit | string, evaluation?: Window, h = 0) => {
    const entry: CandidateReport = {
      kind,
      label: PURCHASE_MODELS[kind].label,
      innerAuc: null,
      innerLogLoss: null,
      logLikelihood: typeof fit === "string" ? null : fit.logLikelihood,
      degenerate: typeof fit === "string" ? true : fit.diagnostics.degenerate,
      problems: typeof fit === "string" ? [fit] : fit.diagnostics.problems,
    };
    if (typeof fit !== "string" && evaluation) {
      const probabilities: number[] = [];
      const labels: number[] = [];
      evaluation.states.forEach((state, i) => {
        const label = evaluation.labels[i];
        if (state === null || label === null) return;
        probabilities.push(modelPNoPurchase(fit, h, state.x, state.tx, state.T));
        labels.push(label);
      });
      if (labels.length > 0) {
        entry.innerAuc = auc(probabilities, labels);
        entry.innerLogLoss = logLoss(probabilities, labels);
      }
    }
    candidates.push(entry);
    return entry;
  };

  if (plan.ok) {
    const h = plan.innerHorizonDays;
    latest = innerWindow(
      records,
      negatives,
      new Date(asOf.getTime() - plan.originOffsetsDays[0] * DAY_MS),
      h,
    );
    for (const kind of PURCHASE_MODEL_KINDS) {
      const fit = tryFit(kind, latest.states);
      if (typeof fit !== "string") fitsAtLatest.set(kind, fit);
      report(kind, fit, latest, h);
    }
    const ranked = candidates
      .filter((c) => c.innerLogLoss !== null)
      .sort((a, b) => Number(a.degenerate) - Number(b.degenerate) || a.innerLogLoss! - b.innerLogLoss!);
    chosenKind = ranked[0]?.kind ?? null;
    selection = chosenKind
      ? `${PURCHASE_MODELS[chosenKind].label}: the lowest log loss of P(no purchase in ${h} days) in the window after ${asOfDay(latest.origin)}${ranked[0].degenerate ? " (every candidate's fit was degenerate; its purchase rates are still used, the calibration carries recency)" : ""}`
      : "no purchase model could be fitted";
  } else {
    notes.push(`No calibration: ${plan.reason}.`);
    for (const kind of PURCHASE_MODEL_KINDS) {
      const fit = tryFit(kind, statesAtAsOf);
      if (typeof fit !== "string") fitsAtLatest.set(kind, fit);
      report(kind, fit);
    }
    const ranked = candidates
      .filter((c) => c.logLikelihood !== null)
      .sort((a, b) => Number(a.degenerate) - Number(b.degenerate) || b.logLikelihood! - a.logLikelihood!);
    chosenKind = ranked[0]?.kind ?? null;
    selection = chosenKind
      ? `${PURCHASE_MODELS[chosenKind].label}: the highest likelihood on the book (no inner window to compare predictions on)`
      : "no purchase model could be fitted";
  }

  let purchaseModel: PurchaseModelFit | null = null;
  if (chosenKind) {
    const fit = plan.ok ? tryFit(chosenKind, statesAtAsOf) : fitsAtLatest.get(chosenKind)!;
    if (typeof fit === "string")
      notes.push(`${PURCHASE_MODELS[chosenKind].label} not fitted at the as-of date: ${fit}.`);
    else {
      purchaseModel = fit;
      if (fit.diagnostics.degenerate) {
        notes.push(
          `The ${PURCHASE_MODELS[chosenKind].label} fit is degenerate (${fit.diagnostics.problems.join("; ")}); its P(alive) says little, the churn probability leans on the calibrated signals.`,
        );
      }
    }
  } else {
    const reasons = [...new Set(candidates.map((c) => c.problems.join("; ")))];
    notes.push(
      reasons.length === 1
        ? `No purchase model: ${reasons[0]}.`
        : `No purchase model: ${candidates.map((c) => `${c.label}: ${c.problems.join("; ")}`).join(" | ")}.`,
    );
  }

  let calibration: ChurnCalibration | null = null;
  let calibrationReport: ChurnModelReport["calibration"] = null;
  let origins: string[] = [];
  if (plan.ok && latest) {
    const h = plan.innerHorizonDays;
    const examples: CalibrationExample[] = [];
    // A latest window where (almost) nobody bought, or everybody did, cannot calibrate anything,
    // and earlier windows will not fix that: typically an as-of date long after the newest purchase.
    const offsets = calibrationProblem(examplesOf(latest, null, h))
      ? [plan.originOffsetsDays[0]]
      : plan.originOffsetsDays;
    offsets.forEach((offset, index) => {
      const window =
        index === 0
          ? latest!
          : innerWindow(records, negatives, new Date(asOf.getTime() - offset * DAY_MS), h);
      let model: PurchaseModelFit | null = null;
      if (chosenKind) {
        const fit =
          index === 0 ? (fitsAtLatest.get(chosenKind) ?? "not fitted") : tryFit(chosenKind, window.states);
        // Without the model the window's features and carry would differ from the others': skip it.
        if (typeof fit === "string") {
          notes.push(`Inner window after ${asOfDay(window.origin)} left out: ${fit}.`);
          return;
        }
        model = fit;
      }
      examples.push(...examplesOf(window, model, h));
      origins.push(asOfDay(window.origin));
    });
    const problem = calibrationProblem(examples);
    if (problem) notes.push(`No calibration: ${problem}.`);
    else {
      const mode = plan.mode === "dropout-mixture" && !purchaseModel ? "logistic" : plan.mode;
      calibration = fitChurnCalibration(examples, mode);
      if (plan.mode === "dropout-mixture") {
        notes.push(
          purchaseModel
            ? `The history (${historyDays} days) is too short to observe ${horizonDays}-day windows: calibrated on ${h}-day windows and carried to ${horizonDays} days with the ${PURCHASE_MODELS[purchaseModel.kind].label} model's P(no purchase in t) for an active customer.`
            : `The history (${historyDays} days) is too short to observe ${horizonDays}-day windows and there is no purchase model: calibrated on ${h}-day windows and carried to ${horizonDays} days as if silence compounded at a constant rate.`,
        );
      }
      calibrationReport = {
        mode: calibration.mode,
        innerHorizonDays: h,
        origins,
        examples: calibration.examples,
        churnRate: calibration.churnRate,
        intercept: calibration.intercept,
        weights: calibration.weights,
        logLoss: calibration.logLoss,
        converged: calibration.converged,
      };
    }
  }
  if (!calibration) origins = [];

  const method: ChurnModelReport["method"] = calibration
    ? calibration.mode === "logistic"
      ? "calibrated-logistic"
      : "calibrated-dropout-mixture"
    : purchaseModel
      ? "model"
      : "heuristic";
  if (method === "model")
    notes.push(
      `Churn probability is the ${PURCHASE_MODELS[purchaseModel!.kind].label} model's own P(no purchase in ${horizonDays} days), not calibrated.`,
    );
  if (method === "heuristic")
    notes.push(
      "Churn probability is a rule of thumb from each customer's silence against their usual gap (too few customers for a model).",
    );

  const reference = referenceGapDays(statesAtAsOf);
  const modelLabel = purchaseModel ? PURCHASE_MODELS[purchaseModel.kind].label : "";
  const carryWithoutModel =
    calibration !== null && !purchaseModel && plan.ok && plan.innerHorizonDays < horizonDays;
  const score = (state: CustomerState): ChurnScore => {
    const modelNoPurchase = purchaseModel
      ? modelPNoPurchase(purchaseModel, horizonDays, state.x, state.tx, state.T)
      : null;
    const signals = churnSignals(state, asOf, reference, modelNoPurchase);
    const context = { horizonDays, modelLabel };
    if (calibration) {
      const survival = purchaseModel
        ? modelNoPurchaseIfAlive(purchaseModel, horizonDays, state.x, state.T)
        : 1;
      const prediction = predictChurn(calibration, churnFeatureValues(signals), survival);
      const probability = carryWithoutModel
        ? carryByConstantRate(
            prediction.probability,
            (plan as { innerHorizonDays: number }).innerHorizonDays,
            horizonDays,
          )
        : prediction.probability;
      return {
        churnProbability: probability,
        modelNoPurchase,
        reasons: riskReasons(prediction, signals, context),
      };
    }
    if (modelNoPurchase !== null) {
      return {
        churnProbability: modelNoPurchase,
        modelNoPurchase,
        reasons: [modelOnlyReason(signals, modelNoPurchase, context)],
      };
    }
    const gap = state.activity.typicalGapDays ?? reference;
    const probability = heuristicChurnProbability(signals.daysSinceLastPurchase, gap, horizonDays);
    return {
      churnProbability: probability,
      modelNoPurchase: null,
      reasons: [
        {
          factor: "overdue",
          contribution: 100 * probability,
          en: `rule of thumb: ${signals.daysSinceLastPurchase} days since the last purchase against a usual ${Math.round(gap)}-day gap`,
          zh: `经验规则：距上次购买${signals.daysSinceLastPurchase}天，通常间隔${Math.round(gap)}天`,
        },
      ],
    };
  };

  return {
    report: {
      horizonDays,
      method,
      purchaseModel,
      candidates,
      selection: selection!,
      calibration: calibrationReport,
      notes,
    },
    score,
  };
}
