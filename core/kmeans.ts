/**
 * k-means clustering of customers on recency, frequency and monetary value, with k chosen by the
 * silhouette score.
 *
 * Features are log1p(recencyDays), log1p(frequency), log1p(monetary), each standardised to
 * z-scores: RFM values are heavily right-skewed, and without the log a handful of big spenders
 * would each become a cluster of their own; without the z-scores monetary (in currency units)
 * would drown out frequency (in counts).
 *
 * Seeding is k-means++ (Arthur and Vassilvitskii, "k-means++: The Advantages of Careful
 * Seeding", SODA 2007) driven by `createRng(seed)`, so a seed always gives the same clusters.
 * Silhouette: Rousseeuw, "Silhouettes: a graphical aid to the interpretation and validation of
 * cluster analysis", J. Comput. Appl. Math. 20 (1987).
 */

import { createRng, type Rng } from "./random.js";

/** Options of `kmeans`. */
export interface KMeansOptions {
  /** Seed of the k-means++ seeding; default 1. */
  seed?: number;
  /** Lloyd iterations per run before giving up on convergence; default 100. */
  maxIterations?: number;
  /** Independent k-means++ runs; the one with the lowest inertia wins. Default 4. */
  restarts?: number;
  /**
   * Convergence tolerance: a run stops when the centroids move less, in total squared distance,
   * than this times the data's mean per-coordinate variance (scikit-learn's rule). Default 1e-4.
   */
  tolerance?: number;
}

/** Result of one k-means fit. */
export interface KMeansResult {
  k: number;
  centroids: number[][];
  /** Cluster index of each point, in input order. */
  assignments: number[];
  /** Sum of squared distances of points to their centroids. */
  inertia: number;
  /** Lloyd iterations of the winning run. */
  iterations: number;
  /** Whether the winning run converged (no assignment changed or centroids within tolerance). */
  converged: boolean;
}

function squaredDistance(
  points: Float64Array,
  i: number,
  centroids: Float64Array,
  c: number,
  dims: number,
): number {
  let sum = 0;
  for (let d = 0; d < dims; d++) {
    const diff = points[i * dims + d] - centroids[c * dims + d];
    sum += diff * diff;
  }
  return sum;
}

/** k-means++ seeding: each new centroid is a point drawn with probability proportional to D^2. */
function seedCentroids(points: Float64Array, n: number, dims: number, k: number, rng: Rng): Float64Array {
  const centroids = new Float64Array(k * dims);
  const nearest = new Float64Array(n).fill(Infinity);
  let chosen = rng.int(n);
  for (let c = 0; c < k; c++) {
    for (let d = 0; d < dims; d++) centroids[c * dims + d] = points[chosen * dims + d];
    let total = 0;
    for (let i = 0; i < n; i++) {
      nearest[i] = Math.min(nearest[i], squaredDistance(points, i, centroids, c, dims));
      total += nearest[i];
    }
    if (c + 1 === k) break;
    if (total === 0) {
      // Every point coincides with a centroid already; any point will do.
      chosen = rng.int(n);
      continue;
    }
    let target = rng.uniform() * total;
    chosen = n - 1;
    for (let i = 0; i < n; i++) {
      target -= nearest[i];
      if (target < 0) {
        chosen = i;
        break;
      }
    }
  }
  return centroids;
}

interface Run {
  centroids: Float64Array;
  assignments: Int32Array;
  inertia: number;
  iterations: number;
  converged: boolean;
}

function lloyd(
  points: Float64Array,
  n: number,
  dims: number,
  k: number,
  rng: Rng,
  maxIterations: number,
  shiftTolerance: number,
): Run {
  const centroids = seedCentroids(points, n, dims, k, rng);
  const assignments = new Int32Array(n).fill(-1);
  const distances = new Float64Array(n);
  let iterations = 0;
  let converged = false;
  while (iterations < maxIterations) {
    iterations++;
    let changed = false;
    for (let i = 0; i < n; i++) {
      let best = 0;
      let bestDistance = Infinity;
      const pointOffset = i * dims;
      for (let c = 0; c < k; c++) {
        // Inlined distance with an early exit: this loop is where nearly all the time goes.
        const centroidOffset = c * dims;
        let distance = 0;
        for (let d = 0; d < dims && distance < bestDistance; d++) {
          const diff = points[pointOffset + d] - centroids[centroidOffset + d];
          distance += diff * diff;
        }
        if (distance < bestDistance) {
          bestDistance = distance;
          best = c;
        }
      }
      distances[i] = bestDistance;
      if (assignments[i] !== best) {
        assignments[i] = best;
        changed = true;
      }
    }
    if (!changed) {
      converged = true;
      break;
    }
    const previous = Float64Array.from(centroids);
    const sums = new Float64Array(k * dims);
    const counts = new Int32Array(k);
    for (let i = 0; i < n; i++) {
      const c = assignments[i];
      counts[c]++;
      for (let d = 0; d < dims; d++) sums[c * dims + d] += points[i * dims + d];
    }
    for (let c = 0; c < k; c++) {
      if (counts[c] === 0) {
        // An empty cluster takes over the point worst served by its current centroid, which
        // keeps k clusters alive without a random draw.
        let farthest = 0;
        for (let i = 1; i < n; i++) if (distances[i] > distances[farthest]) farthest = i;
        for (let d = 0; d < dims; d++) centroids[c * dims + d] = points[farthest * dims + d];
        distances[farthest] = 0;
        continue;
      }
      for (let d = 0; d < dims; d++) centroids[c * dims + d] = sums[c * dims + d] / counts[c];
    }
    let shift = 0;
    for (let x = 0; x < centroids.length; x++) shift += (centroids[x] - previous[x]) ** 2;
    // Slowly drifting boundary points can flip assignments for many iterations while the
    // centroids barely move; stopping on the shift bounds the run time on large inputs.
    if (shift <= shiftTolerance) {
      converged = true;
      break;
    }
  }
  let inertia = 0;
  for (let i = 0; i < n; i++) inertia += squaredDistance(points, i, centroids, assignments[i], dims);
  return { centroids, assignments, inertia, iterations, converged };
}

function flatten(
  points: readonly (readonly number[])[],
  caller: string,
): { flat: Float64Array; dims: number } {
  const dims = points.length > 0 ? points[0].length : 0;
  const flat = new Float64Array(points.length * dims);
  points.forEach((point, i) => {
    if (point.length !== dims) {
      throw new RangeError(
        `${caller}: point ${i} has ${point.length} coordinates, expected ${dims} like point 0`,
      );
    }
    point.forEach((value, d) => {
      if (!Number.isFinite(value))
        throw new RangeError(`${caller}: point ${i} coordinate ${d} is ${value}; it must be finite`);
      flat[i * dims + d] = value;
    });
  });
  return { flat, dims };
}

function meanVariance(flat: Float64Array, n: number, dims: number): number {
  if (n === 0 || dims === 0) return 0;
  let total = 0;
  for (let d = 0; d < dims; d++) {
    let sum = 0;
    let squares = 0;
    for (let i = 0; i < n; i++) {
      const value = flat[i * dims + d];
      sum += value;
      squares += value * value;
    }
    total += Math.max(0, squares / n - (sum / n) ** 2);
  }
  return total / dims;
}

/**
 * Clusters points into k groups with k-means++ seeding and Lloyd iterations, keeping the best of
 * `restarts` runs (lowest inertia; the earliest on ties). Deterministic for a given seed.
 */
export function kmeans(
  points: readonly (readonly number[])[],
  k: number,
  options: KMeansOptions = {},
): KMeansResult {
  if (!Number.isInteger(k) || k < 1 || k > points.length) {
    throw new RangeError(
      `kmeans: k must be a whole number from 1 to the number of points (${points.length}), got ${k}`,
    );
  }
  const { flat, dims } = flatten(points, "kmeans");
  return fitFlat(flat, points.length, dims, k, options);
}

function fitFlat(
  flat: Float64Array,
  n: number,
  dims: number,
  k: number,
  options: KMeansOptions,
): KMeansResult {
  const { seed = 1, maxIterations = 100, restarts = 4, tolerance = 1e-4 } = options;
  if (!Number.isInteger(restarts) || restarts < 1)
    throw new RangeError(`kmeans: restarts must be >= 1, got ${restarts}`);
  if (!Number.isInteger(maxIterations) || maxIterations < 1) {
    throw new RangeError(`kmeans: maxIterations must be >= 1, got ${maxIterations}`);
  }
  if (!(tolerance >= 0)) throw new RangeError(`kmeans: tolerance must be >= 0, got ${tolerance}`);
  const shiftTolerance = tolerance * meanVariance(flat, n, dims);
  const rng = createRng(seed);
  let best: Run | undefined;
  for (let run = 0; run < restarts; run++) {
    const candidate = lloyd(flat, n, dims, k, rng, maxIterations, shiftTolerance);
    if (best === undefined || candidate.inertia < best.inertia) best = candidate;
  }
  const winner = best!;
  return {
    k,
    centroids: Array.from({ length: k }, (_, c) =>
      Array.from(winner.centroids.subarray(c * dims, (c + 1) * dims)),
    ),
    assignments: Array.from(winner.assignments),
    inertia: winner.inertia,
    iterations: winner.iterations,
    converged: winner.converged,
  };
}

function silhouetteOfFlat(
  flat: Float64Array,
  dims: number,
  indices: readonly number[],
  assignments: ArrayLike<number>,
  k: number,
): number {
  const m = indices.length;
  const clusterSizes = new Int32Array(k);
  for (const i of indices) clusterSizes[assignments[i]]++;
  const sums = new Float64Array(k);
  let total = 0;
  for (const i of indices) {
    sums.fill(0);
    for (const j of indices) {
      if (i === j) continue;
      let squared = 0;
      for (let d = 0; d < dims; d++) {
        const diff = flat[i * dims + d] - flat[j * dims + d];
        squared += diff * diff;
      }
      sums[assignments[j]] += Math.sqrt(squared);
    }
    const own = assignments[i];
    // A point alone in its cluster scores 0, as in Rousseeuw's definition.
    if (clusterSizes[own] <= 1) continue;
    const a = sums[own] / (clusterSizes[own] - 1);
    let b = Infinity;
    for (let c = 0; c < k; c++)
      if (c !== own && clusterSizes[c] > 0) b = Math.min(b, sums[c] / clusterSizes[c]);
    if (b === Infinity) continue;
    const spread = Math.max(a, b);
    total += spread === 0 ? 0 : (b - a) / spread;
  }
  return m > 0 ? total / m : 0;
}

/**
 * Mean silhouette of a clustering, in [-1, 1]: near 1 = tight, well-separated clusters, near 0 =
 * overlapping ones. Points alone in their cluster count as 0.
 */
export function silhouetteScore(
  points: readonly (readonly number[])[],
  assignments: readonly number[],
): number {
  if (assignments.length !== points.length) {
    throw new RangeError(`silhouetteScore: ${assignments.length} assignments for ${points.length} points`);
  }
  const { flat, dims } = flatten(points, "silhouetteScore");
  const k = assignments.reduce((max, cluster) => Math.max(max, cluster + 1), 0);
  return silhouetteOfFlat(
    flat,
    dims,
    points.map((_, i) => i),
    assignments,
    k,
  );
}

/** A customer's RFM values for clustering. */
export interface ClusterCustomer {
  id: string;
  recencyDays: number;
  frequency: number;
  monetary: number;
}

/** Options of `clusterCustomers`. */
export interface ClusterOptions extends KMeansOptions {
  /** Smallest k tried; default 2. */
  minK?: number;
  /** Largest k tried; default 8 (capped by the number of distinct customers). */
  maxK?: number;
  /** Largest number of customers the silhouette is computed on; default 2000. */
  silhouetteSampleSize?: number;
}

/** One cluster's centre. */
export interface ClusterCentroid {
  cluster: number;
  size: number;
  /** Centre in standardised log space, [recency, frequency, monetary] z-scores. */
  standardised: [number, number, number];
  /**
   * Centre back-transformed to original units (expm1 of the log-space centre): a geometric-mean
   * style "typical member", less pulled by outliers than the arithmetic mean.
   */
  original: { recencyDays: number; frequency: number; monetary: number };
}

/** Result of `clusterCustomers`. */
export interface CustomerClusters {
  /** Chosen number of clusters (1 when the data cannot be split). */
  k: number;
  seed: number;
  /** Mean silhouette for each k tried, ascending k. */
  silhouetteByK: { k: number; silhouette: number; inertia: number }[];
  /** Customers the silhouette was computed on (all, or a seeded sample). */
  silhouetteSampleSize: number;
  /** Clusters ordered best customers first (lowest recency z, highest frequency and monetary z). */
  centroids: ClusterCentroid[];
  /** Cluster of each customer, in input order. */
  assignments: { id: string; cluster: number }[];
  /** Mean and standard deviation of the log1p features used for the z-scores. */
  scaling: { mean: [number, number, number]; sd: [number, number, number] };
}

function checkCustomers(customers: readonly ClusterCustomer[]): void {
  customers.forEach((customer, index) => {
    for (const field of ["recencyDays", "frequency", "monetary"] as const) {
      const value = customer[field];
      if (typeof value !== "number" || !Number.isFinite(value) || value < 0) {
        throw new RangeError(
          `clusterCustomers: customers[${index}] (id ${customer.id}) has ${field} = ${String(value)}; it must be a finite number >= 0 (net refunds: clamp spend at 0)`,
        );
      }
    }
  });
}

/**
 * Segments customers by k-means on standardised log R, F, M, trying k from `minK` to `maxK` and
 * keeping the k with the highest mean silhouette (the smaller k on ties).
 *
 * For more than `silhouetteSampleSize` customers the silhouette is computed on a seeded random
 * sample of that size (the same sample for every k), because it costs O(n^2). With fewer than
 * three customers or fewer than two distinct feature vectors there is nothing to separate, and
 * everyone is returned in a single cluster.
 */
export function clusterCustomers(
  customers: readonly ClusterCustomer[],
  options: ClusterOptions = {},
): CustomerClusters {
  const {
    seed = 1,
    minK = 2,
    maxK = 8,
    silhouetteSampleSize = 2000,
    maxIterations,
    restarts,
    tolerance,
  } = options;
  if (!Number.isInteger(minK) || !Number.isInteger(maxK) || minK < 2 || maxK < minK) {
    throw new RangeError(
      `clusterCustomers: need whole numbers 2 <= minK <= maxK, got minK=${minK}, maxK=${maxK}`,
    );
  }
  if (!Number.isInteger(silhouetteSampleSize) || silhouetteSampleSize < 2) {
    throw new RangeError(
      `clusterCustomers: silhouetteSampleSize must be a whole number >= 2, got ${silhouetteSampleSize}`,
    );
  }
  checkCustomers(customers);
  const n = customers.length;
  const logs = customers.map((customer) => [
    Math.log1p(customer.recencyDays),
    Math.log1p(customer.frequency),
    Math.log1p(customer.monetary),
  ]);
  const mean = [0, 1, 2].map((d) => (n > 0 ? logs.reduce((sum, row) => sum + row[d], 0) / n : 0));
  const sd = [0, 1, 2].map((d) =>
    n > 0 ? Math.sqrt(logs.reduce((sum, row) => sum + (row[d] - mean[d]) ** 2, 0) / n) : 0,
  );
  // A constant feature carries no information; a zero z-score keeps it out of the distances.
  const standardised = logs.map((row) => row.map((value, d) => (sd[d] > 0 ? (value - mean[d]) / sd[d] : 0)));
  const scaling = { mean: mean as [number, number, number], sd: sd as [number, number, number] };

  const toOriginal = (z: readonly number[]) => {
    const [recencyDays, frequency, monetary] = z.map((value, d) =>
      Math.max(0, Math.expm1(value * sd[d] + mean[d])),
    );
    return { recencyDays, frequency, monetary };
  };

  const distinct = new Set(standardised.map((row) => row.join(","))).size;
  const largestK = Math.min(maxK, distinct, n - 1);
  if (n < 3 || largestK < minK) {
    const centre = [0, 1, 2].map((d) => (n > 0 ? standardised.reduce((sum, row) => sum + row[d], 0) / n : 0));
    return {
      k: 1,
      seed,
      silhouetteByK: [],
      silhouetteSampleSize: 0,
      centroids:
        n > 0
          ? [
              {
                cluster: 0,
                size: n,
                standardised: centre as [number, number, number],
                original: toOriginal(centre),
              },
            ]
          : [],
      assignments: customers.map((customer) => ({ id: customer.id, cluster: 0 })),
      scaling,
    };
  }

  const { flat, dims } = flatten(standardised, "clusterCustomers");
  let sample = standardised.map((_, i) => i);
  if (n > silhouetteSampleSize) {
    // Partial Fisher-Yates on its own stream, so the sample does not shift when k-means options change.
    const sampler = createRng(seed ^ 0x5f3759df);
    for (let i = 0; i < silhouetteSampleSize; i++) {
      const j = i + sampler.int(n - i);
      [sample[i], sample[j]] = [sample[j], sample[i]];
    }
    sample = sample.slice(0, silhouetteSampleSize).sort((a, b) => a - b);
  }

  const silhouetteByK: CustomerClusters["silhouetteByK"] = [];
  let best: { fit: KMeansResult; silhouette: number } | undefined;
  for (let k = minK; k <= largestK; k++) {
    const fit = fitFlat(flat, n, dims, k, { seed, maxIterations, restarts, tolerance });
    const silhouette = silhouetteOfFlat(flat, dims, sample, fit.assignments, k);
    silhouetteByK.push({ k, silhouette, inertia: fit.inertia });
    if (best === undefined || silhouette > best.silhouette) best = { fit, silhouette };
  }
  const { fit } = best!;

  // Relabel clusters best-first so cluster 0 always means the most valuable group.
  const quality = (centroid: readonly number[]): number => -centroid[0] + centroid[1] + centroid[2];
  const order = fit.centroids
    .map((centroid, c) => c)
    .sort((a, b) => quality(fit.centroids[b]) - quality(fit.centroids[a]) || a - b);
  const relabel = new Map(order.map((oldIndex, newIndex) => [oldIndex, newIndex]));
  const sizes = new Array<number>(fit.k).fill(0);
  const assignments = customers.map((customer, i) => {
    const cluster = relabel.get(fit.assignments[i])!;
    sizes[cluster]++;
    return { id: customer.id, cluster };
  });
  const centroids = order.map((oldIndex, cluster) => {
    const centre = fit.centroids[oldIndex];
    return {
      cluster,
      size: sizes[cluster],
      standardised: [centre[0], centre[1], centre[2]] as [number, number, number],
      original: toOriginal(centre),
    };
  });
  return {
    k: fit.k,
    seed,
    silhouetteByK,
    silhouetteSampleSize: sample.length,
    centroids,
    assignments,
    scaling,
  };
}
