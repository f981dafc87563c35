import { join } from "node:path";
import { Client } from "@modelcontextprotocol/sdk/client/index.js";
import { StdioClientTransport } from "@modelcontextprotocol/sdk/client/stdio.js";
import type { CallToolResult, Tool } from "@modelcontextprotocol/sdk/types.js";
import { Ajv, type ValidateFunction } from "ajv";
import { Ajv2020 } from "ajv/dist/2020.js";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { ensureBuilt, REPO_ROOT } from "../../helpers/cli.js";
import { DEMO_AS_OF, openDemoStore } from "../../helpers/mcpClient.js";
import { createTempDir, type TempDir } from "../../helpers/tempFiles.js";

/**
 * Arguments to call each tool with over stdio: every listed tool needs at least one entry, so a
 * new tool cannot ship without its output being checked against its outputSchema. `as_of` pins
 * the demo book's last day; the server runs with --allow-writes on a temp store so the write
 * tools answer too.
 */
const EXAMPLE_ARGUMENTS: Record<string, Record<string, unknown>[]> = {
  search_customers: [{ as_of: DEMO_AS_OF }, { query: "C0001", limit: 5, as_of: DEMO_AS_OF }],
  get_customer: [{ customer_id: "C00003", as_of: DEMO_AS_OF }],
  find_at_risk_customers: [
    { as_of: DEMO_AS_OF, limit: 5 },
    { as_of: DEMO_AS_OF, sort_by: "risk", limit: 3 },
  ],
  compute_clv: [
    { customer_id: "C00003", as_of: DEMO_AS_OF },
    { customer_ids: ["C00003", "C00004"], as_of: DEMO_AS_OF },
  ],
  portfolio_overview: [{ as_of: DEMO_AS_OF }],
  kpi_report: [{ as_of: DEMO_AS_OF }, { as_of: DEMO_AS_OF, from: "2026-04", to: "2026-06" }],
  server_status: [{}],
  segment_customers: [
    { by: "rfm", as_of: DEMO_AS_OF },
    { by: "lifecycle", as_of: DEMO_AS_OF },
  ],
  summarise_feedback: [{ as_of: DEMO_AS_OF }, { customer_id: "C00003", as_of: DEMO_AS_OF }],
  draft_follow_up: [{ customer_id: "C00003", as_of: DEMO_AS_OF }],
  log_interaction: [
    {
      customer_id: "C00003",
      channel: "phone",
      summary: "Called about the spring order",
      outcome: "call back next week",
      occurred_at: DEMO_AS_OF,
    },
  ],
  record_feedback: [
    {
      customer_id: "C00003",
      source: "survey",
      score: 8,
      text: "Quick delivery, thanks.",
      occurred_at: DEMO_AS_OF,
    },
  ],
  // Ticket STDIO-1 is added to the demo book in beforeAll; it is answered, then resolved.
  list_tickets: [{ limit: 5 }, { customer_id: "C00003", overdue: true }],
  respond_to_ticket: [{ ticket: "STDIO-1", note: "Checked the order; replacement on its way" }],
  resolve_ticket: [{ ticket: "STDIO-1", resolution: "Replacement delivered" }],
  // list_tasks runs first (tools are called in the listed order) and writes the day's tasks, so
  // tasks 1 and 2 exist when complete_task and snooze_task are called.
  list_tasks: [{ due: "all", limit: 5 }],
  complete_task: [{ task: 1, note: "called; order placed" }],
  snooze_task: [{ task: 2, until: "2099-12-31" }],
};

/** An Ajv instance for the JSON Schema dialect a schema declares (draft-07 unless it says 2020-12). */
function compileSchema(schema: Record<string, unknown>): ValidateFunction {
  const dialect = typeof schema.$schema === "string" ? schema.$schema : "";
  const ajv = dialect.includes("2020-12")
    ? new Ajv2020({ allErrors: true, strict: false, validateFormats: false })
    : new Ajv({ allErrors: true, strict: false, validateFormats: false });
  return ajv.compile(schema);
}

describe("the built server over stdio", () => {
  let dir: TempDir;
  let client: Client;
  let transport: StdioClientTransport;
  let stderr = "";
  let tools: Tool[];

  beforeAll(async () => {
    ensureBuilt();
    dir = createTempDir("crm-stdio-");
    const path = dir.join("crm.db");
    const store = await openDemoStore(path);
    await store.db.run(
      `INSERT INTO tickets (external_id, customer_id, kind, subject, opened_at)
       SELECT 'STDIO-1', id, 'complaint', 'Parcel arrived damaged', '2026-06-28T10:00:00Z' FROM customers WHERE external_id = 'C00003'`,
    );
    await store.close();
    transport = new StdioClientTransport({
      command: process.execPath,
      args: [join(REPO_ROOT, "dist/server.js"), "--db", path, "--allow-writes"],
      stderr: "pipe",
    });
    transport.stderr?.on("data", (chunk: Buffer) => (stderr += chunk.toString()));
    client = new Client({ name: "crm-stdio-test", version: "1.0.0" });
    await client.connect(transport);
    tools = (await client.listTools()).tools;
  });

  afterAll(async () => {
    await client?.close();
    dir?.remove();
  });

  it("logs to stderr only, so stdout carries nothing but the protocol", () => {
    expect(stderr).toContain("crm-assistant MCP server on stdio");
  });

  it("lists tools, each with an outputSchema and an example call in this test", () => {
    expect(tools.map((tool) => tool.name)).toContain("find_at_risk_customers");
    for (const tool of tools) {
      expect(tool.outputSchema, `${tool.name} has no outputSchema`).toBeDefined();
      expect(
        EXAMPLE_ARGUMENTS[tool.name],
        `add example arguments for ${tool.name} to EXAMPLE_ARGUMENTS in ${import.meta.filename}`,
      ).toBeDefined();
    }
  });

  it("returns structuredContent that matches each tool's outputSchema", async () => {
    let calls = 0;
    for (const tool of tools) {
      const validate = compileSchema(tool.outputSchema as Record<string, unknown>);
      // A schema that accepts anything would make the check below vacuous.
      expect(validate({ unexpected: true }), `${tool.name}'s outputSchema accepts anything`).toBe(false);
      for (const args of EXAMPLE_ARGUMENTS[tool.name] ?? []) {
        const label = `${tool.name}(${JSON.stringify(args)})`;
        const result = (await client.callTool({ name: tool.name, arguments: args })) as CallToolResult;
        const text = result.content[0]?.type === "text" ? result.content[0].text : "";
        expect(result.isError ?? false, `${label} failed: ${text}`).toBe(false);
        expect(result.structuredContent, `${label} has no structuredContent`).toBeDefined();
        const valid = validate(result.structuredContent);
        expect(valid, `${label}: ${JSON.stringify(validate.errors, null, 2)}`).toBe(true);
        expect(text.length, `${label} has no text content`).toBeGreaterThan(0);
        calls++;
      }
    }
    expect(calls).toBeGreaterThanOrEqual(tools.length);
  });
});
