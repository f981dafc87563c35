import { StdioServerTransport } from "@modelcontextprotocol/sdk/server/stdio.js";
import { createServer } from "./createServer.js";
import type { ServerDeps } from "./deps.js";
import { MAX_STDIO_MESSAGE_BYTES, MessageSizeGuard } from "./stdioLimit.js";

/**
 * Serves MCP over stdin/stdout, as chat clients launch it. stdout carries the protocol, so
 * everything else goes to stderr. Resolves when the client disconnects.
 */
export async function serveStdio(deps: ServerDeps, maxMessageBytes = MAX_STDIO_MESSAGE_BYTES): Promise<void> {
  const server = createServer(deps);
  const guarded = process.stdin.pipe(
    new MessageSizeGuard(maxMessageBytes, (id, bytes) => {
      const message = `message of ${bytes.toLocaleString("en-US")} bytes dropped: stdio messages are limited to ${maxMessageBytes.toLocaleString("en-US")} bytes`;
      process.stderr.write(`crm-assistant: ${message}\n`);
      // Answer the request (when its id could be read) so the client does not wait for a timeout.
      if (id !== null) {
        process.stdout.write(
          `${JSON.stringify({ jsonrpc: "2.0", id, error: { code: -32600, message: `Invalid Request: ${message}` } })}\n`,
        );
      }
    }),
  );
  const transport = new StdioServerTransport(guarded, process.stdout, {
    maxBufferSize: maxMessageBytes + 1024,
  });
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
