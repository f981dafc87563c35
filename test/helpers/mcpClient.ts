import { Client } from "@modelcontextprotocol/sdk/client/index.js";
import { InMemoryTransport } from "@modelcontextprotocol/sdk/inMemory.js";
import type { CallToolResult } from "@modelcontextprotocol/sdk/types.js";
import { seedDemo } from "../../mcp-server/demo/seed.js";
import { createServer } from "../../mcp-server/server/createServer.js";
import type { ServerDeps } from "../../mcp-server/server/deps.js";
import { Store } from "../../mcp-server/store/store.js";
import { createTempDir } from "./tempFiles.js";

/** The demo book every MCP test uses: fixed seed and as-of, so expected values are exact. */
export const DEMO_SEED = 42;
export const DEMO_CUSTOMERS = 600;
export const DEMO_AS_OF = "2026-06-30";
/** The server's clock in tests: the day after the demo ends. */
export const TEST_NOW = new Date("2026-07-01T09:00:00Z");

export interface McpHarness {
  client: Client;
  store: Store;
  deps: ServerDeps;
  path: string;
  /** Calls a tool and returns its result (errors come back as isError results, not throws). */
  call(name: string, args?: Record<string, unknown>): Promise<CallToolResult>;
  close(): Promise<void>;
}

/** A store at `path` holding the tests' demo book (seed, size and as-of date above). */
export async function openDemoStore(path: string): Promise<Store> {
  const store = await Store.open(path);
  await seedDemo(store, {
    seed: DEMO_SEED,
    customers: DEMO_CUSTOMERS,
    asOf: new Date(`${DEMO_AS_OF}T23:59:59Z`),
  });
  return store;
}

/**
 * A real SDK `Client` linked in memory to a server over a fresh demo store. Pass `deps`
 * overrides to enable writes, redaction or another clock.
 */
export async function createMcpHarness(
  overrides: Partial<Omit<ServerDeps, "store">> = {},
): Promise<McpHarness> {
  const dir = createTempDir("crm-mcp-");
  const path = dir.join("crm.db");
  const store = await openDemoStore(path);
  const deps: ServerDeps = {
    store,
    allowWrites: false,
    redact: false,
    actor: "test",
    now: () => TEST_NOW,
    ...overrides,
  };
  const server = createServer(deps);
  const client = new Client({ name: "crm-test", version: "1.0.0" });
  const [clientTransport, serverTransport] = InMemoryTransport.createLinkedPair();
  await Promise.all([server.connect(serverTransport), client.connect(clientTransport)]);
  return {
    client,
    store,
    deps,
    path,
    call: (name, args = {}) => client.callTool({ name, arguments: args }) as Promise<CallToolResult>,
    async close() {
      await client.close();
      await server.close();
      await store.close();
      dir.remove();
    },
  };
}

/** The text of a result's first content block. */
export function textOf(result: CallToolResult): string {
  const first = result.content[0];
  return first && first.type === "text" ? first.text : "";
}
