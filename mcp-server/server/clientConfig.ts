import { resolve } from "node:path";

/** Where the running CLI bundle is, so snippets launch exactly this installation. */
function cliPath(): string {
  return resolve(process.argv[1] ?? "dist/cli.js");
}

/**
 * Ready-to-paste client configuration: stdio for Claude Desktop and Cursor (the client launches
 * the server), the running HTTP server for VS Code.
 */
export function clientConfigSnippets(
  database: string,
  http?: { url: string; token: string | undefined },
): string {
  const stdio = { command: process.execPath, args: [cliPath(), "serve", "--db", database] };
  const claude = { mcpServers: { crm: stdio } };
  const cursor = { mcpServers: { crm: stdio } };
  const vscode = http
    ? {
        servers: {
          crm: {
            type: "http",
            url: http.url,
            ...(http.token ? { headers: { Authorization: `Bearer ${http.token}` } } : {}),
          },
        },
      }
    : { servers: { crm: { type: "stdio", ...stdio } } };
  return [
    "Claude Desktop (claude_desktop_config.json):",
    JSON.stringify(claude, null, 2),
    "",
    "VS Code (.vscode/mcp.json):",
    JSON.stringify(vscode, null, 2),
    "",
    "Cursor (.cursor/mcp.json):",
    JSON.stringify(cursor, null, 2),
  ].join("\n");
}
