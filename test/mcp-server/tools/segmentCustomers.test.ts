import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { clusterCustomers } from "../../../core/kmeans.js";
import { nearestCluster, sampleHash } from "../../../core/kmeansSample.js";
import { RFM_SEGMENT_GRID, RFM_SEGMENT_KEYS } from "../../../core/rfm.js";
import {
  SEGMENT_CUSTOMERS,
  SEGMENT_KMEANS,
  segmentCustomersOutput,
  type SegmentCustomersResult,
} from "../../../mcp-server/contract/segmentCustomers.js";
import { ensureScores } from "../../../mcp-server/scoring/scoreCache.js";
import { clusterSample, clusterTotals } from "../../../mcp-server/store/scoreQueries.js";
import { createMcpHarness, DEMO_AS_OF, DEMO_CUSTOMERS, type McpHarness } from "../../helpers/mcpClient.js";
import { snapshotStore } from "../../helpers/tempStore.js";

let mcp: McpHarness;
let setId: number;

beforeAll(async () => {
  mcp = await createMcpHarness();
  setId = (await ensureScores(mcp.store, new Date(`${DEMO_AS_OF}T23:59:59Z`), mcp.deps.now)).id;
});
afterAll(() => mcp.close());

async function segment(args: Record<string, unknown>): Promise<SegmentCustomersResult> {
  const result = await mcp.call(SEGMENT_CUSTOMERS, { as_of: DEMO_AS_OF, ...args });
  expect(result.isError, JSON.stringify(result.content)).toBeFalsy();
  return segmentCustomersOutput.parse(result.structuredContent);
}

interface Group {
  key: string | null;
  count: number;
  clv: number;
  revenue: number;
}

/** The same sums straight from the score cache, grouped by one column. */
async function groupsBy(column: string, owner?: string): Promise<Map<string | null, Group>> {
  const rows = await mcp.store.db.all<Group>(
    `SELECT s.${column} AS key, COUNT(*) AS count, SUM(s.clv) AS clv, SUM(s.revenue) AS revenue
     FROM customer_scores s JOIN customers c ON c.id = s.customer_id
     WHERE s.score_set_id = ? ${owner ? "AND c.owner = ? COLLATE NOCASE" : ""} GROUP BY s.${column}`,
    owner ? [setId, owner] : [setId],
  );
  return new Map(rows.map((row) => [row.key, row]));
}

function expectMatches(result: SegmentCustomersResult, groups: Map<string | null, Group>) {
  for (const segment of result.segments) {
    const group = groups.get(segment.key) ?? { count: 0, clv: 0, revenue: 0 };
    expect(segment.count, segment.key).toBe(group.count);
    expect(segment.clv).toBeCloseTo(group.clv, 6);
    expect(segment.revenue).toBeCloseTo(group.revenue, 6);
    expect(segment.customer_share).toBeCloseTo(group.count / result.customers, 12);
    expect(segment.clv_share).toBeCloseTo(group.clv / result.total_clv, 12);
  }
  expect(result.segments.reduce((sum, s) => sum + s.count, 0) + (result.unsegmented?.count ?? 0)).toBe(
    result.customers,
  );
  expect(result.unsegmented?.count ?? 0).toBe(groups.get(null)?.count ?? 0);
}

describe("segment_customers", () => {
  it("is listed read-only with an output schema and described inputs", async () => {
    const { tools } = await mcp.client.listTools();
    const tool = tools.find((candidate) => candidate.name === SEGMENT_CUSTOMERS)!;
    expect(tool.annotations).toMatchObject({
      readOnlyHint: true,
      destructiveHint: false,
      idempotentHint: true,
    });
    expect(tool.outputSchema).toBeDefined();
    for (const [name, property] of Object.entries(tool.inputSchema.properties ?? {})) {
      expect((property as { description?: string }).description, name).toBeTruthy();
    }
    expect(tool.inputSchema.required).toEqual(["by"]);
  });

  it("sizes the RFM segments of the demo book exactly", async () => {
    const result = await segment({ by: "rfm" });
    expect(result.segments.map((s) => s.key)).toEqual(RFM_SEGMENT_KEYS);
    expectMatches(result, await groupsBy("rfm_segment"));
    // Pinned: RFM depends only on the demo transactions.
    expect(result.customers).toBe(DEMO_CUSTOMERS);
    expect(result.unsegmented?.count).toBe(35);
    expect(Object.fromEntries(result.segments.map((s) => [s.key, s.count]))).toEqual({
      champions: 115,
      loyal: 72,
      "potential-loyalist": 33,
      new: 13,
      promising: 21,
      "need-attention": 57,
      "about-to-sleep": 66,
      "at-risk": 71,
      "cant-lose-them": 16,
      hibernating: 58,
      lost: 43,
    });
    expect(result.total_revenue).toBeCloseTo(830000.21, 2);
    const champions = result.segments[0];
    expect(champions.revenue).toBeCloseTo(412361.52, 2);
    expect(champions.label).toEqual({ en: "Champions", zh: "冠军客户" });
    expect(champions.recommended_action.en).toMatch(/Reward them/);
  });

  it("splits the RFM segments into the grid's cells: each cell named by the segment rule, cells adding up to their segment", async () => {
    const result = await segment({ by: "rfm" });
    const grid = result.rfm_grid!;
    expect(grid.length).toBeGreaterThan(10);
    const bySegment = new Map<string, { customers: number; share: number }>();
    for (const cell of grid) {
      expect(cell.segment).toBe(RFM_SEGMENT_GRID[cell.r - 1][cell.fm - 1]);
      const sum = bySegment.get(cell.segment) ?? { customers: 0, share: 0 };
      bySegment.set(cell.segment, {
        customers: sum.customers + cell.customers,
        share: sum.share + cell.clv_share,
      });
    }
    for (const segment of result.segments) {
      expect(bySegment.get(segment.key)?.customers ?? 0, segment.key).toBe(segment.count);
      expect(bySegment.get(segment.key)?.share ?? 0, segment.key).toBeCloseTo(segment.clv_share, 12);
    }
    expect((await segment({ by: "lifecycle" })).rfm_grid).toBeNull();
  });

  it("lists the highest-CLV members of each segment as samples", async () => {
    const result = await segment({ by: "rfm", samples_per_segment: 5 });
    for (const segment of result.segments) {
      const expected = await mcp.store.db.all<{ external_id: string }>(
        `SELECT c.external_id FROM customer_scores s JOIN customers c ON c.id = s.customer_id
         WHERE s.score_set_id = ? AND s.rfm_segment = ? ORDER BY s.clv DESC, c.id LIMIT 5`,
        [setId, segment.key],
      );
      expect(segment.samples.map((sample) => sample.customer.customer_id)).toEqual(
        expected.map((row) => row.external_id),
      );
    }
    const none = await segment({ by: "rfm", samples_per_segment: 0 });
    expect(none.segments.every((s) => s.samples.length === 0)).toBe(true);
    const defaults = await segment({ by: "rfm" });
    expect(defaults.segments[0].samples).toHaveLength(3);
  });

  it("sizes lifecycle stages, ABC tiers and value-matrix quadrants from the cached scores", async () => {
    const lifecycle = await segment({ by: "lifecycle" });
    expect(lifecycle.segments.map((s) => s.key)).toEqual([
      "prospect",
      "onboarding",
      "growth",
      "mature",
      "decline",
      "churned",
      "win-back",
    ]);
    expectMatches(lifecycle, await groupsBy("lifecycle_stage"));
    expect(lifecycle.unsegmented).toBeNull();
    expect(lifecycle.segments[0].count).toBe(35);

    const abc = await segment({ by: "abc" });
    expectMatches(abc, await groupsBy("abc_tier"));
    const [a, b] = abc.segments;
    expect(a.clv_share).toBeGreaterThanOrEqual(0.8);
    expect(a.clv_share + b.clv_share).toBeGreaterThanOrEqual(0.95);

    const matrix = await segment({ by: "value_matrix" });
    expect(matrix.segments.map((s) => s.key)).toEqual([
      "true-friends",
      "butterflies",
      "barnacles",
      "strangers",
    ]);
    expectMatches(matrix, await groupsBy("value_quadrant"));
    expect(matrix.unsegmented?.count).toBe(35);
  });

  it("counts only one owner's customers when asked, case-insensitively, with segments from the whole book", async () => {
    const result = await segment({ by: "rfm", owner: "alice MARTIN" });
    const groups = await groupsBy("rfm_segment", "Alice Martin");
    const owned = [...groups.values()].reduce((sum, group) => sum + group.count, 0);
    expect(result.customers).toBe(owned);
    expect(result.owner).toBe("alice MARTIN");
    expectMatches(result, groups);
    expect(result.segments.flatMap((s) => s.samples).every((s) => s.customer.owner === "Alice Martin")).toBe(
      true,
    );
  });

  it("clusters purchasing customers with k-means, choosing k by silhouette with a fixed seed", async () => {
    const result = await segment({ by: "kmeans" });
    const kmeans = result.kmeans!;
    const buyers = await mcp.store.db.all<{ id: number; days: number; x: number; revenue: number }>(
      "SELECT customer_id AS id, days_since_last_purchase AS days, x, revenue FROM customer_scores WHERE score_set_id = ? AND orders > 0 ORDER BY customer_id",
      [setId],
    );
    const expected = clusterCustomers(
      buyers.map((row) => ({
        id: String(row.id),
        recencyDays: row.days,
        frequency: row.x + 1,
        monetary: Math.max(0, row.revenue),
      })),
      { seed: SEGMENT_KMEANS.seed, minK: SEGMENT_KMEANS.minK, maxK: SEGMENT_KMEANS.maxK },
    );
    expect(kmeans.k).toBe(expected.k);
    expect(kmeans.seed).toBe(SEGMENT_KMEANS.seed);
    expect(kmeans.clustered_customers).toBe(buyers.length);
    expect(kmeans.silhouette_by_k.map((row) => row.k)).toEqual([2, 3, 4, 5, 6, 7, 8]);
    const best = Math.max(...kmeans.silhouette_by_k.map((row) => row.silhouette));
    expect(kmeans.silhouette_by_k.find((row) => row.k === kmeans.k)!.silhouette).toBe(best);
    expect(kmeans.centroids.map((c) => c.size)).toEqual(expected.centroids.map((c) => c.size));
    expect(kmeans.centroids[0].recency_days).toBeCloseTo(expected.centroids[0].original.recencyDays, 9);
    expect(result.segments.map((s) => s.count)).toEqual(expected.centroids.map((c) => c.size));
    expect(result.unsegmented?.count).toBe(DEMO_CUSTOMERS - buyers.length);
    // Pinned for the demo book: two clusters, the best one first.
    expect(kmeans.k).toBe(2);
    expect(kmeans.centroids.map((c) => c.size)).toEqual([223, 342]);
    expect(result.segments[0].label.en).toBe("Cluster 1: recent, frequent, high spend");
    // Deterministic: the same call gives the same clusters.
    expect((await segment({ by: "kmeans" })).kmeans).toEqual(kmeans);
  });

  it("answers bad input with an isError result and changes nothing", async () => {
    const before = await snapshotStore(mcp.store);
    const bad: Record<string, unknown>[] = [
      {},
      { by: "bogus" },
      { by: 5 },
      { by: "rfm", samples_per_segment: 11 },
      { by: "rfm", samples_per_segment: -1 },
      { by: "rfm", samples_per_segment: 1.5 },
      { by: "rfm", samples_per_segment: "3" },
      { by: "rfm", owner: "" },
      { by: "rfm", as_of: "2026-13-01" },
      { by: "rfm", as_of: "yesterday" },
      { by: "rfm'; DROP TABLE customers; --" },
    ];
    for (const args of bad) {
      const result = await mcp.call(SEGMENT_CUSTOMERS, args);
      expect(result.isError, JSON.stringify(args)).toBe(true);
    }
    const injection = await segment({ by: "rfm", owner: "x' OR '1'='1" });
    expect(injection.customers).toBe(0);
    expect(injection.segments.every((s) => s.count === 0 && s.samples.length === 0)).toBe(true);
    expect(await snapshotStore(mcp.store)).toEqual(before);
  });
});

/** Every score row of the set with its customer, as plain objects: the book the SQL reads. */
async function bookInMemory() {
  return mcp.store.db.all<{
    id: number;
    external_id: string;
    owner: string | null;
    rfm_segment: string | null;
    lifecycle_stage: string;
    abc_tier: string | null;
    value_quadrant: string | null;
    clv: number;
    revenue: number;
    orders: number;
    x: number;
    days_since_last_purchase: number | null;
  }>(
    `SELECT c.id, c.external_id, c.owner, s.rfm_segment, s.lifecycle_stage, s.abc_tier, s.value_quadrant,
            s.clv, s.revenue, s.orders, s.x, s.days_since_last_purchase
     FROM customer_scores s JOIN customers c ON c.id = s.customer_id WHERE s.score_set_id = ?`,
    [setId],
  );
}

describe("segment_customers answers from SQL", () => {
  it("equals a plain grouping of the score rows in JavaScript for every segmentation and owner", async () => {
    const book = await bookInMemory();
    const columns = {
      rfm: "rfm_segment",
      lifecycle: "lifecycle_stage",
      abc: "abc_tier",
      value_matrix: "value_quadrant",
    } as const;
    for (const owner of [undefined, "wang LEI"]) {
      const scope = book.filter(
        (row) => owner === undefined || row.owner?.toLowerCase() === owner.toLowerCase(),
      );
      for (const [by, column] of Object.entries(columns)) {
        const result = await segment({ by, owner, samples_per_segment: 4 });
        expect(result.customers).toBe(scope.length);
        expect(result.total_clv).toBeCloseTo(
          scope.reduce((sum, row) => sum + row.clv, 0),
          6,
        );
        for (const segmentResult of result.segments) {
          const members = scope.filter((row) => row[column] === segmentResult.key);
          expect(segmentResult.count, `${by} ${segmentResult.key}`).toBe(members.length);
          expect(segmentResult.clv).toBeCloseTo(
            members.reduce((sum, row) => sum + row.clv, 0),
            6,
          );
          expect(segmentResult.revenue).toBeCloseTo(
            members.reduce((sum, row) => sum + row.revenue, 0),
            6,
          );
          const top = [...members].sort((a, b) => b.clv - a.clv || a.id - b.id).slice(0, 4);
          expect(segmentResult.samples.map((sample) => sample.customer.customer_id)).toEqual(
            top.map((row) => row.external_id),
          );
        }
        const placed = result.segments.reduce((sum, row) => sum + row.count, 0);
        expect(result.unsegmented?.count ?? 0).toBe(scope.length - placed);
      }
    }
  });

  it("samples k-means customers by the id hash and places everyone at the nearest centre, as JavaScript does", async () => {
    const book = await bookInMemory();
    const buyers = book.filter((row) => row.orders > 0);
    const features = (row: (typeof buyers)[number]) => ({
      recencyDays: row.days_since_last_purchase ?? 0,
      frequency: row.x + 1,
      monetary: Math.max(0, row.revenue),
    });
    // A sample smaller than the book, as on a book of more than KMEANS_SAMPLE_SIZE purchasers.
    const sample = await clusterSample(mcp.store, setId, 150);
    const expectedSample = [...buyers]
      .sort((a, b) => sampleHash(a.id) - sampleHash(b.id) || a.id - b.id)
      .slice(0, 150)
      .sort((a, b) => a.id - b.id);
    expect(sample).toEqual(expectedSample.map((row) => ({ id: row.id, ...features(row) })));

    const model = clusterCustomers(
      sample.map((row) => ({ ...row, id: String(row.id) })),
      { seed: SEGMENT_KMEANS.seed, minK: 3, maxK: 3 },
    );
    for (const owner of [undefined, "Chen Jing"]) {
      const totals = await clusterTotals(mcp.store, { setId, owner }, model, 3);
      const scope = buyers.filter((row) => owner === undefined || row.owner === owner);
      const byCluster = new Map<number, typeof scope>();
      for (const row of scope) {
        const cluster = nearestCluster(features(row), model)!;
        byCluster.set(cluster, [...(byCluster.get(cluster) ?? []), row]);
      }
      expect(totals.map((row) => row.cluster).sort()).toEqual([...byCluster.keys()].sort());
      for (const row of totals) {
        const members = byCluster.get(row.cluster)!;
        expect(row.customers).toBe(members.length);
        expect(row.clv).toBeCloseTo(
          members.reduce((sum, member) => sum + member.clv, 0),
          6,
        );
        expect(row.revenue).toBeCloseTo(
          members.reduce((sum, member) => sum + member.revenue, 0),
          6,
        );
        expect(row.topIds).toEqual(
          [...members]
            .sort((a, b) => b.clv - a.clv || a.id - b.id)
            .slice(0, 3)
            .map((member) => member.id),
        );
      }
    }
  });

  it("reports whole-book cluster sizes for one owner's view, and the owner's counts per cluster", async () => {
    const whole = await segment({ by: "kmeans" });
    const owned = await segment({ by: "kmeans", owner: "Sofia Rossi" });
    expect(owned.kmeans!.centroids.map((c) => c.size)).toEqual(whole.kmeans!.centroids.map((c) => c.size));
    const book = await bookInMemory();
    const buyers = book.filter((row) => row.orders > 0 && row.owner === "Sofia Rossi");
    expect(owned.segments.reduce((sum, s) => sum + s.count, 0)).toBe(buyers.length);
    expect(
      owned.segments.every((s) => s.samples.every((sample) => sample.customer.owner === "Sofia Rossi")),
    ).toBe(true);
  });
});
