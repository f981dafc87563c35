import type { Tool } from "@modelcontextprotocol/sdk/types.js";
import { describe, expect, it } from "vitest";
import {
  toFunctionTool,
  toolResultForModel,
  truncateForModel,
} from "../../../mcp-server/assistant/toolFunctions.js";

describe("MCP tools as OpenAI functions", () => {
  it("keeps the name, description and JSON Schema, without the $schema marker", () => {
    const tool: Tool = {
      name: "get_customer",
      description: "One customer's profile.",
      inputSchema: {
        $schema: "http://json-schema.org/draft-07/schema#",
        type: "object",
        properties: { customer_id: { type: "string", description: "the id" } },
        required: ["customer_id"],
      },
    };
    expect(toFunctionTool(tool)).toEqual({
      type: "function",
      function: {
        name: "get_customer",
        description: "One customer's profile.",
        parameters: {
          type: "object",
          properties: { customer_id: { type: "string", description: "the id" } },
          required: ["customer_id"],
        },
      },
    });
  });

  it("gives a tool without inputs an empty object schema and falls back to the title", () => {
    const fn = toFunctionTool({ name: "ping", title: "Ping", inputSchema: { type: "object" } });
    expect(fn.function).toEqual({
      name: "ping",
      description: "Ping",
      parameters: { type: "object", properties: {} },
    });
  });
});

describe("tool results for the model", () => {
  it("leaves short text alone and cuts long text at a line break with a notice, within the limit", () => {
    expect(truncateForModel("short", 100)).toBe("short");
    const text = Array.from({ length: 200 }, (_, index) => `| row ${index} | some value |`).join("\n");
    const cut = truncateForModel(text, 1_000);
    expect(cut.length).toBeLessThanOrEqual(1_000);
    expect(cut).toMatch(/\| some value \|\n\[truncated: [\d,]+ of [\d,]+ characters left out;/);
    expect(text.startsWith(cut.slice(0, cut.indexOf("\n[truncated")))).toBe(true);
  });

  it("reads the text blocks, else the structured content as JSON", () => {
    expect(
      toolResultForModel(
        {
          content: [
            { type: "text", text: "first" },
            { type: "text", text: "second" },
          ],
          structuredContent: { a: 1 },
        },
        100,
      ),
    ).toBe("first\n\nsecond");
    expect(toolResultForModel({ content: [], structuredContent: { a: 1 } }, 100)).toBe('{"a":1}');
  });
});
