import { Client } from "@modelcontextprotocol/sdk/client/index.js";
import { StdioClientTransport } from "@modelcontextprotocol/sdk/client/stdio.js";
import type { CallToolResult } from "@modelcontextprotocol/sdk/types.js";
import type { ProcessLaunch } from "./serverLaunch.js";

/** A tool answered with `isError`: the server's message says what was wrong and how to fix it. */
export class ToolError extends Error {
  constructor(
    readonly tool: string,
    message: string,
  ) {
    super(`${tool}: ${message}`);
    this.name = "ToolError";
  }
}

/** The text of a result's text blocks, joined. */
export function resultText(result: CallToolResult): string {
  return result.content
    .filter((block): block is { type: "text"; text: string } => block.type === "text")
    .map((block) => block.text)
    .join("\n");
}

/**
 * The structured result of a tool call, or a `ToolError` for an `isError` result. Falls back to
 * parsing the text block, which the server fills with the same JSON.
 */
export function structuredResult<T>(tool: string, result: CallToolResult): T {
  if (result.isError) throw new ToolError(tool, resultText(result) || "the tool failed");
  if (result.structuredContent) return result.structuredContent as T;
  try {
    return JSON.parse(resultText(result)) as T;
  } catch {
    throw new ToolError(tool, "the result had no structured content");
  }
}

/**
 * An MCP client of the bundled server over stdio, for the views, commands and chat participant.
 * It connects on first use, reconnects after the server exits, and sends the server's stderr
 * (and its own notes) to `log`.
 */
export class CrmClient {
  private connection: Promise<{ client: Client; transport: StdioClientTransport }> | undefined;
  private current: Client | undefined;

  constructor(
    private readonly launch: () => ProcessLaunch,
    private readonly log: (line: string) => void,
  ) {}

  /** Calls a tool and returns its structured content, typed by the caller. */
  async call<T>(tool: string, args: Record<string, unknown> = {}): Promise<T> {
    const { client } = await this.connect();
    const result = (await client.callTool({ name: tool, arguments: args })) as CallToolResult;
    return structuredResult<T>(tool, result);
  }

  /** Calls a tool and returns its whole result (content, structuredContent, isError), as hosts get it. */
  async callToolResult(tool: string, args: Record<string, unknown> = {}): Promise<CallToolResult> {
    const { client } = await this.connect();
    return (await client.callTool({ name: tool, arguments: args })) as CallToolResult;
  }

  /** The text of a resource the server serves (e.g. a `ui://` view's HTML). */
  async readResourceText(uri: string): Promise<string> {
    const { client } = await this.connect();
    const { contents } = await client.readResource({ uri });
    const first = contents[0];
    if (!first || !("text" in first) || typeof first.text !== "string") {
      throw new Error(`${uri} has no text content`);
    }
    return first.text;
  }

  /** The names of the tools the server lists. */
  async listTools(): Promise<string[]> {
    const { client } = await this.connect();
    const { tools } = await client.listTools();
    return tools.map((tool) => tool.name);
  }

  /** Stops the server; the next call starts it again with the launch settings of that moment. */
  async restart(): Promise<void> {
    const connection = this.connection;
    this.connection = undefined;
    if (!connection) return;
    try {
      const { client } = await connection;
      await client.close();
    } catch {
      // a server that failed to start has nothing to close
    }
  }

  dispose(): Promise<void> {
    return this.restart();
  }

  private connect(): Promise<{ client: Client; transport: StdioClientTransport }> {
    if (!this.connection) {
      const connection = this.open();
      this.connection = connection;
      connection.catch(() => {
        if (this.connection === connection) this.connection = undefined;
      });
    }
    return this.connection;
  }

  private async open(): Promise<{ client: Client; transport: StdioClientTransport }> {
    const launch = this.launch();
    this.log(`starting ${launch.command} ${launch.args.join(" ")}`);
    const transport = new StdioClientTransport({
      command: launch.command,
      args: launch.args,
      env: launch.env,
      stderr: "pipe",
    });
    transport.stderr?.on("data", (chunk: Buffer) => {
      for (const line of chunk.toString("utf8").split(/\r?\n/)) if (line.trim() !== "") this.log(line);
    });
    const client = new Client({ name: "crm-assistant-vscode", version: "0.1.0" });
    this.current = client;
    client.onclose = () => {
      this.log("the CRM server connection closed");
      if (this.current === client) {
        this.current = undefined;
        this.connection = undefined;
      }
    };
    try {
      await client.connect(transport);
    } catch (error) {
      await transport.close().catch(() => undefined);
      throw new Error(
        `could not start the CRM server (${error instanceof Error ? error.message : String(error)}); see the CRM Assistant output for its log`,
      );
    }
    return { client, transport };
  }
}
