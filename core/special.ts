/**
 * Special functions for the customer-base models: log-gamma, digamma, log-sum-exp, the regularised
 * incomplete beta function and the Gauss hypergeometric series.
 *
 * Everything here is pure and allocation-free on the hot paths; the models call these functions
 * millions of times per fit.
 */

const LOG_SQRT_2PI = 0.9189385332046727; // ln(sqrt(2 pi))
const LOG_PI = 1.1447298858494002;

// Lanczos approximation, g = 607/128 with 15 coefficients (Godfrey), relative error below 1e-15.
const LANCZOS_G = 4.7421875;
const LANCZOS = [
  0.99999999999999709182, 57.156235665862923517, -59.597960355475491248, 14.136097974741747174,
  -0.49191381609762019978, 0.33994649984811888699e-4, 0.46523628927048575665e-4, -0.98374475304879564677e-4,
  0.15808870322491248884e-3, -0.21026444172410488319e-3, 0.2174396181152126432e-3, -0.16431810653676389022e-3,
  0.84418223983852743293e-4, -0.2619083840158140867e-4, 0.36899182659531622704e-5,
];

/**
 * Natural logarithm of the gamma function for x > 0 (and negative non-integers by reflection).
 *
 * Lanczos (Godfrey's g = 607/128) below 10 and the Stirling series above, accurate to about
 * 1e-15 relative (absolute near the zeros at 1 and 2).
 */
export function lgamma(x: number): number {
  if (x < 0.5) {
    if (x === Math.floor(x)) return Infinity;
    // Reflection: Gamma(x) Gamma(1 - x) = pi / sin(pi x).
    return LOG_PI - Math.log(Math.abs(Math.sin(Math.PI * x))) - lgamma(1 - x);
  }
  if (x >= 10) {
    const inv = 1 / x;
    const inv2 = inv * inv;
    // Stirling series with terms up to x^-11 (error below 1e-17 for x >= 10).
    const series =
      inv *
      (1 / 12 +
        inv2 *
          (-1 / 360 + inv2 * (1 / 1260 + inv2 * (-1 / 1680 + inv2 * (1 / 1188 + inv2 * (-691 / 360360))))));
    return (x - 0.5) * Math.log(x) - x + LOG_SQRT_2PI + series;
  }
  const z = x - 1;
  let sum = LANCZOS[0];
  for (let i = 1; i < LANCZOS.length; i++) sum += LANCZOS[i] / (z + i);
  const t = z + LANCZOS_G + 0.5;
  return LOG_SQRT_2PI + (z + 0.5) * Math.log(t) - t + Math.log(sum);
}

/** Logarithm of the beta function, ln B(a, b) = lnΓ(a) + lnΓ(b) - lnΓ(a + b), for a, b > 0. */
export function lbeta(a: number, b: number): number {
  return lgamma(a) + lgamma(b) - lgamma(a + b);
}

/**
 * Digamma function ψ(x) = d/dx lnΓ(x) for x > 0: upward recurrence to x >= 14, then the
 * asymptotic series.
 */
export function digamma(x: number): number {
  let result = 0;
  while (x < 14) {
    result -= 1 / x;
    x += 1;
  }
  const inv = 1 / x;
  const inv2 = inv * inv;
  return (
    result +
    Math.log(x) -
    0.5 * inv -
    inv2 * (1 / 12 - inv2 * (1 / 120 - inv2 * (1 / 252 - inv2 * (1 / 240 - inv2 * (1 / 132)))))
  );
}

/** ln(e^a + e^b) without overflow; -Infinity when both are -Infinity. */
export function logAddExp(a: number, b: number): number {
  if (a === -Infinity) return b;
  if (b === -Infinity) return a;
  return a > b ? a + Math.log1p(Math.exp(b - a)) : b + Math.log1p(Math.exp(a - b));
}

/** ln(Σ e^values[i]) without overflow; -Infinity for an empty list. */
export function logSumExp(values: readonly number[]): number {
  let max = -Infinity;
  for (const v of values) if (v > max) max = v;
  if (max === -Infinity || max === Infinity) return max;
  let sum = 0;
  for (const v of values) sum += Math.exp(v - max);
  return max + Math.log(sum);
}

/** ln(1 - e^x) for x <= 0, accurate near 0 and for very negative x (Mächler 2012). */
export function log1mExp(x: number): number {
  return x > -Math.LN2 ? Math.log(-Math.expm1(x)) : Math.log1p(-Math.exp(x));
}

/** ln σ(y) = -ln(1 + e^-y), the log of the logistic function, without overflow. */
export function logSigmoid(y: number): number {
  return y < 0 ? y - Math.log1p(Math.exp(y)) : -Math.log1p(Math.exp(-y));
}

/** The two tails of the regularised incomplete beta function. */
export interface IncompleteBeta {
  /** I_x(a, b) = P(B <= x) for B ~ Beta(a, b). */
  lower: number;
  /** 1 - I_x(a, b), computed without cancellation when it is the small tail. */
  upper: number;
}

/**
 * Regularised incomplete beta function I_x(a, b) for a, b > 0 and 0 <= x <= 1, with its
 * complement. Continued fraction (modified Lentz) on whichever side converges fast, with the
 * prefactor x^a (1-x)^b / (a B(a, b)) taken in log space, so tiny tails keep full relative
 * precision (Numerical Recipes, 3rd ed., section 6.4).
 */
export function incompleteBeta(x: number, a: number, b: number): IncompleteBeta {
  if (x <= 0) return { lower: 0, upper: 1 };
  if (x >= 1) return { lower: 1, upper: 0 };
  const swap = x > (a + 1) / (a + b + 2);
  const xx = swap ? 1 - x : x;
  const aa = swap ? b : a;
  const bb = swap ? a : b;
  const logFront = aa * Math.log(xx) + bb * Math.log1p(-xx) - lbeta(aa, bb) - Math.log(aa);
  const small = Math.exp(logFront) * betaContinuedFraction(xx, aa, bb);
  const tail = Math.min(1, Math.max(0, small));
  return swap ? { lower: 1 - tail, upper: tail } : { lower: tail, upper: 1 - tail };
}

function betaContinuedFraction(x: number, a: number, b: number): number {
  const tiny = 1e-300;
  const qab = a + b;
  const qap = a + 1;
  const qam = a - 1;
  let c = 1;
  let d = 1 - (qab * x) / qap;
  if (Math.abs(d) < tiny) d = tiny;
  d = 1 / d;
  let h = d;
  for (let m = 1; m <= 100000; m++) {
    const m2 = 2 * m;
    let aa = (m * (b - m) * x) / ((qam + m2) * (a + m2));
    d = 1 + aa * d;
    if (Math.abs(d) < tiny) d = tiny;
    c = 1 + aa / c;
    if (Math.abs(c) < tiny) c = tiny;
    d = 1 / d;
    h *= d * c;
    aa = (-(a + m) * (qab + m) * x) / ((a + m2) * (qap + m2));
    d = 1 + aa * d;
    if (Math.abs(d) < tiny) d = tiny;
    c = 1 + aa / c;
    if (Math.abs(c) < tiny) c = tiny;
    d = 1 / d;
    const delta = d * c;
    h *= delta;
    if (Math.abs(delta - 1) < 1e-16) break;
  }
  return h;
}

/**
 * Gauss hypergeometric function 2F1(a, b; c; z) for real a, b, c (c not a non-positive integer)
 * and z < 1, by its power series, after Pfaff's transformation
 * 2F1(a, b; c; z) = (1 - z)^-a 2F1(a, c - b; c; z / (z - 1)) when z < 0 (Abramowitz and Stegun
 * 15.3.4), so the series always runs on [0, 1).
 *
 * The series converges geometrically with ratio z; it is meant for z up to about 0.95 (it throws
 * when it has not converged after `maxTerms`). The BG/NBD model code does not need it for its
 * predictions (see bgNbd.ts): it is kept to check those against the papers' closed forms.
 */
export function hyp2f1(a: number, b: number, c: number, z: number, maxTerms = 100000): number {
  if (!(z < 1)) throw new RangeError(`hyp2f1 needs z < 1, got ${z}`);
  if (c <= 0 && c === Math.floor(c)) throw new RangeError(`hyp2f1 needs c not in 0, -1, -2, ..., got ${c}`);
  if (z < 0) {
    const w = z / (z - 1);
    return Math.exp(-a * Math.log1p(-z)) * hyp2f1Series(a, c - b, c, w, maxTerms);
  }
  return hyp2f1Series(a, b, c, z, maxTerms);
}

function hyp2f1Series(a: number, b: number, c: number, z: number, maxTerms: number): number {
  let term = 1;
  let sum = 1;
  for (let n = 0; n < maxTerms; n++) {
    term *= (((a + n) * (b + n)) / ((c + n) * (n + 1))) * z;
    sum += term;
    if (term === 0 || (Math.abs(term) < 1e-17 * Math.abs(sum) && n > Math.abs(a * b) / c)) return sum;
  }
  throw new RangeError(
    `hyp2f1 series did not converge in ${maxTerms} terms (a=${a}, b=${b}, c=${c}, z=${z})`,
  );
}

/** Gauss-Legendre nodes and weights on [-1, 1] (Newton's method on the Legendre recurrence). */
export function gaussLegendre(n: number): { nodes: Float64Array; weights: Float64Array } {
  const nodes = new Float64Array(n);
  const weights = new Float64Array(n);
  for (let i = 0; i < Math.ceil(n / 2); i++) {
    let x = Math.cos((Math.PI * (i + 0.75)) / (n + 0.5));
    let derivative = 0;
    for (let iteration = 0; iteration < 100; iteration++) {
      let p0 = 1;
      let p1 = x;
      for (let k = 2; k <= n; k++) {
        const p2 = ((2 * k - 1) * x * p1 - (k - 1) * p0) / k;
        p0 = p1;
        p1 = p2;
      }
      derivative = (n * (x * p1 - p0)) / (x * x - 1);
      const step = p1 / derivative;
      x -= step;
      if (Math.abs(step) < 1e-16) break;
    }
    nodes[i] = -x;
    nodes[n - 1 - i] = x;
    weights[i] = weights[n - 1 - i] = 2 / ((1 - x * x) * derivative * derivative);
  }
  return { nodes, weights };
}
