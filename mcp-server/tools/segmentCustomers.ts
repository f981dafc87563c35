import type { McpServer } from "@modelcontextprotocol/sdk/server/mcp.js";
import { registerAppTool } from "@modelcontextprotocol/ext-apps/server";
import { appToolMeta } from "../apps/catalogue.js";
import type { Bilingual } from "../../core/i18n.js";
import { clusterCustomers, type ClusterCentroid } from "../../core/kmeans.js";
import { KMEANS_SAMPLE_SIZE, type ClusterModel } from "../../core/kmeansSample.js";
import { LIFECYCLE_STAGE_KEYS, LIFECYCLE_STAGES } from "../../core/lifecycle.js";
import { RFM_SEGMENT_KEYS, RFM_SEGMENTS, rfmSegment, type RfmSegmentKey } from "../../core/rfm.js";
import { ABC_TIERS, VALUE_QUADRANTS, type AbcTier, type ValueQuadrant } from "../../core/valueTiers.js";
import {
  memberListings,
  SEGMENT_CUSTOMERS,
  SEGMENT_KMEANS,
  SEGMENT_MEMBERS_PAGE,
  SEGMENT_SAMPLES,
  segmentCustomersInput,
  segmentCustomersOutput,
  type Segmentation,
  type SegmentCustomersResult,
  type SegmentMembers,
  type SegmentOutput,
} from "../contract/segmentCustomers.js";
import type { ScoreSet } from "../scoring/scoreCache.js";
import type { ServerDeps } from "../server/deps.js";
import { Memo } from "../store/memo.js";
import {
  clusterSample,
  clusterTotals,
  countPurchasers,
  membersById,
  rfmGridTotals,
  scopeTotals,
  segmentGroups,
  topSegmentMembers,
  type GroupTotals,
  type ScoredMember,
  type ScoreScope,
  type SegmentColumn,
} from "../store/scoreQueries.js";
import {
  cell,
  customerRef,
  money,
  percent,
  scoreSetInfo,
  scoresFor,
  shareOf,
  toolResult,
} from "./support.js";

type Input = {
  by: Segmentation;
  owner?: string;
  samples_per_segment?: number;
  members_of?: string;
  page?: number;
  as_of?: string;
};

/** What a segmentation says about one segment before any customer is counted. */
interface SegmentInfo {
  key: string;
  label: Bilingual;
  description: Bilingual;
  action: Bilingual;
}

/** ABC tiers come with descriptions only; these are the actions the tool recommends for them. */
const ABC_ACTIONS: Record<AbcTier, Bilingual> = {
  A: {
    en: "Give them a named account manager and regular personal check-ins; protect these relationships first.",
    zh: "安排专属客户经理定期亲自回访；优先守住这些客户关系。",
  },
  B: {
    en: "Grow them toward A: regular contact, relevant up-sell and cross-sell.",
    zh: "培养成A类客户：保持定期联系，做相关的追加销售和交叉销售。",
  },
  C: {
    en: "Serve efficiently through low-cost channels (newsletters, self-service); watch for customers moving up.",
    zh: "通过低成本渠道（邮件简报、自助服务）高效服务；留意价值上升的客户。",
  },
};

const UNSEGMENTED_NO_PURCHASE: Bilingual = {
  en: "no purchase up to the as-of date (prospects), so no recency, frequency or spend to place them by",
  zh: "截至该日期尚无购买（潜在客户），没有可用于划分的最近购买、频率和消费",
};

function fixedSegments(by: Exclude<Segmentation, "kmeans">): SegmentInfo[] {
  switch (by) {
    case "rfm":
      return RFM_SEGMENT_KEYS.map((key) => ({
        key,
        label: RFM_SEGMENTS[key].label,
        description: RFM_SEGMENTS[key].description,
        action: RFM_SEGMENTS[key].action,
      }));
    case "lifecycle":
      return LIFECYCLE_STAGE_KEYS.map((key) => ({
        key,
        label: LIFECYCLE_STAGES[key].label,
        description: LIFECYCLE_STAGES[key].description,
        action: LIFECYCLE_STAGES[key].strategy,
      }));
    case "abc":
      return (["A", "B", "C"] as const).map((key) => ({
        key,
        label: ABC_TIERS[key].label,
        description: ABC_TIERS[key].description,
        action: ABC_ACTIONS[key],
      }));
    case "value_matrix":
      return (Object.keys(VALUE_QUADRANTS) as ValueQuadrant[]).map((key) => ({
        key,
        label: VALUE_QUADRANTS[key].label,
        description: VALUE_QUADRANTS[key].description,
        action: VALUE_QUADRANTS[key].strategy,
      }));
  }
}

/** The score column that holds each fixed segmentation. */
const SEGMENT_COLUMN: Record<Exclude<Segmentation, "kmeans">, SegmentColumn> = {
  rfm: "rfm_segment",
  lifecycle: "lifecycle_stage",
  abc: "abc_tier",
  value_matrix: "value_quadrant",
};

const Z_HIGH = 0.5;

/**
 * Words and an RFM-style action for a cluster centre, read off its z-scores: recency below -0.5
 * is recent, above +0.5 lapsed; the mean of the frequency and spend z-scores says how valuable.
 */
function describeCluster(centroid: ClusterCentroid, number: number): SegmentInfo {
  const [recencyZ, frequencyZ, monetaryZ] = centroid.standardised;
  const value = (frequencyZ + monetaryZ) / 2;
  const recency: Bilingual =
    recencyZ < -Z_HIGH
      ? { en: "recent", zh: "近期购买" }
      : recencyZ > Z_HIGH
        ? { en: "lapsed", zh: "久未购买" }
        : { en: "mid recency", zh: "购买时间居中" };
  const frequency: Bilingual =
    frequencyZ > Z_HIGH
      ? { en: "frequent", zh: "购买频繁" }
      : frequencyZ < -Z_HIGH
        ? { en: "infrequent", zh: "购买较少" }
        : { en: "average frequency", zh: "频率中等" };
  const spend: Bilingual =
    monetaryZ > Z_HIGH
      ? { en: "high spend", zh: "消费高" }
      : monetaryZ < -Z_HIGH
        ? { en: "low spend", zh: "消费低" }
        : { en: "average spend", zh: "消费中等" };
  let like: RfmSegmentKey;
  if (recencyZ < -Z_HIGH)
    like = value > Z_HIGH ? "champions" : value < -Z_HIGH ? "new" : "potential-loyalist";
  else if (recencyZ > Z_HIGH)
    like = value > Z_HIGH ? "cant-lose-them" : value < -Z_HIGH ? "hibernating" : "at-risk";
  else like = value > Z_HIGH ? "loyal" : "need-attention";
  const { recencyDays, frequency: purchases, monetary } = centroid.original;
  return {
    key: `cluster-${number}`,
    label: {
      en: `Cluster ${number}: ${recency.en}, ${frequency.en}, ${spend.en}`,
      zh: `第${number}类：${recency.zh}，${frequency.zh}，${spend.zh}`,
    },
    description: {
      en: `Typical member: last purchase about ${Math.round(recencyDays)} days ago, about ${purchases.toFixed(1)} purchase occasions, about ${money(monetary)} spent in total.`,
      zh: `典型成员：约${Math.round(recencyDays)}天前最后一次购买，约${purchases.toFixed(1)}次购买，累计消费约${money(monetary)}。`,
    },
    action: RFM_SEGMENTS[like].action,
  };
}

/** One segment as the result reports it, from its SQL totals and its listed members. */
function segmentOutput(
  info: SegmentInfo,
  group: Omit<GroupTotals, "key"> | undefined,
  members: readonly ScoredMember[],
  totals: { customers: number; clv: number; revenue: number },
): SegmentOutput {
  const count = group?.customers ?? 0;
  const clv = group?.clv ?? 0;
  const revenue = group?.revenue ?? 0;
  return {
    key: info.key,
    label: info.label,
    description: info.description,
    recommended_action: info.action,
    count,
    customer_share: shareOf(count, totals.customers),
    clv,
    clv_share: shareOf(clv, totals.clv),
    revenue,
    revenue_share: shareOf(revenue, totals.revenue),
    average_clv: count > 0 ? clv / count : null,
    samples: members.map((member) => ({
      customer: customerRef(member),
      clv: member.clv,
      revenue: member.revenue,
      orders: member.orders,
      last_purchase: member.last_purchase,
      risk_score: member.risk_score,
    })),
  };
}

/** The k-means of a score set's book: the fit on the sample, and how many customers it stands for. */
interface BookClusters extends ClusterModel {
  k: number;
  seed: number;
  silhouetteByK: { k: number; silhouette: number; inertia: number }[];
  silhouetteSampleSize: number;
  /** Purchasing customers in the whole book, all of them placed by the fit. */
  purchasers: number;
  /** Customers of the whole book in each cluster (by the cluster's number in `centroids`). */
  sizes: Map<number, number>;
}

/**
 * The fit costs about the same for any book (the sample is capped), about a second, and a score
 * set never changes: it is made once per set and reused by every owner's view and every call.
 */
const clusterFits = new Memo<BookClusters>(8);

/**
 * Fits k-means on the `KMEANS_SAMPLE_SIZE` purchasers with the smallest id hash (everyone in a
 * smaller book, which then clusters exactly as before), with the fixed seed and silhouette choice
 * of k. Only the centres, the scaling and the whole book's cluster sizes are kept: customers are
 * placed by the nearest centre in SQL.
 */
function bookClusters(deps: ServerDeps, set: ScoreSet): Promise<BookClusters> {
  return clusterFits.remember(deps.store, [set.id, set.computedAt], async () => {
    const sample = await clusterSample(deps.store, set.id, KMEANS_SAMPLE_SIZE);
    const fit = clusterCustomers(
      sample.map((row) => ({
        id: String(row.id),
        recencyDays: row.recencyDays,
        frequency: row.frequency,
        monetary: row.monetary,
      })),
      { seed: SEGMENT_KMEANS.seed, minK: SEGMENT_KMEANS.minK, maxK: SEGMENT_KMEANS.maxK },
    );
    const model = { centroids: fit.centroids, scaling: fit.scaling };
    const book = await clusterTotals(deps.store, { setId: set.id }, model, 0);
    return {
      k: fit.k,
      seed: fit.seed,
      silhouetteByK: fit.silhouetteByK,
      silhouetteSampleSize: fit.silhouetteSampleSize,
      ...model,
      purchasers: await countPurchasers(deps.store, set.id),
      sizes: new Map(book.map((row) => [row.cluster, row.customers])),
    };
  });
}

/** Segment results per score set and its data version, segmentation, owner and sample size. */
const results = new Memo<SegmentCustomersResult>(64);

/**
 * Splits the book into segments (RFM, lifecycle, ABC, value matrix or k-means clusters) and
 * reports each segment's size, CLV and revenue with its share, a recommended action and its
 * highest-CLV members. Segments are defined on the whole book; `owner` only narrows who is
 * counted, so one customer is in the same segment whoever asks.
 *
 * Everything is read from the score set by SQL: one scan that sums each segment and ranks its
 * members by CLV for the samples; for k-means, a fit on a fixed-size sample of the book
 * and one pass that puts every purchaser in the cluster with the nearest centre.
 */
export async function segmentCustomers(deps: ServerDeps, input: Input): Promise<SegmentCustomersResult> {
  const { set } = await scoresFor(deps, input.as_of);
  const samples = input.samples_per_segment ?? SEGMENT_SAMPLES.default;
  // A write carries the set over, which can move the written customer to another segment.
  const key = [set.id, set.computedAt, set.dataVersion, input.by, input.owner ?? null, samples];
  const result = await results.remember(deps.store, key, () =>
    segment(deps, set, input.by, input.owner, samples),
  );
  if (input.members_of === undefined) {
    if (input.page !== undefined)
      throw new Error("page pages through a segment's members: pass members_of (a segment key) with it");
    return result;
  }
  return { ...result, members: await membersOf(deps, set, result, input.members_of, input.page ?? 1) };
}

/**
 * One page of every customer in segment `key` of the result's segmentation (in the result's
 * scope), or an error that says which keys and pages there are.
 */
async function membersOf(
  deps: ServerDeps,
  set: ScoreSet,
  result: SegmentCustomersResult,
  key: string,
  page: number,
): Promise<SegmentMembers> {
  const by = result.by;
  if (by === "kmeans" || !(memberListings as readonly string[]).includes(by)) {
    throw new Error(
      `members_of lists the segments of by=${memberListings.join(", ")}; k-means clusters list their highest-CLV samples only (samples_per_segment up to ${SEGMENT_SAMPLES.max})`,
    );
  }
  const segment = result.segments.find((candidate) => candidate.key === key);
  if (!segment) {
    throw new Error(
      `members_of "${key}" is not a segment of by=${by}; use one of: ${result.segments.map((candidate) => candidate.key).join(", ")}`,
    );
  }
  const pages = Math.max(1, Math.ceil(segment.count / SEGMENT_MEMBERS_PAGE));
  if (page > pages) {
    throw new Error(
      `page ${page} is past the last page of "${key}": ${segment.count} customers make ${pages} page${pages === 1 ? "" : "s"} of ${SEGMENT_MEMBERS_PAGE}`,
    );
  }
  const scope: ScoreScope = { setId: set.id, owner: result.owner ?? undefined };
  const rows = await topSegmentMembers(
    deps.store,
    scope,
    SEGMENT_COLUMN[by],
    key,
    SEGMENT_MEMBERS_PAGE,
    (page - 1) * SEGMENT_MEMBERS_PAGE,
  );
  return {
    segment: key,
    label: segment.label,
    total: segment.count,
    page,
    pages,
    page_size: SEGMENT_MEMBERS_PAGE,
    customers: rows.map((row) => ({
      customer: customerRef(row),
      clv: row.clv,
      revenue: row.revenue,
      orders: row.orders,
      last_purchase: row.last_purchase,
      risk_score: row.risk_score,
      churn_probability: row.churn_probability,
      value_at_risk: row.value_at_risk,
    })),
  };
}

async function segment(
  deps: ServerDeps,
  set: ScoreSet,
  by: Segmentation,
  owner: string | undefined,
  samples: number,
): Promise<SegmentCustomersResult> {
  const scope: ScoreScope = { setId: set.id, owner };
  let infos: SegmentInfo[];
  let groups: Map<string, Omit<GroupTotals, "key">>;
  let members: (info: SegmentInfo) => Promise<ScoredMember[]>;
  let totals: { customers: number; clv: number; revenue: number };
  let kmeans: SegmentCustomersResult["kmeans"] = null;
  if (by === "kmeans") {
    const clusters = await bookClusters(deps, set);
    const [inScope, scoped] = await Promise.all([
      scopeTotals(deps.store, scope),
      clusterTotals(deps.store, scope, clusters, samples),
    ]);
    totals = inScope;
    infos = clusters.centroids.map((centroid) => describeCluster(centroid, centroid.cluster + 1));
    groups = new Map(scoped.map((row) => [`cluster-${row.cluster + 1}`, row]));
    const topIds = new Map(scoped.map((row) => [`cluster-${row.cluster + 1}`, row.topIds]));
    members = (info) => membersById(deps.store, set.id, topIds.get(info.key) ?? []);
    kmeans = {
      k: clusters.k,
      seed: clusters.seed,
      features:
        "log1p of days since last purchase, purchase occasions (repeat purchases + 1) and total spend, each standardised to z-scores",
      silhouette_by_k: clusters.silhouetteByK,
      silhouette_sample_size: clusters.silhouetteSampleSize,
      clustered_customers: clusters.purchasers,
      centroids: clusters.centroids.map((centroid) => ({
        key: `cluster-${centroid.cluster + 1}`,
        cluster: centroid.cluster + 1,
        size: clusters.sizes.get(centroid.cluster) ?? 0,
        recency_days: centroid.original.recencyDays,
        frequency: centroid.original.frequency,
        monetary: centroid.original.monetary,
        standardised: {
          recency: centroid.standardised[0],
          frequency: centroid.standardised[1],
          monetary: centroid.standardised[2],
        },
      })),
    };
  } else {
    const column = SEGMENT_COLUMN[by];
    infos = fixedSegments(by);
    const rows = await segmentGroups(deps.store, scope, column, samples);
    totals = {
      customers: rows.reduce((sum, row) => sum + row.customers, 0),
      clv: rows.reduce((sum, row) => sum + row.clv, 0),
      revenue: rows.reduce((sum, row) => sum + row.revenue, 0),
    };
    groups = new Map(rows.flatMap((row) => (row.key === null ? [] : [[row.key, row]])));
    const topIds = new Map(rows.map((row) => [row.key, row.topIds]));
    members = (info) => membersById(deps.store, set.id, topIds.get(info.key) ?? []);
  }

  const segments: SegmentOutput[] = [];
  for (const info of infos) {
    segments.push(segmentOutput(info, groups.get(info.key), await members(info), totals));
  }
  const rfmGrid =
    by === "rfm"
      ? (await rfmGridTotals(deps.store, scope)).map((cell) => ({
          r: cell.r,
          fm: cell.fm,
          segment: rfmSegment(cell.r, cell.fm),
          customers: cell.customers,
          clv_share: totals.clv > 0 ? cell.clv / totals.clv : 0,
        }))
      : null;
  const placed = segments.reduce((sum, segment) => sum + segment.count, 0);
  const unsegmented = totals.customers - placed;
  return {
    by,
    owner: owner ?? null,
    customers: totals.customers,
    total_clv: totals.clv,
    total_revenue: totals.revenue,
    segments,
    unsegmented: unsegmented > 0 ? { count: unsegmented, reason: UNSEGMENTED_NO_PURCHASE } : null,
    kmeans,
    rfm_grid: rfmGrid,
    members: null,
    scores: scoreSetInfo(set),
  };
}

/** One page of a segment's members as a table, with how to ask for the next. */
function membersMarkdown(members: SegmentMembers): string[] {
  const first = (members.page - 1) * members.page_size + 1;
  const last = first + members.customers.length - 1;
  return [
    `**Customers in ${cell(members.label.en)}** (${members.segment}): ${members.customers.length === 0 ? "none" : `${first}-${last}`} of ${members.total}, page ${members.page} of ${members.pages}, highest CLV first.` +
      (members.page < members.pages ? ` Next: page ${members.page + 1}.` : ""),
    "| customer | CLV | revenue | orders | churn probability | value at risk |",
    "|---|---|---|---|---|---|",
    ...members.customers.map(
      (row) =>
        `| ${cell(row.customer.name)} (${row.customer.customer_id}) | ${money(row.clv)} | ${money(row.revenue)} | ${row.orders} | ${row.churn_probability === null ? "-" : percent(row.churn_probability)} | ${money(row.value_at_risk)} |`,
    ),
  ];
}

function toMarkdown(result: SegmentCustomersResult): string {
  const scope = result.owner ? `${result.owner}'s customers` : "the whole book";
  if (result.customers === 0) {
    return `No customers in scope (${scope}, as of ${result.scores.as_of}). Check the owner's name with search_customers or import data first.`;
  }
  const lines = [
    `**Segments by ${result.by}** for ${scope} as of ${result.scores.as_of}: ${result.customers} customers, CLV ${money(result.total_clv)}, revenue ${money(result.total_revenue)}.`,
  ];
  if (result.kmeans) {
    const chosen = result.kmeans.silhouette_by_k.find((row) => row.k === result.kmeans!.k);
    lines.push(
      "",
      `k-means chose k = ${result.kmeans.k} (seed ${result.kmeans.seed}; silhouette ${chosen ? chosen.silhouette.toFixed(3) : "-"}). ` +
        `Silhouette by k: ${result.kmeans.silhouette_by_k.map((row) => `${row.k}: ${row.silhouette.toFixed(3)}`).join(", ")}.`,
    );
  }
  lines.push(
    "",
    "| segment | customers | share | CLV | CLV share | revenue | top customers | recommended action |",
    "|---|---|---|---|---|---|---|---|",
    ...result.segments.map(
      (segment) =>
        `| ${cell(segment.label.en)} (${segment.key}) | ${segment.count} | ${percent(segment.customer_share)} | ${money(segment.clv)} | ${percent(segment.clv_share)} | ${money(segment.revenue)} | ${cell(segment.samples.map((sample) => `${sample.customer.name} (${sample.customer.customer_id})`).join(", ")) || "-"} | ${cell(segment.recommended_action.en)} |`,
    ),
  );
  if (result.unsegmented) {
    lines.push("", `${result.unsegmented.count} customers are not placed: ${result.unsegmented.reason.en}.`);
  }
  if (result.members) lines.push("", ...membersMarkdown(result.members));
  return lines.join("\n");
}

export function registerSegmentCustomers(server: McpServer, deps: ServerDeps): void {
  registerAppTool(
    server,
    SEGMENT_CUSTOMERS,
    {
      title: "Segment customers",
      description:
        "Splits the customer book into segments and sizes them: RFM segments, lifecycle stages, ABC value tiers, the Reinartz-Kumar value matrix, " +
        "or k-means clusters of recency, frequency and spend (k chosen by silhouette, fixed seed). For each segment: bilingual label, description, " +
        "recommended action, customer count and share, total CLV and its share, revenue, and the highest-CLV example customers. " +
        "Answers 'what does my book look like?' and 'where is the value?'. Optionally only one account manager's customers. " +
        "With members_of (a segment key) it also lists every customer of that segment, a page at a time (page).",
      inputSchema: segmentCustomersInput,
      outputSchema: segmentCustomersOutput,
      annotations: { readOnlyHint: true, destructiveHint: false, idempotentHint: true, openWorldHint: false },
      _meta: appToolMeta("segment-explorer"),
    },
    async (input) => {
      const result = await segmentCustomers(deps, input);
      return toolResult(deps, result, toMarkdown(result));
    },
  );
}
