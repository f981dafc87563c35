import {
  calibrationProblem,
  carryByConstantRate,
  fitChurnCalibrationSteps,
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
  fitPurchaseModelSteps,
  modelNoPurchaseIfAlive,
  modelPNoPurchase,
  PURCHASE_MODEL_KINDS,
  PURCHASE_MODELS,
  type PurchaseModelFit,
  type PurchaseModelKind,
} from "../../core/purchaseModel.js";
import { modelOnlyReason, riskReasons, type RiskReason } from "../../core/risk.js";
import type { PurchaseRow } from "../../core/purchaseRows.js";
import {
  boughtBetween,
  customerState,
  dayText,
  type ChurnState,
  type CustomerState,
} from "./customerState.js";
import type { CustomerHistory } from "./history.js";
import { Slices } from "./yieldToCalls.js";

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
  /** The book's median of customers' typical gaps, the gap assumed for one-time buyers. */
  referenceGapDays: number;
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

/** The median of customers' typical gaps (the reference gap for one-time buyers). */
export function referenceGapDays(gaps: Float64Array): number {
  const known = gaps.filter((gap) => !Number.isNaN(gap)).sort();
  if (known.length === 0) return DEFAULT_REFERENCE_GAP_DAYS;
  const middle = Math.floor(known.length / 2);
  return known.length % 2 ? known[middle] : (known[middle - 1] + known[middle]) / 2;
}

/** The churn signals of a customer state, with the model's P(no purchase) when there is one. */
export function churnSignals(
  state: ChurnState,
  cutoffDay: number,
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
    daysSinceLastInteraction: state.lastInteractionDay === null ? null : cutoffDay - state.lastInteractionDay,
    modelNoPurchase,
  };
}

async function tryFit(
  kind: PurchaseModelKind,
  rows: readonly PurchaseRow[],
  slices: Slices,
): Promise<PurchaseModelFit | string> {
  if (rows.length < MIN_CUSTOMERS_TO_FIT) {
    return `${rows.length} purchasing customers, at least ${MIN_CUSTOMERS_TO_FIT} needed`;
  }
  try {
    return await slices.run(fitPurchaseModelSteps(kind, rows));
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

/** One inner window: sampled customers as of its origin, with the label of what they did next. */
interface Window {
  originDay: number;
  states: (CustomerState | null)[];
  labels: (0 | 1 | null)[];
  /** The window's fit rows (customers with T > 0) and reference gap. */
  rows: PurchaseRow[];
  referenceGap: number;
}

/** A mask: the loops over the sample look at the clock (`Slices.pause`) once every 512 customers. */
const PAUSE_EVERY = 511;

async function innerWindow(
  histories: readonly CustomerHistory[],
  originDay: number,
  innerDays: number,
  slices: Slices,
): Promise<Window> {
  const states: (CustomerState | null)[] = [];
  const labels: (0 | 1 | null)[] = [];
  const rows: PurchaseRow[] = [];
  const gaps = new Float64Array(histories.length).fill(NaN);
  for (let i = 0; i < histories.length; i++) {
    if ((i & PAUSE_EVERY) === 0) await slices.pause();
    let state: CustomerState | null;
    try {
      state = customerState(histories[i], originDay);
    } catch {
      state = null;
    }
    states.push(state);
    labels.push(
      state === null ? null : boughtBetween(histories[i], originDay, originDay + innerDays) ? 0 : 1,
    );
    if (state === null) continue;
    if (state.T > 0) rows.push({ x: state.x, tx: state.tx, T: state.T });
    if (state.activity.typicalGapDays !== null) gaps[i] = state.activity.typicalGapDays;
  }
  return { originDay, states, labels, rows, referenceGap: referenceGapDays(gaps) };
}

/** Labelled examples of a window, with the model's probabilities at the inner horizon. */
async function examplesOf(
  window: Window,
  model: PurchaseModelFit | null,
  innerDays: number,
  slices: Slices,
): Promise<CalibrationExample[]> {
  const examples: CalibrationExample[] = [];
  for (let i = 0; i < window.states.length; i++) {
    if ((i & PAUSE_EVERY) === 0) await slices.pause();
    const state = window.states[i];
    const label = window.labels[i];
    if (state === null || label === null) continue;
    const noPurchase = model ? modelPNoPurchase(model, innerDays, state.x, state.tx, state.T) : null;
    examples.push({
      features: churnFeatureValues(churnSignals(state, window.originDay, window.referenceGap, noPurchase)),
      survivalIfAlive: model ? modelNoPurchaseIfAlive(model, innerDays, state.x, state.T) : 1,
      churned: label,
    });
  }
  return examples;
}

/** What the churn model is built from: a book read once, summarised. */
export interface ChurnModelInput {
  /**
   * Customers whose full histories the inner windows replay: the whole book when it is small, a
   * fixed random sample of a large one (see `scoreBook`).
   */
  sample: readonly CustomerHistory[];
  /** Customers in the book, to say how large the sample is against it. */
  bookCustomers: number;
  asOfDay: number;
  horizonDays: number;
  /** The book's first purchase day, or null without purchases. */
  firstPurchaseDay: number | null;
  /** (x, tx, T) of the book's customers as of the as-of date (T > 0), for the final fit. */
  rowsAtAsOf: readonly PurchaseRow[];
  /** The book's reference gap as of the as-of date. */
  referenceGapDays: number;
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
export async function buildChurnModel(
  input: ChurnModelInput,
  slices: Slices = new Slices(),
): Promise<ChurnModelReport> {
  const { sample, asOfDay, horizonDays } = input;
  const notes: string[] = [];
  if (sample.length < input.bookCustomers) {
    notes.push(
      `Model choice and calibration replay a fixed random sample of ${sample.length.toLocaleString("en-US")} of the book's ${input.bookCustomers.toLocaleString("en-US")} customers; the purchase model is fitted on the whole book.`,
    );
  }
  const historyDays = input.firstPurchaseDay === null ? 0 : asOfDay - input.firstPurchaseDay;
  const plan = planCalibration(historyDays, horizonDays);
  const candidates: CandidateReport[] = [];
  const fitsAtLatest = new Map<PurchaseModelKind, PurchaseModelFit>();
  let latest: Window | null = null;
  let chosenKind: PurchaseModelKind | null = null;
  let selection: string;

  const report = async (
    kind: PurchaseModelKind,
    fit: PurchaseModelFit | string,
    evaluation?: Window,
    h = 0,
  ) => {
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
      for (let i = 0; i < evaluation.states.length; i++) {
        if ((i & PAUSE_EVERY) === 0) await slices.pause();
        const state = evaluation.states[i];
        const label = evaluation.labels[i];
        if (state === null || label === null) continue;
        probabilities.push(modelPNoPurchase(fit, h, state.x, state.tx, state.T));
        labels.push(label);
      }
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
    latest = await innerWindow(sample, asOfDay - plan.originOffsetsDays[0], h, slices);
    for (const kind of PURCHASE_MODEL_KINDS) {
      const fit = await tryFit(kind, latest.rows, slices);
      if (typeof fit !== "string") fitsAtLatest.set(kind, fit);
      await report(kind, fit, latest, h);
    }
    const ranked = candidates
      .filter((c) => c.innerLogLoss !== null)
      .sort((a, b) => Number(a.degenerate) - Number(b.degenerate) || a.innerLogLoss! - b.innerLogLoss!);
    chosenKind = ranked[0]?.kind ?? null;
    selection = chosenKind
      ? `${PURCHASE_MODELS[chosenKind].label}: the lowest log loss of P(no purchase in ${h} days) in the window after ${dayText(latest.originDay)}${ranked[0].degenerate ? " (every candidate's fit was degenerate; its purchase rates are still used, the calibration carries recency)" : ""}`
      : "no purchase model could be fitted";
  } else {
    notes.push(`No calibration: ${plan.reason}.`);
    for (const kind of PURCHASE_MODEL_KINDS) {
      const fit = await tryFit(kind, input.rowsAtAsOf, slices);
      if (typeof fit !== "string") fitsAtLatest.set(kind, fit);
      await report(kind, fit);
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
    const fit = plan.ok ? await tryFit(chosenKind, input.rowsAtAsOf, slices) : fitsAtLatest.get(chosenKind)!;
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
    const offsets = calibrationProblem(await examplesOf(latest, null, h, slices))
      ? [plan.originOffsetsDays[0]]
      : plan.originOffsetsDays;
    for (const [index, offset] of offsets.entries()) {
      const window = index === 0 ? latest : await innerWindow(sample, asOfDay - offset, h, slices);
      let model: PurchaseModelFit | null = null;
      if (chosenKind) {
        const fit =
          index === 0
            ? (fitsAtLatest.get(chosenKind) ?? "not fitted")
            : await tryFit(chosenKind, window.rows, slices);
        // Without the model the window's features and carry would differ from the others': skip it.
        if (typeof fit === "string") {
          notes.push(`Inner window after ${dayText(window.originDay)} left out: ${fit}.`);
          continue;
        }
        model = fit;
      }
      for (const example of await examplesOf(window, model, h, slices)) examples.push(example);
      origins.push(dayText(window.originDay));
    }
    const problem = calibrationProblem(examples);
    if (problem) notes.push(`No calibration: ${problem}.`);
    else {
      const mode = plan.mode === "dropout-mixture" && !purchaseModel ? "logistic" : plan.mode;
      calibration = await slices.run(fitChurnCalibrationSteps(examples, mode));
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

  return {
    horizonDays,
    method,
    purchaseModel,
    candidates,
    selection: selection!,
    calibration: calibrationReport,
    referenceGapDays: input.referenceGapDays,
    notes,
  };
}

/**
 * Scores customer states as of `asOfDay` with a built model. Everything it needs is in the
 * report, so a score set stored with its report can score a changed customer again later without
 * refitting anything.
 */
export function churnScorer(
  report: ChurnModelReport,
  asOfDay: number,
  explain = true,
): (state: ChurnState) => ChurnScore {
  const { horizonDays, purchaseModel, referenceGapDays: reference } = report;
  const calibration: ChurnCalibration | null = report.calibration && {
    mode: report.calibration.mode,
    intercept: report.calibration.intercept,
    weights: report.calibration.weights,
    l2: 0,
    examples: report.calibration.examples,
    churnRate: report.calibration.churnRate,
    logLoss: report.calibration.logLoss,
    converged: report.calibration.converged,
  };
  const innerHorizonDays = report.calibration?.innerHorizonDays ?? horizonDays;
  const modelLabel = purchaseModel ? PURCHASE_MODELS[purchaseModel.kind].label : "";
  const carryWithoutModel = calibration !== null && !purchaseModel && innerHorizonDays < horizonDays;
  const context = { horizonDays, modelLabel };
  return (state: ChurnState): ChurnScore => {
    const modelNoPurchase = purchaseModel
      ? modelPNoPurchase(purchaseModel, horizonDays, state.x, state.tx, state.T)
      : null;
    const signals = churnSignals(state, asOfDay, reference, modelNoPurchase);
    if (calibration) {
      const survival = purchaseModel
        ? modelNoPurchaseIfAlive(purchaseModel, horizonDays, state.x, state.T)
        : 1;
      const prediction = predictChurn(calibration, churnFeatureValues(signals), survival);
      const probability = carryWithoutModel
        ? carryByConstantRate(prediction.probability, innerHorizonDays, horizonDays)
        : prediction.probability;
      return {
        churnProbability: probability,
        modelNoPurchase,
        reasons: explain ? riskReasons(prediction, signals, context) : [],
      };
    }
    if (modelNoPurchase !== null) {
      return {
        churnProbability: modelNoPurchase,
        modelNoPurchase,
        reasons: explain ? [modelOnlyReason(signals, modelNoPurchase, context)] : [],
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
}

/** {@link churnScorer} for the probability alone: bulk scoring words no reasons (see `explain.ts`). */
export function churnProbabilityOf(report: ChurnModelReport, asOfDay: number): (state: ChurnState) => number {
  const scorer = churnScorer(report, asOfDay, false);
  return (state) => scorer(state).churnProbability;
}
