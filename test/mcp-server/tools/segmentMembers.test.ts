import { afterAll, beforeAll, describe, expect, it } from "vitest";
import {
  SEGMENT_CUSTOMERS,
  SEGMENT_MEMBERS_PAGE,
  segmentCustomersOutput,
  type SegmentCustomersResult,
} from "../../../mcp-server/contract/segmentCustomers.js";
import { ensureScores } from "../../../mcp-server/scoring/scoreCache.js";
import { createMcpHarness, DEMO_AS_OF, textOf, type McpHarness } from "../../helpers/mcpClient.js";

let mcp: McpHarness;
let setId: number;

beforeAll(async () => {
  mcp = await createMcpHarness();
  setId = (await ensureScores(mcp.store, new Date(`${DEMO_AS_OF}T23:59:59Z`), mcp.deps.now)).id;
});
afterAll(() => mcp.close());

async function segment(
  args: Record<string, unknown>,
): Promise<{ result: SegmentCustomersResult; text: string }> {
  const answer = await mcp.call(SEGMENT_CUSTOMERS, { as_of: DEMO_AS_OF, ...args });
  expect(answer.isError, textOf(answer)).toBeFalsy();
  return { result: segmentCustomersOutput.parse(answer.structuredContent), text: textOf(answer) };
}

/** A segment's customer ids straight from the score cache, highest CLV first, ties by id. */
async function idsIn(column: string, key: string, owner?: string): Promise<string[]> {
  const rows = await mcp.store.db.all<{ external_id: string }>(
    `SELECT c.external_id FROM customer_scores s JOIN customers c ON c.id = s.customer_id
     WHERE s.score_set_id = ? AND s.${column} = ?${owner ? " AND c.owner = ? COLLATE NOCASE" : ""}
     ORDER BY s.clv DESC, s.customer_id`,
    [setId, key, ...(owner ? [owner] : [])],
  );
  return rows.map((row) => row.external_id);
}

describe("segment_customers members_of", () => {
  it("lists every customer of an ABC tier, page after page, with no one missed or repeated", async () => {
    const expected = await idsIn("abc_tier", "C");
    expect(expected.length).toBeGreaterThan(2 * SEGMENT_MEMBERS_PAGE);
    const listed: string[] = [];
    let pages = Infinity;
    for (let page = 1; page <= pages; page++) {
      const { result } = await segment({ by: "abc", members_of: "C", page });
      const members = result.members!;
      expect(members).toMatchObject({
        segment: "C",
        page,
        page_size: SEGMENT_MEMBERS_PAGE,
        total: expected.length,
      });
      expect(members.total).toBe(result.segments.find((segment) => segment.key === "C")!.count);
      pages = members.pages;
      listed.push(...members.customers.map((row) => row.customer.customer_id));
    }
    expect(pages).toBe(Math.ceil(expected.length / SEGMENT_MEMBERS_PAGE));
    expect(listed).toEqual(expected);
  });

  it("lists a value-matrix quadrant within an owner's scope, with each member's scores from the cache", async () => {
    const { result: whole } = await segment({ by: "value_matrix" });
    const quadrant = [...whole.segments].sort((a, b) => b.count - a.count)[0]!;
    const { result: any } = await segment({ by: "value_matrix", members_of: quadrant.key });
    const owner = any.members!.customers[0]!.customer.owner!;
    const { result } = await segment({ by: "value_matrix", owner, members_of: quadrant.key });
    const expected = await idsIn("value_quadrant", quadrant.key, owner);
    expect(result.members!.total).toBe(expected.length);
    expect(result.members!.customers.map((row) => row.customer.customer_id)).toEqual(
      expected.slice(0, SEGMENT_MEMBERS_PAGE),
    );
    expect(result.members!.customers.every((row) => row.customer.owner === owner)).toBe(true);
    const first = result.members!.customers[0]!;
    const cached = await mcp.store.db.get<{ clv: number; churn_probability: number; value_at_risk: number }>(
      "SELECT clv, churn_probability, value_at_risk FROM customer_scores WHERE score_set_id = ? AND customer_id = ?",
      [setId, first.customer.store_id],
    );
    expect(first).toMatchObject(cached!);
  });

  it("says in the text which page it is and how to ask for the next", async () => {
    const { result, text } = await segment({ by: "rfm", members_of: "hibernating" });
    const members = result.members!;
    expect(text).toContain(`page 1 of ${members.pages}`);
    if (members.pages > 1) expect(text).toContain("Next: page 2.");
    for (const row of members.customers) expect(text).toContain(row.customer.customer_id);
  });

  it("leaves members null without members_of", async () => {
    expect((await segment({ by: "abc" })).result.members).toBeNull();
  });

  it("refuses an unknown segment, a page past the end, k-means and a page without members_of, saying what would work", async () => {
    const refused = async (args: Record<string, unknown>) => {
      const answer = await mcp.call(SEGMENT_CUSTOMERS, { as_of: DEMO_AS_OF, ...args });
      expect(answer.isError).toBe(true);
      return textOf(answer);
    };
    expect(await refused({ by: "abc", members_of: "D" })).toContain("use one of: A, B, C");
    expect(await refused({ by: "abc", members_of: "A", page: 999 })).toMatch(/past the last page of "A"/);
    expect(await refused({ by: "kmeans", members_of: "cluster-1" })).toContain("k-means clusters list their");
    expect(await refused({ by: "abc", page: 2 })).toContain("pass members_of");
  });
});
