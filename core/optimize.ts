/**
 * Deterministic minimisers for the models' negative log-likelihoods.
 *
 * The models optimise over log-parameters so every parameter stays positive; the minimisers
 * themselves work on any box [lower, upper] (clamping, not penalties). Two methods:
 * - `bfgs`: quasi-Newton with an analytic gradient and a backtracking Armijo line search; it
 *   converges in a few dozen evaluations, which is what makes fitting a million customers fast.
 * - `nelderMead`: derivative-free simplex with the dimension-adaptive coefficients of Gao and Han
 *   (2012); slower, but needs only function values.
 * `minimize` runs either from several starting points and keeps the best.
 *
 * Each comes as a generator too (`bfgsSteps`, ...) that yields after every evaluation of the
 * objective and returns the same result: a caller with other work waiting (a server answering
 * calls while it fits a large book) steps it and takes turns, and the plain function runs it to
 * the end.
 */

/** A computation that yields between its expensive steps and returns a `T`. */
export type Steps<T> = Generator<void, T, void>;

/** Runs `steps` to the end and returns its result. */
export function runSteps<T>(steps: Steps<T>): T {
  for (;;) {
    const step = steps.next();
    if (step.done) return step.value;
  }
}

/** A function to minimise; `valueAndGradient` is required by BFGS. */
export interface Objective {
  /** f(x); may return Infinity or NaN outside its domain (treated as +Infinity). */
  value(x: readonly number[]): number;
  /** f(x), writing ∇f(x) into `gradient`. */
  valueAndGradient?(x: readonly number[], gradient: number[]): number;
}

/** Options shared by the minimisers. */
export interface MinimizeOptions {
  /** Iteration cap per start (default 1000 for BFGS, 5000 for Nelder-Mead). */
  maxIterations?: number;
  /** Convergence tolerance on the gradient's largest component (BFGS; default 1e-7). */
  gradientTolerance?: number;
  /** Convergence tolerance on the (predicted) change in f, relative to 1 + |f| (default 1e-12). */
  valueTolerance?: number;
  /** Lower bounds per coordinate (default -Infinity). */
  lower?: readonly number[];
  /** Upper bounds per coordinate (default +Infinity). */
  upper?: readonly number[];
  /** Largest step of one line search in any coordinate (BFGS; default 2). */
  maxStep?: number;
  /** Starting inverse Hessian for BFGS, row-major n × n (default: the identity). */
  initialInverseHessian?: readonly number[];
}

/** The outcome of one minimisation. */
export interface MinimizeResult {
  /** The best point found. */
  x: number[];
  /** f at that point. */
  value: number;
  /** Iterations used (line searches for BFGS, simplex steps for Nelder-Mead). */
  iterations: number;
  /** Evaluations of the objective. */
  evaluations: number;
  /** Whether a convergence test passed before the iteration cap. */
  converged: boolean;
  /** Which test stopped the search, in words. */
  reason: string;
  /** BFGS only: the final inverse Hessian approximation, row-major n × n. */
  inverseHessian?: number[];
}

function clampInto(x: number[], lower: readonly number[] | undefined, upper: readonly number[] | undefined) {
  for (let i = 0; i < x.length; i++) {
    if (lower && x[i] < lower[i]) x[i] = lower[i];
    if (upper && x[i] > upper[i]) x[i] = upper[i];
  }
}

function safe(value: number): number {
  return Number.isNaN(value) ? Infinity : value;
}

/**
 * Broyden-Fletcher-Goldfarb-Shanno quasi-Newton minimisation (Nocedal and Wright, Numerical
 * Optimization, 2nd ed., algorithm 6.1) with a backtracking Armijo line search. Box bounds are an
 * active set: coordinates held at a bound the step pushes against are frozen, and the curvature
 * model restarts when that set changes. It stops when the projected gradient, the decrease the
 * model predicts (the Newton decrement) or three successive changes in f fall below tolerance, and
 * restarts along the steepest descent when a line search fails.
 */
export function bfgs(
  objective: Objective,
  start: readonly number[],
  options: MinimizeOptions = {},
): MinimizeResult {
  return runSteps(bfgsSteps(objective, start, options));
}

/** {@link bfgs}, yielding after each evaluation of the objective. */
export function* bfgsSteps(
  objective: Objective,
  start: readonly number[],
  options: MinimizeOptions = {},
): Steps<MinimizeResult> {
  const fg = objective.valueAndGradient;
  if (!fg) throw new TypeError("bfgs needs an objective with valueAndGradient");
  const call = (x: readonly number[], g: number[]) => safe(fg.call(objective, x, g));
  const n = start.length;
  const maxIterations = options.maxIterations ?? 1000;
  const gradientTolerance = options.gradientTolerance ?? 1e-7;
  const valueTolerance = options.valueTolerance ?? 1e-12;
  const maxStep = options.maxStep ?? 2;
  const { lower, upper } = options;

  let x = start.slice();
  clampInto(x, lower, upper);
  let g = new Array<number>(n).fill(0);
  let f = call(x, g);
  let evaluations = 1;
  if (!Number.isFinite(f)) {
    return {
      x,
      value: f,
      iterations: 0,
      evaluations,
      converged: false,
      reason: "objective is not finite at the start",
    };
  }
  // Inverse Hessian approximation, row-major.
  const h = new Float64Array(n * n);
  let hessianIsIdentity = true;
  const resetHessian = () => {
    hessianIsIdentity = true;
    h.fill(0);
    for (let i = 0; i < n; i++) h[i * n + i] = 1;
  };
  resetHessian();
  if (options.initialInverseHessian && options.initialInverseHessian.length === n * n) {
    h.set(options.initialInverseHessian);
    hessianIsIdentity = false;
  }
  const done = (iterations: number, converged: boolean, reason: string): MinimizeResult => ({
    x,
    value: f,
    iterations,
    evaluations,
    converged,
    reason,
    inverseHessian: Array.from(h),
  });
  const direction = new Array<number>(n).fill(0);
  const trial = new Array<number>(n).fill(0);
  let trialGradient = new Array<number>(n).fill(0);
  const s = new Array<number>(n).fill(0);
  const y = new Array<number>(n).fill(0);
  const hy = new Array<number>(n).fill(0);
  const active = new Array<boolean>(n).fill(false);
  let smallChanges = 0;

  const projectedGradientNorm = () => {
    let worst = 0;
    for (let i = 0; i < n; i++) {
      // A bound that blocks the descent direction does not count against convergence.
      if (lower && x[i] <= lower[i] && g[i] > 0) continue;
      if (upper && x[i] >= upper[i] && g[i] < 0) continue;
      worst = Math.max(worst, Math.abs(g[i]));
    }
    return worst;
  };

  for (let iteration = 1; iteration <= maxIterations; iteration++) {
    if (projectedGradientNorm() < gradientTolerance) {
      return done(iteration - 1, true, "gradient below tolerance");
    }
    let slope = 0;
    for (let i = 0; i < n; i++) {
      let d = 0;
      for (let j = 0; j < n; j++) d -= h[i * n + j] * g[j];
      direction[i] = d;
      slope += d * g[i];
    }
    // Coordinates held at a bound that the direction pushes against stay where they are.
    const blocked = (i: number, d: number) =>
      (lower !== undefined && x[i] <= lower[i] && d < 0) ||
      (upper !== undefined && x[i] >= upper[i] && d > 0);
    let anyBlocked = false;
    let activeSetChanged = false;
    for (let i = 0; i < n; i++) {
      const isBlocked = blocked(i, direction[i]);
      if (isBlocked !== active[i]) activeSetChanged = true;
      active[i] = isBlocked;
      if (isBlocked) {
        slope -= direction[i] * g[i];
        direction[i] = 0;
        anyBlocked = true;
      }
    }
    if (activeSetChanged && !hessianIsIdentity) {
      // Restart the curvature model on the new set of free coordinates (projected quasi-Newton).
      resetHessian();
      slope = 0;
      for (let i = 0; i < n; i++) {
        direction[i] = active[i] ? 0 : -g[i];
        slope += direction[i] * g[i];
      }
    }
    if (!(slope < 0)) {
      if (!anyBlocked) resetHessian();
      slope = 0;
      for (let i = 0; i < n; i++) {
        direction[i] = blocked(i, -g[i]) ? 0 : -g[i];
        slope -= direction[i] * g[i];
      }
      if (!(slope < 0)) {
        return done(iteration - 1, true, "gradient below tolerance");
      }
    }
    if (-0.5 * slope < valueTolerance * (1 + Math.abs(f)) && !hessianIsIdentity) {
      // The quasi-Newton model predicts less improvement than the tolerance (Newton decrement).
      return done(iteration - 1, true, "predicted decrease below tolerance");
    }
    let longest = 0;
    for (let i = 0; i < n; i++) longest = Math.max(longest, Math.abs(direction[i]));
    let step = longest > maxStep ? maxStep / longest : 1;
    let accepted = false;
    let fTrial = Infinity;
    for (let k = 0; k < 30; k++) {
      for (let i = 0; i < n; i++) trial[i] = x[i] + step * direction[i];
      clampInto(trial, lower, upper);
      fTrial = call(trial, trialGradient);
      evaluations++;
      yield;
      let actualSlope = 0;
      for (let i = 0; i < n; i++) actualSlope += g[i] * (trial[i] - x[i]);
      if (fTrial <= f + 1e-4 * Math.min(actualSlope, 0) && Number.isFinite(fTrial)) {
        accepted = true;
        break;
      }
      step *= k < 2 ? 0.5 : 0.25;
    }
    if (!accepted) {
      if (!hessianIsIdentity) {
        // One retry along the steepest descent before giving up.
        resetHessian();
        continue;
      }
      return done(
        iteration,
        projectedGradientNorm() < Math.sqrt(gradientTolerance),
        "line search found no decrease (at the limit of floating-point precision)",
      );
    }
    let sy = 0;
    for (let i = 0; i < n; i++) {
      s[i] = trial[i] - x[i];
      // Blocked coordinates did not move; keeping their curvature out leaves H the identity there.
      y[i] = active[i] ? 0 : trialGradient[i] - g[i];
      sy += s[i] * y[i];
    }
    const change = f - fTrial;
    x = trial.slice();
    const previousGradient = g;
    g = trialGradient;
    trialGradient = previousGradient;
    f = fTrial;
    if (change <= valueTolerance * (1 + Math.abs(f))) {
      smallChanges++;
      if (smallChanges >= 3) {
        return done(iteration, true, "objective change below tolerance");
      }
    } else smallChanges = 0;
    if (sy > 1e-12) {
      if (hessianIsIdentity) {
        // Scale the first approximation to the curvature just seen (Nocedal and Wright, eq. 6.20).
        let yy = 0;
        for (let i = 0; i < n; i++) yy += y[i] * y[i];
        for (let i = 0; i < n; i++) h[i * n + i] = sy / yy;
      }
      // Inverse update: H <- (I - ρ s yᵀ) H (I - ρ y sᵀ) + ρ s sᵀ.
      let yhy = 0;
      for (let i = 0; i < n; i++) {
        let v = 0;
        for (let j = 0; j < n; j++) v += h[i * n + j] * y[j];
        hy[i] = v;
        yhy += y[i] * v;
      }
      const rho = 1 / sy;
      hessianIsIdentity = false;
      for (let i = 0; i < n; i++) {
        for (let j = 0; j < n; j++) {
          h[i * n + j] += -rho * (hy[i] * s[j] + s[i] * hy[j]) + (rho * rho * yhy + rho) * s[i] * s[j];
        }
      }
    }
  }
  return done(maxIterations, false, `reached the iteration cap (${maxIterations})`);
}

/**
 * Nelder-Mead simplex minimisation with the adaptive coefficients of Gao and Han (2012),
 * "Implementing the Nelder-Mead simplex algorithm with adaptive parameters", Computational
 * Optimization and Applications 51, and box bounds by clamping every vertex.
 */
export function nelderMead(
  objective: Objective,
  start: readonly number[],
  options: MinimizeOptions & { initialStep?: number } = {},
): MinimizeResult {
  return runSteps(nelderMeadSteps(objective, start, options));
}

/** {@link nelderMead}, yielding after each step of the simplex (one to n + 1 evaluations). */
export function* nelderMeadSteps(
  objective: Objective,
  start: readonly number[],
  options: MinimizeOptions & { initialStep?: number } = {},
): Steps<MinimizeResult> {
  const n = start.length;
  const maxIterations = options.maxIterations ?? 5000;
  const valueTolerance = options.valueTolerance ?? 1e-12;
  const initialStep = options.initialStep ?? 0.5;
  const { lower, upper } = options;
  const alpha = 1;
  const beta = 1 + 2 / n;
  const gamma = 0.75 - 1 / (2 * n);
  const delta = 1 - 1 / n;
  let evaluations = 0;
  const evaluate = (x: number[]) => {
    clampInto(x, lower, upper);
    evaluations++;
    return safe(objective.value(x));
  };

  const points: number[][] = [];
  const values: number[] = [];
  const first = start.slice();
  values.push(evaluate(first));
  points.push(first);
  for (let i = 0; i < n; i++) {
    const p = first.slice();
    p[i] += initialStep;
    if (upper && p[i] > upper[i]) p[i] = first[i] - initialStep;
    values.push(evaluate(p));
    points.push(p);
  }
  const order = Array.from({ length: n + 1 }, (_, i) => i);
  const centroid = new Array<number>(n).fill(0);
  const along = (t: number) => {
    const worst = points[order[n]];
    const p = new Array<number>(n);
    for (let j = 0; j < n; j++) p[j] = centroid[j] + t * (centroid[j] - worst[j]);
    return p;
  };

  for (let iteration = 1; iteration <= maxIterations; iteration++) {
    yield;
    order.sort((i, j) => values[i] - values[j]);
    const best = values[order[0]];
    const worstValue = values[order[n]];
    let size = 0;
    for (let k = 1; k <= n; k++) {
      for (let j = 0; j < n; j++) size = Math.max(size, Math.abs(points[order[k]][j] - points[order[0]][j]));
    }
    if (Math.abs(worstValue - best) <= valueTolerance * (1 + Math.abs(best)) && size < 1e-8) {
      return {
        x: points[order[0]].slice(),
        value: best,
        iterations: iteration - 1,
        evaluations,
        converged: true,
        reason: "simplex collapsed: values and vertices agree within tolerance",
      };
    }
    centroid.fill(0);
    for (let k = 0; k < n; k++) for (let j = 0; j < n; j++) centroid[j] += points[order[k]][j] / n;
    const reflected = along(alpha);
    const fr = evaluate(reflected);
    const secondWorst = values[order[n - 1]];
    if (fr < best) {
      const expanded = along(alpha * beta);
      const fe = evaluate(expanded);
      if (fe < fr) {
        points[order[n]] = expanded;
        values[order[n]] = fe;
      } else {
        points[order[n]] = reflected;
        values[order[n]] = fr;
      }
    } else if (fr < secondWorst) {
      points[order[n]] = reflected;
      values[order[n]] = fr;
    } else {
      const outside = fr < worstValue;
      const contracted = along(outside ? alpha * gamma : -gamma);
      const fc = evaluate(contracted);
      if (fc < (outside ? fr : worstValue)) {
        points[order[n]] = contracted;
        values[order[n]] = fc;
      } else {
        const bestPoint = points[order[0]];
        for (let k = 1; k <= n; k++) {
          const p = points[order[k]];
          for (let j = 0; j < n; j++) p[j] = bestPoint[j] + delta * (p[j] - bestPoint[j]);
          values[order[k]] = evaluate(p);
        }
      }
    }
  }
  order.sort((i, j) => values[i] - values[j]);
  return {
    x: points[order[0]].slice(),
    value: values[order[0]],
    iterations: maxIterations,
    evaluations,
    converged: false,
    reason: `reached the iteration cap (${maxIterations})`,
  };
}

/** The best of several minimisations, with every start's own result. */
export interface MultiStartResult extends MinimizeResult {
  /** One result per starting point, in the order given. */
  starts: MinimizeResult[];
}

/**
 * Minimises from each starting point (BFGS when the objective has a gradient, unless `method`
 * says otherwise) and returns the best result, preferring converged ones. With
 * `screenIterations`, every start first gets only that many iterations and the search then
 * continues to convergence from the best of them alone, which costs about one full run instead
 * of one per start. Iterations and evaluations are summed over all runs.
 */
export function minimize(
  objective: Objective,
  starts: readonly (readonly number[])[],
  options: MultiStartOptions = {},
): MultiStartResult {
  return runSteps(minimizeSteps(objective, starts, options));
}

/** Options of {@link minimize}. */
export type MultiStartOptions = MinimizeOptions & {
  method?: "bfgs" | "nelder-mead";
  screenIterations?: number;
};

/** {@link minimize}, yielding after each evaluation of the objective. */
export function* minimizeSteps(
  objective: Objective,
  starts: readonly (readonly number[])[],
  options: MultiStartOptions = {},
): Steps<MultiStartResult> {
  if (starts.length === 0) throw new RangeError("minimize needs at least one starting point");
  const method = options.method ?? (objective.valueAndGradient ? "bfgs" : "nelder-mead");
  const run = (start: readonly number[], maxIterations?: number) => {
    const runOptions = maxIterations === undefined ? options : { ...options, maxIterations };
    return method === "bfgs"
      ? bfgsSteps(objective, start, runOptions)
      : nelderMeadSteps(objective, start, runOptions);
  };
  const screen = options.screenIterations;
  const results: MinimizeResult[] = [];
  for (const start of starts) results.push(yield* run(start, screen));
  const pickBest = (candidates: readonly MinimizeResult[]): MinimizeResult => {
    let best: MinimizeResult | undefined;
    for (const result of candidates) {
      if (!Number.isFinite(result.value)) continue;
      if (!best || result.value < best.value - 1e-9 * (1 + Math.abs(best.value))) best = result;
      else if (
        result.converged &&
        !best.converged &&
        result.value <= best.value + 1e-9 * (1 + Math.abs(best.value))
      ) {
        best = result;
      }
    }
    return best ?? candidates[0];
  };
  let chosen = pickBest(results);
  const all = results.slice();
  if (screen !== undefined && !chosen.converged) {
    const continued = yield* run(chosen.x);
    all.push(continued);
    chosen = pickBest([chosen, continued]);
    if (continued.converged && continued.value <= chosen.value) chosen = continued;
  }
  let iterations = 0;
  let evaluations = 0;
  for (const result of all) {
    iterations += result.iterations;
    evaluations += result.evaluations;
  }
  return { ...chosen, x: chosen.x.slice(), iterations, evaluations, starts: results };
}

/**
 * Two-stage minimisation for an objective that is a mean over many rows: {@link minimize} from
 * every start on `pilot` (the same mean over a subsample, cheap to evaluate), then BFGS on the
 * full objective from the pilot's best point, seeded with the pilot's inverse Hessian (a mean over
 * a representative subsample has about the same curvature). Convergence is judged on the full
 * objective alone; iterations and evaluations add up both stages.
 */
export function minimizeWithPilot(
  objective: Objective,
  pilot: Objective,
  starts: readonly (readonly number[])[],
  options: MinimizeOptions & { screenIterations?: number } = {},
): MultiStartResult {
  return runSteps(minimizeWithPilotSteps(objective, pilot, starts, options));
}

/** {@link minimizeWithPilot}, yielding after each evaluation of either objective. */
export function* minimizeWithPilotSteps(
  objective: Objective,
  pilot: Objective,
  starts: readonly (readonly number[])[],
  options: MinimizeOptions & { screenIterations?: number } = {},
): Steps<MultiStartResult> {
  const first = yield* minimizeSteps(pilot, starts, { ...options, method: "bfgs" });
  const final = yield* bfgsSteps(objective, first.x, {
    ...options,
    initialInverseHessian: first.inverseHessian,
  });
  return {
    ...final,
    iterations: first.iterations + final.iterations,
    evaluations: first.evaluations + final.evaluations,
    starts: first.starts,
  };
}
