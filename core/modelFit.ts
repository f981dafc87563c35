/**
 * Maximum-likelihood fitting over log-parameters, shared by the purchase models, and the checks
 * that tell a usable estimate from a degenerate one.
 *
 * An optimiser can "converge" to a point that is no estimate at all: a parameter running off to
 * the edge of the space (a -> 0 with b exploding means "nobody ever drops out"), or a likelihood
 * so flat in some direction that the data do not pin the parameter down. Such fits produce
 * P(alive) = 1 for everyone and must not be used silently, so every fit carries diagnostics:
 * the observed information (the Hessian of the mean negative log-likelihood in log-parameters,
 * by central differences of the analytic gradient), whether it is positive definite, the
 * standard errors of the log-parameters it implies, and parameters at the edge of the box.
 */

import { minimizeSteps, minimizeWithPilotSteps, runSteps, type Objective, type Steps } from "./optimize.js";

/** The search box for log-parameters: e^±25 spans 1e-11 to 7e10. */
export const LOG_BOUND = 25;
/** A log-parameter within this distance of the box is "at the edge". */
const EDGE_MARGIN = 1;
/**
 * Shape parameters beyond this have collapsed their gamma or beta mixing distribution onto a
 * point: the "heterogeneity" the model is built on has gone, a sign of a boundary solution.
 */
export const EXPLODING_SHAPE = 1e4;

/** Edge problems for shape parameters that have run off to infinity, by name. */
export function explodingShapes(names: readonly string[], values: readonly number[]): string[] {
  return names.flatMap((name, i) =>
    values[i] > EXPLODING_SHAPE
      ? [
          `${name} = ${values[i].toPrecision(3)} is exploding (above ${EXPLODING_SHAPE}): the model has collapsed to its no-heterogeneity limit`,
        ]
      : [],
  );
}

/**
 * Largest standard error of a log-parameter before the likelihood counts as flat in it: 2.5
 * means the 95% interval spans a factor of e^(2 x 1.96 x 2.5) ~ 18,000, i.e. the data say nothing.
 */
export const FLAT_LOG_STANDARD_ERROR = 2.5;

/** How trustworthy a fit is, in numbers and in words. */
export interface FitDiagnostics {
  /** True when the estimate must not be used (see `problems`). */
  degenerate: boolean;
  /** Each reason the fit is degenerate, in plain words with the numbers. */
  problems: string[];
  /** Whether the Hessian of the negative log-likelihood is positive definite at the estimate. */
  hessianPositiveDefinite: boolean;
  /** Standard errors of ln(parameter), by name; null when the Hessian cannot be inverted. */
  logStandardErrors: Record<string, number> | null;
}

/** A fit over named positive parameters. */
export interface LogParameterFit {
  /** The estimates, in the order of `names`. */
  values: number[];
  /** Total log-likelihood at the estimate. */
  logLikelihood: number;
  /** The optimiser's convergence test passed and the fit is not degenerate. */
  converged: boolean;
  /** The optimiser's own convergence test, whatever the diagnostics say. */
  optimizerConverged: boolean;
  iterations: number;
  diagnostics: FitDiagnostics;
}

/** What every purchase-model fit reports beside its parameters. */
export interface ModelFitQuality {
  /** Total log-likelihood at the estimate. */
  logLikelihood: number;
  /** Whether the optimiser's convergence test passed and the fit is not degenerate. */
  converged: boolean;
  /** The optimiser's own convergence test. */
  optimizerConverged: boolean;
  /** Optimiser iterations, summed over starting points. */
  iterations: number;
  /** Customers fitted (the sum of the weights). */
  customers: number;
  /** Edge, curvature and identification checks of the estimate. */
  diagnostics: FitDiagnostics;
}

/** The quality fields of a fit over `customers` customers. */
export function fitQuality(fit: LogParameterFit, customers: number): ModelFitQuality {
  return {
    logLikelihood: fit.logLikelihood,
    converged: fit.converged,
    optimizerConverged: fit.optimizerConverged,
    iterations: fit.iterations,
    customers,
    diagnostics: fit.diagnostics,
  };
}

/** What {@link fitLogParameters} needs. */
export interface LogParameterProblem {
  /** Parameter names, as the paper writes them. */
  names: readonly string[];
  /** Mean negative log-likelihood per customer over ln(parameters), with its gradient. */
  objective: Objective;
  /** The same mean over a subsample, to run the starts on cheaply (large books). */
  pilot?: Objective;
  /** Starting points in parameter space (not logs). */
  starts: readonly (readonly number[])[];
  /** Customers behind the mean (the sum of the weights): scales the likelihood and the errors. */
  customers: number;
  maxIterations?: number;
  /** Model-specific signs of a degenerate estimate, e.g. "a -> 0: nobody drops out". */
  edgeProblems?: (values: readonly number[]) => string[];
}

/** Maximises the likelihood over ln(parameters) from several starts and diagnoses the result. */
export function fitLogParameters(problem: LogParameterProblem): LogParameterFit {
  return runSteps(fitLogParametersSteps(problem));
}

/** {@link fitLogParameters}, yielding after each evaluation of the objective (see `Steps`). */
export function* fitLogParametersSteps(problem: LogParameterProblem): Steps<LogParameterFit> {
  const { names, objective } = problem;
  const clampLog = (v: number) => Math.min(LOG_BOUND - 1, Math.max(-LOG_BOUND + 1, Math.log(v)));
  const initial = problem.starts.map((start) => start.map(clampLog));
  const settings = {
    maxIterations: problem.maxIterations ?? 1000,
    gradientTolerance: 1e-9,
    valueTolerance: 1e-14,
    screenIterations: 8,
    lower: names.map(() => -LOG_BOUND),
    upper: names.map(() => LOG_BOUND),
  };
  const result = problem.pilot
    ? yield* minimizeWithPilotSteps(objective, problem.pilot, initial, settings)
    : yield* minimizeSteps(objective, initial, settings);
  const values = result.x.map(Math.exp);
  const diagnostics = yield* diagnoseSteps(problem, result.x);
  return {
    values,
    logLikelihood: -result.value * problem.customers,
    converged: result.converged && !diagnostics.degenerate,
    optimizerConverged: result.converged,
    iterations: result.iterations,
    diagnostics,
  };
}

/** The diagnostics of an estimate `theta` (log-parameters) of `problem`. */
export function diagnose(problem: LogParameterProblem, theta: readonly number[]): FitDiagnostics {
  return runSteps(diagnoseSteps(problem, theta));
}

function* diagnoseSteps(problem: LogParameterProblem, theta: readonly number[]): Steps<FitDiagnostics> {
  const { names, objective } = problem;
  const problems: string[] = [];
  theta.forEach((value, i) => {
    if (Math.abs(value) >= LOG_BOUND - EDGE_MARGIN) {
      problems.push(
        `${names[i]} = ${Math.exp(value).toPrecision(3)} is at the edge of the parameter space (the likelihood keeps improving as it ${value > 0 ? "grows" : "shrinks"})`,
      );
    }
  });
  problems.push(...(problem.edgeProblems?.(theta.map(Math.exp)) ?? []));
  const hessian = yield* numericalHessian(objective, theta);
  const inverse = hessian ? choleskyInverse(hessian) : null;
  let logStandardErrors: Record<string, number> | null = null;
  if (!inverse) {
    problems.push("the likelihood is not curved at the estimate (its Hessian is not positive definite)");
  } else {
    logStandardErrors = {};
    names.forEach((name, i) => {
      const error = Math.sqrt(Math.max(0, inverse[i][i]) / Math.max(problem.customers, 1));
      logStandardErrors![name] = error;
      if (!(error <= FLAT_LOG_STANDARD_ERROR)) {
        problems.push(
          `the likelihood is flat in ${names[i]} (standard error of ln ${names[i]} ${error.toPrecision(3)}): the data do not determine it`,
        );
      }
    });
  }
  return {
    degenerate: problems.length > 0,
    problems,
    hessianPositiveDefinite: inverse !== null,
    logStandardErrors,
  };
}

/** Central differences of the analytic gradient, symmetrised; null when any entry is not finite. */
function* numericalHessian(objective: Objective, theta: readonly number[]): Steps<number[][] | null> {
  const n = theta.length;
  const gradientAt = (point: number[]): number[] | null => {
    const gradient = new Array<number>(n).fill(0);
    if (objective.valueAndGradient) {
      const value = objective.valueAndGradient(point, gradient);
      return Number.isFinite(value) ? gradient : null;
    }
    const step = 1e-5;
    for (let i = 0; i < n; i++) {
      const up = point.slice();
      const down = point.slice();
      up[i] += step;
      down[i] -= step;
      gradient[i] = (objective.value(up) - objective.value(down)) / (2 * step);
    }
    return gradient.every(Number.isFinite) ? gradient : null;
  };
  const step = 1e-4;
  const hessian: number[][] = Array.from({ length: n }, () => new Array<number>(n).fill(0));
  for (let j = 0; j < n; j++) {
    const up = theta.slice();
    const down = theta.slice();
    up[j] += step;
    down[j] -= step;
    const gUp = gradientAt(up);
    yield;
    const gDown = gradientAt(down);
    yield;
    if (!gUp || !gDown) return null;
    for (let i = 0; i < n; i++) hessian[i][j] = (gUp[i] - gDown[i]) / (2 * step);
  }
  for (let i = 0; i < n; i++) {
    for (let j = 0; j < i; j++) {
      const mean = 0.5 * (hessian[i][j] + hessian[j][i]);
      hessian[i][j] = hessian[j][i] = mean;
    }
  }
  return hessian.every((row) => row.every(Number.isFinite)) ? hessian : null;
}

/**
 * The inverse of a symmetric matrix through its Cholesky factor, or null when the matrix is not
 * positive definite (a pivot at or below 1e-12 of the largest diagonal entry counts as zero).
 */
export function choleskyInverse(matrix: readonly (readonly number[])[]): number[][] | null {
  const n = matrix.length;
  const scale = Math.max(...matrix.map((row, i) => Math.abs(row[i])));
  if (!(scale > 0)) return null;
  const lower: number[][] = Array.from({ length: n }, () => new Array<number>(n).fill(0));
  for (let i = 0; i < n; i++) {
    for (let j = 0; j <= i; j++) {
      let sum = matrix[i][j];
      for (let k = 0; k < j; k++) sum -= lower[i][k] * lower[j][k];
      if (i === j) {
        if (!(sum > 1e-12 * scale)) return null;
        lower[i][i] = Math.sqrt(sum);
      } else lower[i][j] = sum / lower[j][j];
    }
  }
  // Invert L, then A^-1 = L^-T L^-1.
  const inverseLower: number[][] = Array.from({ length: n }, () => new Array<number>(n).fill(0));
  for (let i = 0; i < n; i++) {
    inverseLower[i][i] = 1 / lower[i][i];
    for (let j = 0; j < i; j++) {
      let sum = 0;
      for (let k = j; k < i; k++) sum -= lower[i][k] * inverseLower[k][j];
      inverseLower[i][j] = sum / lower[i][i];
    }
  }
  const inverse: number[][] = Array.from({ length: n }, () => new Array<number>(n).fill(0));
  for (let i = 0; i < n; i++) {
    for (let j = 0; j < n; j++) {
      let sum = 0;
      for (let k = Math.max(i, j); k < n; k++) sum += inverseLower[k][i] * inverseLower[k][j];
      inverse[i][j] = sum;
    }
  }
  return inverse;
}
