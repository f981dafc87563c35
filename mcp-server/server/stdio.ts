import { StdioServerTransport } from "@modelcontextprotocol/sdk/server/stdio.js";
import { createServer } from "./createServer.js";
import type { ServerDeps } from "./deps.js";

/**
 * Serves MCP over stdin/stdout, as chat clients launch it. stdout carries the protocol, so
 * everything else goes to stderr. Resolves when the client disconnects.
 */
export async function serveStdio(deps: ServerDeps): Promise<void> {
  const server = createServer(deps);
  const transport = new StdioServerTransport();
  const closed = new Promise<void>((resolve) => {
    transport.onclose = () => resolve();
    process.stdin.on("end", () => resolve());
  });
  await server.connect(transport);
  process.stderr.write(
    `crm-assistant MCP server on stdio; store ${deps.store.path}; writes ${deps.allowWrites ? "enabled" : "disabled"}\n`,
  );
  await closed;
  await server.close();
}
