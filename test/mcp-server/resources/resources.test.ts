import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { MIGRATIONS } from "../../../mcp-server/store/migrations.js";
import { createMcpHarness, type McpHarness } from "../../helpers/mcpClient.js";

let harness: McpHarness;
beforeAll(async () => {
  harness = await createMcpHarness();
});
afterAll(() => harness.close());

function texts(result: { contents: { mimeType?: string; text?: unknown }[] }) {
  const markdown = result.contents.find((content) => content.mimeType === "text/markdown")?.text as string;
  const json = result.contents.find((content) => content.mimeType === "application/json")?.text as string;
  return { markdown, json: JSON.parse(json) };
}

describe("MCP resources", () => {
  it("lists the schema, the at-risk report and a customer template", async () => {
    const { resources } = await harness.client.listResources();
    const uris = resources.map((resource) => resource.uri);
    expect(uris).toContain("crm://schema");
    expect(uris).toContain("crm://reports/at-risk");
    expect(uris.some((uri) => uri.startsWith("crm://customers/C"))).toBe(true);
    const { resourceTemplates } = await harness.client.listResourceTemplates();
    expect(resourceTemplates.map((template) => template.uriTemplate)).toContain("crm://customers/{id}");
  });

  it("crm://customers/{id} gives the customer's profile as markdown and JSON, matching get_customer", async () => {
    const resource = await harness.client.readResource({ uri: "crm://customers/C00005" });
    const { markdown, json } = texts(resource);
    const tool = await harness.call("get_customer", { customer_id: "C00005" });
    expect(json).toEqual(tool.structuredContent);
    expect(markdown).toContain(json.customer.name);
    expect(markdown).toContain("C00005");
  });

  it("crm://customers/{id} for an unknown id fails with the actionable message", async () => {
    await expect(harness.client.readResource({ uri: "crm://customers/NOPE" })).rejects.toThrow(
      /no customer with id NOPE/,
    );
  });

  it("crm://schema describes every table from SQLite itself, with meanings", async () => {
    const { markdown, json } = texts(await harness.client.readResource({ uri: "crm://schema" }));
    expect(json.schema_version).toBe(MIGRATIONS.length);
    const tables = json.tables.map((table: { table: string }) => table.table);
    for (const table of [
      "customers",
      "transactions",
      "interactions",
      "feedback",
      "follow_ups",
      "customer_scores",
      "audit_log",
    ]) {
      expect(tables).toContain(table);
    }
    const customers = json.tables.find((table: { table: string }) => table.table === "customers");
    expect(
      customers.columns.find((column: { name: string }) => column.name === "do_not_contact").meaning,
    ).toMatch(/never draft/);
    expect(markdown).toContain("## feedback");
  });

  it("crm://schema leaves out the tables a scoring in progress writes to", async () => {
    await harness.store.db.exec("CREATE TABLE pending_scores_1_1 (x)");
    try {
      const { json } = texts(await harness.client.readResource({ uri: "crm://schema" }));
      const tables = json.tables.map((table: { table: string }) => table.table);
      expect(tables).toContain("purchase_digests");
      expect(tables.filter((table: string) => table.startsWith("pending"))).toEqual([]);
    } finally {
      await harness.store.db.exec("DROP TABLE pending_scores_1_1");
    }
  });

  it("crm://reports/at-risk lists this week's top customers by value at risk", async () => {
    const { markdown, json } = texts(await harness.client.readResource({ uri: "crm://reports/at-risk" }));
    const tool = await harness.call("find_at_risk_customers", { limit: 25 });
    expect(json).toEqual(tool.structuredContent);
    expect(json.customers).toHaveLength(25);
    expect(markdown).toContain(`week of ${json.scores.as_of}`);
    expect(markdown).toContain(json.customers[0].customer.name);
  });
});

describe("MCP resources with --redact", () => {
  it("mask emails and phone numbers", async () => {
    const redacted = await createMcpHarness({ redact: true });
    try {
      const { markdown, json } = texts(await redacted.client.readResource({ uri: "crm://customers/C00005" }));
      const email = (await redacted.store.findCustomer("C00005"))!.email!;
      expect(JSON.stringify(json)).not.toContain(email);
      expect(markdown).not.toContain(email);
    } finally {
      await redacted.close();
    }
  });
});
