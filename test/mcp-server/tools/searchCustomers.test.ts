import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { SEARCH_CUSTOMERS, searchCustomersOutput } from "../../../mcp-server/contract/searchCustomers.js";
import type { CustomerRow } from "../../../mcp-server/store/rows.js";
import type { Store } from "../../../mcp-server/store/store.js";
import {
  createMcpHarness,
  DEMO_AS_OF,
  DEMO_CUSTOMERS,
  textOf,
  type McpHarness,
} from "../../helpers/mcpClient.js";

const END = `${DEMO_AS_OF}T23:59:59Z`;

async function tableCounts(store: Store) {
  const extra = await store.db.get<{ audit: number; score_sets: number; customer_scores: number }>(
    `SELECT (SELECT COUNT(*) FROM audit_log) AS audit, (SELECT COUNT(*) FROM score_sets) AS score_sets,
            (SELECT COUNT(*) FROM customer_scores) AS customer_scores`,
  );
  return { ...(await store.counts()), ...extra, dataVersion: await store.dataVersion() };
}

let harness: McpHarness;
let customers: CustomerRow[];
let scoreSetId: number;

async function search(args: Record<string, unknown>) {
  const result = await harness.call(SEARCH_CUSTOMERS, { as_of: DEMO_AS_OF, ...args });
  expect(result.isError, textOf(result)).toBeFalsy();
  return searchCustomersOutput.parse(result.structuredContent);
}

/** Every match of a search, following next_cursor to the end. */
async function searchAll(args: Record<string, unknown>) {
  const ids: string[] = [];
  let cursor: string | undefined;
  let total = -1;
  for (let pages = 0; pages < 50; pages++) {
    const page = await search({ ...args, limit: 100, cursor });
    if (total === -1) total = page.total;
    expect(page.total).toBe(total);
    ids.push(...page.customers.map((row) => row.customer.customer_id));
    if (page.next_cursor === null) break;
    cursor = page.next_cursor;
  }
  expect(ids).toHaveLength(total);
  return ids;
}

/** The ids of the customers a predicate keeps, in store order. */
function expected(keep: (customer: CustomerRow) => boolean): string[] {
  return customers.filter(keep).map((customer) => customer.external_id);
}

beforeAll(async () => {
  harness = await createMcpHarness();
  await search({ limit: 1 }); // computes the score set once
  customers = await harness.store.db.all<CustomerRow>("SELECT * FROM customers ORDER BY id");
  scoreSetId = (await harness.store.db.get<{ id: number }>("SELECT id FROM score_sets WHERE as_of = ?", [
    END,
  ]))!.id;
});

afterAll(async () => {
  await harness?.close();
});

describe("search_customers", () => {
  it("is listed with its output schema, read-only annotations and described inputs", async () => {
    const { tools } = await harness.client.listTools();
    const tool = tools.find((candidate) => candidate.name === SEARCH_CUSTOMERS)!;
    expect(tool.outputSchema?.properties).toHaveProperty("customers");
    expect(tool.outputSchema?.properties).toHaveProperty("next_cursor");
    expect(tool.annotations).toMatchObject({
      readOnlyHint: true,
      destructiveHint: false,
      idempotentHint: true,
      openWorldHint: false,
    });
    const properties = Object.entries(tool.inputSchema.properties ?? {});
    expect(properties.map(([name]) => name).sort()).toEqual(
      ["as_of", "cursor", "lifecycle_stage", "limit", "owner", "query", "segment", "tag"].sort(),
    );
    for (const [name, property] of properties)
      expect((property as { description?: string }).description, name).toBeTruthy();
  });

  it("pages through the whole book with cursors: no overlap, no gaps, a steady total", async () => {
    const ids = await searchAll({});
    expect(ids).toEqual(customers.map((customer) => customer.external_id));
    expect(new Set(ids).size).toBe(DEMO_CUSTOMERS);

    const first = await search({ limit: 7 });
    expect(first.customers.map((row) => row.customer.customer_id)).toEqual(ids.slice(0, 7));
    // The page size may change between pages; the cursor keeps the position.
    const second = await search({ limit: 13, cursor: first.next_cursor });
    expect(second.customers.map((row) => row.customer.customer_id)).toEqual(ids.slice(7, 20));
    let cursor: string | null = null;
    for (let page = 1; page <= 6; page++) {
      const result = await search({ limit: 100, ...(cursor ? { cursor } : {}) });
      expect(result.customers).toHaveLength(100);
      cursor = result.next_cursor;
      expect(cursor === null).toBe(page === 6);
    }
  });

  it("returns each row's scores from the cached score set", async () => {
    const page = await search({ limit: 100 });
    const scores = await harness.store.db.all<Record<string, number | string | null>>(
      "SELECT * FROM customer_scores WHERE score_set_id = ? ORDER BY customer_id LIMIT 100",
      [scoreSetId],
    );
    expect(
      page.customers.map((row) => [
        row.customer.store_id,
        row.orders,
        row.revenue,
        row.last_purchase,
        row.risk_score,
        row.risk_level,
        row.p_alive,
        row.clv,
        row.rfm_segment,
        row.lifecycle_stage,
      ]),
    ).toEqual(
      scores.map((row) => [
        row.customer_id,
        row.orders,
        row.revenue,
        row.last_purchase,
        row.risk_score,
        row.risk_level,
        row.p_alive,
        row.clv,
        row.rfm_segment,
        row.lifecycle_stage,
      ]),
    );
    expect(page.customers[0]).toMatchObject({
      customer: { customer_id: "C00001", name: "徐娜", owner: "Wang Lei" },
      orders: 14,
      rfm_segment: "champions",
      lifecycle_stage: "mature",
      risk_level: "low",
      do_not_contact: false,
      tags: [],
    });
  });

  it("matches text in the name, company, email or customer id, case-insensitively", async () => {
    const contains = (needle: string) => (customer: CustomerRow) =>
      [customer.name, customer.company, customer.email, customer.external_id].some((field) =>
        field?.toLowerCase().includes(needle.toLowerCase()),
      );
    for (const query of ["supplies", "SUPPLIES", "锦程", "example.cn", "C0001", "zoe", "  Davis  "]) {
      const wanted = expected(contains(query.trim()));
      expect(wanted.length, query).toBeGreaterThan(0);
      expect(await searchAll({ query }), query).toEqual(wanted);
    }
    expect((await search({ query: "C00042" })).customers.map((row) => row.customer.customer_id)).toEqual([
      "C00042",
    ]);
    expect((await search({ query: "supplies" })).total).toBe(expected(contains("supplies")).length);
  });

  it("filters by owner (case-insensitive), tag, RFM segment and lifecycle stage, alone and together", async () => {
    expect(await searchAll({ owner: "wang lei" })).toEqual(
      expected((customer) => customer.owner === "Wang Lei"),
    );

    const tag = (await harness.store.db.get<{ tag: string }>(
      "SELECT value AS tag FROM customers, json_each(customers.tags) GROUP BY value ORDER BY COUNT(*) DESC, value LIMIT 1",
    ))!.tag;
    const tagged = (customer: CustomerRow) => (JSON.parse(customer.tags) as string[]).includes(tag);
    expect(await searchAll({ tag: tag.toUpperCase() })).toEqual(expected(tagged));

    const scores = await harness.store.db.all<{
      customer_id: number;
      rfm_segment: string;
      lifecycle_stage: string;
    }>("SELECT customer_id, rfm_segment, lifecycle_stage FROM customer_scores WHERE score_set_id = ?", [
      scoreSetId,
    ]);
    const byId = new Map(scores.map((row) => [row.customer_id, row]));
    const champions = expected((customer) => byId.get(customer.id)?.rfm_segment === "champions");
    expect(champions).toHaveLength(115);
    expect(await searchAll({ segment: "champions" })).toEqual(champions);
    const churned = expected((customer) => byId.get(customer.id)?.lifecycle_stage === "churned");
    expect(churned).toHaveLength(185);
    expect(await searchAll({ lifecycle_stage: "churned" })).toEqual(churned);

    const combined = expected(
      (customer) =>
        customer.owner === "Wang Lei" &&
        byId.get(customer.id)?.rfm_segment === "champions" &&
        byId.get(customer.id)?.lifecycle_stage === "mature",
    );
    expect(combined.length).toBeGreaterThan(0);
    expect(await searchAll({ owner: "Wang Lei", segment: "champions", lifecycle_stage: "mature" })).toEqual(
      combined,
    );
    const nobody = await search({ segment: "champions", lifecycle_stage: "prospect" });
    expect(nobody).toMatchObject({ customers: [], total: 0, next_cursor: null });
    expect(
      textOf(await harness.call(SEARCH_CUSTOMERS, { segment: "champions", lifecycle_stage: "prospect" })),
    ).toContain("No customers match");
  });

  it("reads orders and revenue as of the as_of date", async () => {
    const asOf = "2025-06-30";
    const page = await search({ query: "C00001", as_of: asOf });
    expect(page.scores.as_of).toBe(asOf);
    const row = await harness.store.db.get<{ orders: number; revenue: number }>(
      "SELECT COUNT(*) AS orders, SUM(amount) AS revenue FROM transactions WHERE customer_id = 1 AND occurred_at <= ?",
      [`${asOf}T23:59:59Z`],
    );
    expect(page.customers[0].orders).toBe(row!.orders);
    expect(page.customers[0].revenue).toBeCloseTo(row!.revenue, 6);
  });

  it("treats SQL-looking text as plain text and leaves every table as it was", async () => {
    const before = await tableCounts(harness.store);
    for (const query of [
      "'; DROP TABLE customers; --",
      "' OR '1'='1",
      '" OR 1=1 --',
      "%",
      "_",
      "\\",
      "Robert'); DELETE FROM transactions; --",
    ]) {
      const page = await search({ query });
      expect(page.total, query).toBe(0);
      expect(page.customers).toEqual([]);
    }
    expect((await search({ owner: "x' OR '1'='1" })).total).toBe(0);
    expect((await search({ tag: "vip' OR 1=1 --" })).total).toBe(0);
    expect(await tableCounts(harness.store)).toEqual(before);
    expect((await search({})).total).toBe(DEMO_CUSTOMERS);
  });

  it("rejects a cursor from another query, a forged cursor and out-of-range input, without side effects", async () => {
    const before = await tableCounts(harness.store);
    const other = await search({ owner: "Wang Lei", limit: 5 });
    expect(other.next_cursor).not.toBeNull();
    const mixed = await harness.call(SEARCH_CUSTOMERS, { as_of: DEMO_AS_OF, cursor: other.next_cursor });
    expect(mixed.isError).toBe(true);
    expect(textOf(mixed)).toContain("does not belong to this query");
    const changedFilter = await harness.call(SEARCH_CUSTOMERS, {
      as_of: DEMO_AS_OF,
      owner: "Alice Martin",
      cursor: other.next_cursor,
    });
    expect(changedFilter.isError).toBe(true);
    for (const args of [
      { cursor: "not-a-cursor" },
      { cursor: Buffer.from("5:AAAAAAAAAA").toString("base64url") },
      { limit: 0 },
      { limit: 101 },
      { limit: 2.5 },
      { limit: "10" },
      { query: "" },
      { query: "   " },
      { query: "x".repeat(201) },
      { query: 42 },
      { owner: 7 },
      { segment: "vip" },
      { lifecycle_stage: "dead" },
      { as_of: "2026-06-31" },
    ]) {
      const result = await harness.call(SEARCH_CUSTOMERS, { as_of: DEMO_AS_OF, ...args });
      expect(result.isError, JSON.stringify(args)).toBe(true);
    }
    expect(await tableCounts(harness.store)).toEqual(before);
  });
});

describe("search_customers through the trigram index", () => {
  const contains = (needle: string) => (customer: CustomerRow) =>
    [customer.name, customer.company, customer.email, customer.external_id].some((field) =>
      field?.toLowerCase().includes(needle.toLowerCase()),
    );

  it("finds exactly what a scan of every customer finds, for substrings of names, companies, emails and ids", async () => {
    const fields = customers
      .filter((_customer, index) => index % 23 === 0)
      .flatMap((customer) => [customer.name, customer.company, customer.email, customer.external_id])
      .filter((field): field is string => typeof field === "string");
    const queries = new Set<string>();
    fields.forEach((field, index) => {
      const characters = Array.from(field);
      for (const length of [3, 4, 6]) {
        if (characters.length < length) continue;
        const start = (index * 7) % (characters.length - length + 1);
        const piece = characters.slice(start, start + length).join("");
        queries.add(index % 2 === 0 ? piece.toUpperCase() : piece);
      }
    });
    expect(queries.size).toBeGreaterThan(60);
    for (const query of queries) {
      if (query.trim() !== query || query.trim() === "") continue;
      expect(await searchAll({ query }), query).toEqual(expected(contains(query)));
    }
  });

  it("keeps the scan's rules where the index is broader: ASCII-only case folding, literal quotes", async () => {
    const harness2 = await createMcpHarness();
    try {
      await harness2.store.db.run(
        `INSERT INTO customers (external_id, name, company, created_at) VALUES
           ('X1', 'Élodie Durand', 'Maison "Étoile"', '2025-01-01T00:00:00Z')`,
      );
      await harness2.store.markChanged();
      const find = async (query: string) => {
        const result = await harness2.call(SEARCH_CUSTOMERS, { as_of: DEMO_AS_OF, query });
        return searchCustomersOutput
          .parse(result.structuredContent)
          .customers.map((row) => row.customer.customer_id);
      };
      expect(await find("Élodie")).toEqual(["X1"]);
      expect(await find("LODIE")).toEqual(["X1"]);
      // LIKE folds ASCII letters only, so "élodie" never matched "Élodie"; the index would.
      expect(await find("élodie")).toEqual([]);
      expect(await find('"Étoile"')).toEqual(["X1"]);
      expect(await find('n "É')).toEqual(["X1"]);
    } finally {
      await harness2.close();
    }
  });
});
