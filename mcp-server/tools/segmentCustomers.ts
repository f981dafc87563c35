import type { McpServer } from "@modelcontextprotocol/sdk/server/mcp.js";
import type { Bilingual } from "../../core/i18n.js";
import { clusterCustomers, type ClusterCentroid } from "../../core/kmeans.js";
import { LIFECYCLE_STAGE_KEYS, LIFECYCLE_STAGES } from "../../core/lifecycle.js";
import { RFM_SEGMENT_KEYS, RFM_SEGMENTS, type RfmSegmentKey } from "../../core/rfm.js";
import { ABC_TIERS, VALUE_QUADRANTS, type AbcTier, type ValueQuadrant } from "../../core/valueTiers.js";
import {
  SEGMENT_CUSTOMERS,
  SEGMENT_KMEANS,
  SEGMENT_SAMPLES,
  segmentCustomersInput,
  segmentCustomersOutput,
  type Segmentation,
  type SegmentCustomersResult,
  type SegmentOutput,
} from "../contract/segmentCustomers.js";
import type { CustomerScore } from "../scoring/scoreCustomers.js";
import { rowToScore, type ScoreRow } from "../scoring/scoreCache.js";
import type { ServerDeps } from "../server/deps.js";
import type { SqlValue } from "../store/database.js";
import type { CustomerRow } from "../store/rows.js";
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
  as_of?: string;
};

interface Member {
  customer: CustomerRow;
  score: CustomerScore;
}

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

function fixedKey(by: Exclude<Segmentation, "kmeans">, score: CustomerScore): string | null {
  switch (by) {
    case "rfm":
      return score.rfm?.segment ?? null;
    case "lifecycle":
      return score.lifecycleStage;
    case "abc":
      return score.abcTier;
    case "value_matrix":
      return score.valueQuadrant;
  }
}

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

function summarise(
  info: SegmentInfo,
  members: readonly Member[],
  totals: { customers: number; clv: number; revenue: number },
  samples: number,
): SegmentOutput {
  const clv = members.reduce((sum, member) => sum + member.score.clv, 0);
  const revenue = members.reduce((sum, member) => sum + member.score.revenue, 0);
  const top = [...members]
    .sort((a, b) => b.score.clv - a.score.clv || a.customer.id - b.customer.id)
    .slice(0, samples);
  return {
    key: info.key,
    label: info.label,
    description: info.description,
    recommended_action: info.action,
    count: members.length,
    customer_share: shareOf(members.length, totals.customers),
    clv,
    clv_share: shareOf(clv, totals.clv),
    revenue,
    revenue_share: shareOf(revenue, totals.revenue),
    average_clv: members.length > 0 ? clv / members.length : null,
    samples: top.map(({ customer, score }) => ({
      customer: customerRef(customer),
      clv: score.clv,
      revenue: score.revenue,
      orders: score.orders,
      last_purchase: score.lastPurchase,
      risk_score: score.riskScore,
    })),
  };
}

/**
 * Splits the book into segments (RFM, lifecycle, ABC, value matrix or k-means clusters) and
 * reports each segment's size, CLV and revenue with its share, a recommended action and its
 * highest-CLV members. Segments are defined on the whole book; `owner` only narrows who is
 * counted, so one customer is in the same segment whoever asks.
 */
export async function segmentCustomers(deps: ServerDeps, input: Input): Promise<SegmentCustomersResult> {
  const { set } = await scoresFor(deps, input.as_of);
  const samples = input.samples_per_segment ?? SEGMENT_SAMPLES.default;
  const rows = await deps.store.db.all<ScoreRow & CustomerRow>(
    "SELECT s.*, c.* FROM customer_scores s JOIN customers c ON c.id = s.customer_id WHERE s.score_set_id = ? ORDER BY c.id",
    [set.id] satisfies SqlValue[],
  );
  const book: Member[] = rows.map((row) => ({ customer: row, score: rowToScore(row) }));
  const owner = input.owner?.toLowerCase();
  const inScope = (member: Member) => owner === undefined || member.customer.owner?.toLowerCase() === owner;
  const scope = book.filter(inScope);
  const totals = {
    customers: scope.length,
    clv: scope.reduce((sum, member) => sum + member.score.clv, 0),
    revenue: scope.reduce((sum, member) => sum + member.score.revenue, 0),
  };

  let infos: SegmentInfo[];
  let keyOf: (member: Member) => string | null;
  let kmeans: SegmentCustomersResult["kmeans"] = null;
  if (input.by === "kmeans") {
    const buyers = book.filter((member) => member.score.orders > 0);
    const clusters = clusterCustomers(
      buyers.map(({ score }) => ({
        id: String(score.customerId),
        recencyDays: score.daysSinceLastPurchase ?? 0,
        frequency: score.x + 1,
        monetary: Math.max(0, score.revenue),
      })),
      { seed: SEGMENT_KMEANS.seed, minK: SEGMENT_KMEANS.minK, maxK: SEGMENT_KMEANS.maxK },
    );
    infos = clusters.centroids.map((centroid) => describeCluster(centroid, centroid.cluster + 1));
    const clusterOf = new Map(clusters.assignments.map((row) => [Number(row.id), row.cluster]));
    keyOf = (member) => {
      const cluster = clusterOf.get(member.customer.id);
      return cluster === undefined ? null : `cluster-${cluster + 1}`;
    };
    kmeans = {
      k: clusters.k,
      seed: clusters.seed,
      features:
        "log1p of days since last purchase, purchase occasions (repeat purchases + 1) and total spend, each standardised to z-scores",
      silhouette_by_k: clusters.silhouetteByK,
      silhouette_sample_size: clusters.silhouetteSampleSize,
      clustered_customers: buyers.length,
      centroids: clusters.centroids.map((centroid) => ({
        key: `cluster-${centroid.cluster + 1}`,
        cluster: centroid.cluster + 1,
        size: centroid.size,
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
    const by = input.by;
    infos = fixedSegments(by);
    keyOf = (member) => fixedKey(by, member.score);
  }

  const groups = new Map<string, Member[]>(infos.map((info) => [info.key, []]));
  let unsegmented = 0;
  for (const member of scope) {
    const key = keyOf(member);
    const group = key === null ? undefined : groups.get(key);
    if (group) group.push(member);
    else unsegmented++;
  }
  return {
    by: input.by,
    owner: input.owner ?? null,
    customers: totals.customers,
    total_clv: totals.clv,
    total_revenue: totals.revenue,
    segments: infos.map((info) => summarise(info, groups.get(info.key)!, totals, samples)),
    unsegmented: unsegmented > 0 ? { count: unsegmented, reason: UNSEGMENTED_NO_PURCHASE } : null,
    kmeans,
    scores: scoreSetInfo(set),
  };
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
  return lines.join("\n");
}

export function registerSegmentCustomers(server: McpServer, deps: ServerDeps): void {
  server.registerTool(
    SEGMENT_CUSTOMERS,
    {
      title: "Segment customers",
      description:
        "Splits the customer book into segments and sizes them: RFM segments, lifecycle stages, ABC value tiers, the Reinartz-Kumar value matrix, " +
        "or k-means clusters of recency, frequency and spend (k chosen by silhouette, fixed seed). For each segment: bilingual label, description, " +
        "recommended action, customer count and share, total CLV and its share, revenue, and the highest-CLV example customers. " +
        "Answers 'what does my book look like?' and 'where is the value?'. Optionally only one account manager's customers.",
      inputSchema: segmentCustomersInput,
      outputSchema: segmentCustomersOutput,
      annotations: { readOnlyHint: true, destructiveHint: false, idempotentHint: true, openWorldHint: false },
    },
    async (input) => {
      const result = await segmentCustomers(deps, input);
      return toolResult(deps, result, toMarkdown(result));
    },
  );
}
