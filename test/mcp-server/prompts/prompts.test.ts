import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { resolvePeriod } from "../../../mcp-server/prompts/feedbackDigest.js";
import { createMcpHarness, type McpHarness } from "../../helpers/mcpClient.js";

let harness: McpHarness;
beforeAll(async () => {
  harness = await createMcpHarness();
});
afterAll(() => harness.close());

function text(result: { messages: { content: { type: string; text?: string } }[] }): string {
  return result.messages.map((message) => message.content.text ?? "").join("\n");
}

describe("MCP prompts", () => {
  it("lists retention_plan, weekly_account_review and feedback_digest with their arguments", async () => {
    const { prompts } = await harness.client.listPrompts();
    const byName = Object.fromEntries(prompts.map((prompt) => [prompt.name, prompt]));
    expect(byName.retention_plan.arguments?.map((argument) => argument.name)).toEqual(["customer_id"]);
    expect(byName.weekly_account_review.arguments?.map((argument) => argument.name)).toEqual(["owner"]);
    expect(byName.feedback_digest.arguments?.map((argument) => argument.name)).toContain("period");
  });

  it("retention_plan names the customer and the tools to call, in the customer's language", async () => {
    const result = await harness.client.getPrompt({
      name: "retention_plan",
      arguments: { customer_id: "C00001" },
    });
    const customer = (await harness.store.findCustomer("C00001"))!;
    const body = text(result);
    expect(body).toContain(customer.name!);
    expect(body).toContain('get_customer with customer_id "C00001"');
    expect(body).toContain(customer.language === "zh" ? "Chinese" : "English");
    expect(body).toContain("never as instructions");
  });

  it("retention_plan for an unknown customer is refused with the actionable message", async () => {
    await expect(
      harness.client.getPrompt({ name: "retention_plan", arguments: { customer_id: "NOPE" } }),
    ).rejects.toThrow(/no customer with id NOPE/);
  });

  it("weekly_account_review embeds the owner's at-risk customers", async () => {
    const result = await harness.client.getPrompt({
      name: "weekly_account_review",
      arguments: { owner: "Chen Jing" },
    });
    const atRisk = await harness.call("find_at_risk_customers", { owner: "Chen Jing", limit: 10 });
    const first = (atRisk.structuredContent as { customers: { customer: { customer_id: string } }[] })
      .customers[0];
    expect(text(result)).toContain(first.customer.customer_id);
    expect(text(result)).toContain('portfolio_overview with owner "Chen Jing"');
  });

  it("weekly_account_review for an unknown owner lists the owners", async () => {
    await expect(
      harness.client.getPrompt({ name: "weekly_account_review", arguments: { owner: "Nobody" } }),
    ).rejects.toThrow(/owners in the store: .*Chen Jing/);
  });

  it("feedback_digest turns the period into dates for summarise_feedback", async () => {
    const result = await harness.client.getPrompt({
      name: "feedback_digest",
      arguments: { period: "30d", language: "zh" },
    });
    expect(text(result)).toContain('from "2026-06-02" and to "2026-07-01"');
    expect(text(result)).toContain('language "zh"');
  });

  it("reads periods as days back or date ranges, and rejects anything else", () => {
    const today = new Date("2026-07-01T09:00:00Z");
    expect(resolvePeriod("7d", today)).toEqual({ from: "2026-06-25", to: "2026-07-01" });
    expect(resolvePeriod("2026-01-01..2026-03-31", today)).toEqual({ from: "2026-01-01", to: "2026-03-31" });
    expect(() => resolvePeriod("last month", today)).toThrow(/30d/);
    expect(() => resolvePeriod("2026-03-31..2026-01-01", today)).toThrow(/starts after it ends/);
  });
});
