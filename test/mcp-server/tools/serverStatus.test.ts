import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { SERVER_STATUS, serverStatusOutput } from "../../../mcp-server/contract/serverStatus.js";
import { MIGRATIONS } from "../../../mcp-server/store/migrations.js";
import { createMcpHarness, DEMO_AS_OF, textOf, type McpHarness } from "../../helpers/mcpClient.js";

let harness: McpHarness;
beforeAll(async () => {
  harness = await createMcpHarness();
});
afterAll(() => harness.close());

async function status() {
  const result = await harness.call(SERVER_STATUS);
  expect(result.isError, textOf(result)).toBeFalsy();
  return { parsed: serverStatusOutput.parse(result.structuredContent), text: textOf(result) };
}

describe("server_status", () => {
  it("names the store, its versions and the server's switches", async () => {
    const { parsed, text } = await status();
    expect(parsed.store).toBe(harness.path);
    expect(parsed.schema_version).toBe(MIGRATIONS.length);
    expect(parsed.data_version).toBe(await harness.store.dataVersion());
    expect(parsed.writes_enabled).toBe(false);
    expect(parsed.redacting).toBe(false);
    expect(parsed.llm_endpoint).toBeNull();
    expect(text).toContain("start with --allow-writes");
  });

  it("reports the latest scores and whether the data has changed since", async () => {
    await harness.call("find_at_risk_customers", { as_of: DEMO_AS_OF, limit: 1 });
    const before = (await status()).parsed.latest_scores!;
    expect(before.as_of).toBe(DEMO_AS_OF);
    expect(before.customers).toBe((await harness.store.counts()).customers);
    expect(before.current).toBe(true);
    await harness.store.markChanged();
    const after = await status();
    expect(after.parsed.latest_scores!.current).toBe(false);
    expect(after.text).toContain("the data has changed since");
  });
});
