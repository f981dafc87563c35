/**
 * Seeded pseudo-random numbers for simulations, demo data and k-means++ seeding.
 *
 * The core never reads a clock or `Math.random`: every random stream starts from a seed the
 * caller passes, so the same seed always gives the same numbers on every platform.
 */

/** A deterministic random stream. */
export interface Rng {
  /** Uniform on [0, 1). */
  uniform(): number;
  /** Standard normal, N(0, 1). */
  normal(): number;
  /** Gamma with the given shape and scale (mean = shape * scale). */
  gamma(shape: number, scale: number): number;
  /** Beta(a, b). */
  beta(a: number, b: number): number;
  /** Exponential with the given rate (mean = 1 / rate). */
  exponential(rate: number): number;
  /** Poisson with the given mean. */
  poisson(mean: number): number;
  /** Integer uniform on [0, maxExclusive). */
  int(maxExclusive: number): number;
  /** One element of a non-empty list, uniformly. */
  pick<T>(items: readonly T[]): T;
}

/**
 * Creates a random stream from a 32-bit seed, using the sfc32 generator (small, fast, passes
 * PractRand) seeded through splitmix32 so nearby seeds give unrelated streams.
 */
export function createRng(seed: number): Rng {
  let state = seed >>> 0;
  const splitmix = (): number => {
    state = (state + 0x9e3779b9) >>> 0;
    let z = state;
    z = Math.imul(z ^ (z >>> 16), 0x85ebca6b) >>> 0;
    z = Math.imul(z ^ (z >>> 13), 0xc2b2ae35) >>> 0;
    return (z ^ (z >>> 16)) >>> 0;
  };
  let a = splitmix();
  let b = splitmix();
  let c = splitmix();
  let d = splitmix();

  const uniform = (): number => {
    const t = (((a + b) >>> 0) + d) >>> 0;
    d = (d + 1) >>> 0;
    a = b ^ (b >>> 9);
    b = (c + (c << 3)) >>> 0;
    c = ((c << 21) | (c >>> 11)) >>> 0;
    c = (c + t) >>> 0;
    return t / 4294967296;
  };
  // Warm up so the first outputs do not echo the seeding.
  for (let i = 0; i < 12; i++) uniform();

  const normal = (): number => {
    // Box-Muller; 1 - u keeps the logarithm finite.
    const u = 1 - uniform();
    const v = uniform();
    return Math.sqrt(-2 * Math.log(u)) * Math.cos(2 * Math.PI * v);
  };

  const gamma = (shape: number, scale: number): number => {
    if (!(shape > 0) || !(scale > 0))
      throw new RangeError(`gamma needs shape > 0 and scale > 0, got ${shape}, ${scale}`);
    if (shape < 1) {
      // Boost: Gamma(k) = Gamma(k + 1) * U^(1/k) (Marsaglia and Tsang, 2000, section 6).
      const boosted = gamma(shape + 1, scale);
      return boosted * Math.pow(1 - uniform(), 1 / shape);
    }
    const d0 = shape - 1 / 3;
    const c0 = 1 / Math.sqrt(9 * d0);
    for (;;) {
      let x: number;
      let v: number;
      do {
        x = normal();
        v = 1 + c0 * x;
      } while (v <= 0);
      v = v * v * v;
      const u = 1 - uniform();
      if (u < 1 - 0.0331 * x * x * x * x) return d0 * v * scale;
      if (Math.log(u) < 0.5 * x * x + d0 * (1 - v + Math.log(v))) return d0 * v * scale;
    }
  };

  const beta = (alpha: number, betaShape: number): number => {
    const x = gamma(alpha, 1);
    const y = gamma(betaShape, 1);
    const total = x + y;
    // Both draws can underflow to 0 for tiny shapes; fall back to the mean's side.
    if (total === 0) return alpha / (alpha + betaShape);
    return x / total;
  };

  const exponential = (rate: number): number => -Math.log(1 - uniform()) / rate;

  const poisson = (mean: number): number => {
    if (mean <= 0) return 0;
    if (mean > 50) return Math.max(0, Math.round(mean + Math.sqrt(mean) * normal()));
    const limit = Math.exp(-mean);
    let count = 0;
    let product = uniform();
    while (product > limit) {
      count++;
      product *= uniform();
    }
    return count;
  };

  const int = (maxExclusive: number): number => Math.floor(uniform() * maxExclusive);
  const pick = <T>(items: readonly T[]): T => {
    if (items.length === 0) throw new RangeError("pick needs a non-empty list");
    return items[int(items.length)];
  };

  return { uniform, normal, gamma, beta, exponential, poisson, int, pick };
}
