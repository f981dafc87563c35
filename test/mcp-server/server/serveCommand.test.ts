import { createHash } from "node:crypto";
import { spawn, type ChildProcess } from "node:child_process";
import { join } from "node:path";
import { Client } from "@modelcontextprotocol/sdk/client/index.js";
import { StdioClientTransport } from "@modelcontextprotocol/sdk/client/stdio.js";
import { StreamableHTTPClientTransport } from "@modelcontextprotocol/sdk/client/streamableHttp.js";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { seedDemo } from "../../../mcp-server/demo/seed.js";
import { Store } from "../../../mcp-server/store/store.js";
import { ensureBuilt, REPO_ROOT, runCli } from "../../helpers/cli.js";
import { createTempDir, type TempDir } from "../../helpers/tempFiles.js";

const CLI = join(REPO_ROOT, "dist/cli.js");
const SERVER = join(REPO_ROOT, "dist/server.js");

interface Running {
  child: ChildProcess;
  stdout(): string;
  stderr(): string;
  /** Resolves with the first match of `pattern` in stderr (rejects if the process exits first). */
  waitForStderr(pattern: RegExp, timeoutMs?: number): Promise<RegExpMatchArray>;
  exited: Promise<{ code: number | null; signal: NodeJS.Signals | null }>;
}

/** Starts a built entry point; without CRM_TOKEN from the test's own environment. */
function start(script: string, args: string[]): Running {
  const env = { ...process.env };
  delete env.CRM_TOKEN;
  const child = spawn(process.execPath, [script, ...args], { cwd: REPO_ROOT, env, stdio: "pipe" });
  let stdout = "";
  let stderr = "";
  child.stdout!.on("data", (chunk: Buffer) => (stdout += chunk.toString()));
  child.stderr!.on("data", (chunk: Buffer) => (stderr += chunk.toString()));
  const exited = new Promise<{ code: number | null; signal: NodeJS.Signals | null }>((resolve) =>
    child.once("exit", (code, signal) => resolve({ code, signal })),
  );
  return {
    child,
    stdout: () => stdout,
    stderr: () => stderr,
    exited,
    waitForStderr(pattern, timeoutMs = 30_000) {
      return new Promise((resolve, reject) => {
        const check = () => {
          const match = stderr.match(pattern);
          if (!match) return false;
          cleanup();
          resolve(match);
          return true;
        };
        const onData = () => check();
        const onExit = () => {
          if (check()) return;
          cleanup();
          reject(new Error(`process exited before printing ${pattern}; stderr:\n${stderr}`));
        };
        const timer = setTimeout(() => {
          cleanup();
          reject(new Error(`timed out waiting for ${pattern}; stderr:\n${stderr}`));
        }, timeoutMs);
        const cleanup = () => {
          clearTimeout(timer);
          child.stderr!.off("data", onData);
          child.off("exit", onExit);
        };
        child.stderr!.on("data", onData);
        child.once("exit", onExit);
        check();
      });
    },
  };
}

/** The token the first HTTP start printed; later starts only keep its hash. */
let firstToken = "";

describe("crm serve", () => {
  let dir: TempDir;
  let db: string;
  const running: Running[] = [];

  beforeAll(async () => {
    ensureBuilt();
    dir = createTempDir("crm-serve-");
    db = dir.join("crm.db");
    const store = await Store.open(db);
    await seedDemo(store, { seed: 7, customers: 60, asOf: new Date("2026-06-30T23:59:59Z") });
    await store.close();
  });

  afterAll(async () => {
    for (const { child, exited } of running) {
      if (child.exitCode === null && child.signalCode === null) {
        child.kill("SIGKILL");
        await exited;
      }
    }
    dir?.remove();
  });

  it("--http prints the URL and token to stderr, answers an authenticated client and exits cleanly on SIGTERM", async () => {
    const server = start(CLI, ["--db", db, "serve", "--http", "--port", "0"]);
    running.push(server);
    const [, url] = await server.waitForStderr(/MCP server on (http:\/\/127\.0\.0\.1:\d+\/mcp)/);
    const [, token] = await server.waitForStderr(/token: (\S+) \(generated; only its hash is saved in /);
    firstToken = token;

    const unauthenticated = await fetch(url, {
      method: "POST",
      headers: { "Content-Type": "application/json", Accept: "application/json, text/event-stream" },
      body: "{}",
    });
    expect(unauthenticated.status).toBe(401);

    const client = new Client({ name: "crm-serve-test", version: "1.0.0" });
    await client.connect(
      new StreamableHTTPClientTransport(new URL(url), {
        requestInit: { headers: { Authorization: `Bearer ${token}` } },
      }),
    );
    const { tools } = await client.listTools();
    expect(tools.map((tool) => tool.name)).toContain("find_at_risk_customers");
    const result = await client.callTool({
      name: "find_at_risk_customers",
      arguments: { as_of: "2026-06-30", limit: 3 },
    });
    expect(result.isError ?? false).toBe(false);
    expect((result.structuredContent as { customers: unknown[] }).customers.length).toBeGreaterThan(0);

    server.child.kill("SIGTERM");
    const { code, signal } = await server.exited;
    expect({ code, signal }).toEqual({ code: 0, signal: null });
    expect(server.stderr()).toMatch(/SIGTERM: closing 1 session\(s\) and stopping/);
    expect(server.stdout()).toBe("");
    await client.close();
  });

  it("--http keeps the first start's token, stored only as its hash and not shown again", async () => {
    const server = start(CLI, ["--db", db, "serve", "--http", "--port", "0"]);
    running.push(server);
    const [, url] = await server.waitForStderr(/MCP server on (http:\/\/127\.0\.0\.1:\d+\/mcp)/);
    await server.waitForStderr(/token: the one printed when it was made \(only its hash is kept in /);
    await server.waitForStderr(/restart with --new-token to make and print a new one/);
    expect(server.stderr()).not.toContain(firstToken);
    const saved = await Store.open(db);
    try {
      expect(await saved.getSetting("http_token_sha256")).toBe(
        createHash("sha256").update(firstToken).digest("hex"),
      );
      expect(await saved.getSetting("http_token")).toBeUndefined();
    } finally {
      await saved.close();
    }
    const answered = await fetch(url, {
      method: "POST",
      headers: {
        "Content-Type": "application/json",
        Accept: "application/json, text/event-stream",
        Authorization: `Bearer ${firstToken}`,
      },
      body: JSON.stringify({
        jsonrpc: "2.0",
        id: 1,
        method: "initialize",
        params: { protocolVersion: "2025-06-18", capabilities: {}, clientInfo: { name: "t", version: "1" } },
      }),
    });
    expect(answered.status).toBe(200);
    server.child.kill("SIGINT");
    expect((await server.exited).code).toBe(0);
  });

  it("refuses --no-auth on 0.0.0.0 with exit code 1 and a one-line message", () => {
    const result = runCli(["--db", db, "serve", "--http", "--host", "0.0.0.0", "--no-auth"]);
    expect(result.code).toBe(1);
    expect(result.stderr.trim().split("\n")).toHaveLength(1);
    expect(result.stderr).toMatch(/^crm: --no-auth is refused on 0\.0\.0\.0/);
    expect(result.stdout).toBe("");
  });

  it("rejects a port that is not a number from 0 to 65535", () => {
    const result = runCli(["--db", db, "serve", "--http", "--port", "70000"]);
    expect(result.code).toBe(1);
    expect(result.stderr).toContain("--port must be a whole number from 0 to 65535");
  });

  it("speaks stdio by default, keeping stdout for the protocol", async () => {
    const transport = new StdioClientTransport({
      command: process.execPath,
      args: [CLI, "--db", db, "serve"],
      stderr: "pipe",
    });
    let stderr = "";
    transport.stderr?.on("data", (chunk: Buffer) => (stderr += chunk.toString()));
    const client = new Client({ name: "crm-serve-stdio-test", version: "1.0.0" });
    await client.connect(transport);
    try {
      const { tools } = await client.listTools();
      expect(tools.map((tool) => tool.name)).toContain("find_at_risk_customers");
    } finally {
      await client.close();
    }
    expect(stderr).toContain("MCP server on stdio");
  });
});

describe("the bundled dist/server.js", () => {
  it("takes the same HTTP options and exits cleanly on SIGINT", async () => {
    const dir = createTempDir("crm-server-http-");
    try {
      const server = start(SERVER, [
        "--db",
        dir.join("crm.db"),
        "--http",
        "--port",
        "0",
        "--token",
        "given-token-123",
      ]);
      try {
        const [, url] = await server.waitForStderr(/MCP server on (http:\/\/127\.0\.0\.1:\d+\/mcp)/);
        await server.waitForStderr(/token: given-token-123 \(from --token \/ CRM_TOKEN\)/);
        const response = await fetch(url, {
          method: "POST",
          headers: {
            "Content-Type": "application/json",
            Accept: "application/json, text/event-stream",
            Authorization: "Bearer given-token-123",
          },
          body: JSON.stringify({
            jsonrpc: "2.0",
            id: 1,
            method: "initialize",
            params: {
              protocolVersion: "2025-06-18",
              capabilities: {},
              clientInfo: { name: "t", version: "1" },
            },
          }),
        });
        expect(response.status).toBe(200);
        expect(response.headers.get("mcp-session-id")).toBeTruthy();
        await response.body?.cancel();
        server.child.kill("SIGINT");
        expect((await server.exited).code).toBe(0);
      } finally {
        if (server.child.exitCode === null) server.child.kill("SIGKILL");
      }
    } finally {
      dir.remove();
    }
  });

  it("refuses --no-auth on a non-loopback address with exit code 1", async () => {
    const dir = createTempDir("crm-server-http-");
    try {
      const server = start(SERVER, ["--db", dir.join("crm.db"), "--http", "--host", "0.0.0.0", "--no-auth"]);
      const { code } = await server.exited;
      expect(code).toBe(1);
      expect(server.stderr()).toContain("--no-auth is refused on 0.0.0.0");
    } finally {
      dir.remove();
    }
  });
});
