/**
 * Reading every row of one score set in storage order.
 *
 * A set's rows are written by one statement when it is published, so they hold one range of
 * rowids, which `score_sets` records (`first_row`, `last_row`). Asked for `score_set_id = ?`,
 * SQLite walks one of the set's indexes and fetches each row by its rowid in that index's order:
 * for a million-customer set that is a million page lookups in value order, 2.0 s for a plain
 * count and sum, where reading the rowid range takes 0.16 s (`npx tsx bench/mcp.ts` at 1M). So
 * whole-set scans name the range and NOT INDEXED. The set id is still tested: the range only makes
 * the scan short, and a set without a recorded range (NULL) is scanned over the whole table,
 * slower but right. Nothing may add rows to a published set (a carried write updates its row in
 * place, `scoring/carryScores.ts`); `test/mcp-server/setRows.test.ts` checks that.
 *
 * Lookups of a few customers and walks along an index (the at-risk list, a segment's top members)
 * must not use this: they would read the whole set. The range and NOT INDEXED are SQLite's own;
 * on PostgreSQL this is `score_set_id = ?`, whose sequential or bitmap scan reads in storage order.
 */
import type { SqlValue } from "./database.js";
import type { Store } from "./store.js";

const LAST_ROWID = "9223372036854775807";

/** The FROM item and WHERE condition of a scan of one set's rows; `alias` names the table in both. */
export interface SetScan {
  /** `customer_scores [AS alias] NOT INDEXED`. */
  table: string;
  /** The rowid range and the set id: three parameters, `params(setId)`, or one numbered placeholder. */
  where: string;
  params(setId: number): SqlValue[];
}

/** @param placeholder a numbered parameter (`?1`) that holds the set id, for statements that number theirs */
export function setScan(alias?: string, placeholder = "?"): SetScan {
  const column = alias ? `${alias}.` : "";
  return {
    table: `customer_scores${alias ? ` AS ${alias}` : ""} NOT INDEXED`,
    where:
      `${column}rowid BETWEEN (SELECT COALESCE(first_row, 0) FROM score_sets WHERE id = ${placeholder})` +
      ` AND (SELECT COALESCE(last_row, ${LAST_ROWID}) FROM score_sets WHERE id = ${placeholder})` +
      ` AND ${column}score_set_id = ${placeholder}`,
    params: (setId) => (placeholder === "?" ? [setId, setId, setId] : []),
  };
}

/** `FROM <table> WHERE <range and set id>` of a scan of set `setId`, with its parameters, for nothing joined between. */
export function fromSet(setId: number, alias?: string): { sql: string; params: SqlValue[] } {
  const scan = setScan(alias);
  return { sql: `FROM ${scan.table} WHERE ${scan.where}`, params: scan.params(setId) };
}

/**
 * A set's rowid range in pieces of at most `size` rowids, for reading its rows into JavaScript a
 * piece at a time in storage order (each piece read with `rowid BETWEEN ? AND ? AND
 * score_set_id = ?`). A set stored without a range gets the smallest one that holds its rows.
 */
export async function setRowPieces(store: Store, setId: number, size: number): Promise<[number, number][]> {
  let range = await store.reads.get<{ first: number | null; last: number | null }>(
    "SELECT first_row AS first, last_row AS last FROM score_sets WHERE id = ?",
    [setId],
  );
  if (range?.first == null || range.last == null) {
    range = await store.reads.get<{ first: number | null; last: number | null }>(
      "SELECT MIN(rowid) AS first, MAX(rowid) AS last FROM customer_scores WHERE score_set_id = ?",
      [setId],
    );
  }
  const pieces: [number, number][] = [];
  if (range?.first == null || range.last == null) return pieces;
  for (let low = range.first; low <= range.last; low += size) {
    pieces.push([low, Math.min(range.last, low + size - 1)]);
  }
  return pieces;
}
