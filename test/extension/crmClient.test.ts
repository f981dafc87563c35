import { afterAll, beforeAll, describe, expect, it } from "vitest";
import type { FindAtRiskCustomersResult } from "../../mcp-server/contract/findAtRiskCustomers.js";
import type { GetCustomerResult } from "../../mcp-server/contract/getCustomer.js";
import { CrmClient, structuredResult, ToolError } from "../../extension/crmClient.js";
import { AS_OF, startDemoServer, type DemoServer } from "./demoServer.js";

describe("the extension's MCP client against the bundled server", () => {
  let demo: DemoServer;
  beforeAll(() => {
    demo = startDemoServer();
  });
  afterAll(async () => {
    await demo.close();
  });

  it("lists every CRM tool", async () => {
    const tools = await demo.client.listTools();
    expect(tools).toEqual(
      expect.arrayContaining([
        "find_at_risk_customers",
        "get_customer",
        "compute_clv",
        "segment_customers",
        "summarise_feedback",
        "draft_follow_up",
        "log_interaction",
        "list_tasks",
      ]),
    );
  });

  it("returns structured results that agree between tools", async () => {
    const atRisk = await demo.client.call<FindAtRiskCustomersResult>("find_at_risk_customers", {
      limit: 3,
      as_of: AS_OF,
    });
    expect(atRisk.customers).toHaveLength(3);
    const first = atRisk.customers[0]!;
    const customer = await demo.client.call<GetCustomerResult>("get_customer", {
      customer_id: first.customer.customer_id,
      as_of: AS_OF,
    });
    expect(customer.customer.name).toBe(first.customer.name);
    expect(customer.value.clv).toBeCloseTo(first.clv, 2);
  });

  it("turns an isError result into a ToolError with the server's message", async () => {
    const failure = demo.client.call("get_customer", { customer_id: "NO-SUCH-CUSTOMER" });
    await expect(failure).rejects.toBeInstanceOf(ToolError);
    await expect(failure).rejects.toThrow(/get_customer: .*NO-SUCH-CUSTOMER/);
  });

  it("reads a view's HTML and returns whole tool results (isError included) for the webviews' App host", async () => {
    const html = await demo.client.readResourceText("ui://crm/cohorts-kpis.html");
    expect(html).toMatch(/^<!doctype html>/i);
    const overview = await demo.client.callToolResult("portfolio_overview", { as_of: AS_OF });
    expect(overview.isError).toBeFalsy();
    expect(overview.structuredContent).toMatchObject({ customers: expect.any(Number) });
    const failure = await demo.client.callToolResult("get_customer", { customer_id: "NO-SUCH-CUSTOMER" });
    expect(failure.isError).toBe(true);
  });

  it("refuses writes when the server was started without --allow-writes", async () => {
    await expect(
      demo.client.call("log_interaction", { customer_id: "C00001", channel: "phone", summary: "called" }),
    ).rejects.toThrow(/allow-writes/);
  });

  it("starts the server again after a restart and logs its stderr", async () => {
    await demo.client.restart();
    const atRisk = await demo.client.call<FindAtRiskCustomersResult>("find_at_risk_customers", {
      limit: 1,
      as_of: AS_OF,
    });
    expect(atRisk.customers).toHaveLength(1);
    expect(demo.log.filter((line) => line.startsWith("starting "))).toHaveLength(2);
    expect(demo.log.some((line) => line.includes("MCP server on stdio"))).toBe(true);
  });
});

describe("a server that cannot start", () => {
  it("rejects with a message that points to the log", async () => {
    const log: string[] = [];
    const client = new CrmClient(
      () => ({
        command: process.execPath,
        args: ["-e", "process.stderr.write('boom\\n'); process.exit(3)"],
        env: {},
      }),
      (line) => log.push(line),
    );
    await expect(client.call("get_customer", { customer_id: "1" })).rejects.toThrow(
      /could not start the CRM server/,
    );
    await client.dispose();
  });
});

describe("structuredResult", () => {
  it("falls back to the JSON text block", () => {
    expect(structuredResult("t", { content: [{ type: "text", text: '{"a":1}' }] })).toEqual({ a: 1 });
  });

  it("throws for results without structure", () => {
    expect(() => structuredResult("t", { content: [{ type: "text", text: "plain" }] })).toThrow(ToolError);
  });
});
