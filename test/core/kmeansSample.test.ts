import fc from "fast-check";
import { describe, expect, it } from "vitest";
import { clusterCustomers, type ClusterCustomer } from "../../core/kmeans.js";
import { nearestCluster, SAMPLE_HASH, sampleHash, standardisedFeatures } from "../../core/kmeansSample.js";
import { createRng } from "../../core/random.js";

function customers(count: number, seed: number): ClusterCustomer[] {
  const rng = createRng(seed);
  return Array.from({ length: count }, (_, i) => ({
    id: String(i + 1),
    recencyDays: Math.floor(rng.exponential(1 / 120)),
    frequency: 1 + rng.poisson(3),
    monetary: Math.round(rng.gamma(2, 150) * 100) / 100,
  }));
}

describe("sample hash", () => {
  it("is (id × 2654435761) mod 2^32, the number SQL computes, for ids up to 2^33", () => {
    fc.assert(
      fc.property(fc.integer({ min: 0, max: 2 ** 33 - 1 }), (id) => {
        const exact = (BigInt(id) * BigInt(SAMPLE_HASH.multiplier)) % BigInt(SAMPLE_HASH.modulus);
        expect(sampleHash(id)).toBe(Number(exact));
      }),
    );
  });

  it("spreads consecutive ids evenly: the smallest tenth of 10,000 hashes takes ids from every stretch", () => {
    const ids = Array.from({ length: 10_000 }, (_, i) => i + 1);
    const sample = ids.sort((a, b) => sampleHash(a) - sampleHash(b)).slice(0, 1000);
    const perThousand = new Array<number>(10).fill(0);
    for (const id of sample) perThousand[Math.floor((id - 1) / 1000)]++;
    for (const count of perThousand) expect(count).toBeGreaterThan(80);
  });

  it("rejects ids that are not whole numbers >= 0", () => {
    for (const id of [-1, 1.5, Number.NaN, 2 ** 60]) expect(() => sampleHash(id)).toThrow(/whole number/);
  });
});

describe("nearest cluster", () => {
  it("puts every customer a fit clustered where the fit put them", () => {
    const book = customers(800, 3);
    const fit = clusterCustomers(book, { seed: 42 });
    const placed = book.map((customer) => nearestCluster(customer, fit));
    expect(placed).toEqual(fit.assignments.map((row) => row.cluster));
  });

  it("places customers outside the sample by the centres the sample gave", () => {
    const book = customers(2000, 5);
    const sample = [...book]
      .sort((a, b) => sampleHash(Number(a.id)) - sampleHash(Number(b.id)))
      .slice(0, 500);
    const fit = clusterCustomers(sample, { seed: 42 });
    for (const customer of book) {
      const cluster = nearestCluster(customer, fit)!;
      const point = standardisedFeatures(customer, fit.scaling);
      const distance = (c: number) =>
        fit.centroids[c].standardised.reduce((sum, centre, d) => sum + (point[d] - centre) ** 2, 0);
      for (let c = 0; c < fit.centroids.length; c++)
        expect(distance(cluster)).toBeLessThanOrEqual(distance(c));
    }
  });

  it("has nothing to say without clusters, and a constant feature does not move the distance", () => {
    expect(
      nearestCluster(
        { recencyDays: 1, frequency: 1, monetary: 1 },
        { centroids: [], scaling: { mean: [0, 0, 0], sd: [1, 1, 1] } },
      ),
    ).toBeUndefined();
    expect(
      standardisedFeatures({ recencyDays: 9, frequency: 2, monetary: 5 }, { mean: [1, 1, 1], sd: [0, 1, 0] }),
    ).toEqual([0, Math.log1p(2) - 1, 0]);
  });
});
