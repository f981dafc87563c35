/**
 * One page of a segment's customers for segment_customers' `members_of`: the segment's rows of a
 * score set, highest CLV first, read by SQLite a page at a time (LIMIT/OFFSET on the set's CLV
 * index, `customer_scores_clv`), so a tier of 100,000 customers is never held in memory.
 */
import type { ScoreScope, SegmentColumn } from "../store/scoreQueries.js";
import { ownedBy } from "../store/customerQueries.js";
import type { CustomerRow } from "../store/rows.js";
import type { Store } from "../store/store.js";

/** A listed member with the scores shown next to them. */
export interface SegmentMemberRow extends CustomerRow {
  clv: number;
  revenue: number;
  orders: number;
  last_purchase: string | null;
  risk_score: number;
  churn_probability: number | null;
  value_at_risk: number;
}

/** The columns a segment can be listed by; anything else never reaches the SQL text. */
const LISTABLE_COLUMNS: readonly SegmentColumn[] = [
  "rfm_segment",
  "lifecycle_stage",
  "abc_tier",
  "value_quadrant",
];

/** The `page`-th (from 1) `pageSize` members of segment `key` in `column`, highest CLV first, ties by id. */
export async function segmentMembersPage(
  store: Store,
  scope: ScoreScope,
  column: SegmentColumn,
  key: string,
  page: number,
  pageSize: number,
): Promise<SegmentMemberRow[]> {
  if (!LISTABLE_COLUMNS.includes(column)) throw new Error(`not a segment column: ${String(column)}`);
  const owner = ownedBy("s.customer_id", scope.owner);
  return store.db.all<SegmentMemberRow>(
    `SELECT c.*, s.clv, s.revenue, s.orders, s.last_purchase, s.risk_score, s.churn_probability, s.value_at_risk
     FROM customer_scores s JOIN customers c ON c.id = s.customer_id
     WHERE s.score_set_id = ? AND s.${column} = ?${owner.sql}
     ORDER BY s.clv DESC, s.customer_id LIMIT ? OFFSET ?`,
    [scope.setId, key, ...owner.params, pageSize, (page - 1) * pageSize],
  );
}
