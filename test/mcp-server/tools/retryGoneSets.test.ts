import { Client } from "@modelcontextprotocol/sdk/client/index.js";
import { InMemoryTransport } from "@modelcontextprotocol/sdk/inMemory.js";
import { McpServer } from "@modelcontextprotocol/sdk/server/mcp.js";
import type { CallToolResult } from "@modelcontextprotocol/sdk/types.js";
import { describe, expect, it } from "vitest";
import { retryingGoneSets } from "../../../mcp-server/tools/retryGoneSets.js";
import { ScoreSetGoneError } from "../../../mcp-server/store/errors.js";

/** A server with one tool that fails with `failure` on its first `failures` calls, and a client on it. */
async function serverWith(readOnly: boolean, failures: number, failure: () => Error) {
  const server = new McpServer({ name: "retry-test", version: "1" });
  let calls = 0;
  retryingGoneSets(server).registerTool(
    "count",
    { description: "counts its calls", annotations: { readOnlyHint: readOnly } },
    async () => {
      calls++;
      if (calls <= failures) throw failure();
      return { content: [{ type: "text", text: `call ${calls}` }] };
    },
  );
  const client = new Client({ name: "retry-test", version: "1" });
  const [clientSide, serverSide] = InMemoryTransport.createLinkedPair();
  await Promise.all([server.connect(serverSide), client.connect(clientSide)]);
  const call = async () => (await client.callTool({ name: "count", arguments: {} })) as CallToolResult;
  return { call, calls: () => calls, close: () => client.close() };
}

const text = (result: CallToolResult) => (result.content[0] as { text: string }).text;

describe("tools whose score set is dropped while they read it", () => {
  it("answers a read-only tool once more, from the set that is kept", async () => {
    const tool = await serverWith(true, 1, () => new ScoreSetGoneError());
    const result = await tool.call();
    expect(result.isError).toBeFalsy();
    expect(text(result)).toBe("call 2");
    await tool.close();
  });

  it("says so when the set is dropped again, and does not retry other errors or tools that write", async () => {
    const twice = await serverWith(true, 2, () => new ScoreSetGoneError());
    const again = await twice.call();
    expect(again.isError).toBe(true);
    expect(text(again)).toMatch(/replaced by newer ones while it read them .*; try again/);
    expect(twice.calls()).toBe(2);
    await twice.close();

    const other = await serverWith(true, 1, () => new Error("something else"));
    expect((await other.call()).isError).toBe(true);
    expect(other.calls()).toBe(1);
    await other.close();

    const writing = await serverWith(false, 1, () => new ScoreSetGoneError());
    expect((await writing.call()).isError).toBe(true);
    expect(writing.calls()).toBe(1);
    await writing.close();
  });
});
