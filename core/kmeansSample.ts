/**
 * k-means for a book too large to cluster whole: fit on a fixed-size sample, then put every
 * customer in the cluster whose centre is nearest. This is CLARA's recipe (Kaufman and Rousseeuw,
 * "Finding Groups in Data", 1990, ch. 3: cluster a sample, assign the rest): the centres are means,
 * so a sample of a few thousand already pins them down, and the fit's cost stops growing with the
 * book while the assignment is one pass that a database can do.
 *
 * The sample is the `KMEANS_SAMPLE_SIZE` customers with the smallest `sampleHash` of their id, a
 * multiplicative hash (Knuth, TAOCP vol. 3, 6.4) that needs no seed and no random stream: the same
 * book always gives the same sample whatever order its rows are read in, a customer's membership
 * does not depend on the others, and SQL computes the same number as `sampleHash` (see
 * `SAMPLE_HASH`). A book with fewer customers is clustered whole, exactly as `clusterCustomers`.
 */

import type { ClusterCustomer, CustomerClusters } from "./kmeans.js";

/** Most customers the clustering is fitted on. */
export const KMEANS_SAMPLE_SIZE = 10_000;

/**
 * The sample hash as SQL computes it: `(id * multiplier) % modulus`, exact in 64-bit integer
 * arithmetic for ids below 2^33 (the product stays under 2^63).
 */
export const SAMPLE_HASH = Object.freeze({ multiplier: 2654435761, modulus: 4294967296 });

/** Knuth's multiplicative hash of a customer id, in [0, 2^32): (id × 2654435761) mod 2^32. */
export function sampleHash(id: number): number {
  if (!Number.isSafeInteger(id) || id < 0) {
    throw new RangeError(`sampleHash: id must be a whole number >= 0, got ${id}`);
  }
  // Math.imul multiplies modulo 2^32, which is what the SQL modulus keeps.
  return Math.imul(id % SAMPLE_HASH.modulus, SAMPLE_HASH.multiplier) >>> 0;
}

/** What the assignment needs of a fit: its centres and the scaling of its features. */
export type ClusterModel = Pick<CustomerClusters, "centroids" | "scaling">;

/**
 * A customer's features as the fit saw them: log1p of recency, frequency and spend, each as a
 * z-score with the fit's mean and standard deviation (0 for a feature that was constant).
 */
export function standardisedFeatures(
  customer: Omit<ClusterCustomer, "id">,
  scaling: ClusterModel["scaling"],
): [number, number, number] {
  const values = [customer.recencyDays, customer.frequency, customer.monetary];
  return values.map((value, d) =>
    scaling.sd[d] > 0 ? (Math.log1p(value) - scaling.mean[d]) / scaling.sd[d] : 0,
  ) as [number, number, number];
}

/**
 * The cluster (as numbered in `model.centroids`) whose centre is nearest to the customer in
 * squared Euclidean distance of the standardised features; ties go to the lower number. Undefined
 * when the model has no clusters (a book without purchases).
 */
export function nearestCluster(
  customer: Omit<ClusterCustomer, "id">,
  model: ClusterModel,
): number | undefined {
  const point = standardisedFeatures(customer, model.scaling);
  let best: { cluster: number; distance: number } | undefined;
  for (const centroid of model.centroids) {
    let distance = 0;
    for (let d = 0; d < 3; d++) distance += (point[d] - centroid.standardised[d]) ** 2;
    if (
      best === undefined ||
      distance < best.distance ||
      (distance === best.distance && centroid.cluster < best.cluster)
    ) {
      best = { cluster: centroid.cluster, distance };
    }
  }
  return best?.cluster;
}
