import { describe, expect, it } from "vitest";
import { clusterCustomers, kmeans, silhouetteScore, type ClusterCustomer } from "../../core/kmeans.js";
import { createRng } from "../../core/random.js";

/** Three well-separated customer groups: loyal big spenders, regular mid spenders, lapsed one-timers. */
function threeBlobs(perBlob: number, seed = 7): ClusterCustomer[] {
  const rng = createRng(seed);
  const blobs = [
    { recencyDays: 5, frequency: 40, monetary: 5000 },
    { recencyDays: 60, frequency: 8, monetary: 400 },
    { recencyDays: 600, frequency: 1, monetary: 30 },
  ];
  const customers: ClusterCustomer[] = [];
  blobs.forEach((centre, b) => {
    for (let i = 0; i < perBlob; i++) {
      // Multiplicative noise of about +-10% keeps the blobs apart in log space.
      const jitter = () => Math.exp(0.1 * rng.normal());
      customers.push({
        id: `b${b}-${i}`,
        recencyDays: centre.recencyDays * jitter(),
        frequency: centre.frequency * jitter(),
        monetary: centre.monetary * jitter(),
      });
    }
  });
  return customers;
}

describe("clusterCustomers", () => {
  it("chooses k = 3 by silhouette on three well-separated blobs and recovers them", () => {
    const customers = threeBlobs(60);
    const result = clusterCustomers(customers, { seed: 11 });
    expect(result.k).toBe(3);
    expect(result.silhouetteByK.map((entry) => entry.k)).toEqual([2, 3, 4, 5, 6, 7, 8]);
    const best = Math.max(...result.silhouetteByK.map((entry) => entry.silhouette));
    expect(result.silhouetteByK.find((entry) => entry.k === 3)?.silhouette).toBe(best);
    // Every blob lands in one cluster, and the loyal big spenders are cluster 0.
    for (const blob of ["b0", "b1", "b2"]) {
      const clusters = new Set(result.assignments.filter((a) => a.id.startsWith(blob)).map((a) => a.cluster));
      expect(clusters.size).toBe(1);
    }
    expect(result.assignments.find((a) => a.id === "b0-0")?.cluster).toBe(0);
    const top = result.centroids[0].original;
    expect(top.frequency).toBeGreaterThan(30);
    expect(top.frequency).toBeLessThan(55);
    expect(top.monetary).toBeGreaterThan(4000);
    expect(result.centroids.map((c) => c.size)).toEqual([60, 60, 60]);
  });

  it("gives the same result for the same seed", () => {
    const customers = threeBlobs(40, 3);
    expect(clusterCustomers(customers, { seed: 5 })).toEqual(clusterCustomers(customers, { seed: 5 }));
  });

  it("computes the silhouette on a sample of at most the requested size for large inputs", () => {
    const customers = threeBlobs(400, 9);
    const result = clusterCustomers(customers, { seed: 2, silhouetteSampleSize: 300, maxK: 4 });
    expect(result.silhouetteSampleSize).toBe(300);
    expect(result.k).toBe(3);
  });

  it("returns one cluster when there is nothing to separate", () => {
    const same = Array.from({ length: 5 }, (_, i) => ({
      id: `c${i}`,
      recencyDays: 10,
      frequency: 2,
      monetary: 50,
    }));
    const result = clusterCustomers(same);
    expect(result.k).toBe(1);
    expect(result.centroids[0].original.monetary).toBeCloseTo(50);
    expect(clusterCustomers([]).k).toBe(1);
  });

  it("rejects negative values with a message naming the customer", () => {
    expect(() => clusterCustomers([{ id: "x", recencyDays: 1, frequency: 1, monetary: -5 }])).toThrow(
      /id x.*monetary/,
    );
  });
});

describe("kmeans", () => {
  it("separates two obvious groups and is deterministic for a seed", () => {
    const points = [
      [0, 0],
      [0, 1],
      [1, 0],
      [10, 10],
      [10, 11],
      [11, 10],
    ];
    const fit = kmeans(points, 2, { seed: 4 });
    expect(new Set(fit.assignments.slice(0, 3)).size).toBe(1);
    expect(new Set(fit.assignments.slice(3)).size).toBe(1);
    expect(fit.assignments[0]).not.toBe(fit.assignments[3]);
    expect(fit.converged).toBe(true);
    expect(kmeans(points, 2, { seed: 4 })).toEqual(fit);
    expect(silhouetteScore(points, fit.assignments)).toBeGreaterThan(0.8);
  });

  it("rejects k larger than the number of points", () => {
    expect(() => kmeans([[1], [2]], 3)).toThrow(/k must be/);
  });
});
