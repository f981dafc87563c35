import { McpError } from "@modelcontextprotocol/sdk/types.js";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { createRng, type Rng } from "../../core/random.js";
import { createMcpHarness, DEMO_AS_OF, textOf, type McpHarness } from "../helpers/mcpClient.js";

const SEED = 20261129;
const REQUESTS = 5_000;

/** Values that have broken servers before: prototype keys, SQL, control characters, extremes. */
const NASTY_STRINGS = [
  "",
  " ",
  "__proto__",
  "constructor",
  "toString",
  "'; DROP TABLE customers; --",
  "\u0000",
  "\u202e\u0007",
  "C00001",
  "1",
  "0",
  "-1",
  "1e308",
  "NaN",
  "2026-02-30",
  "0000-01-01",
  "9999-12-31",
  "2026-06-30",
  "30/06/2026",
  "%00%0a",
  "王芳",
  "😀".repeat(50),
  "x".repeat(5000),
  "champions",
  "at-risk",
  "decline",
  "rfm",
  "kmeans",
  "email",
  "zh",
];
const NASTY_NUMBERS = [0, -1, 1, 0.5, 1e308, -1e308, 2 ** 53, 101, 100, 20, 3, 1e-300];

function pick<T>(rng: Rng, items: readonly T[]): T {
  return items[rng.int(items.length)];
}

/** A random JSON value, biased towards the nasty ones. */
function value(rng: Rng, depth = 0): unknown {
  switch (rng.int(depth > 1 ? 5 : 8)) {
    case 0:
    case 1:
      return pick(rng, NASTY_STRINGS);
    case 2:
      return pick(rng, NASTY_NUMBERS);
    case 3:
      return rng.uniform() < 0.5;
    case 4:
      return null;
    case 5:
      return Array.from({ length: rng.int(4) }, () => value(rng, depth + 1));
    default:
      return Object.fromEntries(
        Array.from({ length: rng.int(4) }, () => [pick(rng, NASTY_STRINGS), value(rng, depth + 1)]),
      );
  }
}

/** Arguments for a tool: its own property names (from its input schema) with random values. */
function argumentsFor(rng: Rng, properties: string[]): Record<string, unknown> {
  const args: Record<string, unknown> = {};
  for (const name of properties) if (rng.uniform() < 0.5) args[name] = value(rng);
  // Mostly a valid as-of date, so the fuzz exercises the tools rather than rescoring the book.
  if (rng.uniform() < 0.8) args.as_of = pick(rng, [DEMO_AS_OF, "2026-03-31", "2025-12-31"]);
  if (rng.uniform() < 0.1) args[pick(rng, NASTY_STRINGS)] = value(rng);
  return args;
}

describe(`${REQUESTS.toLocaleString("en-US")} fuzzed MCP requests (seed ${SEED})`, () => {
  let harness: McpHarness;
  let tools: { name: string; properties: string[] }[];

  beforeAll(async () => {
    harness = await createMcpHarness();
    tools = (await harness.client.listTools()).tools.map((tool) => ({
      name: tool.name,
      properties: Object.keys(tool.inputSchema.properties ?? {}),
    }));
  });
  afterAll(() => harness.close());

  it("answers every one with a result or a protocol error, never a crash, a hang or a raw database error", async () => {
    const rng = createRng(SEED);
    const outcomes = { ok: 0, toolError: 0, protocolError: 0 };
    const leaks: string[] = [];
    for (let i = 0; i < REQUESTS; i++) {
      const kind = rng.int(10);
      try {
        if (kind < 7) {
          const tool =
            rng.uniform() < 0.97 ? pick(rng, tools) : { name: pick(rng, NASTY_STRINGS), properties: [] };
          const result = await harness.call(tool.name, argumentsFor(rng, tool.properties));
          if (result.isError) outcomes.toolError++;
          else outcomes.ok++;
          const text = textOf(result);
          if (/SQLITE_|Maximum call stack|\bat [\w.]+ \(/.test(text))
            leaks.push(`${tool.name}: ${text.slice(0, 200)}`);
        } else if (kind < 9) {
          const uri = pick(rng, [
            `crm://customers/${pick(rng, NASTY_STRINGS)}`,
            "crm://schema",
            "crm://reports/at-risk",
            `crm://${pick(rng, NASTY_STRINGS)}`,
          ]);
          await harness.client.readResource({ uri });
          outcomes.ok++;
        } else {
          const name = pick(rng, [
            "retention_plan",
            "weekly_account_review",
            "feedback_digest",
            pick(rng, NASTY_STRINGS),
          ]);
          const args = Object.fromEntries(
            ["customer_id", "owner", "period", "language"]
              .filter(() => rng.uniform() < 0.6)
              .map((key) => {
                const raw = value(rng);
                return [key, typeof raw === "string" ? raw : JSON.stringify(raw)];
              }),
          );
          await harness.client.getPrompt({ name, arguments: args });
          outcomes.ok++;
        }
      } catch (error) {
        // Protocol errors (unknown resource, invalid params) are answers too; anything else is a failure.
        if (!(error instanceof McpError)) throw error;
        outcomes.protocolError++;
        if (/SQLITE_/.test(error.message)) leaks.push(error.message.slice(0, 200));
      }
    }
    expect(outcomes.ok + outcomes.toolError + outcomes.protocolError).toBe(REQUESTS);
    expect(leaks).toEqual([]);
    // Enough of each kind to mean something.
    expect(outcomes.ok).toBeGreaterThan(500);
    expect(outcomes.toolError).toBeGreaterThan(500);
    // The server still answers normally afterwards, with the demo's numbers.
    await harness.client.ping();
    const after = await harness.call("find_at_risk_customers", { as_of: DEMO_AS_OF, limit: 3 });
    expect(after.isError ?? false).toBe(false);
    expect(await harness.store.counts()).toMatchObject({ customers: 600 });
  }, 240_000);
});
